/*
 * capi_impl.h: the objects behind the standard C API (include/wasm.h),
 * shared by the files of src/capi/.
 *
 * The engine's own headers (wasm_module.h) and the standard wasm.h both
 * use the names WASM_I32 ... WASM_EXTERNREF and wasm_func_type, with other
 * meanings. This header includes vm.h with the engine's spellings renamed
 * to WX_VT_* and wx_module_func_type, then wasm.h: inside src/capi/ the
 * plain names are always the standard API's.
 *
 * Model (docs/embedding.md): every reference object (func, global, table,
 * memory, instance, module, foreign) is one 'struct wasm_ref_t' owned by
 * its store until wasm_store_delete; a handle the API returns is a pointer
 * to it, and deleting a handle does nothing. Each engine object (a
 * vm_func, vm_global, ...) has at most one wasm_ref_t, found through the
 * store's map, so wasm_*_same is pointer equality and host info sticks to
 * the object. Traps are the exception: each is its own allocation, freed
 * by wasm_trap_delete. An externref value inside wasm is the address of
 * the wasm_ref_t it refers to; a funcref is the vm_func.
 */
#ifndef WASMIX_CAPI_IMPL_H
#define WASMIX_CAPI_IMPL_H

#define WASM_I32       WX_VT_I32
#define WASM_I64       WX_VT_I64
#define WASM_F32       WX_VT_F32
#define WASM_F64       WX_VT_F64
#define WASM_FUNCREF   WX_VT_FUNCREF
#define WASM_EXTERNREF WX_VT_EXTERNREF
#define wasm_func_type wx_module_func_type
#include "vm/vm.h"
#undef WASM_I32
#undef WASM_I64
#undef WASM_F32
#undef WASM_F64
#undef WASM_FUNCREF
#undef WASM_EXTERNREF
#undef wasm_func_type

#include "wasm.h"

/* ---- types ------------------------------------------------------------- */

/* The compiled tier's settings (wasmix_engine_config_compile). */
struct capi_compile {
	bool on;      /* compile modules (docs/aot.md) */
	bool cache;   /* in $XDG_CACHE_HOME/wasmix, else a temporary dir */
	bool verbose; /* say on stderr why code is interpreted */
};

struct wasm_config_t {
	bool compile_set; /* else WASMIX_AOT=1 decides, as for runs */
	struct capi_compile compile;
};

struct wasm_engine_t {
	struct capi_compile compile;
};

struct wasm_valtype_t {
	wasm_valkind_t kind;
};

/* The first member of every extern type: which one it is. */
struct wasm_externtype_t {
	wasm_externkind_t kind;
};

struct wasm_functype_t {
	struct wasm_externtype_t ext;
	wasm_valtype_vec_t params, results;
};

struct wasm_globaltype_t {
	struct wasm_externtype_t ext;
	wasm_valtype_t *content;
	wasm_mutability_t mutability;
};

struct wasm_tabletype_t {
	struct wasm_externtype_t ext;
	wasm_valtype_t *element;
	wasm_limits_t limits;
};

struct wasm_memorytype_t {
	struct wasm_externtype_t ext;
	wasm_limits_t limits;
};

struct wasm_importtype_t {
	wasm_name_t module, name;
	wasm_externtype_t *type;
};

struct wasm_exporttype_t {
	wasm_name_t name;
	wasm_externtype_t *type;
};

/* ---- objects ----------------------------------------------------------- */

/* Object kinds; the first four are the wasm_externkind_t values. */
enum capi_kind {
	CAPI_FUNC = WASM_EXTERN_FUNC,
	CAPI_GLOBAL = WASM_EXTERN_GLOBAL,
	CAPI_TABLE = WASM_EXTERN_TABLE,
	CAPI_MEMORY = WASM_EXTERN_MEMORY,
	CAPI_INSTANCE,
	CAPI_MODULE,
	CAPI_FOREIGN,
	CAPI_TRAP,
};

struct aot_code;

/* A decoded, validated module, shared by handles, stores and threads. */
struct capi_module {
	struct wasm_module *m;
	/* Its compiled code (engine compiling, and the module compilable),
	 * else NULL; set once when made, unloaded with the module: after
	 * every store that instantiated it is freed (they hold 'refs'). */
	struct aot_code *code;
	int refs; /* atomic */
};

/* A trap's origin: the wasm function that trapped (capi_store.c). */
struct wasm_frame_t {
	wasm_instance_t *instance; /* not owned: lives in its store */
	uint32_t func_index;
	size_t func_offset;   /* always 0: instruction offsets are not kept */
	size_t module_offset; /* the function body's offset in the module */
};

struct wasm_ref_t {
	uint8_t kind; /* enum capi_kind */
	wasm_store_t *store;
	void *host_info;
	void (*finalizer)(void *);
	union {
		struct vm_func *func;
		struct vm_global *global;
		struct vm_table *table;
		struct vm_memory *memory;
		struct vm_instance *instance;
		struct capi_module *module;
		struct {
			wasm_message_t msg;   /* NUL-terminated */
			wasm_frame_t *origin; /* owned, or NULL */
		} trap;
		void *any;
	} u;
};

struct wasm_shared_module_t {
	struct capi_module *mod;
};

/* An environment finalizer of wasm_func_new_with_env. */
struct capi_env {
	void (*finalizer)(void *);
	void *env;
};

/*
 * What a store may do around each outermost call into its wasm (from the
 * embedder: wasm_func_call, a start function, wasmix_wasi_run_start; not
 * the nested calls of host callbacks): 'enter' before it, 'leave' after
 * it with the call's outcome, which it may change (a trap "interrupted"
 * becomes a timeout). wasmix_store_new's timeout; zero: nothing.
 */
struct capi_call_hook {
	void (*enter)(void *ud);
	void (*leave)(void *ud, int *rc, struct diag *diag);
	void *ud;
};

/* An instance of a store bound to compiled code (capi_store.c). */
struct capi_bound {
	const struct vm_instance *inst;
	void *state; /* the compiled tier's, freed after the engine store */
	uint32_t ncompiled;
};

struct wasm_store_t {
	struct vm_store *vm;
	const wasm_engine_t *engine; /* NULL: not compiling */
	struct capi_bound *bound;
	size_t nbound, cap_bound;
	struct capi_call_hook hook;
	uint32_t depth; /* calls into wasm in progress (nested ones too) */
	struct wasm_ref_t **objs; /* every object, for teardown */
	size_t nobjs, cap_objs;
	/* Open addressing: engine object address -> its wasm_ref_t. */
	struct wasm_ref_t **map;
	size_t map_cap, map_used;
	struct capi_module *
	    *mods; /* modules instantiated here (one ref each) */
	size_t nmods, cap_mods;
	struct capi_env *envs;
	size_t nenvs, cap_envs;
};

/* capi_types.c: type conversions between wasm.h and the engine. */
wasm_valkind_t capi_valkind_of(uint32_t vt);
uint32_t capi_vt_of(wasm_valkind_t k);
wasm_functype_t *capi_functype_of(const struct wasm_functype *ft);
wasm_globaltype_t *capi_globaltype_of(const struct wasm_globaltype *gt);
wasm_tabletype_t *capi_tabletype_of(const struct wasm_tabletype *tt);
wasm_memorytype_t *capi_memorytype_of(const struct wasm_limits_decl *lim);
void capi_limits_decl(const wasm_limits_t *l, struct wasm_limits_decl *out);
/* The engine's form of 'ft' (types owned by 'out'); false if no memory. */
bool capi_functype_to_vm(const wasm_functype_t *ft, struct wasm_functype *out);
/* Grows '*arr' (of '*cap' elements of 'size') to hold 'need'. */
bool capi_reserve(void **arr, size_t *cap, size_t need, size_t size);

/* capi_runtime.c: WX_OK, or WX_ELINK with the message if module 'm'
 * imports a tag (wasm.h cannot give one: docs/embedding.md). */
int capi_check_no_tag_import(const struct wasm_module *m, struct diag *diag);

/* capi_runtime.c: the engine extern an import object 'r' stands for (a
 * function, global, table or memory); false if it is none of those. */
bool capi_extern_to_vm(const wasm_ref_t *r, struct vm_extern *out);

/* capi_store.c: a store over an engine store of config 'cfg' (NULL: the
 * defaults) whose instances run the compiled code of their modules when
 * 'engine' (may be NULL) compiles; NULL if out of memory. */
wasm_store_t *capi_store_new(const wasm_engine_t *engine,
                             const struct vm_config *cfg);
/* Drops a reference on 'mod'; the last frees it and unloads its code. */
void capi_module_release(struct capi_module *mod);
/* Brackets every call into the wasm of store 's' (capi_call_hook). */
void capi_call_begin(wasm_store_t *s);
void capi_call_end(wasm_store_t *s, int *rc, struct diag *diag);

/* capi_store.c: objects and values. */
wasm_ref_t *capi_obj(wasm_store_t *s, uint8_t kind, void *engine_obj);
wasm_ref_t *capi_trap_new_str(wasm_store_t *s, const char *msg);
/* A trap of a failed engine call into 's': message and, where the engine
 * knows it, the function that trapped. */
wasm_ref_t *capi_trap_of_call(wasm_store_t *s, const char *msg);
void capi_val_of_slot(wasm_store_t *s, wasm_valkind_t k, uint64_t slot,
                      wasm_val_t *out);
uint64_t capi_slot_of_val(const wasm_val_t *v);
uint64_t capi_slot_of_ref(wasm_valkind_t k, const wasm_ref_t *r);
wasm_ref_t *capi_ref_of_slot(wasm_store_t *s, wasm_valkind_t k, uint64_t slot);

#endif

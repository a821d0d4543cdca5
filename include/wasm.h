/*
 * wasm.h: the standard WebAssembly C API (the interface of
 * github.com/WebAssembly/wasm-c-api), as libwasmix provides it.
 *
 * The names, types and signatures below are the contract shared with the
 * other engines that implement this API, so a program written against it
 * relinks against wasmix unchanged; the comments and layout are wasmix's.
 * What wasmix does where the API leaves room is in docs/embedding.md.
 *
 * Ownership: a parameter or result marked 'own' passes ownership: the
 * receiver deletes it with the matching *_delete. A vector passed 'own'
 * is emptied by its receiver; its elements move with it.
 *
 * Identity: references (func, global, table, memory, instance, module,
 * foreign, extern, ref) are handles onto objects that live in their store
 * until wasm_store_delete. Two handles onto one object compare equal with
 * wasm_*_same and share host info; a finalizer set with host info runs
 * once, when the store is deleted (traps: when their handle is deleted).
 *
 * Threads: an engine may be shared; a store and everything made in it is
 * used by one thread at a time. A shared module (wasm_module_share) may
 * cross threads.
 */
#ifndef WASM_H
#define WASM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WASM_API_EXTERN
#define WASM_API_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* libwasmix is built with hidden symbols; these are its interface. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* ---- basic types ------------------------------------------------------ */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* Documentation marker: the value's ownership passes (see above). */
#define own

/* An owned object: 'wasm_NAME_t' and its destructor. */
#define WASMIX_CAPI_OWNED(NAME)                                                \
	typedef struct wasm_##NAME##_t wasm_##NAME##_t;                        \
	WASM_API_EXTERN void wasm_##NAME##_delete(own wasm_##NAME##_t *);

/*
 * A vector 'wasm_NAME_vec_t' of 'size' elements (values, or pointers when
 * ELEM_PTR is '*'). new_uninitialized leaves the elements unset (pointer
 * vectors: NULL); new takes ownership of the 'size' elements given;
 * copy deep-copies; delete deletes the elements and frees the array.
 */
#define WASMIX_CAPI_VEC(NAME, ELEM_PTR)                                        \
	typedef struct wasm_##NAME##_vec_t {                                   \
		size_t size;                                                   \
		wasm_##NAME##_t ELEM_PTR *data;                                \
	} wasm_##NAME##_vec_t;                                                 \
	WASM_API_EXTERN void wasm_##NAME##_vec_new_empty(                      \
	    own wasm_##NAME##_vec_t *out);                                     \
	WASM_API_EXTERN void wasm_##NAME##_vec_new_uninitialized(              \
	    own wasm_##NAME##_vec_t *out, size_t size);                        \
	WASM_API_EXTERN void wasm_##NAME##_vec_new(                            \
	    own wasm_##NAME##_vec_t *out, size_t size,                         \
	    own wasm_##NAME##_t ELEM_PTR const data[]);                        \
	WASM_API_EXTERN void wasm_##NAME##_vec_copy(                           \
	    own wasm_##NAME##_vec_t *out, const wasm_##NAME##_vec_t *src);     \
	WASM_API_EXTERN void wasm_##NAME##_vec_delete(                         \
	    own wasm_##NAME##_vec_t *v);

/* ---- bytes and names -------------------------------------------------- */

typedef byte_t wasm_byte_t;
WASMIX_CAPI_VEC(byte, )

/* A name is a byte vector; it is not NUL-terminated unless said so. */
typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name                       wasm_byte_vec
#define wasm_name_new                   wasm_byte_vec_new
#define wasm_name_new_empty             wasm_byte_vec_new_empty
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy                  wasm_byte_vec_copy
#define wasm_name_delete                wasm_byte_vec_delete

/* A name holding the characters of 's', without its NUL. */
static inline void wasm_name_new_from_string(own wasm_name_t *out,
                                             const char *s)
{
	wasm_name_new(out, strlen(s), s);
}

/* A name holding the characters of 's' and its terminating NUL. */
static inline void wasm_name_new_from_string_nt(own wasm_name_t *out,
                                                const char *s)
{
	wasm_name_new(out, strlen(s) + 1, s);
}

/* ---- runtime environment ---------------------------------------------- */

/* Engine settings; wasmix has none yet (an empty config). */
WASMIX_CAPI_OWNED(config)
WASM_API_EXTERN own wasm_config_t *wasm_config_new(void);

/* The engine: shared by the stores made from it; delete it last. */
WASMIX_CAPI_OWNED(engine)
WASM_API_EXTERN own wasm_engine_t *wasm_engine_new(void);
WASM_API_EXTERN own wasm_engine_t *
wasm_engine_new_with_config(own wasm_config_t *config);

/* A store: owns every object made in it until it is deleted. */
WASMIX_CAPI_OWNED(store)
WASM_API_EXTERN own wasm_store_t *wasm_store_new(wasm_engine_t *engine);

/* ---- types ------------------------------------------------------------- */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum {
	WASM_CONST,
	WASM_VAR,
};

/* Limits of a table or memory; 'max' is wasm_limits_max_default if none. */
typedef struct wasm_limits_t {
	uint32_t min;
	uint32_t max;
} wasm_limits_t;

static const uint32_t wasm_limits_max_default = 0xffffffff;

/* A type: owned, in vectors, and copyable. */
#define WASMIX_CAPI_TYPE(NAME)                                                 \
	WASMIX_CAPI_OWNED(NAME)                                                \
	WASMIX_CAPI_VEC(NAME, *)                                               \
	WASM_API_EXTERN own wasm_##NAME##_t *wasm_##NAME##_copy(               \
	    const wasm_##NAME##_t *);

/* Value types. */
WASMIX_CAPI_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
	WASM_I32,
	WASM_I64,
	WASM_F32,
	WASM_F64,
	WASM_EXTERNREF = 128,
	WASM_FUNCREF,
};

WASM_API_EXTERN own wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t);

static inline bool wasm_valkind_is_num(wasm_valkind_t k)
{
	return k < WASM_EXTERNREF;
}

static inline bool wasm_valkind_is_ref(wasm_valkind_t k)
{
	return k >= WASM_EXTERNREF;
}

static inline bool wasm_valtype_is_num(const wasm_valtype_t *t)
{
	return wasm_valkind_is_num(wasm_valtype_kind(t));
}

static inline bool wasm_valtype_is_ref(const wasm_valtype_t *t)
{
	return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

/* Function types: take ownership of both vectors. */
WASMIX_CAPI_TYPE(functype)
WASM_API_EXTERN own wasm_functype_t *
wasm_functype_new(own wasm_valtype_vec_t *params,
                  own wasm_valtype_vec_t *results);
WASM_API_EXTERN const wasm_valtype_vec_t *
wasm_functype_params(const wasm_functype_t *t);
WASM_API_EXTERN const wasm_valtype_vec_t *
wasm_functype_results(const wasm_functype_t *t);

/* Global types. */
WASMIX_CAPI_TYPE(globaltype)
WASM_API_EXTERN own wasm_globaltype_t *
wasm_globaltype_new(own wasm_valtype_t *content, wasm_mutability_t mutability);
WASM_API_EXTERN const wasm_valtype_t *
wasm_globaltype_content(const wasm_globaltype_t *t);
WASM_API_EXTERN wasm_mutability_t
wasm_globaltype_mutability(const wasm_globaltype_t *t);

/* Table types: the element type is a reference type. */
WASMIX_CAPI_TYPE(tabletype)
WASM_API_EXTERN own wasm_tabletype_t *
wasm_tabletype_new(own wasm_valtype_t *element, const wasm_limits_t *limits);
WASM_API_EXTERN const wasm_valtype_t *
wasm_tabletype_element(const wasm_tabletype_t *t);
WASM_API_EXTERN const wasm_limits_t *
wasm_tabletype_limits(const wasm_tabletype_t *t);

/* Memory types: limits in 64 KiB pages. */
WASMIX_CAPI_TYPE(memorytype)
WASM_API_EXTERN own wasm_memorytype_t *
wasm_memorytype_new(const wasm_limits_t *limits);
WASM_API_EXTERN const wasm_limits_t *
wasm_memorytype_limits(const wasm_memorytype_t *t);

/* Extern types: any of the four above, with conversions both ways. */
WASMIX_CAPI_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
	WASM_EXTERN_FUNC,
	WASM_EXTERN_GLOBAL,
	WASM_EXTERN_TABLE,
	WASM_EXTERN_MEMORY,
};

WASM_API_EXTERN wasm_externkind_t
wasm_externtype_kind(const wasm_externtype_t *t);

/* Views of one type object as another; NULL when the kind differs. */
WASM_API_EXTERN wasm_externtype_t *
wasm_functype_as_externtype(wasm_functype_t *);
WASM_API_EXTERN wasm_externtype_t *
wasm_globaltype_as_externtype(wasm_globaltype_t *);
WASM_API_EXTERN wasm_externtype_t *
wasm_tabletype_as_externtype(wasm_tabletype_t *);
WASM_API_EXTERN wasm_externtype_t *
wasm_memorytype_as_externtype(wasm_memorytype_t *);
WASM_API_EXTERN wasm_functype_t *
wasm_externtype_as_functype(wasm_externtype_t *);
WASM_API_EXTERN wasm_globaltype_t *
wasm_externtype_as_globaltype(wasm_externtype_t *);
WASM_API_EXTERN wasm_tabletype_t *
wasm_externtype_as_tabletype(wasm_externtype_t *);
WASM_API_EXTERN wasm_memorytype_t *
wasm_externtype_as_memorytype(wasm_externtype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_functype_as_externtype_const(const wasm_functype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_globaltype_as_externtype_const(const wasm_globaltype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_tabletype_as_externtype_const(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_memorytype_as_externtype_const(const wasm_memorytype_t *);
WASM_API_EXTERN const wasm_functype_t *
wasm_externtype_as_functype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_globaltype_t *
wasm_externtype_as_globaltype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_tabletype_t *
wasm_externtype_as_tabletype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_memorytype_t *
wasm_externtype_as_memorytype_const(const wasm_externtype_t *);

/* Import types: module name, field name, type (all owned). */
WASMIX_CAPI_TYPE(importtype)
WASM_API_EXTERN own wasm_importtype_t *
wasm_importtype_new(own wasm_name_t *module, own wasm_name_t *name,
                    own wasm_externtype_t *type);
WASM_API_EXTERN const wasm_name_t *
wasm_importtype_module(const wasm_importtype_t *t);
WASM_API_EXTERN const wasm_name_t *
wasm_importtype_name(const wasm_importtype_t *t);
WASM_API_EXTERN const wasm_externtype_t *
wasm_importtype_type(const wasm_importtype_t *t);

/* Export types: name and type (owned). */
WASMIX_CAPI_TYPE(exporttype)
WASM_API_EXTERN own wasm_exporttype_t *
wasm_exporttype_new(own wasm_name_t *name, own wasm_externtype_t *type);
WASM_API_EXTERN const wasm_name_t *
wasm_exporttype_name(const wasm_exporttype_t *t);
WASM_API_EXTERN const wasm_externtype_t *
wasm_exporttype_type(const wasm_exporttype_t *t);

/* ---- values ------------------------------------------------------------ */

struct wasm_ref_t;

/* A value; a reference value owns its handle (NULL is the null ref). */
typedef struct wasm_val_t {
	wasm_valkind_t kind;
	union {
		int32_t i32;
		int64_t i64;
		float32_t f32;
		float64_t f64;
		struct wasm_ref_t *ref;
	} of;
} wasm_val_t;

WASM_API_EXTERN void wasm_val_delete(own wasm_val_t *v);
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t *out, const wasm_val_t *v);

WASMIX_CAPI_VEC(val, )

/* ---- references -------------------------------------------------------- */

/*
 * Every reference kind: owned handle, copy (a new handle onto the same
 * object), same (one object?), host info with optional finalizer.
 */
#define WASMIX_CAPI_REF_COMMON(NAME)                                           \
	WASMIX_CAPI_OWNED(NAME)                                                \
	WASM_API_EXTERN own wasm_##NAME##_t *wasm_##NAME##_copy(               \
	    const wasm_##NAME##_t *);                                          \
	WASM_API_EXTERN bool wasm_##NAME##_same(const wasm_##NAME##_t *,       \
	                                        const wasm_##NAME##_t *);      \
	WASM_API_EXTERN void *wasm_##NAME##_get_host_info(                     \
	    const wasm_##NAME##_t *);                                          \
	WASM_API_EXTERN void wasm_##NAME##_set_host_info(wasm_##NAME##_t *,    \
	                                                 void *info);          \
	WASM_API_EXTERN void wasm_##NAME##_set_host_info_with_finalizer(       \
	    wasm_##NAME##_t *, void *info, void (*finalizer)(void *));

/* A reference kind that also converts to and from the generic wasm_ref_t. */
#define WASMIX_CAPI_REF(NAME)                                                  \
	WASMIX_CAPI_REF_COMMON(NAME)                                           \
	WASM_API_EXTERN wasm_ref_t *wasm_##NAME##_as_ref(wasm_##NAME##_t *);   \
	WASM_API_EXTERN wasm_##NAME##_t *wasm_ref_as_##NAME(wasm_ref_t *);     \
	WASM_API_EXTERN const wasm_ref_t *wasm_##NAME##_as_ref_const(          \
	    const wasm_##NAME##_t *);                                          \
	WASM_API_EXTERN const wasm_##NAME##_t *wasm_ref_as_##NAME##_const(     \
	    const wasm_ref_t *);

/* A reference kind with a thread-crossing form (share, then obtain). */
#define WASMIX_CAPI_SHARABLE_REF(NAME)                                         \
	WASMIX_CAPI_REF(NAME)                                                  \
	WASMIX_CAPI_OWNED(shared_##NAME)                                       \
	WASM_API_EXTERN own wasm_shared_##NAME##_t *wasm_##NAME##_share(       \
	    const wasm_##NAME##_t *);                                          \
	WASM_API_EXTERN own wasm_##NAME##_t *wasm_##NAME##_obtain(             \
	    wasm_store_t *, const wasm_shared_##NAME##_t *);

WASMIX_CAPI_REF_COMMON(ref)

/* ---- frames and traps -------------------------------------------------- */

/* A frame of a trap's trace: wasmix gives the function that trapped. */
WASMIX_CAPI_OWNED(frame)
WASMIX_CAPI_VEC(frame, *)
WASM_API_EXTERN own wasm_frame_t *wasm_frame_copy(const wasm_frame_t *);
WASM_API_EXTERN struct wasm_instance_t *
wasm_frame_instance(const wasm_frame_t *);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t *);

/* A message: a name whose last byte is a NUL. */
typedef wasm_name_t wasm_message_t;

WASMIX_CAPI_REF(trap)
WASM_API_EXTERN own wasm_trap_t *wasm_trap_new(wasm_store_t *store,
                                               const wasm_message_t *msg);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t *trap,
                                       own wasm_message_t *out);
WASM_API_EXTERN own wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap);
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t *trap,
                                     own wasm_frame_vec_t *out);

/* A foreign object: a reference the host makes (an externref's target). */
WASMIX_CAPI_REF(foreign)
WASM_API_EXTERN own wasm_foreign_t *wasm_foreign_new(wasm_store_t *store);

/* ---- modules ----------------------------------------------------------- */

WASMIX_CAPI_SHARABLE_REF(module)

/* Decodes and validates 'binary' (copied); NULL if it does not validate. */
WASM_API_EXTERN own wasm_module_t *
wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t *store,
                                          const wasm_byte_vec_t *binary);
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t *module,
                                         own wasm_importtype_vec_t *out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t *module,
                                         own wasm_exporttype_vec_t *out);
/* Serialization: the module's binary (wasmix has no compiled form yet). */
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t *module,
                                           own wasm_byte_vec_t *out);
WASM_API_EXTERN own wasm_module_t *
wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *bytes);

/* ---- functions --------------------------------------------------------- */

WASMIX_CAPI_REF(func)

/*
 * Host callbacks. 'results' arrives sized to the function type's results;
 * the callback fills it (reference results are owned by the caller after)
 * or returns a trap (owned by the caller).
 */
typedef own wasm_trap_t *(*wasm_func_callback_t)(const wasm_val_vec_t *args,
                                                 own wasm_val_vec_t *results);
typedef own wasm_trap_t *(*wasm_func_callback_with_env_t)(
    void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results);

WASM_API_EXTERN own wasm_func_t *wasm_func_new(wasm_store_t *store,
                                               const wasm_functype_t *type,
                                               wasm_func_callback_t cb);
/* 'finalizer' (may be NULL) gets 'env' when the store is deleted. */
WASM_API_EXTERN own wasm_func_t *
wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
                       wasm_func_callback_with_env_t cb, void *env,
                       void (*finalizer)(void *));

WASM_API_EXTERN own wasm_functype_t *wasm_func_type(const wasm_func_t *f);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t *f);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t *f);

/*
 * Calls 'f'. 'args' must match the parameters (else a trap says so);
 * 'results' should be sized to the results and receives owned values
 * (a shorter vector gets what fits). Returns NULL, or a trap.
 */
WASM_API_EXTERN own wasm_trap_t *wasm_func_call(const wasm_func_t *f,
                                                const wasm_val_vec_t *args,
                                                wasm_val_vec_t *results);

/* ---- globals ----------------------------------------------------------- */

WASMIX_CAPI_REF(global)
WASM_API_EXTERN own wasm_global_t *
wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *type,
                const wasm_val_t *v);
WASM_API_EXTERN own wasm_globaltype_t *wasm_global_type(const wasm_global_t *g);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t *g,
                                     own wasm_val_t *out);
WASM_API_EXTERN void wasm_global_set(wasm_global_t *g, const wasm_val_t *v);

/* ---- tables ------------------------------------------------------------ */

WASMIX_CAPI_REF(table)

typedef uint32_t wasm_table_size_t;

WASM_API_EXTERN own wasm_table_t *wasm_table_new(wasm_store_t *store,
                                                 const wasm_tabletype_t *type,
                                                 wasm_ref_t *init);
WASM_API_EXTERN own wasm_tabletype_t *wasm_table_type(const wasm_table_t *t);
WASM_API_EXTERN own wasm_ref_t *wasm_table_get(const wasm_table_t *t,
                                               wasm_table_size_t index);
WASM_API_EXTERN bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index,
                                    wasm_ref_t *ref);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t *t);
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta,
                                     wasm_ref_t *init);

/* ---- memories ---------------------------------------------------------- */

WASMIX_CAPI_REF(memory)

typedef uint32_t wasm_memory_pages_t;

static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN own wasm_memory_t *
wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *type);
WASM_API_EXTERN own wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m);
/* The data pointer stays valid across growth (the size does not). */
WASM_API_EXTERN byte_t *wasm_memory_data(wasm_memory_t *m);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t *m);
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t *m,
                                      wasm_memory_pages_t delta);

/* ---- externals --------------------------------------------------------- */

WASMIX_CAPI_REF(extern)
WASMIX_CAPI_VEC(extern, *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e);
WASM_API_EXTERN own wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e);

/* Views of one object; the 'as' functions return NULL on a kind mismatch. */
WASM_API_EXTERN wasm_extern_t *wasm_func_as_extern(wasm_func_t *);
WASM_API_EXTERN wasm_extern_t *wasm_global_as_extern(wasm_global_t *);
WASM_API_EXTERN wasm_extern_t *wasm_table_as_extern(wasm_table_t *);
WASM_API_EXTERN wasm_extern_t *wasm_memory_as_extern(wasm_memory_t *);
WASM_API_EXTERN wasm_func_t *wasm_extern_as_func(wasm_extern_t *);
WASM_API_EXTERN wasm_global_t *wasm_extern_as_global(wasm_extern_t *);
WASM_API_EXTERN wasm_table_t *wasm_extern_as_table(wasm_extern_t *);
WASM_API_EXTERN wasm_memory_t *wasm_extern_as_memory(wasm_extern_t *);
WASM_API_EXTERN const wasm_extern_t *
wasm_func_as_extern_const(const wasm_func_t *);
WASM_API_EXTERN const wasm_extern_t *
wasm_global_as_extern_const(const wasm_global_t *);
WASM_API_EXTERN const wasm_extern_t *
wasm_table_as_extern_const(const wasm_table_t *);
WASM_API_EXTERN const wasm_extern_t *
wasm_memory_as_extern_const(const wasm_memory_t *);
WASM_API_EXTERN const wasm_func_t *
wasm_extern_as_func_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_global_t *
wasm_extern_as_global_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_table_t *
wasm_extern_as_table_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_memory_t *
wasm_extern_as_memory_const(const wasm_extern_t *);

/* ---- instances --------------------------------------------------------- */

WASMIX_CAPI_REF(instance)

/*
 * Instantiates 'module' with 'imports' in the module's import order. On
 * failure returns NULL; if 'trap' is not NULL it receives a trap saying
 * why (a link error, or the start function's trap), else NULL.
 */
WASM_API_EXTERN own wasm_instance_t *
wasm_instance_new(wasm_store_t *store, const wasm_module_t *module,
                  const wasm_extern_vec_t *imports, own wasm_trap_t **trap);
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t *inst,
                                           own wasm_extern_vec_t *out);

/* ---- conveniences ------------------------------------------------------ */

#define WASM_EMPTY_VEC                                                         \
	{                                                                      \
		0, NULL                                                        \
	}
#define WASM_ARRAY_VEC(array)                                                  \
	{                                                                      \
		sizeof(array) / sizeof(*(array)), array                        \
	}

static inline own wasm_valtype_t *wasm_valtype_new_i32(void)
{
	return wasm_valtype_new(WASM_I32);
}
static inline own wasm_valtype_t *wasm_valtype_new_i64(void)
{
	return wasm_valtype_new(WASM_I64);
}
static inline own wasm_valtype_t *wasm_valtype_new_f32(void)
{
	return wasm_valtype_new(WASM_F32);
}
static inline own wasm_valtype_t *wasm_valtype_new_f64(void)
{
	return wasm_valtype_new(WASM_F64);
}
static inline own wasm_valtype_t *wasm_valtype_new_externref(void)
{
	return wasm_valtype_new(WASM_EXTERNREF);
}
static inline own wasm_valtype_t *wasm_valtype_new_funcref(void)
{
	return wasm_valtype_new(WASM_FUNCREF);
}

/* A function type from NP parameters and NR results (all owned). */
static inline own wasm_functype_t *
wasmix_capi_functype_(size_t np, wasm_valtype_t *const *ps, size_t nr,
                      wasm_valtype_t *const *rs)
{
	wasm_valtype_vec_t params, results;
	wasm_valtype_vec_new(&params, np, ps);
	wasm_valtype_vec_new(&results, nr, rs);
	return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_0_0(void)
{
	return wasmix_capi_functype_(0, NULL, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_1_0(own wasm_valtype_t *p)
{
	wasm_valtype_t *ps[1] = {p};
	return wasmix_capi_functype_(1, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_2_0(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2)
{
	wasm_valtype_t *ps[2] = {p1, p2};
	return wasmix_capi_functype_(2, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_3_0(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3)
{
	wasm_valtype_t *ps[3] = {p1, p2, p3};
	return wasmix_capi_functype_(3, ps, 0, NULL);
}
static inline own wasm_functype_t *wasm_functype_new_0_1(own wasm_valtype_t *r)
{
	wasm_valtype_t *rs[1] = {r};
	return wasmix_capi_functype_(0, NULL, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_1_1(own wasm_valtype_t *p,
                                                         own wasm_valtype_t *r)
{
	wasm_valtype_t *ps[1] = {p}, *rs[1] = {r};
	return wasmix_capi_functype_(1, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_2_1(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *r)
{
	wasm_valtype_t *ps[2] = {p1, p2}, *rs[1] = {r};
	return wasmix_capi_functype_(2, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_3_1(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3,
                                                         own wasm_valtype_t *r)
{
	wasm_valtype_t *ps[3] = {p1, p2, p3}, *rs[1] = {r};
	return wasmix_capi_functype_(3, ps, 1, rs);
}
static inline own wasm_functype_t *wasm_functype_new_0_2(own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2)
{
	wasm_valtype_t *rs[2] = {r1, r2};
	return wasmix_capi_functype_(0, NULL, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_1_2(own wasm_valtype_t *p,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2)
{
	wasm_valtype_t *ps[1] = {p}, *rs[2] = {r1, r2};
	return wasmix_capi_functype_(1, ps, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_2_2(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2)
{
	wasm_valtype_t *ps[2] = {p1, p2}, *rs[2] = {r1, r2};
	return wasmix_capi_functype_(2, ps, 2, rs);
}
static inline own wasm_functype_t *wasm_functype_new_3_2(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2)
{
	wasm_valtype_t *ps[3] = {p1, p2, p3}, *rs[2] = {r1, r2};
	return wasmix_capi_functype_(3, ps, 2, rs);
}

/* A host pointer carried as an i32 or i64 value (the pointer's width). */
static inline void wasm_val_init_ptr(own wasm_val_t *out, void *p)
{
#if UINTPTR_MAX == UINT32_MAX
	out->kind = WASM_I32;
	out->of.i32 = (int32_t)(intptr_t)p;
#else
	out->kind = WASM_I64;
	out->of.i64 = (int64_t)(intptr_t)p;
#endif
}

static inline void *wasm_val_ptr(const wasm_val_t *val)
{
#if UINTPTR_MAX == UINT32_MAX
	return (void *)(intptr_t)val->of.i32;
#else
	return (void *)(intptr_t)val->of.i64;
#endif
}

#define WASM_I32_VAL(i)                                                        \
	{                                                                      \
		.kind = WASM_I32, .of = {.i32 = i }                            \
	}
#define WASM_I64_VAL(i)                                                        \
	{                                                                      \
		.kind = WASM_I64, .of = {.i64 = i }                            \
	}
#define WASM_F32_VAL(z)                                                        \
	{                                                                      \
		.kind = WASM_F32, .of = {.f32 = z }                            \
	}
#define WASM_F64_VAL(z)                                                        \
	{                                                                      \
		.kind = WASM_F64, .of = {.f64 = z }                            \
	}
#define WASM_REF_VAL(r)                                                        \
	{                                                                      \
		.kind = WASM_EXTERNREF, .of = {.ref = r }                      \
	}
#define WASM_INIT_VAL                                                          \
	{                                                                      \
		.kind = WASM_EXTERNREF, .of = {.ref = NULL }                   \
	}

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#undef own

#ifdef __cplusplus
}
#endif

#endif

/*
 * t_capiaot.c: the standard C API (wasm.h) with wasmix's compiled tier
 * (wasmix_engine_config_compile, docs/embedding.md#compiled): instances
 * really run compiled code, the module's code is cached and found again,
 * wasm_module_serialize / wasm_module_deserialize round-trip through the
 * cache without a second compile, damaged serialized bytes are refused,
 * and engines that do not compile (the default, or stores with a fuel
 * limit) stay interpreted with the same results.
 *
 * It works in a cache directory of its own (XDG_CACHE_HOME set to a new
 * temporary directory, removed at the end), never the user's. Module:
 * tests/capi/memory.wat (one small module: one compile).
 *
 * Usage: t_capiaot DIR (where memory.wasm is). Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasm.h"
#include "wasmix.h"

static int failures;
static char cache_root[] = "/tmp/t_capiaot-XXXXXX";
static char cache_dir[sizeof cache_root + 16];

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
			        "t_capiaot: %s:%d: check failed: %s\n",        \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Reads DIR/memory.wasm into 'out'; exits on failure (a build problem). */
static void load(const char *dir, wasm_byte_vec_t *out)
{
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/memory.wasm", dir);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "t_capiaot: cannot read %s\n", path);
		exit(2);
	}
	rewind(f);
	wasm_byte_vec_new_uninitialized(out, (size_t)n);
	if (fread(out->data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "t_capiaot: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
}

/* The cache's shared objects: how many, and the inode of the last. */
static int cache_entries(ino_t *ino)
{
	DIR *d = opendir(cache_dir);
	struct dirent *e;
	int n = 0;

	*ino = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char path[sizeof cache_dir + 300];
		struct stat st;
		if (len < 3 || strcmp(e->d_name + len - 3, ".so") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", cache_dir, e->d_name);
		if (stat(path, &st) == 0)
			*ino = st.st_ino;
		n++;
	}
	closedir(d);
	return n;
}

/* Removes the temporary cache (files, then the directories). */
static void cache_remove(void)
{
	DIR *d = opendir(cache_dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char path[sizeof cache_dir + 300];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", cache_dir,
			         e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(cache_dir);
	rmdir(cache_root);
}

/*
 * Instantiates 'm' in 's' and checks what memory.wat's exports do
 * (the data segment, load/store, memory.grow); returns how many
 * functions run compiled.
 */
static unsigned exercise(wasm_store_t *s, const wasm_module_t *m)
{
	wasm_extern_vec_t none = WASM_EMPTY_VEC, ex;
	wasm_trap_t *trap = NULL;
	wasm_instance_t *inst = wasm_instance_new(s, m, &none, &trap);
	wasm_val_t a[2], r[1];
	wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
	unsigned n;

	CHECK(inst != NULL && trap == NULL);
	if (inst == NULL)
		exit(1);
	n = wasmix_instance_compiled_funcs(inst);
	wasm_instance_exports(inst, &ex);
	CHECK(ex.size == 5);
	/* load(0x1002) == 3 (the data segment). */
	args.size = 1;
	a[0] = (wasm_val_t)WASM_I32_VAL(0x1002);
	CHECK(wasm_func_call(wasm_extern_as_func(ex.data[1]), &args, &res) ==
	      NULL);
	CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 3);
	/* store(0x1fffe, 0x5a) then the host sees it. */
	args.size = 2;
	a[0] = (wasm_val_t)WASM_I32_VAL(0x1fffe);
	a[1] = (wasm_val_t)WASM_I32_VAL(0x5a);
	wasm_val_vec_t nores = WASM_EMPTY_VEC;
	CHECK(wasm_func_call(wasm_extern_as_func(ex.data[2]), &args, &nores) ==
	      NULL);
	CHECK(wasm_memory_data(wasm_extern_as_memory(ex.data[0]))[0x1fffe] ==
	      0x5a);
	/* load past the end traps with the interpreter's message. */
	args.size = 1;
	a[0] = (wasm_val_t)WASM_I32_VAL(0x20000);
	trap = wasm_func_call(wasm_extern_as_func(ex.data[1]), &args, &res);
	CHECK(trap != NULL);
	if (trap != NULL) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		CHECK(strcmp(msg.data, "out of bounds memory access") == 0);
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
	}
	/* grow(1) == 2, then grow(1) == -1 (maximum 3). */
	a[0] = (wasm_val_t)WASM_I32_VAL(1);
	CHECK(wasm_func_call(wasm_extern_as_func(ex.data[4]), &args, &res) ==
	      NULL);
	CHECK(r[0].of.i32 == 2);
	CHECK(wasm_func_call(wasm_extern_as_func(ex.data[4]), &args, &res) ==
	      NULL);
	CHECK(r[0].of.i32 == -1);
	wasm_extern_vec_delete(&ex);
	return n;
}

static wasm_engine_t *engine_compiling(int on)
{
	wasm_config_t *c = wasm_config_new();
	wasmix_engine_config_compile(c, on, 1, 0);
	return wasm_engine_new_with_config(c);
}

/* Serialized bytes 'ser' changed by 'damage', then deserialized: NULL. */
static void expect_refused(wasm_store_t *s, const wasm_byte_vec_t *ser,
                           size_t len, size_t flip)
{
	wasm_byte_vec_t bad;

	wasm_byte_vec_new(&bad, len, ser->data);
	if (flip < len)
		bad.data[flip] ^= 0x40;
	CHECK(wasm_module_deserialize(s, &bad) == NULL);
	wasm_byte_vec_delete(&bad);
}

int main(int argc, char **argv)
{
	wasm_byte_vec_t bin, ser;
	ino_t ino, ino2;

	if (argc != 2) {
		fprintf(stderr, "usage: t_capiaot DIR\n");
		return 2;
	}
	if (mkdtemp(cache_root) == NULL) {
		perror("t_capiaot: mkdtemp");
		return 2;
	}
	snprintf(cache_dir, sizeof cache_dir, "%s/wasmix", cache_root);
	setenv("XDG_CACHE_HOME", cache_root, 1);
	unsetenv("WASMIX_AOT");
	unsetenv("WASMIX_CC");
	load(argv[1], &bin);

	/* Compiling: the first module compiles into the cache. */
	wasm_engine_t *e = engine_compiling(1);
	wasm_store_t *s = wasm_store_new(e);
	wasm_module_t *m = wasm_module_new(s, &bin);
	CHECK(m != NULL);
	CHECK(cache_entries(&ino) == 1);
	CHECK(exercise(s, m) == 4); /* its 4 functions */
	printf("t_capiaot: compiled ok\n");

	/* serialize -> deserialize in another store: found in the cache
	 * (the same file: no second compile), compiled again. */
	wasm_module_serialize(m, &ser);
	CHECK(ser.size > bin.size);
	wasm_store_t *s2 = wasm_store_new(e);
	wasm_module_t *m2 = wasm_module_deserialize(s2, &ser);
	CHECK(m2 != NULL);
	CHECK(cache_entries(&ino2) == 1 && ino2 == ino);
	if (m2 != NULL)
		CHECK(exercise(s2, m2) == 4);
	printf("t_capiaot: serialize round trip ok\n");

	/* Damaged serialized bytes are refused: a byte of the magic, of the
	 * digest or of the module changed; cut short; empty; a plain wasm
	 * binary given as serialized bytes is one too. */
	expect_refused(s2, &ser, ser.size, 0);
	expect_refused(s2, &ser, ser.size, 20);
	expect_refused(s2, &ser, ser.size, ser.size - 3);
	expect_refused(s2, &ser, ser.size - 1, ser.size);
	expect_refused(s2, &ser, 40, ser.size);
	expect_refused(s2, &ser, 0, 0);
	CHECK(wasm_module_deserialize(s2, &bin) == NULL);
	printf("t_capiaot: damaged serialized bytes refused ok\n");
	wasm_byte_vec_delete(&ser);

	/* A store with a fuel limit: the code does not count fuel, so the
	 * instance is interpreted, with the same results. */
	wasmix_config *wc = wasmix_config_new();
	wasmix_config_set_fuel(wc, 1000000);
	wasm_store_t *sf = wasmix_store_new(e, wc);
	wasmix_config_free(wc);
	wasm_module_t *mf = wasm_module_new(sf, &bin);
	CHECK(mf != NULL);
	if (mf != NULL)
		CHECK(exercise(sf, mf) == 0);
	wasm_store_delete(sf);
	printf("t_capiaot: fuel store interpreted ok\n");
	wasm_store_delete(s2);
	wasm_store_delete(s);
	wasm_engine_delete(e);

	/* Not compiling (explicitly, and by default): interpreted. */
	e = engine_compiling(0);
	s = wasm_store_new(e);
	m = wasm_module_new(s, &bin);
	CHECK(m != NULL && exercise(s, m) == 0);
	wasm_store_delete(s);
	wasm_engine_delete(e);
	e = wasm_engine_new();
	s = wasm_store_new(e);
	m = wasm_module_new(s, &bin);
	CHECK(m != NULL && exercise(s, m) == 0);
	wasm_store_delete(s);
	wasm_engine_delete(e);
	/* WASMIX_AOT=1 turns it on for a plain engine (a cache hit). */
	setenv("WASMIX_AOT", "1", 1);
	e = wasm_engine_new();
	s = wasm_store_new(e);
	m = wasm_module_new(s, &bin);
	CHECK(m != NULL && exercise(s, m) == 4);
	CHECK(cache_entries(&ino2) == 1 && ino2 == ino);
	wasm_store_delete(s);
	wasm_engine_delete(e);
	printf("t_capiaot: interpreted by default, WASMIX_AOT=1 ok\n");

	wasm_byte_vec_delete(&bin);
	cache_remove();
	if (failures != 0) {
		fprintf(stderr, "t_capiaot: %d checks failed\n", failures);
		return 1;
	}
	printf("t_capiaot: all passed\n");
	return 0;
}

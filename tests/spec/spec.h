/*
 * spec.h: shared state of the WebAssembly spec-test runner (wasmix-spec).
 *
 * spec_run.c reads the arguments and skip list and runs each wast2json
 * JSON file (isolated in a child process); spec_file.c owns one file's
 * store, modules and named instances; spec_cmd.c runs the commands.
 *
 * Keeps true: every command of a file is counted exactly once, as passed,
 * failed or skipped (message mismatches of rejected modules are counted in
 * addition, as notes, and are not failures).
 */
#ifndef WASMIX_SPEC_H
#define WASMIX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec_json.h"
#include "vm/vm.h"
#include "wat/wat.h"

/* Largest .wasm or .json file the runner reads. */
#define SPEC_MAX_FILE ((size_t)256 << 20)

/* Flags for wast_to_json (WAT_WASM2 with --wasm2). */
extern unsigned spec_wat_flags;
/* --write-modules DIR: write each .wast file's modules there, run nothing
 * ("" for --parse-only: convert, write nothing). */
extern const char *spec_write_dir;
/* --aot: run the modules compiled (src/aot/), interpreting what is not. */
extern bool spec_aot;

/* Outcome of one command. */
enum spec_outcome {
	SPEC_PASS,
	SPEC_FAIL,
	SPEC_SKIP,
};

/* One skip-list entry: "FILE.json:LINE reason" (line 0 means '*'). */
struct spec_skip {
	char *file;
	long line;
	char *reason;
};

struct spec_skiplist {
	struct spec_skip *v;
	size_t n;
};

/*
 * Counts of one file. Lives in memory shared with the parent process so
 * that a crash of the child still leaves what it counted and where it was.
 */
struct spec_counts {
	uint64_t passed, failed, skipped, mismatched;
	uint64_t total; /* commands in the file, once it is parsed */
	/* --aot: functions bound to compiled code, instances interpreted. */
	uint64_t aot_native, aot_interp;
	long cur_line;    /* line of the command being run, 0 if none */
	char cur_cmd[32]; /* its type */
};

/* A name bound to an instance: a "$name" of a module, or a registration. */
struct spec_binding {
	char *name;
	size_t len;
	struct vm_instance *inst;
};

struct spec_bindings {
	struct spec_binding *v;
	size_t n, cap;
};

/* One JSON file being run. */
struct spec_file {
	const char *name; /* display name, e.g. "i32.json" */
	char *dir;        /* directory of the JSON file (owned) */
	bool verbose;
	const struct spec_skiplist *skip;
	struct spec_counts *counts;

	struct vm_store *store;
	struct spec_host *host;    /* spectest, made on first import */
	struct wasm_module **mods; /* every module kept until the end */
	size_t nmods, capmods;
	struct spec_bindings names; /* "$name" -> instance */
	struct spec_bindings regs;  /* "register" name -> instance */
	struct vm_instance *cur;    /* the last module defined */

	/* .wast input: the script's modules, in memory (NULL for JSON). */
	const struct wast_script *script;
	/*
	 * Modules skipped for a feature the engine lacks: the reason, by
	 * module name and registration name, so that commands using them are
	 * skipped with it. cur_skip: the last module command's reason.
	 */
	struct spec_named_skip {
		char *name;
		size_t len;
		char reason[96];
	} * skipped;
	size_t nskipped;
	char cur_skip[96];
	/*
	 * Instances a skipped module imported from (and so may have changed
	 * at instantiation): commands using them are skipped with its reason.
	 */
	struct spec_taint {
		struct vm_instance *inst;
		char reason[96];
	} * taint;
	size_t ntaint;
	/* "module definition $M": name -> command (to load per instance). */
	struct spec_defs {
		char *name;
		size_t len;
		const struct spec_json *cmd;
	} * defs;
	size_t ndefs;

	long line; /* current command */
	const char *cmd;
	char why[640];  /* failure or skip reason of the command */
	char note[640]; /* message mismatch of the command, if any */
};

/*
 * Runs the JSON file at 'path' with display name 'name', adding to
 * 'counts' and printing one line per failure (and, if 'verbose', per skip
 * and message mismatch). Returns 0, or -1 if the file could not be read
 * or parsed (counted as one failure).
 */
int spec_file_run(const char *path, const char *name, bool verbose,
                  const struct spec_skiplist *skip, struct spec_counts *counts);

/*
 * Formats the reason of a failure or skip into f->why; returns 'outcome'
 * so handlers can write 'return spec_why(f, SPEC_FAIL, ...)'.
 */
int spec_why(struct spec_file *f, int outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Records a message mismatch note for the current command (the module
 * was rejected as expected, but with other wording).
 */
void spec_note(struct spec_file *f, const char *expected, const char *got);

/*
 * Reads, decodes and validates the module of command 'c' ("filename").
 * Returns 0 with '*out' set (owned by the caller), or the failing stage:
 * WX_EIO (file unreadable), WX_EMALFORMED (decode), WX_EINVALID
 * (validate), with the message in 'diag'. '*out' is NULL on failure.
 */
int spec_load(struct spec_file *f, const struct spec_json *c,
              struct wasm_module **out, struct diag *diag);

/*
 * The text-format error of command 'c's module (.wast input whose module
 * text did not parse), or NULL.
 */
const char *spec_text_error(const struct spec_file *f,
                            const struct spec_json *c);

/*
 * If a load or link failure 'msg' of module 'c' comes from a feature the
 * engine does not implement, writes "FEATURE: not implemented" into
 * 'reason' and returns true. Computed from what the decoder, validator or
 * linker rejected, so that a skip becomes a pass once the engine learns
 * the feature.
 */
bool spec_unsupported(struct spec_file *f, const struct spec_json *c,
                      const char *msg, char *reason, size_t cap);

/*
 * Marks every registered instance that command 'c's module imports from
 * as tainted with 'reason' (the module was skipped, so its effects on
 * them, such as data segments written into an imported memory, are
 * missing). Reads the import section itself: the decoder rejected it.
 */
void spec_taint_imports(struct spec_file *f, const struct spec_json *c,
                        const char *reason);

/* The taint reason of 'inst', or NULL. */
const char *spec_tainted(const struct spec_file *f,
                         const struct vm_instance *inst);

/*
 * Instantiates 'm' in the file's store, resolving imports from the
 * registered instances and spectest. Takes ownership of 'm' in every case
 * (it is kept until the store is freed). Returns vm_instantiate's result.
 */
int spec_instantiate(struct spec_file *f, struct wasm_module *m,
                     struct vm_instance **out, struct diag *diag);

/* Binds 'name' ('len' bytes) to 'inst' in 'b'; -1 if out of memory. */
int spec_bind(struct spec_bindings *b, const char *name, size_t len,
              struct vm_instance *inst);

/* The latest instance bound to 'name', or NULL. */
struct vm_instance *spec_lookup(const struct spec_bindings *b, const char *name,
                                size_t len);

/* Runs one command object; returns its enum spec_outcome. */
int spec_cmd_run(struct spec_file *f, const struct spec_json *c);

#endif

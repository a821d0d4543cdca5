/*
 * main.c: the wasmix command line. A client of include/wasmix.h only (plus
 * libc), like any other embedder.
 *
 *   wasmix run [options] PROG.wasm [--] [ARGS...]
 *   wasmix PROG.wasm [ARGS...]          (shorthand for 'run')
 *   wasmix --help | --version
 *
 * Exit status (docs/cli.md): the guest's own exit status (0..255) when it
 * ran to its end; WASMIX_EXIT_TRAP (134, like a host program killed by
 * SIGABRT, as wasmtime does) when it trapped; WASMIX_EXIT_USAGE (2) for
 * bad usage or a module that could not be loaded, linked or started. Every
 * failure is one line on stderr starting with "wasmix: ".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmix.h"

#define WASMIX_EXIT_USAGE 2
#define WASMIX_EXIT_TRAP  134
#define WASM_PAGE         65536u
#define WASM_MAX_PAGES    65536u

static const char usage_text[] =
    "usage: wasmix run [options] PROG.wasm [--] [ARGS...]\n"
    "       wasmix --help | --version\n"
    "\n"
    "Runs a WebAssembly WASI command module (preview1).\n"
    "\n"
    "options:\n"
    "  --env KEY=VALUE       set a variable in the guest's environment\n"
    "                        (repeatable); --env KEY copies the host's\n"
    "  --max-memory N        cap linear memory at N pages of 64 KiB, or\n"
    "                        at a size with a suffix: 64M, 1G, 512K\n"
    "  --fuel N              trap after N calls and loop iterations\n"
    "  --max-call-depth N    cap nested wasm calls (default 10000)\n"
    "  -h, --help            show this help\n"
    "  --version             show the version\n"
    "\n"
    "The guest's argv[0] is PROG.wasm as given; it sees no environment\n"
    "variables unless --env gives them, and only stdin, stdout, stderr.\n"
    "\n"
    "exit status: the guest's own (0-255); 134 if it trapped; 2 if the\n"
    "module could not be loaded or the command line is wrong.\n";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "wasmix: <message>" on stderr; returns the usage exit status. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("wasmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return WASMIX_EXIT_USAGE;
}

/* Parses a decimal u64 with no sign or junk; false if it is not one. */
static int parse_u64(const char *s, uint64_t *out, const char **end)
{
	char *e;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return 0;
	*out = v;
	*end = e;
	return 1;
}

/* "N" pages, or "N" with K/M/G (KiB/MiB/GiB) bytes, rounded down. */
static int parse_pages(const char *s, uint64_t *pages)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
	    {"K", 10}, {"KiB", 10}, {"k", 10},   {"M", 20}, {"MiB", 20},
	    {"m", 20}, {"G", 30},   {"GiB", 30}, {"g", 30},
	};
	const char *end;
	uint64_t v;
	size_t i;

	if (!parse_u64(s, &v, &end))
		return 0;
	if (*end == 0) {
		*pages = v;
		return 1;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (v > (UINT64_MAX >> units[i].shift))
			return 0;
		*pages = (v << units[i].shift) / WASM_PAGE;
		return 1;
	}
	return 0;
}

/* Applies --env: "K=V" as given, or "K" copied from the host if set. */
static int opt_env(wasmix_config *cfg, const char *arg)
{
	const char *val;
	char *kv;
	size_t klen;
	int rc;

	if (strchr(arg, '=') != NULL)
		rc = wasmix_config_add_env(cfg, arg);
	else if (*arg == 0)
		rc = WASMIX_ERROR;
	else if ((val = getenv(arg)) == NULL)
		return 0;
	else {
		klen = strlen(arg);
		kv = malloc(klen + strlen(val) + 2);
		if (kv == NULL)
			return fail("out of memory");
		sprintf(kv, "%s=%s", arg, val);
		rc = wasmix_config_add_env(cfg, kv);
		free(kv);
	}
	if (rc == WASMIX_NOMEM)
		return fail("out of memory");
	if (rc != WASMIX_OK)
		return fail("--env: expected KEY=VALUE, got '%s'", arg);
	return 0;
}

/* Applies one option that takes a value; non-zero exit status on error. */
static int opt_value(wasmix_config *cfg, const char *name, const char *arg)
{
	uint64_t v;
	const char *end;

	if (strcmp(name, "--env") == 0)
		return opt_env(cfg, arg);
	if (strcmp(name, "--max-memory") == 0) {
		if (!parse_pages(arg, &v) || v == 0 || v > WASM_MAX_PAGES)
			return fail("--max-memory: expected 1 to %u pages or a "
			            "size like 64M (up to 4G), got '%s'",
			            WASM_MAX_PAGES, arg);
		wasmix_config_set_max_memory_pages(cfg, v);
		return 0;
	}
	if (!parse_u64(arg, &v, &end) || *end != 0)
		return fail("%s: expected a number, got '%s'", name, arg);
	if (strcmp(name, "--fuel") == 0) {
		wasmix_config_set_fuel(cfg, v);
		return 0;
	}
	if (v == 0 || v > UINT32_MAX)
		return fail("%s: expected 1 to %u, got '%s'", name, UINT32_MAX,
		            arg);
	wasmix_config_set_max_call_depth(cfg, (uint32_t)v);
	return 0;
}

/* Splits "--name=value"; returns 1 if 'a' is an option taking a value. */
static int opt_split(const char *a, char *name, size_t cap, const char **val)
{
	static const char *const names[] = {"--env", "--max-memory", "--fuel",
	                                    "--max-call-depth"};
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a), i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i]) == n && strncmp(a, names[i], n) == 0 &&
		    n < cap) {
			memcpy(name, a, n);
			name[n] = 0;
			*val = eq ? eq + 1 : NULL;
			return 1;
		}
	}
	return 0;
}

/*
 * Parses the options of 'run' in argv[*i ...], stopping at the program
 * name. Returns -1 to go on, or an exit status.
 */
static int parse_options(wasmix_config *cfg, int argc, char **argv, int *i)
{
	char name[32];
	const char *val;
	int rc;

	for (; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];

		if (strcmp(a, "--") == 0) {
			(*i)++;
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!opt_split(a, name, sizeof name, &val))
			return fail("unknown option '%s' (see wasmix --help)",
			            a);
		if (val == NULL && *i + 1 >= argc)
			return fail("%s needs a value", name);
		if (val == NULL)
			val = argv[++*i];
		rc = opt_value(cfg, name, val);
		if (rc != 0)
			return rc;
	}
	return -1;
}

/* Runs PROG with the guest arguments argv[i+1 ...]; the exit status. */
static int run_program(wasmix_config *cfg, int argc, char **argv, int i)
{
	const char *prog = argv[i];
	char err[512];
	int code = 0, rc, first = i + 1;

	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	/* The guest's argv: PROG as given, then its arguments. */
	argv[first - 1] = (char *)prog;
	rc = wasmix_config_set_args(cfg, argc - first + 1,
	                            (const char *const *)argv + first - 1);
	if (rc != WASMIX_OK)
		return fail("out of memory");
	rc = wasmix_run_file(cfg, prog, &code, err, sizeof err);
	fflush(stdout);
	if (rc == WASMIX_OK)
		return code & 0xff;
	fail("%s", err);
	return rc == WASMIX_TRAP ? WASMIX_EXIT_TRAP : WASMIX_EXIT_USAGE;
}

static int cmd_run(int argc, char **argv, int i)
{
	wasmix_config *cfg = wasmix_config_new();
	int rc;

	if (cfg == NULL)
		return fail("out of memory");
	rc = parse_options(cfg, argc, argv, &i);
	if (rc < 0 && i >= argc)
		rc = fail("no program given (usage: wasmix run [options] "
		          "PROG.wasm [--] [ARGS...])");
	if (rc < 0)
		rc = run_program(cfg, argc, argv, i);
	wasmix_config_free(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : NULL;

	if (a == NULL) {
		fputs(usage_text, stderr);
		return WASMIX_EXIT_USAGE;
	}
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
	    strcmp(a, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
		printf("wasmix %s\n", wasmix_version());
		return 0;
	}
	if (strcmp(a, "run") == 0)
		return cmd_run(argc, argv, 2);
	if (a[0] == '-')
		return fail("unknown option '%s' (see wasmix --help)", a);
	return cmd_run(argc, argv, 1);
}

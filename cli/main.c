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
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools.h"
#include "wasmix.h"

#define WASM_PAGE         65536u
#define WASM_MAX_PAGES    65536u

static const char usage_text[] =
    "usage: wasmix run [options] PROG.wasm [--] [ARGS...]\n"
    "       wasmix run --invoke NAME [options] MODULE [ARGS...]\n"
    "       wasmix validate FILE... | wasmix inspect FILE\n"
    "       wasmix wat2wasm IN.wat [-o OUT.wasm]\n"
    "       wasmix compile PROG.wasm [-o OUT.so]\n"
    "       wasmix --help | --version\n"
    "\n"
    "Runs a WebAssembly WASI command module (preview1). PROG may be in\n"
    "the binary or the text format (.wat). 'wat2wasm' converts a text\n"
    "module to the binary format (to stdout without -o).\n"
    "--invoke calls the export NAME of a library module with ARGS parsed\n"
    "by its parameter types and prints the results, one per line.\n"
    "'validate' checks modules; 'inspect' lists sections, imports and\n"
    "exports (docs/cli.md).\n"
    "\n"
    "options:\n"
    "  --dir HOST[::GUEST]   give the guest the host directory HOST, seen\n"
    "                        as GUEST (default: HOST as written); repeatable,\n"
    "                        preopened in order from fd 3\n"
    "  --mapdir GUEST::HOST  the same, guest name first (wasmer's form)\n"
    "  --tcplisten HOST:PORT listen on a TCP socket and hand it to the\n"
    "                        guest (after the directories) for sock_accept\n"
    "  --net                 let the guest use the host network: any\n"
    "                        connect, bind and name lookup (default: no\n"
    "                        IP sockets at all; docs/networking.md)\n"
    "  --net-allow-connect ADDR[/PREFIX][:PORT[-PORT]]\n"
    "  --net-allow-bind ADDR[/PREFIX][:PORT[-PORT]]\n"
    "                        allow only these connect destinations or\n"
    "                        bind addresses (repeatable; ADDR: IPv4,\n"
    "                        [IPv6] or *); e.g. 127.0.0.1:8080\n"
    "  --net-lookup on|off   name lookup (default: on with --net only)\n"
    "  --env KEY=VALUE       set a variable in the guest's environment\n"
    "                        (repeatable); --env KEY copies the host's\n"
    "  --env-inherit         copy the whole host environment first\n"
    "  --map-command NAME=FILE  WASIX exec and spawn find NAME (no '/')\n"
    "                        before any PATH search and run host FILE\n"
    "  --cwd DIR             run from host directory DIR: relative HOST\n"
    "                        paths and PROG.wasm are found from there\n"
    "  --max-memory N        cap linear memory at N pages of 64 KiB, or\n"
    "                        at a size with a suffix: 64M, 1G, 512K\n"
    "  --fuel N              trap after N calls and loop iterations\n"
    "  --max-call-depth N    cap nested wasm calls (default 10000)\n"
    "  --timeout SECONDS     stop the guest after SECONDS of wall-clock\n"
    "                        time (a trap; fractions allowed: 0.5)\n"
    "  --max-table N         cap every table at N elements\n"
    "  --max-module-size N   refuse modules over N bytes (64M, 1G, ...)\n"
    "  --max-procs N         cap the guest's process tree at N processes\n"
    "                        (default 256, at most 1024): fork and spawn\n"
    "                        then fail with EAGAIN\n"
    "  --max-tree-memory SIZE  cap the linear memory of the whole tree\n"
    "                        (default 8G; 'none': no cap)\n"
    "  --max-fds N           fds per guest process (default 1024; EMFILE)\n"
    "  --max-threads N       cap the threads of the whole tree beyond each\n"
    "                        process's first (default 1024; EAGAIN)\n"
    "  --max-funcs N, --max-types N, --max-locals N\n"
    "                        refuse modules declaring more functions,\n"
    "                        function types, or locals in one function\n"
    "                        By default compiled code from the cache\n"
    "                        runs; a module not in it is interpreted while\n"
    "                        a background process compiles it with the\n"
    "                        system C compiler, and the run switches to\n"
    "                        the compiled code when it is ready\n"
    "                        (docs/aot.md)\n"
    "  --aot                 wait for the compiled code instead (also:\n"
    "                        WASMIX_AOT=1)\n"
    "  --interp              interpret (also: WASMIX_AOT=0)\n"
    "  --no-cache            compile afresh (waiting), store nothing\n"
    "  -v                    say which tier runs and why, one line each\n"
    "  --no-confine          do not confine wasmix (Landlock to the\n"
    "                        --dir directories, a seccomp allow-list)\n"
    "  --trace[=FILE]        print every WASI and WASIX call of every\n"
    "                        guest process (pid, call, decoded arguments,\n"
    "                        result), signal deliveries and exits, one\n"
    "                        line each, on stderr or appended to FILE\n"
    "                        (created or truncated); docs/cli.md\n"
    "  -h, --help            show this help\n"
    "  --version             show the version\n"
    "\n"
    "The guest's argv[0] is PROG.wasm as given; it sees no environment\n"
    "variables unless --env gives them, stdin, stdout, stderr, and only\n"
    "the directories --dir and --mapdir grant: paths never resolve\n"
    "outside them ('..' above one, absolute symlinks: ENOTCAPABLE).\n"
    "\n"
    "exit status: the guest's own (0-255); 134 if it trapped; 2 if the\n"
    "module could not be loaded or the command line is wrong.\n";

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
			return cli_fail("out of memory");
		sprintf(kv, "%s=%s", arg, val);
		rc = wasmix_config_add_env(cfg, kv);
		free(kv);
	}
	if (rc == WASMIX_NOMEM)
		return cli_fail("out of memory");
	if (rc != WASMIX_OK)
		return cli_fail("--env: expected KEY=VALUE, got '%s'", arg);
	return 0;
}

/* The host working directory chosen with --cwd, or NULL. */
static const char *opt_cwd;

/*
 * Applies --dir HOST[::GUEST] ('host_first') or --mapdir GUEST::HOST.
 */
static int opt_dir(wasmix_config *cfg, const char *name, const char *arg,
                   int host_first)
{
	const char *sep = strstr(arg, "::");
	char *a, *b;
	int rc;

	if (sep == NULL && !host_first)
		return cli_fail("--mapdir: expected GUEST::HOST, got '%s'",
		                arg);
	if (sep == NULL)
		return wasmix_config_add_dir(cfg, arg, arg) == WASMIX_OK
		           ? 0
		           : cli_fail("%s: expected a directory, got '%s'",
		                      name, arg);
	a = strndup(arg, (size_t)(sep - arg));
	b = strdup(sep + 2);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return cli_fail("out of memory");
	}
	rc = host_first ? wasmix_config_add_dir(cfg, a, b)
	                : wasmix_config_add_dir(cfg, b, a);
	free(a);
	free(b);
	if (rc != WASMIX_OK)
		return cli_fail("%s: expected %s, got '%s'", name,
		                host_first ? "HOST[::GUEST]" : "GUEST::HOST",
		                arg);
	return 0;
}

/*
 * --tcplisten HOST:PORT (HOST may be [v6]): a listening TCP socket, handed
 * to the guest. The fd stays open until wasmix exits.
 */
static int opt_tcplisten(wasmix_config *cfg, const char *arg)
{
	struct addrinfo hints, *ai = NULL;
	const char *colon = strrchr(arg, ':');
	char host[256];
	size_t n;
	int fd = -1, one = 1, rc;

	if (colon == NULL || colon == arg || colon[1] == 0 ||
	    (size_t)(colon - arg) >= sizeof host)
		return cli_fail("--tcplisten: expected HOST:PORT, got '%s'",
		                arg);
	n = (size_t)(colon - arg);
	if (arg[0] == '[' && arg[n - 1] == ']' && n >= 2) {
		memcpy(host, arg + 1, n - 2);
		host[n - 2] = 0;
	} else {
		memcpy(host, arg, n);
		host[n] = 0;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc != 0)
		return cli_fail("--tcplisten: %s: %s", arg, gai_strerror(rc));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0)
		rc = cli_fail("--tcplisten: %s: %s", arg, strerror(errno));
	else if (wasmix_config_add_socket(cfg, fd) != WASMIX_OK)
		rc = cli_fail("out of memory");
	freeaddrinfo(ai);
	if (rc != 0 && fd >= 0)
		close(fd);
	return rc;
}

/* --env-inherit: the host's whole environment, in its order. */
static int opt_env_inherit(wasmix_config *cfg)
{
	char **e;

	for (e = environ; *e != NULL; e++)
		if (strchr(*e, '=') != NULL && **e != '=' &&
		    wasmix_config_add_env(cfg, *e) == WASMIX_NOMEM)
			return cli_fail("out of memory");
	return 0;
}

/* "N" bytes, or "N" with K/M/G (KiB/MiB/GiB); false if not a size. */
static int parse_bytes(const char *s, uint64_t *bytes)
{
	static const char *const suffix[] = {"K", "M", "G"};
	const char *end;
	uint64_t v;
	unsigned i;

	if (!parse_u64(s, &v, &end))
		return 0;
	if (*end == 0) {
		*bytes = v;
		return 1;
	}
	for (i = 0; i < 3; i++) {
		if (strcmp(end, suffix[i]) != 0)
			continue;
		if (v > (UINT64_MAX >> (10 * (i + 1))))
			return 0;
		*bytes = v << (10 * (i + 1));
		return 1;
	}
	return 0;
}

/* --timeout SECONDS (a decimal fraction allowed): milliseconds, > 0. */
static int parse_timeout(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != 0 || !(v > 0) || v > 1e9)
		return 0;
	*ms = (uint64_t)(v * 1000.0 + 0.5);
	if (*ms == 0)
		*ms = 1;
	return 1;
}

/*
 * Applies --timeout, --max-table, --max-module-size, --max-funcs,
 * --max-types, --max-locals, --max-procs, --max-tree-memory or
 * --max-fds; non-zero exit status on error.
 */
static int opt_limit(wasmix_config *cfg, const char *name, const char *arg)
{
	static const struct {
		const char *name;
		int which;
		const char *max; /* for the message */
	} limits[] = {
	    {"--max-table", WASMIX_LIMIT_TABLE_ELEMS, "4294967295"},
	    {"--max-module-size", WASMIX_LIMIT_MODULE_BYTES, "1G"},
	    {"--max-funcs", WASMIX_LIMIT_FUNCS, "4294967295"},
	    {"--max-types", WASMIX_LIMIT_TYPES, "4294967295"},
	    {"--max-locals", WASMIX_LIMIT_LOCALS, "4294967295"},
	    {"--max-procs", WASMIX_LIMIT_PROCS, "1024"},
	    {"--max-tree-memory", WASMIX_LIMIT_TREE_MEMORY, "16E (or 'none')"},
	    {"--max-fds", WASMIX_LIMIT_FDS, "4294967295"},
	    {"--max-threads", WASMIX_LIMIT_THREADS, "4294967295"},
	};
	uint64_t v;
	size_t i;

	if (strcmp(name, "--max-tree-memory") == 0 && strcmp(arg, "none") == 0)
		return wasmix_config_set_limit(cfg, WASMIX_LIMIT_TREE_MEMORY,
		                               UINT64_MAX) != WASMIX_OK;

	if (strcmp(name, "--timeout") == 0) {
		if (!parse_timeout(arg, &v))
			return cli_fail(
			    "--timeout: expected a number of seconds "
			    "above 0, got '%s'",
			    arg);
		wasmix_config_set_timeout_ms(cfg, v);
		return 0;
	}
	for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		if (strcmp(name, limits[i].name) != 0)
			continue;
		if (!parse_bytes(arg, &v) || v == 0 ||
		    wasmix_config_set_limit(cfg, limits[i].which, v) !=
		        WASMIX_OK)
			return cli_fail(
			    "%s: expected a number from 1 to %s, got "
			    "'%s'",
			    name, limits[i].max, arg);
		return 0;
	}
	return cli_fail("unknown option '%s'", name);
}

/* --map-command NAME=FILE (WASIX exec/spawn); FILE must be readable. */
static int opt_map_command(wasmix_config *cfg, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[256];

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name ||
	    eq[1] == 0)
		return cli_fail("--map-command: expected NAME=FILE, got '%s'",
		                arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	if (access(eq + 1, R_OK) != 0)
		return cli_fail("--map-command: %s: %s", eq + 1,
		                strerror(errno));
	if (wasmix_config_map_command(cfg, name, eq + 1) != WASMIX_OK)
		return cli_fail("--map-command: bad command name '%s'", name);
	return 0;
}

/* --net-allow-connect / --net-allow-bind ADDR[/PREFIX][:PORT[-PORT]] */
static int opt_net_allow(wasmix_config *cfg, const char *name, const char *arg)
{
	int what = strcmp(name, "--net-allow-bind") == 0 ? WASMIX_NET_BIND
	                                                 : WASMIX_NET_CONNECT;

	if (wasmix_config_net_allow(cfg, what, arg) != WASMIX_OK)
		return cli_fail(
		    "%s: expected ADDR[/PREFIX][:PORT[-PORT]] (ADDR an "
		    "IPv4 address, [IPv6] or *; at most 64 rules), got "
		    "'%s'",
		    name, arg);
	return 0;
}

/* Applies one option that takes a value; non-zero exit status on error. */
static int opt_value(wasmix_config *cfg, const char *name, const char *arg)
{
	uint64_t v;
	const char *end;

	if (strcmp(name, "--env") == 0)
		return opt_env(cfg, arg);
	if (strcmp(name, "--dir") == 0)
		return opt_dir(cfg, name, arg, 1);
	if (strcmp(name, "--mapdir") == 0)
		return opt_dir(cfg, name, arg, 0);
	if (strcmp(name, "--tcplisten") == 0)
		return opt_tcplisten(cfg, arg);
	if (strcmp(name, "--map-command") == 0)
		return opt_map_command(cfg, arg);
	if (strcmp(name, "--net-allow-connect") == 0 ||
	    strcmp(name, "--net-allow-bind") == 0)
		return opt_net_allow(cfg, name, arg);
	if (strcmp(name, "--net-lookup") == 0) {
		if (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0)
			return cli_fail(
			    "--net-lookup: expected on or off, got '%s'", arg);
		wasmix_config_set_net_lookup(cfg, strcmp(arg, "on") == 0);
		return 0;
	}
	if (strcmp(name, "--cwd") == 0) {
		opt_cwd = arg;
		return 0;
	}
	if (strcmp(name, "--timeout") == 0 ||
	    strcmp(name, "--max-table") == 0 ||
	    strcmp(name, "--max-module-size") == 0 ||
	    strcmp(name, "--max-funcs") == 0 ||
	    strcmp(name, "--max-types") == 0 ||
	    strcmp(name, "--max-locals") == 0 ||
	    strcmp(name, "--max-procs") == 0 ||
	    strcmp(name, "--max-tree-memory") == 0 ||
	    strcmp(name, "--max-fds") == 0 ||
	    strcmp(name, "--max-threads") == 0)
		return opt_limit(cfg, name, arg);
	if (strcmp(name, "--max-memory") == 0) {
		if (!parse_pages(arg, &v) || v == 0 || v > WASM_MAX_PAGES)
			return cli_fail(
			    "--max-memory: expected 1 to %u pages or a "
			    "size like 64M (up to 4G), got '%s'",
			    WASM_MAX_PAGES, arg);
		wasmix_config_set_max_memory_pages(cfg, v);
		return 0;
	}
	if (!parse_u64(arg, &v, &end) || *end != 0)
		return cli_fail("%s: expected a number, got '%s'", name, arg);
	if (strcmp(name, "--fuel") == 0) {
		wasmix_config_set_fuel(cfg, v);
		return 0;
	}
	if (v == 0 || v > UINT32_MAX)
		return cli_fail("%s: expected 1 to %u, got '%s'", name,
		                UINT32_MAX, arg);
	wasmix_config_set_max_call_depth(cfg, (uint32_t)v);
	return 0;
}

/* The trace's host fd (--trace), closed when the run is over; -1: none. */
static int opt_trace_fd = -1;

/*
 * --trace (stderr) or --trace=FILE. The fd is a private one, close-on-
 * exec and O_APPEND, so that guest processes forked from this one append
 * whole lines and no host program ever inherits it; a copy of stderr
 * stays open even if the guest's fd 2 is redirected or closed.
 */
static int opt_trace(wasmix_config *cfg, const char *file)
{
	int fd;

	if (file != NULL && file[0] == 0)
		return cli_fail("--trace=: expected a file name");
	if (file != NULL)
		fd = open(file,
		          O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		          0644);
	else
		fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return cli_fail("--trace: %s: %s", file ? file : "stderr",
		                strerror(errno));
	if (opt_trace_fd >= 0)
		close(opt_trace_fd);
	opt_trace_fd = fd;
	wasmix_config_set_trace_fd(cfg, fd);
	return 0;
}

/* Splits "--name=value"; returns 1 if 'a' is an option taking a value. */
static int opt_split(const char *a, char *name, size_t cap, const char **val)
{
	static const char *const names[] = {
	    "--env",
	    "--max-memory",
	    "--fuel",
	    "--max-call-depth",
	    "--dir",
	    "--mapdir",
	    "--cwd",
	    "--tcplisten",
	    "--timeout",
	    "--max-table",
	    "--max-module-size",
	    "--max-funcs",
	    "--max-types",
	    "--max-locals",
	    "--map-command",
	    "--max-procs",
	    "--max-tree-memory",
	    "--max-fds",
	    "--max-threads",
	    "--net-allow-connect",
	    "--net-allow-bind",
	    "--net-lookup",
	}; /* clang-format off/on would reflow it one a line */
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
/* --invoke NAME: call that export instead of running _start. */
static const char *opt_invoke;
/* --aot / --interp, --no-cache, -v (the compiled tier). */
static int opt_aot, opt_no_cache, opt_verbose;

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
		if (strcmp(a, "--trace") == 0 ||
		    strncmp(a, "--trace=", 8) == 0) {
			rc = opt_trace(cfg, a[7] == '=' ? a + 8 : NULL);
			if (rc != 0)
				return rc;
			continue;
		}
		if (strcmp(a, "--net") == 0) {
			wasmix_config_set_net(cfg, 1);
			continue;
		}
		if (strcmp(a, "--invoke") == 0) {
			if (*i + 1 >= argc)
				return cli_fail("--invoke needs a value");
			opt_invoke = argv[++*i];
			continue;
		}
		if (strcmp(a, "--env-inherit") == 0) {
			rc = opt_env_inherit(cfg);
			if (rc != 0)
				return rc;
			continue;
		}
		if (strcmp(a, "--no-confine") == 0) {
			wasmix_config_set_confine(cfg, 0);
			continue;
		}
		if (strcmp(a, "--aot") == 0 || strcmp(a, "--interp") == 0 ||
		    strcmp(a, "--no-cache") == 0 || strcmp(a, "-v") == 0) {
			if (strcmp(a, "--aot") == 0)
				opt_aot = WASMIX_COMPILE_WAIT;
			else if (strcmp(a, "--interp") == 0)
				opt_aot = WASMIX_COMPILE_OFF;
			else if (strcmp(a, "--no-cache") == 0)
				opt_no_cache = 1;
			else
				opt_verbose = 1;
			wasmix_config_set_compile(cfg, opt_aot, !opt_no_cache,
			                          opt_verbose);
			continue;
		}
		if (!opt_split(a, name, sizeof name, &val))
			return cli_fail(
			    "unknown option '%s' (see wasmix --help)", a);
		if (val == NULL && *i + 1 >= argc)
			return cli_fail("%s needs a value", name);
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
	if (opt_invoke != NULL)
		return cli_invoke(prog, opt_invoke, argc - first, argv + first);
	/* The guest's argv: PROG as given, then its arguments. */
	argv[first - 1] = (char *)prog;
	rc = wasmix_config_set_args(cfg, argc - first + 1,
	                            (const char *const *)argv + first - 1);
	if (rc != WASMIX_OK)
		return cli_fail("out of memory");
	if (opt_cwd != NULL && chdir(opt_cwd) != 0)
		return cli_fail("--cwd: %s: %s", opt_cwd, strerror(errno));
	rc = wasmix_run_file(cfg, prog, &code, err, sizeof err);
	fflush(stdout);
	if (rc == WASMIX_OK)
		return code & 0xff;
	cli_fail("%s", err);
	return rc == WASMIX_TRAP ? WASMIX_EXIT_TRAP : WASMIX_EXIT_USAGE;
}

static int cmd_run(int argc, char **argv, int i)
{
	wasmix_config *cfg = wasmix_config_new();
	const char *env_aot = getenv("WASMIX_AOT");
	int rc;

	if (cfg == NULL)
		return cli_fail("out of memory");
	/* The policy (docs/aot.md): cached code if any, else interpret while
	 * a background process compiles and switch over. WASMIX_AOT=0 (or
	 * --interp) interprets, WASMIX_AOT=1 (or --aot) waits for the
	 * compiler. */
	opt_aot = env_aot == NULL || env_aot[0] == 0 ? WASMIX_COMPILE_AUTO
	          : strcmp(env_aot, "0") == 0        ? WASMIX_COMPILE_OFF
	          : strcmp(env_aot, "1") == 0        ? WASMIX_COMPILE_WAIT
	                                             : WASMIX_COMPILE_AUTO;
	wasmix_config_set_compile(cfg, opt_aot, 1, 0);
	wasmix_config_set_confine(cfg, 1); /* --no-confine turns it off */
	/* The guest's first process is this one: a shell sees its status. */
	wasmix_config_set_isolate(cfg, 0);
	rc = parse_options(cfg, argc, argv, &i);
	if (rc < 0 && i >= argc)
		rc = cli_fail("no program given (usage: wasmix run [options] "
		              "PROG.wasm [--] [ARGS...])");
	if (rc < 0)
		rc = run_program(cfg, argc, argv, i);
	wasmix_config_free(cfg);
	if (opt_trace_fd >= 0)
		close(opt_trace_fd);
	return rc;
}

/* wasmix compile PROG.wasm [-o OUT.so]: into the cache without -o. */
static int cmd_compile(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	unsigned ncompiled, nfuncs;
	char err[512];
	int rc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (in == NULL && argv[i][0] != '-')
			in = argv[i];
		else
			return cli_fail(
			    "usage: wasmix compile PROG.wasm [-o OUT.so]");
	}
	if (in == NULL)
		return cli_fail("usage: wasmix compile PROG.wasm [-o OUT.so]");
	rc = wasmix_compile_file(in, out, &ncompiled, &nfuncs, err, sizeof err);
	if (rc != WASMIX_OK)
		return cli_fail("%s", err);
	printf("%s: %u of %u functions compiled%s%s\n", in, ncompiled, nfuncs,
	       out ? " into " : " (cached)", out ? out : "");
	return 0;
}

/* wasmix wat2wasm IN.wat [-o OUT.wasm] */
static int cmd_wat2wasm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char err[512];
	uint8_t *bin = NULL;
	size_t len = 0, binlen = 0;
	int rc = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strncmp(argv[i], "--enable-", 9) == 0 ||
		         strcmp(argv[i], "--no-check") == 0)
			continue; /* wabt's flags: every feature is on, no check
			           */
		else if (in == NULL && (argv[i][0] != '-' || argv[i][1] == 0))
			in = argv[i];
		else
			return cli_fail(
			    "usage: wasmix wat2wasm IN.wat [-o OUT.wasm]");
	}
	if (in == NULL)
		return cli_fail("usage: wasmix wat2wasm IN.wat [-o OUT.wasm]");
	char *text = cli_read_file(in, true, &len);
	if (text == NULL)
		return WASMIX_EXIT_USAGE;
	if (wasmix_wat2wasm(in, text, len, &bin, &binlen, err, sizeof err) !=
	    0) {
		free(text);
		return cli_fail("%s", err);
	}
	free(text);
	FILE *f = out ? fopen(out, "wb") : stdout;
	if (f == NULL || fwrite(bin, 1, binlen, f) != binlen)
		rc = cli_fail("%s: %s", out ? out : "stdout", strerror(errno));
	if (f != NULL && f != stdout && fclose(f) != 0 && rc == 0)
		rc = cli_fail("%s: %s", out, strerror(errno));
	wasmix_free(bin);
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
	if (strcmp(a, "wat2wasm") == 0)
		return cmd_wat2wasm(argc, argv);
	if (strcmp(a, "compile") == 0)
		return cmd_compile(argc, argv);
	if (strcmp(a, "validate") == 0)
		return cli_validate(argc, argv);
	if (strcmp(a, "inspect") == 0)
		return cli_inspect(argc, argv);
	if (a[0] == '-')
		return cli_fail("unknown option '%s' (see wasmix --help)", a);
	return cmd_run(argc, argv, 1);
}

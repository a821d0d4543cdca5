/*
 * spec_run.c: wasmix-spec, the WebAssembly specification test runner.
 *
 *   wasmix-spec [--skip FILE] [-v] [--no-fork] [--timeout SEC] [--wasm2]
 *               [--simd-isa NAME] [--write-modules DIR | --parse-only]
 *               FILE.wast|FILE.json...
 *
 * Runs .wast scripts (converted in memory by src/wat, wast_to_json) or
 * wast2json output files against the decoder, validator and VM and
 * prints one line per file, one line per failure ("FILE:LINE: COMMAND:
 * what happened") and a last line "N passed, M failed, K skipped". Exits
 * 1 if anything failed, 2 on bad usage.
 *
 * Each file runs in a child process (unless --no-fork) with a time limit,
 * so a crash or hang of the engine is one failure of that file, reported
 * with the command it was running, and the other files still run.
 * --simd-isa runs SIMD instructions with that instruction set (vm.h,
 * vm_simd_select: generic, sse2, sse4.1), named on the first line.
 *
 * Keeps true: every command is counted once as passed, failed or skipped;
 * nothing is counted as passed that did not run; the last line of output
 * is the total.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec.h"

struct options {
	const char *skip_path;
	bool verbose;
	bool fork;
	unsigned timeout;     /* seconds per file; 0 = none */
	const char *simd_isa; /* --simd-isa, or NULL */
};

static void usage(void)
{
	fprintf(stderr, "usage: wasmix-spec [--skip FILE] [-v] [--no-fork] "
	                "[--timeout SEC] [--wasm2] FILE.wast|FILE.json...\n"
	                "  --wasm2  read .wast with the 2.0 text grammar "
	                "and decode by the 2.0 binary format\n"
	                "  --write-modules DIR  only write each script's "
	                "modules to DIR/NAME.K.wasm\n"
	                "  --parse-only  only convert each script (timing)\n"
	                "  --simd-isa NAME  run SIMD instructions with NAME "
	                "(generic, sse2, sse4.1)\n");
}

/* Parses one skip-list line; returns 0, 1 to ignore it, -1 if bad. */
static int parse_skip_line(char *line, struct spec_skip *out)
{
	char *key, *reason, *colon, *end;

	key = line + strspn(line, " \t\r");
	if (*key == 0 || *key == '#')
		return 1;
	reason = key + strcspn(key, " \t\r");
	if (*reason)
		*reason++ = 0;
	reason += strspn(reason, " \t");
	end = reason + strlen(reason);
	while (end > reason &&
	       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	colon = strrchr(key, ':');
	if (!colon || colon == key || *reason == 0)
		return -1;
	*colon++ = 0;
	if (strcmp(colon, "*") == 0) {
		out->line = 0;
	} else {
		out->line = strtol(colon, &end, 10);
		if (*end || out->line <= 0)
			return -1;
	}
	out->file = strdup(key);
	out->reason = strdup(reason);
	return out->file && out->reason ? 0 : -1;
}

static void skiplist_free(struct spec_skiplist *sl)
{
	for (size_t i = 0; i < sl->n; i++) {
		free(sl->v[i].file);
		free(sl->v[i].reason);
	}
	free(sl->v);
	sl->v = NULL;
	sl->n = 0;
}

/*
 * Reads the skip list: "FILE.json:LINE reason" or "FILE.json:* reason",
 * '#' comments and blank lines. Returns 0, or -1 after a message.
 */
static int skiplist_read(const char *path, struct spec_skiplist *sl)
{
	uint8_t *text;
	size_t len, lineno = 0;
	char err[512], *save = NULL;
	int rc = 0;

	if (spec_read_file(path, (size_t)1 << 20, &text, &len, err,
	                   sizeof(err))) {
		fprintf(stderr, "wasmix-spec: %s\n", err);
		return -1;
	}
	sl->v = calloc(len / 2 + 1, sizeof(*sl->v));
	if (!sl->v) {
		free(text);
		return -1;
	}
	for (char *p = (char *)text; rc == 0; p = NULL) {
		char *line = strtok_r(p, "\n", &save);
		int r;

		if (!line)
			break;
		lineno++;
		r = parse_skip_line(line, &sl->v[sl->n]);
		if (r == 0)
			sl->n++;
		if (r < 0) {
			fprintf(stderr,
			        "wasmix-spec: %s:%zu: want \"FILE.json:LINE "
			        "reason\" or \"FILE.json:* reason\"\n",
			        path, lineno);
			free(sl->v[sl->n].file);
			free(sl->v[sl->n].reason);
			rc = -1;
		}
	}
	free(text);
	return rc;
}

/* The path component that ends at 'end' (a '/' of 'path' or its end). */
static const char *component_before(const char *path, const char *end,
                                    size_t *len)
{
	const char *s = end;

	while (s > path && s[-1] != '/')
		s--;
	*len = (size_t)(end - s);
	return s;
}

/*
 * The name a file is reported and skipped by: its basename, or "DIR/NAME"
 * for the build layout DIR/STEM/STEM.json when DIR is not "core" (so
 * proposals' files do not clash with the core ones of the same name).
 */
static char *display_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dir, *gp;
	size_t blen, dlen, glen;
	char *out;

	base = base ? base + 1 : path;
	blen = strlen(base);
	if (base != path && blen > 5 && strcmp(base + blen - 5, ".wast") == 0) {
		/* SUITE/NAME.wast, or DIR/NAME.wast below it (not SUITE itself)
		 */
		dir = component_before(path, base - 1, &dlen);
		if (dlen == 0 ||
		    (dlen >= 9 && memcmp(dir, "wasm-spec", 9) == 0))
			return strdup(base);
		out = malloc(dlen + blen + 2);
		if (out)
			sprintf(out, "%.*s/%s", (int)dlen, dir, base);
		return out;
	}
	if (base == path || blen <= 5 || strcmp(base + blen - 5, ".json"))
		return strdup(base);
	dir = component_before(path, base - 1, &dlen);
	if (dir == path || dlen != blen - 5 || memcmp(dir, base, dlen) != 0)
		return strdup(base);
	gp = component_before(path, dir - 1, &glen);
	if (glen == 0 || (glen == 4 && memcmp(gp, "core", 4) == 0))
		return strdup(base);
	out = malloc(glen + blen + 2);
	if (out)
		sprintf(out, "%.*s/%s", (int)glen, gp, base);
	return out;
}

/*
 * Reports how a child running 'name' ended, if not normally. The command
 * it was running and those after it (never run) are counted as failed.
 */
static void child_ended(const char *name, int st, unsigned timeout,
                        struct spec_counts *k)
{
	uint64_t done = k->passed + k->failed + k->skipped, lost = 1;
	char what[128];

	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		snprintf(what, sizeof(what), "timed out after %u s", timeout);
	else if (WIFSIGNALED(st))
		snprintf(what, sizeof(what), "crashed (signal %d, %s)",
		         WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(what, sizeof(what),
		         "exited with status %d (sanitizer report on stderr?)",
		         WEXITSTATUS(st));
	if (k->cur_line && k->total > done)
		lost = k->total - done;
	k->failed += lost;
	if (k->cur_line)
		printf("%s:%ld: %s: %s; it and the %llu commands after it "
		       "count as failed\n",
		       name, k->cur_line, k->cur_cmd, what,
		       (unsigned long long)(lost - 1));
	else
		printf("%s:0: file: %s\n", name, what);
}

/* Runs one file in a child process; its counts end up in '*out'. */
static void run_forked(const char *path, const char *name,
                       const struct options *o, const struct spec_skiplist *sl,
                       struct spec_counts *out)
{
	struct spec_counts *k;
	pid_t pid;
	int st = 0;

	memset(out, 0, sizeof(*out));
	k = mmap(NULL, sizeof(*k), PROT_READ | PROT_WRITE,
	         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k == MAP_FAILED) {
		out->failed++;
		printf("%s:0: file: mmap: %s\n", name, strerror(errno));
		return;
	}
	memset(k, 0, sizeof(*k));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		alarm(o->timeout);
		spec_file_run(path, name, o->verbose, sl, k);
		fflush(stdout);
		exit(0); /* exit, not _exit: the leak checker runs at exit */
	}
	if (pid < 0) {
		out->failed++;
		printf("%s:0: file: fork: %s\n", name, strerror(errno));
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		*out = *k;
		child_ended(name, st, o->timeout, out);
	}
	munmap(k, sizeof(*k));
}

static void add_counts(struct spec_counts *t, const struct spec_counts *k)
{
	t->passed += k->passed;
	t->failed += k->failed;
	t->skipped += k->skipped;
	t->mismatched += k->mismatched;
	t->aot_native += k->aot_native;
	t->aot_interp += k->aot_interp;
}

/* Runs one file and prints its summary line; adds to 'total'. */
static void run_one(const char *path, const struct options *o,
                    const struct spec_skiplist *sl, struct spec_counts *total)
{
	struct spec_counts k = {0};
	char *name = display_name(path);

	if (!name) {
		total->failed++;
		printf("%s:0: file: out of memory\n", path);
		return;
	}
	if (o->fork)
		run_forked(path, name, o, sl, &k);
	else
		spec_file_run(path, name, o->verbose, sl, &k);
	printf("%s: %llu passed, %llu failed, %llu skipped", name,
	       (unsigned long long)k.passed, (unsigned long long)k.failed,
	       (unsigned long long)k.skipped);
	if (k.mismatched)
		printf(", %llu message mismatches",
		       (unsigned long long)k.mismatched);
	if (spec_aot)
		printf(" (aot: %llu functions compiled, %llu instances "
		       "interpreted)",
		       (unsigned long long)k.aot_native,
		       (unsigned long long)k.aot_interp);
	printf("\n");
	add_counts(total, &k);
	free(name);
}

/* Parses the options; returns the index of the first file or -1. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->fork = true;
	o->timeout = 300;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			o->verbose = true;
		} else if (strcmp(argv[i], "--write-modules") == 0 &&
		           i + 1 < argc) {
			spec_write_dir = argv[++i];
		} else if (strcmp(argv[i], "--parse-only") == 0) {
			spec_write_dir = "";
		} else if (strcmp(argv[i], "--wasm2") == 0) {
			spec_wat_flags |= WAT_WASM2;
		} else if (strcmp(argv[i], "--simd-isa") == 0 && i + 1 < argc) {
			o->simd_isa = argv[++i];
		} else if (strcmp(argv[i], "--aot") == 0) {
			spec_aot = true;
		} else if (strcmp(argv[i], "--no-fork") == 0) {
			o->fork = false;
		} else if (strcmp(argv[i], "--skip") == 0 && i + 1 < argc) {
			o->skip_path = argv[++i];
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			o->timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return -1;
		}
	}
	return i < argc ? i : -1;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct spec_skiplist sl = {0};
	struct spec_counts total = {0};
	int first = parse_args(argc, argv, &o);

	if (first < 0) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.simd_isa != NULL) {
		if (vm_simd_select(o.simd_isa) != WX_OK) {
			fprintf(stderr,
			        "wasmix-spec: no SIMD instruction set '%s' on "
			        "this host\n",
			        o.simd_isa);
			return 2;
		}
		printf("SIMD instructions: %s\n", vm_simd_isa_name());
	}
	if (o.skip_path && skiplist_read(o.skip_path, &sl)) {
		skiplist_free(&sl);
		return 2;
	}
	for (int i = first; i < argc; i++)
		run_one(argv[i], &o, &sl, &total);
	if (total.mismatched)
		printf("message mismatches (rejected as expected, other "
		       "wording; -v lists them): %llu\n",
		       (unsigned long long)total.mismatched);
	if (spec_aot)
		printf("aot: %llu functions compiled, %llu instances "
		       "interpreted\n",
		       (unsigned long long)total.aot_native,
		       (unsigned long long)total.aot_interp);
	printf("%llu passed, %llu failed, %llu skipped\n",
	       (unsigned long long)total.passed,
	       (unsigned long long)total.failed,
	       (unsigned long long)total.skipped);
	skiplist_free(&sl);
	return total.failed ? 1 : 0;
}

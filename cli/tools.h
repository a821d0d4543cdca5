/*
 * tools.h: the command line's module tools (cli/tools.c): 'wasmix
 * validate', 'wasmix inspect' and 'wasmix run --invoke'. Each returns the
 * process exit status (docs/cli.md) and prints failures as one
 * "wasmix: " line on stderr. Also what every command shares: the exit
 * statuses, cli_fail and cli_read_file.
 */
#ifndef WASMIX_CLI_TOOLS_H
#define WASMIX_CLI_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses besides the guest's own (docs/cli.md). */
#define WASMIX_EXIT_USAGE 2
#define WASMIX_EXIT_TRAP  134

/* Prints "wasmix: <message>" on stderr; returns WASMIX_EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Reads all of 'path' ('dash_is_stdin' and "-": standard input) into a
 * malloc'd buffer of '*len' bytes that the caller frees. On failure
 * prints one line (cli_fail: the open's error, "too large or out of
 * memory" past 1 GiB, or "read error") and returns NULL.
 */
char *cli_read_file(const char *path, bool dash_is_stdin, size_t *len);

/* wasmix validate FILE...: 0 if every file validates, else 1. */
int cli_validate(int argc, char **argv);

/* wasmix inspect FILE: sections, imports and exports on stdout. */
int cli_inspect(int argc, char **argv);

/*
 * Instantiates 'path' and calls its export 'name' with the 'nargs'
 * strings at 'args' parsed by the parameter types; prints each result on
 * its own line. 0 on success, 134 on a trap, 2 on bad usage or a module
 * that cannot be loaded.
 */
int cli_invoke(const char *path, const char *name, int nargs, char **args);

#endif

/*
 * tools.h: the command line's module tools (cli/tools.c): 'wasmix
 * validate', 'wasmix inspect' and 'wasmix run --invoke'. Each returns the
 * process exit status (docs/cli.md) and prints failures as one
 * "wasmix: " line on stderr. Also what every command shares: the exit
 * statuses and cli_fail.
 */
#ifndef WASMIX_CLI_TOOLS_H
#define WASMIX_CLI_TOOLS_H

/* Exit statuses besides the guest's own (docs/cli.md). */
#define WASMIX_EXIT_USAGE 2
#define WASMIX_EXIT_TRAP  134

/* Prints "wasmix: <message>" on stderr; returns WASMIX_EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

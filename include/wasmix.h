/*
 * wasmix.h: the public embedding API of wasmix, a WebAssembly runtime.
 *
 * This header is the whole contract between an application (the wasmix
 * command line included) and the library: it includes only the C standard
 * library, and every handle type behind it is opaque (the module
 * reflection's descriptions are plain structs). Names start with 'wasmix_'
 * (functions, types) or 'WASMIX_' (constants).
 *
 * The model is small for now: fill a 'wasmix_config' (arguments,
 * environment, standard streams, limits), then run a WASI command module
 * (a program with a '_start' export) from a file or from bytes. A run
 * returns a status saying how far it got; when the guest ran, its exit
 * status is handed back separately.
 *
 * Handles passed to these functions must be valid; a NULL config is
 * ignored by the setters (and rejected with WASMIX_ERROR where a status
 * is returned) unless a function says it means "the defaults".
 *
 * Threads: a config may be shared by concurrent runs as long as nobody
 * changes it meanwhile; everything else a run makes is private to it.
 * The guest's standard streams are the host fds the config names, shared
 * with whoever else writes to them.
 */
#ifndef WASMIX_H
#define WASMIX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden symbols; these are its interface. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define WASMIX_VERSION "0.1.0"

/*
 * Status of an API call. WASMIX_OK after a run means the guest ran to its
 * end (returned from '_start' or called proc_exit); its exit status is
 * then in '*exit_code'. Every other value means the guest did not finish,
 * and the error buffer says why in one line.
 */
enum wasmix_status {
	WASMIX_OK = 0,
	WASMIX_ERROR = 1,     /* bad argument from the caller */
	WASMIX_NOMEM = 2,     /* host allocation failed */
	WASMIX_IOERR = 3,     /* the module file could not be read */
	WASMIX_MALFORMED = 4, /* the bytes are not a WebAssembly module */
	WASMIX_INVALID = 5,   /* the module does not validate */
	WASMIX_LINK = 6,      /* imports could not be satisfied, or no _start */
	WASMIX_LIMIT = 7,     /* a configured or built-in limit was exceeded */
	WASMIX_TRAP = 8,      /* the guest trapped (or ran out of fuel) */
	WASMIX_SIGNALED = 9,  /* an isolated guest was killed by a signal */
};

/* Hard cap on the size of a module file or buffer: 1 GiB. */
#define WASMIX_MAX_MODULE_BYTES ((size_t)1 << 30)

/* The library's version string, WASMIX_VERSION. Never NULL. */
const char *wasmix_version(void);

/* A short English name for a status ("trap", "malformed module", ...). */
const char *wasmix_status_string(int status);

typedef struct wasmix_config wasmix_config;

/*
 * Makes a config with the defaults: no arguments (the program name is
 * supplied by the run), an empty environment, the guest's fds 0, 1 and 2
 * on the host's 0, 1 and 2, memory up to 65536 pages (4 GiB), call depth
 * up to 10,000 wasm frames, unlimited fuel; a process tree of at most
 * 256 processes, 1024 extra threads and 8 GiB of linear memory, 1024 fds
 * per process (enum wasmix_limit); no confinement. Returns NULL if out
 * of memory. Free it with wasmix_config_free.
 */
wasmix_config *wasmix_config_new(void);

/* Frees a config and the strings it copied. NULL is allowed. */
void wasmix_config_free(wasmix_config *c);

/*
 * Sets the guest's argv (copied): argv[0] is what the guest sees as its
 * program name. With no call, or argc == 0, a run uses the module's path
 * (or name) as the only argument. Returns WASMIX_OK, WASMIX_NOMEM, or
 * WASMIX_ERROR if argc < 0 or argv is NULL with argc > 0. On failure the
 * previous arguments stay.
 */
int wasmix_config_set_args(wasmix_config *c, int argc, const char *const *argv);

/*
 * Appends "KEY=VALUE" (copied) to the guest's environment. Returns
 * WASMIX_OK, WASMIX_NOMEM, or WASMIX_ERROR if 'kv' is NULL or has no '='
 * or an empty key. Setting a key twice appends both; the guest's libc
 * sees the first.
 */
int wasmix_config_add_env(wasmix_config *c, const char *kv);

/*
 * Chooses the host fds behind the guest's fds 0, 1 and 2 (-1: closed,
 * EBADF for the guest). They are borrowed: the library never closes them
 * and the caller keeps them open during runs.
 */
void wasmix_config_set_stdio(wasmix_config *c, int in_fd, int out_fd,
                             int err_fd);

/*
 * Keeps guest fd 'fd' (1: stdout, 2: stderr) of the runs made with this
 * config (wasmix_run_file, wasmix_run_bytes) in the caller's buffer
 * 'buf' of 'cap' bytes (borrowed; 0 < cap <= WASMIX_MAX_CAPTURE_BYTES)
 * instead of the host fd of wasmix_config_set_stdio. When the run
 * returns, '*len' holds the bytes stored in 'buf' (the first ones the
 * guest wrote) and, if 'dropped' is not NULL, '*dropped' those past the
 * cap; both are zeroed when the run starts. The guest's writes never
 * block on the buffer: they go into a pipe that a library thread of the
 * calling process drains during the run (the library holds up to 'cap'
 * bytes of its own meanwhile), with every guest process of the run, the
 * helper's too, writing into it; what a guest process that outlives the
 * run writes afterwards is lost. 'buf' NULL turns it off. A config with
 * run buffers must not be used by concurrent runs (they share the
 * buffers). Returns WASMIX_OK, or WASMIX_ERROR for another fd, a cap of
 * 0 or above the maximum, or 'len' NULL.
 */
#define WASMIX_MAX_CAPTURE_BYTES ((size_t)1 << 30)
int wasmix_config_run_output(wasmix_config *c, int fd, void *buf, size_t cap,
                             size_t *len, uint64_t *dropped);

/*
 * Grants the guest a host directory: 'host' (a path, opened when the run
 * starts) appears to the guest as the preopened directory 'guest' (for
 * example "/", "." or "data"). Preopens get guest fds 3, 4, ... in the
 * order of the calls. The guest reaches nothing outside the directories
 * it is given: paths are resolved beneath them, '..' past their root,
 * absolute symlinks and links through /proc fail (docs/cli.md). Both
 * strings are copied. Returns WASMIX_OK, WASMIX_NOMEM, or WASMIX_ERROR
 * for a NULL or empty string. A directory that cannot be opened makes the
 * run fail with WASMIX_IOERR before the guest starts.
 */
int wasmix_config_add_dir(wasmix_config *c, const char *host,
                          const char *guest);

/*
 * Hands the guest host socket 'fd' (borrowed: the caller keeps it open
 * during runs and closes it): it appears after the preopened directories,
 * in the order of the calls, for sock_accept (a listening socket) or
 * sock_recv / sock_send / sock_shutdown (a connected one). Returns
 * WASMIX_OK, WASMIX_NOMEM, or WASMIX_ERROR for a negative fd. A run fails
 * with WASMIX_IOERR if 'fd' is not a socket.
 */
int wasmix_config_add_socket(wasmix_config *c, int fd);

/*
 * WASIX network policy (docs/networking.md), deny by default: with no
 * call, a guest opens no IP socket (EACCES), while socket pairs, eventfd,
 * epoll and the sockets given with wasmix_config_add_socket work.
 * wasmix_config_set_net(c, 1) grants the host network: any connect, any
 * bind, name lookup (--net). wasmix_config_net_allow adds one rule
 * (--net-allow-connect, --net-allow-bind): 'what' is WASMIX_NET_CONNECT
 * (connect and send_to destinations) or WASMIX_NET_BIND (bind and
 * listen addresses), 'spec' is "ADDR[/PREFIX][:PORT[-PORT]]" with ADDR an
 * IPv4 address, an IPv6 one in brackets, or "*" (e.g.
 * "127.0.0.0/8:8000-8100", "[::1]:443", "*:53"); any rule lets the guest
 * open sockets, and every connect or bind must then match one. Returns
 * WASMIX_OK, or WASMIX_ERROR for a bad 'what' or 'spec' or more than 64
 * rules. wasmix_config_set_net_lookup turns name lookup (the 'resolve'
 * import, the host's resolver) on (1) or off (0); by default it follows
 * wasmix_config_set_net. Every process of the run inherits the policy.
 */
enum { WASMIX_NET_CONNECT = 1, WASMIX_NET_BIND = 2 };
void wasmix_config_set_net(wasmix_config *c, int on);
int wasmix_config_net_allow(wasmix_config *c, int what, const char *spec);
void wasmix_config_set_net_lookup(wasmix_config *c, int on);

/*
 * WASIX: makes 'name' (no '/') a command that exec and spawn find by name
 * before any PATH search, running host file 'file' (the --map-command
 * NAME=FILE option of the CLI). Copies both. Returns WASMIX_OK,
 * WASMIX_NOMEM, or WASMIX_ERROR for an empty name or one with '/'.
 */
int wasmix_config_map_command(wasmix_config *c, const char *name,
                              const char *file);

/*
 * Lets the embedder interrupt blocking calls: while '*flag' is non-zero,
 * a guest blocked in fd_read or poll_oneoff gets EINTR as soon as the
 * host call is interrupted (a signal handler that sets the flag does
 * that). 'flag' is borrowed; NULL turns it off.
 */
void wasmix_config_set_interrupt(wasmix_config *c, volatile sig_atomic_t *flag);

/*
 * Limits. 'pages' caps every linear memory in 64 KiB pages (a module
 * whose minimum exceeds it fails to instantiate with WASMIX_LIMIT;
 * memory.grow beyond it returns -1 to the guest). 'depth' caps nested
 * wasm calls ("call stack exhausted" trap). 'fuel' bounds the work of a
 * run: one unit per call and per loop iteration (0 = unlimited); running
 * out is a trap.
 * A zero 'pages' or 'depth' restores the default.
 */
void wasmix_config_set_max_memory_pages(wasmix_config *c, uint64_t pages);
void wasmix_config_set_max_call_depth(wasmix_config *c, uint32_t depth);
void wasmix_config_set_fuel(wasmix_config *c, uint64_t fuel);

/*
 * More limits (docs/fuzzing.md lists them all). Each is checked before
 * anything is allocated for what it caps; exceeding one fails the run
 * with WASMIX_LIMIT and a message naming the limit.
 */
enum wasmix_limit {
	WASMIX_LIMIT_MODULE_BYTES = 1, /* module size; default and most 1 GiB */
	WASMIX_LIMIT_TABLE_ELEMS = 2,  /* elements per table; default 10^7 */
	WASMIX_LIMIT_FUNCS = 3,        /* functions, imports included; 10^6 */
	WASMIX_LIMIT_LOCALS = 4,       /* locals of one function, params
	                                  included; default 50,000 */
	WASMIX_LIMIT_TYPES = 5,        /* function types; default 10^6 */
	/*
	 * The process tree (WASIX fork, spawn; docs/process.md#limits).
	 * These are not checked up front: past them the guest's call fails
	 * with an errno, as under the kernel's own limits.
	 */
	WASMIX_LIMIT_PROCS = 6,       /* processes of the run's tree, the
	                                 first and zombies included; default
	                                 256, at most 1024; fork and spawn
	                                 fail with EAGAIN past it */
	WASMIX_LIMIT_TREE_MEMORY = 7, /* bytes of linear memory of the whole
	                                 tree; default 8 GiB; UINT64_MAX: no
	                                 cap. memory.grow returns -1, fork
	                                 fails with ENOMEM past it */
	WASMIX_LIMIT_FDS = 8,         /* open fds per process: fd numbers
	                                 stay below it; default 1024; open,
	                                 dup, pipe... fail with EMFILE */
	WASMIX_LIMIT_THREADS = 9,     /* threads of the whole tree beyond
	                                 each process's first; default 1024
	                                 (and 1024 per process at most);
	                                 thread spawns fail with EAGAIN */
};

/*
 * Sets limit 'which' (enum wasmix_limit) to 'value'; 0 restores the
 * default. Returns WASMIX_OK, or WASMIX_ERROR for an unknown limit or a
 * value above its maximum (module bytes: WASMIX_MAX_MODULE_BYTES; tree
 * memory: none; processes: 1024; the others: UINT32_MAX).
 *
 * The process-tree limits are held by the host process: concurrent runs
 * in one embedding process share one tree, and the limits of the run
 * that started last apply to all of them.
 */
int wasmix_config_set_limit(wasmix_config *c, int which, uint64_t value);

/*
 * Bounds the run's wall-clock time: after 'ms' milliseconds (0: no
 * limit, the default) the guest is stopped at its next call or loop
 * back-edge and the run fails with WASMIX_TRAP, "trap: timeout ...". A
 * guest blocked inside a host call (reading stdin, say) is stopped when
 * that call returns. Uses a timer thread per run, no signals.
 */
void wasmix_config_set_timeout_ms(wasmix_config *c, uint64_t ms);

/*
 * Traces the run (the CLI's --trace): every WASI and WASIX call of every
 * process of the run's tree, signal deliveries and process exits, one
 * line each (format in docs/cli.md), written to host fd 'fd' with one
 * write(2) per line. 'fd' is borrowed: the caller keeps it open during
 * runs and closes it; it should be O_APPEND (forked guest processes
 * share it) and close-on-exec. The guest never sees it. -1 (the
 * default) turns tracing off; a run without it calls host functions
 * with no trace code in the way.
 */
void wasmix_config_set_trace_fd(wasmix_config *c, int fd);

/*
 * Confinement (Linux; the command line's default, off here by default):
 * with 'on', a run first confines the whole calling process for good,
 * before it decodes the module: Landlock lets it reach files only
 * beneath the directories given with wasmix_config_add_dir (and read the
 * files of wasmix_config_map_command), and a seccomp-bpf allow-list
 * keeps it to the system calls the runtime makes (ptrace, mount, execve
 * and their kind fail with EPERM, anything unknown with ENOSYS); every
 * guest process inherits both. Meant for a process that runs one guest
 * tree and nothing else, like the command line; an embedder's other
 * threads lose those calls too. A kernel without Landlock gets the
 * seccomp part only; a run whose confinement fails ends with
 * WASMIX_ERROR before the guest starts. Builds with AddressSanitizer
 * never confine (LeakSanitizer needs ptrace). docs/cli.md#confinement.
 */
void wasmix_config_set_confine(wasmix_config *c, int on);

/*
 * The compiled tier (docs/aot.md). 'on' is one of:
 *  WASMIX_COMPILE_OFF (0, the default of a config): interpret;
 *  WASMIX_COMPILE_WAIT (1): compile the module through the system C
 *   compiler into a shared object, cached under $XDG_CACHE_HOME/wasmix
 *   (else ~/.cache/wasmix), before the process confines itself, and run
 *   it natively (wasmix run --aot);
 *  WASMIX_COMPILE_AUTO (2): code found in the cache runs at once; a
 *   module not in it is interpreted while a detached background process
 *   compiles it into the cache, and the run switches over to the compiled
 *   code when it is ready (the default of wasmix run).
 * Programs started by WASIX exec or spawn use code found in the cache.
 * What cannot be compiled (no C compiler, a feature the compiled tier
 * lacks) is interpreted. 'cache' 0 compiles into a temporary directory
 * instead (WAIT only; AUTO then waits too). 'verbose' says on stderr, in
 * one line, which tier runs and why.
 */
#define WASMIX_COMPILE_OFF  0
#define WASMIX_COMPILE_WAIT 1
#define WASMIX_COMPILE_AUTO 2
void wasmix_config_set_compile(wasmix_config *c, int on, int cache,
                               int verbose);

/*
 * Compiles the module at 'path' (wasm or text): into the shared object
 * 'out', or into the cache when 'out' is NULL. Sets '*ncompiled' and
 * '*nfuncs' (functions compiled, functions defined). Returns WASMIX_OK or
 * a status with the reason in 'errbuf'.
 */
int wasmix_compile_file(const char *path, const char *out, unsigned *ncompiled,
                        unsigned *nfuncs, char *errbuf, size_t errlen);

/*
 * WASI for the standard C API (include/wasm.h; docs/embedding.md): the
 * counterpart of wasmtime's wasi_config and linker_define_wasi. The wasm.h
 * types are named by their struct tags so that this header needs no other.
 *
 * wasmix_wasi_instance_new instantiates 'module' in 'store' like
 * wasm_instance_new, with its "wasi_snapshot_preview1" imports served by
 * wasmix's WASI layer configured from 'c' (NULL: the defaults): the
 * arguments (none set: one, "module.wasm"), environment, stdio fds,
 * preopened directories (guest fds 3, 4, ... as in a run), sockets, the
 * fd limit and the interrupt flag. A module that imports "wasix_32v1" or
 * "wasix_64v1" gets those too (sockets, epoll, pipes, the network policy
 * of 'c', ...; it sees the POSIX root as in a run) and, if it imports
 * "env" "memory" (wasix-libc's programs do, shared), a memory of that
 * import's limits. The other settings of 'c' (commands, trace,
 * confinement, isolation, process-tree limits) belong to whole runs;
 * memory pages, call depth, fuel and timeout are the store's
 * (wasmix_store_new). 'imports' (may be NULL when there are none) gives
 * the module's OTHER imports, in the module's import order with the ones
 * served here left out. 'c' is read during the call only (strings are
 * copied), but the fds it names stay borrowed for the instance's life.
 *
 * On success returns WASMIX_OK and sets '*out' to the instance (owned by
 * the store, like every wasm.h instance; its exports are called with
 * wasm_func_call and its memory read with wasm_memory_data). Otherwise
 * sets '*out' to NULL and returns WASMIX_LINK (an import missing or of the
 * wrong type), WASMIX_TRAP (the start function trapped), WASMIX_IOERR (a
 * directory could not be opened), WASMIX_NOMEM, WASMIX_LIMIT or
 * WASMIX_ERROR (a NULL argument), and, if 'trap' is not NULL, sets
 * '*trap' to a trap with the message (the caller deletes it).
 *
 * The WASI context lives until wasm_store_delete. Everything runs in the
 * caller's process and thread, so nothing here may act on that process:
 * the WASIX calls that would fork, exec or spawn it (proc_fork,
 * proc_fork_env, proc_exec*, proc_spawn*), send or raise host signals in
 * it (proc_signal, proc_raise of both modules, thread_signal,
 * proc_raise_interval*), install its signal handlers (callback_signal:
 * does nothing) or switch its stack (context_create) return ENOSYS, and
 * guest threads are not started (thread_spawn_v2: ENOSYS; "wasi"
 * "thread-spawn": -52, a failure, so pthread_create returns EAGAIN);
 * proc_exit ends the current call (a wasm_func_call returns a trap "the
 * guest called exit") instead of the embedder. Programs that need those
 * run with wasmix_run_*, isolated. Same threading rules as the store.
 */
struct wasm_engine_t;
struct wasm_store_t;
struct wasm_module_t;
struct wasm_extern_vec_t;
struct wasm_instance_t;
struct wasm_trap_t;
int wasmix_wasi_instance_new(struct wasm_store_t *store,
                             const struct wasm_module_t *module,
                             const wasmix_config *c,
                             const struct wasm_extern_vec_t *imports,
                             struct wasm_instance_t **out,
                             struct wasm_trap_t **trap);
/*
 * The compiled tier for the standard C API (docs/embedding.md#compiled,
 * docs/aot.md). Sets, in a config for wasm_engine_new_with_config,
 * whether the engine compiles: with 'on', wasm_module_new and
 * wasm_module_deserialize find the module's native code in the cache
 * ($XDG_CACHE_HOME/wasmix, else ~/.cache/wasmix; 'cache' 0: a temporary
 * directory, compiled every time) or compile it there with the system C
 * compiler (blocking, about a second for a small module), and every
 * instance of it in a store of that engine runs its functions compiled;
 * functions the compiled tier does not handle, modules it cannot take,
 * stores with a fuel limit and a missing C compiler stay interpreted (with
 * 'verbose', one line on stderr says why). Results, traps and their
 * messages are the same either way. Not called: the engine compiles when
 * the environment has WASMIX_AOT=1 (as for wasmix run), else interprets.
 * A NULL 'c' does nothing. The engine must outlive its stores.
 */
struct wasm_config_t;
void wasmix_engine_config_compile(struct wasm_config_t *c, int on, int cache,
                                  int verbose);
/*
 * How many functions of 'instance' run compiled (0: all interpreted, or
 * NULL). THREADS: as the store.
 */
unsigned wasmix_instance_compiled_funcs(const struct wasm_instance_t *instance);

/*
 * Makes a wasm.h store (like wasm_store_new; delete it with
 * wasm_store_delete) with the limits of 'c' (NULL: the defaults), the
 * settings of whole runs that belong to a store: every memory of the
 * store is capped at wasmix_config_set_max_memory_pages (a module whose
 * memory minimum exceeds it fails to instantiate, WASMIX_LIMIT from
 * wasmix_wasi_instance_new; memory.grow past it returns -1 and
 * wasm_memory_grow false), nested wasm calls at
 * wasmix_config_set_max_call_depth (a trap "call stack exhausted"),
 * tables at WASMIX_LIMIT_TABLE_ELEMS; wasmix_config_set_fuel is the
 * budget of the whole store, shared by every call into it (a trap "fuel
 * exhausted" once it is spent, for every later call too); and
 * wasmix_config_set_timeout_ms bounds each call into the store from the
 * embedder (wasm_func_call, a start function at instantiation,
 * wasmix_wasi_run_start; calls made by host callbacks count as part of
 * the call that made them): past it the call returns a trap "timeout
 * (the guest ran longer than N s)", and the next call gets its own
 * deadline. A timeout uses a timer thread per call, no signals; a guest
 * blocked in a WASI call is stopped when that call returns (fd_read and
 * poll_oneoff see the timeout). 'c' is read during the call only.
 * Returns NULL if out of memory. 'engine' is not used (may be NULL).
 */
struct wasm_store_t *wasmix_store_new(struct wasm_engine_t *engine,
                                      const wasmix_config *c);
/*
 * Calls the '_start' export of an instance made by
 * wasmix_wasi_instance_new (a command module). Returns WASMIX_OK with
 * '*exit_code' the value given to proc_exit, or 0 if '_start' returned;
 * WASMIX_TRAP if it trapped, WASMIX_LINK if there is no '_start' of type
 * [] -> [], WASMIX_ERROR for another instance or a NULL argument; on
 * those, if 'trap' is not NULL, '*trap' gets a trap with the message
 * (the caller deletes it). The instance stays usable afterwards: its
 * exports can still be called and its memory read.
 */
int wasmix_wasi_run_start(struct wasm_instance_t *instance, int *exit_code,
                          struct wasm_trap_t **trap);
/*
 * Captures guest fd 'fd' (1: stdout, 2: stderr) of the instances made
 * with this config by wasmix_wasi_instance_new in a memory buffer of at
 * most 'cap' bytes, instead of the host fd of wasmix_config_set_stdio.
 * Bytes past the cap are dropped and counted; the guest's writes still
 * succeed, so it never blocks on the buffer. The buffer is reserved at
 * its full cap when the instance is made (pages are touched only as
 * output arrives) and a library thread per captured stream drains the
 * guest's pipe. 0 turns the capture off. Whole runs (wasmix_run_*)
 * ignore it (wasmix_config_run_output is theirs). Returns WASMIX_OK, or WASMIX_ERROR for another fd or a cap
 * above WASMIX_MAX_CAPTURE_BYTES.
 */
int wasmix_config_capture_output(wasmix_config *c, int fd, size_t cap);
/*
 * What 'instance' wrote so far (every write that returned before the
 * call) to its captured fd 'fd' (1 or 2): sets '*data' (owned by the
 * store, valid until wasm_store_delete; its first '*len' bytes never
 * change afterwards), '*len', and, if 'dropped' is not NULL, '*dropped',
 * the bytes past the cap. Returns WASMIX_OK, or WASMIX_ERROR if that fd
 * is not captured or the instance was not made by
 * wasmix_wasi_instance_new. Thread-safe for one instance.
 */
int wasmix_wasi_output(struct wasm_instance_t *instance, int fd,
                       const uint8_t **data, size_t *len, uint64_t *dropped);
/*
 * Runs the WASI command module in file 'path': reads it (at most
 * WASMIX_MAX_MODULE_BYTES), decodes and validates it, links the WASI
 * preview1 imports, instantiates it, calls '_initialize' if exported,
 * then '_start'. 'c' may be NULL for the defaults.
 *
 * Returns WASMIX_OK and sets '*exit_code' to the guest's exit status: the
 * value given to proc_exit (a u32 stored as int; the command line keeps
 * its low 8 bits, as a host process would), or 0 if '_start' returned.
 * Otherwise returns another status and writes one line (no newline, no
 * "wasmix:" prefix) into 'errbuf' (truncated to 'errlen' bytes, always
 * NUL-terminated when errlen > 0; errbuf may be NULL if errlen is 0):
 * "PATH: magic header not detected (at offset 0x0)" for load errors, or
 * "trap: integer divide by zero" for a trap. Anything the guest wrote
 * before a trap has already reached its streams.
 *
 * Blocks until the guest finishes. Not async-signal-safe. Without
 * isolation (wasmix_config_set_isolate 0), each process the guest forks
 * also returns from this call, in its own copy of the caller: the caller
 * must end that process there (as the command line does, exiting with
 * the exit code); the run's engine objects are left to that exit.
 */
int wasmix_run_file(const wasmix_config *c, const char *path, int *exit_code,
                    char *errbuf, size_t errlen);

/*
 * Like wasmix_run_file, for a module already in memory: 'bytes' (borrowed,
 * only read during the call) of length 'len'. 'name' is used in messages
 * and as the default argv[0] (NULL: "module.wasm").
 */
int wasmix_run_bytes(const wasmix_config *c, const uint8_t *bytes, size_t len,
                     const char *name, int *exit_code, char *errbuf,
                     size_t errlen);

/*
 * Converts a module in the WebAssembly text format ('len' bytes of
 * 'text'; "(module ...)" or its fields alone) to the binary format. On
 * success returns WASMIX_OK and sets '*out' (free it with wasmix_free)
 * and '*outlen'. Otherwise returns WASMIX_MALFORMED (or WASMIX_NOMEM) and
 * writes "NAME:LINE:COL: message" into 'errbuf' ('errlen' bytes, always
 * NUL-terminated when errlen > 0). 'name' is used in messages. Pure
 * function of its input; thread-safe.
 */
int wasmix_wat2wasm(const char *name, const char *text, size_t len,
                    uint8_t **out, size_t *outlen, char *errbuf, size_t errlen);

/* Frees memory returned by the library (wasmix_wat2wasm). NULL is allowed. */
void wasmix_free(void *p);

/*
 * The allocator of all the library's heap memory, in the spirit of
 * lua_Alloc: fn(ud, ptr, size) must act as realloc(ptr, size) when size
 * > 0 (ptr NULL: a new block; NULL back: out of memory, which the
 * library reports as WASMIX_NOMEM or, inside a guest call, as ENOMEM)
 * and as free(ptr) when size is 0. NULL restores the C library's
 * malloc. Process-wide and not synchronised: call it before any other
 * wasmix function, since every block must go back to the allocator that
 * made it. 'fn' must be thread-safe (guest threads allocate) and must
 * keep working in a fork child (guest processes fork). Linear memory is
 * not allocated through it (it is mapped; see WASMIX_LIMIT_TREE_MEMORY).
 */
typedef void *(*wasmix_alloc_fn)(void *ud, void *ptr, size_t size);
void wasmix_set_allocator(wasmix_alloc_fn fn, void *ud);

/*
 * Decodes and validates the module in 'bytes' (the binary format) with
 * the default limits. Returns WASMIX_OK, WASMIX_MALFORMED, WASMIX_INVALID
 * or WASMIX_NOMEM, writing the reason as one line ("at offset 0x..: ...")
 * into 'errbuf' ('errlen' bytes, NUL-terminated when errlen > 0). Runs
 * nothing; thread-safe. (wasm.h's wasm_module_validate says only yes or
 * no.)
 */
int wasmix_validate(const uint8_t *bytes, size_t len, char *errbuf,
                    size_t errlen);

/*
 * Module reflection beyond wasm.h. wasm.h's views of a module have no
 * kind for v128, exnref or typed references (wasm_valtype_kind answers
 * externref for them), no tags, and 32-bit limits with no 64-bit or
 * shared flag; they stay as they are, so that portable programs see what
 * every engine shows them. These calls describe every import and export
 * as the module declares it (docs/embedding.md, "Reflection"), like
 * wasmtime's and Wasmer's own extensions beside their wasm.h.
 *
 * A value type is a wasmix_valtype: the numeric types and v128 are their
 * binary-format bytes (WASMIX_I32 ...); a reference type is
 *   bits 0-7   its heap type: WASMIX_HT_FUNC ... WASMIX_HT_NOEXN (the
 *              binary format's bytes) or WASMIX_HT_TYPE (a type index)
 *   bit 8      WASMIX_REF_NONNULL: (ref ht), else (ref null ht)
 *   bits 9-31  with WASMIX_HT_TYPE: the function type's index
 * so funcref is WASMIX_HT_FUNC (0x70) and externref WASMIX_HT_EXTERN.
 * Type indices are the module's, the first of each group of equivalent
 * function types.
 */
typedef uint32_t wasmix_valtype;
#define WASMIX_I32              0x7fu
#define WASMIX_I64              0x7eu
#define WASMIX_F32              0x7du
#define WASMIX_F64              0x7cu
#define WASMIX_V128             0x7bu
#define WASMIX_HT_FUNC          0x70u
#define WASMIX_HT_EXTERN        0x6fu
#define WASMIX_HT_EXN           0x69u
#define WASMIX_HT_NOFUNC        0x73u
#define WASMIX_HT_NOEXTERN      0x72u
#define WASMIX_HT_NOEXN         0x74u
#define WASMIX_HT_TYPE          0x01u
#define WASMIX_REF_NONNULL      0x100u
#define WASMIX_VALTYPE_INDEX(t) ((uint32_t)(t) >> 9)

/*
 * Writes the text-format name of 't' into 'buf' ('len' bytes, always
 * NUL-terminated when len > 0, cut short if it does not fit): "i32",
 * "v128", "funcref", "exnref", "(ref extern)", "(ref null 3)", ...; an
 * unknown value gives "unknown". Returns the length of the whole name,
 * as snprintf does. Pure function; thread-safe.
 */
size_t wasmix_valtype_name(wasmix_valtype t, char *buf, size_t len);

/* The kinds of import and export, numbered as in the binary format. */
enum wasmix_extern_kind {
	WASMIX_EXTERN_FUNC = 0,
	WASMIX_EXTERN_TABLE = 1,
	WASMIX_EXTERN_MEMORY = 2,
	WASMIX_EXTERN_GLOBAL = 3,
	WASMIX_EXTERN_TAG = 4,
};

/* Limits of a table (elements) or memory (pages), full width. */
typedef struct wasmix_limits {
	uint64_t min;
	uint64_t max; /* meaningful only if has_max */
	int has_max;
	int is64;   /* memory64 or table64: 64-bit addresses or indices */
	int shared; /* a shared memory (threads) */
} wasmix_limits;

/*
 * One import or export. Pointers point into the module and stay valid
 * while the module handle does; names are not NUL-terminated.
 */
typedef struct wasmix_extern_desc {
	int kind;           /* enum wasmix_extern_kind */
	const char *module; /* imports: the module name; exports: NULL */
	size_t module_len;
	const char *name;
	size_t name_len;
	uint32_t index; /* exports: in the module's index space of
	                   'kind'; imports: the import's position */
	/* FUNC and TAG: the function type (a tag's results are empty) */
	uint32_t type_index;
	size_t nparams, nresults;
	const wasmix_valtype *params, *results;
	/* GLOBAL: its value type and mutability; TABLE: the element type */
	wasmix_valtype type;
	int is_mutable;
	/* TABLE and MEMORY */
	wasmix_limits limits;
} wasmix_extern_desc;

/*
 * The number of imports (exports) of 'module', tags included, and the
 * description of import (export) 'i' in module order: WASMIX_OK, or
 * WASMIX_ERROR if 'i' is out of range (then '*out' is untouched).
 * Read-only; safe from any thread while the module lives.
 */
size_t wasmix_module_import_count(const struct wasm_module_t *module);
size_t wasmix_module_export_count(const struct wasm_module_t *module);
int wasmix_module_import(const struct wasm_module_t *module, size_t i,
                         wasmix_extern_desc *out);
int wasmix_module_export(const struct wasm_module_t *module, size_t i,
                         wasmix_extern_desc *out);

/*
 * Isolated runs (on = 1, the default; the command line sets 0): every run with this config takes
 * place in a helper child process, whose descendants are all the guest's
 * processes. The caller's process is never forked or exited by the guest,
 * never runs guest code and keeps its own signal handlers; the helper is
 * reaped before the run returns. The results are those of an in-process
 * run, and also: WASMIX_SIGNALED with '*exit_code' 128 + N when the
 * guest's first process dies of signal N (a guest that raises SIGKILL or
 * gets SIGSEGV's default action), WASMIX_OK with its status when it ends
 * the process with a host exit. Not forwarded into the helper: the
 * interrupt flag (wasmix_config_set_interrupt; use the timeout). The
 * helper is the installed wasmix-helper executable, started with
 * posix_spawn (safe in a multithreaded caller: nothing of the caller is
 * copied), or the file named by the environment variable WASMIX_HELPER;
 * when none is installed, or WASMIX_HELPER is "fork", a fork of the
 * caller (see docs/embedding.md for its limits). A WASMIX_HELPER that
 * cannot be started fails the run with WASMIX_ERROR.
 */
void wasmix_config_set_isolate(wasmix_config *c, int on);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif

/*
 * wasmix_config.h: the fields behind the opaque 'wasmix_config' of
 * include/wasmix.h, shared by the files that read a config: src/wasmix.c
 * (whole runs) and src/wasmix_wasi.c (WASI for wasm.h instances). Only
 * the wasmix_config_* setters of src/wasmix.c write them.
 */
#ifndef WASMIX_CONFIG_H
#define WASMIX_CONFIG_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasi/wasi.h"
#include "wasix/wasix.h"
#include "wasmix.h"

struct wasmix_config {
	char **argv; /* argc copied strings, or NULL */
	int argc;
	char **envp; /* envc copied "K=V" strings, room for envcap */
	int envc, envcap;
	int stdio[3];
	/* Bytes of guest fds 1 and 2 kept in memory by wasm.h instances
	 * (wasmix_config_capture_output); 0: not captured. */
	size_t capture[2];
	/* Guest fds 1 and 2 of whole runs kept in caller buffers
	 * (wasmix_config_run_output); buf NULL: not kept. */
	struct wasmix_run_output {
		uint8_t *buf;
		size_t cap;
		size_t *len;
		uint64_t *dropped; /* may be NULL */
	} run_output[2];
	struct wasi_preopen *dirs; /* ndirs copied {host, guest} pairs */
	int ndirs;
	int *socks; /* nsocks borrowed host sockets */
	int nsocks;
	char **cmd_names, **cmd_files; /* ncmds --map-command pairs, copied */
	int ncmds;
	volatile sig_atomic_t *interrupt;
	uint64_t max_pages; /* 0: the VM's default */
	uint32_t max_depth; /* 0: the VM's default */
	uint64_t fuel;      /* 0: unlimited */
	/* enum wasmix_limit values; 0: the default */
	size_t max_module_bytes;
	uint64_t max_table_elems;
	uint32_t max_funcs, max_locals, max_types;
	uint32_t max_procs;       /* 0: the default (proc.h) */
	uint64_t max_tree_memory; /* 0: the default; UINT64_MAX: none */
	uint32_t max_fds;         /* 0: WASMIX_DEFAULT_MAX_FDS */
	uint32_t max_threads;     /* 0: the default (proc.h) */
	uint64_t timeout_ms;      /* 0: none */
	int trace_fd;             /* -1: no trace (wasix_trace.h) */
	/* zero: deny (docs/networking.md) */
	struct wasix_net_policy net;
	bool confine;       /* proc_confine before the run */
	bool isolate;       /* run in a helper child (wasmix_isolate.c) */
	uint8_t compile;    /* the compiled tier: WASMIX_COMPILE_* */
	bool compile_cache; /* ... through the cache */
	bool compile_verbose;
};

/*
 * Whether the root preopen of WASIX module 'm' need not occupy fd 3
 * (wasi_config.root_unseen): unless it imports preview1's path_open
 * (src/wasmix.c). Pure.
 */
bool wasmix_root_unseen(const struct wasm_module *m);

/*
 * The engine settings of config 'c' (NULL: the defaults) into '*vc':
 * vm_config_default, then the memory-page, call-depth and table caps
 * the config sets and its fuel. Interrupts are the caller's. Pure.
 */
struct vm_config;
void wasmix_vm_config(const struct wasmix_config *c, struct vm_config *vc);

/* Open fds per guest process unless the config says otherwise. */
#define WASMIX_DEFAULT_MAX_FDS 1024

#endif

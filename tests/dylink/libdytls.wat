;; libdytls.so: a side module written by hand (tests/run_dylink.sh makes
;; it with 'wasmix wat2wasm'): its dylink.0 section is a (@custom ...)
;; annotation. It has a thread-local counter the way wasm-ld lays one out
;; in a library: a mutable, unexported __tls_base that its start function
;; points at its own memory (the loading thread's block) and that
;; __wasm_init_tls sets; __wasix_init_tls (wasix-libc's scrt1.o's job)
;; takes a block from the main module's allocator (dytls_alloc) for each
;; new thread. The counter starts at 5.
(module
  ;; WASM_DYLINK_MEM_INFO: 4 bytes of memory, 4-aligned, no table.
  (@custom "dylink.0" (before first) "\01\04\04\02\00\00")
  (import "env" "memory" (memory 1 65536 shared))
  (import "env" "__memory_base" (global $memory_base i32))
  (import "env" "dytls_alloc" (func $alloc (param i32 i32) (result i32)))
  (global $tls_base (mut i32) (i32.const 0))
  (func $wasm_init_tls (param i32)
    (global.set $tls_base (local.get 0))
    (i32.store (local.get 0) (i32.const 5)))
  ;; As wasm-ld's __wasm_init_memory: the set is its own, not a call of
  ;; $wasm_init_tls (code the start function runs is translated before
  ;; the linker makes $tls_base thread-local, and keeps the shared one).
  (func $init_memory
    (global.set $tls_base (global.get $memory_base))
    (i32.store (global.get $memory_base) (i32.const 5)))
  (start $init_memory)
  (func (export "__wasix_init_tls") (result i32)
    (local $block i32)
    (local.set $block (call $alloc (i32.const 4) (i32.const 4)))
    (call $wasm_init_tls (local.get $block))
    (local.get $block))
  (func (export "dytls_bump") (result i32)
    (local $at i32)
    (local.set $at (global.get $tls_base))
    (i32.store (local.get $at) (i32.add (i32.load (local.get $at))
                                        (i32.const 1)))
    (i32.load (local.get $at)))
  (func (export "dytls_addr") (result i32) (global.get $tls_base)))

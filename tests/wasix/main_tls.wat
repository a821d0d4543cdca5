;; The main thread's TLS, as wasm-ld lays it out for --shared-memory
;; (wasix-libc's toolchain): __tls_base starts at 0 and the runtime must
;; call __wasm_init_tls with a block of __tls_size bytes before _start.
;; This module's __wasm_init_tls stores 100 at the block; _start exits
;; with that value (100) if the block sits just below the initial stack
;; pointer (70000), 16-aligned, and the stack pointer moved below it;
;; otherwise with 1, 2 or 3.
(module
  (import "env" "memory" (memory 2 2 shared))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 70000))
  (global $base (export "__tls_base") (mut i32) (i32.const 0))
  (global (export "__tls_size") i32 (i32.const 40))
  (global (export "__tls_align") i32 (i32.const 8))
  (func (export "__wasm_init_tls") (param $p i32)
    (global.set $base (local.get $p))
    (i32.store (local.get $p) (i32.const 100)))
  (func (export "_start")
    (if (i32.eqz (global.get $base)) (then (call $exit (i32.const 1))))
    (if (i32.ne (global.get $base) (i32.const 69952))
      (then (call $exit (i32.const 2))))
    (if (i32.gt_u (global.get $sp) (global.get $base))
      (then (call $exit (i32.const 3))))
    (call $exit (i32.load (global.get $base)))))

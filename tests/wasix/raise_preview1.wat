;; preview1's proc_raise in a module that imports WASIX is WASIX
;; proc_raise: Linux numbering, and the registered handler runs (as for
;; wasix-libc's raise()). Exits with the signal the handler saw: 10.
(module
  (import "wasix_32v1" "callback_signal" (func $cb (param i32 i32)))
  (import "wasi_snapshot_preview1" "proc_raise"
    (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "h")
  (global $got (mut i32) (i32.const 0))
  (func (export "h") (param i32) (global.set $got (local.get 0)))
  (func (export "_start")
    (call $cb (i32.const 0) (i32.const 1))
    (drop (call $raise (i32.const 10)))
    (call $exit (global.get $got))))

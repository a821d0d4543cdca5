;; runout_plain.wat: a WASI program for tests/capi/t_runout.c, run
;; without isolation: writes "plain\n" to stdout and "e\n" to stderr,
;; then exits 0 from _start.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "plain\n")
  (data (i32.const 80) "e\n")
  (func $w (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "_start")
    (call $w (i32.const 1) (i32.const 64) (i32.const 6))
    (call $w (i32.const 2) (i32.const 80) (i32.const 2))))

;; iso_echo.wat: a WASI command for tests/capi/t_isothread.c (what the
;; spawned helper receives): writes to stdout its packed argv strings,
;; its packed environment strings and the contents of "hello.txt" in the
;; preopened directory (guest fd 3), then exits 0.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0 argc, 4 argv size, 8 envc, 12 env size, 16 iovec, 24 count,
  ;; 28 opened fd, 32 bytes read; 64 "hello.txt"
  (data (i32.const 64) "hello.txt")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1)
                          (i32.const 24))))
  (func $check (param $errno i32)
    (if (local.get $errno) (then unreachable)))
  (func (export "_start")
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $args_get (i32.const 256) (i32.const 512)))
    (call $write (i32.const 512) (i32.load (i32.const 4)))
    (call $check (call $environ_sizes_get (i32.const 8) (i32.const 12)))
    (call $check (call $environ_get (i32.const 2048) (i32.const 2304)))
    (call $write (i32.const 2304) (i32.load (i32.const 12)))
    (call $check (call $path_open (i32.const 3) (i32.const 0)
      (i32.const 64) (i32.const 9) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 28)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.const 256))
    (call $check (call $fd_read (i32.load (i32.const 28)) (i32.const 16)
      (i32.const 1) (i32.const 32)))
    (call $write (i32.const 4096) (i32.load (i32.const 32)))))

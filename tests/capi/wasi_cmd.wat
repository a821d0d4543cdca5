;; wasi_cmd.wat: a WASI command module for tests/capi/t_capiwasi.c
;; (wasmix_wasi_instance_new). _start writes to stdout, in order: its
;; packed argv strings, its packed environment strings, the contents of
;; "hello.txt" in the preopened directory (guest fd 3), and the decimal
;; digit host.inc(41) - 40; then it calls proc_exit(3). 'add' is called by
;; the embedder afterwards; 'last' returns the byte count _start read.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "host" "inc" (func $inc (param i32) (result i32)))
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
  (import "wasi_snapshot_preview1" "proc_raise"
    (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0 argc, 4 argv buf size, 8 envc, 12 env buf size, 16 iovec,
  ;; 24 nwritten, 28 opened fd, 32 nread, 36 last status
  (data (i32.const 64) "hello.txt")
  (global $read (mut i32) (i32.const 0))

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1)
                          (i32.const 24))))

  (func $check (param $errno i32)
    (if (local.get $errno) (then unreachable)))

  (func (export "_start")
    ;; argv strings at 512 (pointers at 256)
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $args_get (i32.const 256) (i32.const 512)))
    (call $write (i32.const 512) (i32.load (i32.const 4)))
    ;; environment strings at 2304 (pointers at 2048)
    (call $check (call $environ_sizes_get (i32.const 8) (i32.const 12)))
    (call $check (call $environ_get (i32.const 2048) (i32.const 2304)))
    (call $write (i32.const 2304) (i32.load (i32.const 12)))
    ;; hello.txt from the preopen at fd 3, read into 4096
    (call $check (call $path_open (i32.const 3) (i32.const 0)
      (i32.const 64) (i32.const 9) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 28)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.const 256))
    (call $check (call $fd_read (i32.load (i32.const 28)) (i32.const 16)
      (i32.const 1) (i32.const 32)))
    (global.set $read (i32.load (i32.const 32)))
    (call $write (i32.const 4096) (global.get $read))
    ;; the host import: '0' + inc(41) - 40 = '2'
    (i32.store8 (i32.const 40)
      (i32.add (i32.const 48) (i32.sub (call $inc (i32.const 41))
                                       (i32.const 40))))
    (call $write (i32.const 40) (i32.const 1))
    ;; proc_raise is refused in an embedder (ENOSYS = 52)
    (if (i32.ne (call $proc_raise (i32.const 15)) (i32.const 52))
      (then unreachable))
    (call $proc_exit (i32.const 3))
    unreachable)

  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "last") (result i32) (global.get $read)))

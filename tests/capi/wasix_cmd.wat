;; wasix_cmd.wat: a WASIX module for tests/capi/t_wasix.c (WASIX on the
;; wasm.h path, wasmix_wasi_instance_new). Each export makes one WASIX
;; call and returns what the test checks: an errno (WASI numbering: 0
;; success, 2 EACCES, 52 ENOSYS) or a value ("wspawn": wasi-threads'
;; thread-spawn, negative on failure). _start writes "wasix\n" to stdout
;; and exits with proc_exit(5).
(module
  (import "wasix_32v1" "sock_pair"
    (func $sock_pair (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "sock_open"
    (func $sock_open (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "epoll_create" (func $epoll_create (param i32) (result i32)))
  (import "wasix_32v1" "fd_pipe" (func $fd_pipe (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_fork" (func $proc_fork (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exec" (func $proc_exec (param i32 i32 i32 i32)))
  (import "wasix_32v1" "proc_spawn2"
    (func $proc_spawn2 (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasix_32v1" "proc_signal" (func $proc_signal (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_id" (func $proc_id (param i32) (result i32)))
  (import "wasix_32v1" "callback_signal" (func $callback_signal (param i32 i32)))
  (import "wasix_32v1" "thread_spawn_v2" (func $thread_spawn (param i32 i32) (result i32)))
  (import "wasi" "thread-spawn" (func $wasi_spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0, 4: two fds; 8: iovec; 16: count; 32: "ping"; 64: read buffer;
  ;; 96: "wasix\n"; 128: "sh"
  (data (i32.const 32) "ping")
  (data (i32.const 96) "wasix\n")
  (data (i32.const 128) "sh")

  (func $io (param $fd i32) (param $ptr i32) (param $len i32) (param $write i32)
            (result i32)
    (i32.store (i32.const 8) (local.get $ptr))
    (i32.store (i32.const 12) (local.get $len))
    (if (result i32) (local.get $write)
      (then (call $fd_write (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))
      (else (call $fd_read (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))))

  ;; A stream socket pair: "ping" written to one end is read from the
  ;; other. 4 (bytes read) if so, 100 + errno on a failure.
  (func (export "pair") (result i32)
    (local $e i32)
    (local.set $e (call $sock_pair (i32.const 1) (i32.const 1) (i32.const 0)
                                   (i32.const 0) (i32.const 4)))
    (if (local.get $e) (then (return (i32.add (i32.const 100) (local.get $e)))))
    (local.set $e (call $io (i32.load (i32.const 0)) (i32.const 32) (i32.const 4) (i32.const 1)))
    (if (local.get $e) (then (return (i32.add (i32.const 100) (local.get $e)))))
    (local.set $e (call $io (i32.load (i32.const 4)) (i32.const 64) (i32.const 4) (i32.const 0)))
    (if (local.get $e) (then (return (i32.add (i32.const 100) (local.get $e)))))
    (if (i32.ne (i32.load (i32.const 64)) (i32.load (i32.const 32)))
      (then (return (i32.const 99))))
    (i32.load (i32.const 16)))

  (func (export "pipe") (result i32)
    (call $fd_pipe (i32.const 0) (i32.const 4)))
  (func (export "epoll") (result i32)
    (call $epoll_create (i32.const 0)))
  ;; An IPv4 stream socket: the network policy decides.
  (func (export "sock_open") (result i32)
    (call $sock_open (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 0)))
  (func (export "fork") (result i32)
    (call $proc_fork (i32.const 1) (i32.const 0)))
  ;; proc_exec returns only when it failed: 1 when it did.
  (func (export "exec") (result i32)
    (call $proc_exec (i32.const 128) (i32.const 2) (i32.const 128) (i32.const 2))
    (i32.const 1))
  (func (export "spawn") (result i32)
    (call $proc_spawn2 (i32.const 128) (i32.const 2) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "raise") (result i32)
    (call $proc_raise (i32.const 15)))
  ;; SIGTERM to guest pid 1, which would be the embedder itself.
  (func (export "signal") (result i32)
    (call $proc_signal (i32.const 1) (i32.const 15)))
  (func (export "pid") (result i32)
    (drop (call $proc_id (i32.const 0)))
    (i32.load (i32.const 0)))
  (func (export "thread") (result i32)
    (call $thread_spawn (i32.const 0) (i32.const 0)))
  (func (export "wspawn") (result i32)
    (call $wasi_spawn (i32.const 0)))
  (func (export "_start")
    (call $callback_signal (i32.const 96) (i32.const 5))
    (drop (call $io (i32.const 1) (i32.const 96) (i32.const 6) (i32.const 1)))
    (call $proc_exit (i32.const 5))))

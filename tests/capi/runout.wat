;; runout.wat: a WASIX program for tests/capi/t_runout.c (run output in
;; caller buffers). It forks; the child writes "child\n" to stdout and
;; exits 0; the parent waits for it, then writes "parent\n" and 100,000
;; bytes of 'x' (more than a pipe holds) to stdout and "err!\n" to
;; stderr, and exits 4.
(module
  (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_join" (func $join (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; 0 fork's pid, 16 iovec, 24 count, 32 option pid, 48 join status,
  ;; 64.. the strings, 1024.. 1000 bytes of 'x'
  (data (i32.const 64) "child\n")
  (data (i32.const 80) "parent\n")
  (data (i32.const 96) "err!\n")
  (func $w (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (if (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))
      (then unreachable)))
  (func (export "_start") (local $i i32)
    (memory.fill (i32.const 1024) (i32.const 120) (i32.const 1000))
    (if (call $fork (i32.const 1) (i32.const 0)) (then unreachable))
    (if (i32.eqz (i32.load (i32.const 0)))
      (then (call $w (i32.const 1) (i32.const 64) (i32.const 6))
            (call $exit (i32.const 0))))
    (if (call $join (i32.const 32) (i32.const 0) (i32.const 48))
      (then unreachable))
    (call $w (i32.const 1) (i32.const 80) (i32.const 7))
    (block (loop
      (br_if 1 (i32.eq (local.get $i) (i32.const 100)))
      (call $w (i32.const 1) (i32.const 1024) (i32.const 1000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br 0)))
    (call $w (i32.const 2) (i32.const 96) (i32.const 5))
    (call $exit (i32.const 4))))

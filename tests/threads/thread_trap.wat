;; thread_trap.wat: a trap in a thread ends the whole process (status 134,
;; one line on stderr naming the thread and the trap) while the main
;; thread is blocked in an infinite wait.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $deep (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (call $deep (local.get $arg))))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    (call $exit (i32.const 1))))

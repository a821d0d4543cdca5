;; tests/aot/thread_spin.wat: a guest thread spinning in a loop that never
;; calls anything while the main thread waits forever on a value nobody
;; changes: only the back-edge's poll can stop the thread (--timeout,
;; run_aot.sh compares the compiled tier with the interpreter).
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (loop $l
      (i32.atomic.store (i32.const 8) (i32.const 1))
      (br $l)))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    ;; the thread runs (no timed sleep: it says so itself)
    (loop $w
      (br_if $w (i32.eqz (i32.atomic.load (i32.const 8)))))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    (call $exit (i32.const 1))))

;; start_returns.wat: when _start returns, the process ends (status 0)
;; even though a thread it started spins for ever.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (loop $l
      (i32.atomic.store (i32.const 0) (i32.const 1))
      (br $l)))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    ;; let it run first
    (loop $w (br_if $w (i32.eqz (i32.atomic.load (i32.const 0)))))))

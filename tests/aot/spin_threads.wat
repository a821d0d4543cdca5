;; tests/aot/spin_threads.wat: two guest threads and the main thread call
;; a function in a loop forever, for run_aot.sh's switch-over test with
;; threads: the run starts interpreted (nothing cached); when the
;; background compile ends, every running instance switches to compiled
;; code (the main one and each thread's own; '-v' prints one line per
;; instance); the test then ends it. The main thread starts looping only
;; once both threads run, so their instances exist before the switch.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $step (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $spin (local i32)
    (loop $l
      (local.set 0 (call $step (local.get 0)))
      (br $l)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
    (call $spin))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 3))))
    (loop $w
      (br_if $w (i32.lt_u (i32.atomic.load (i32.const 8)) (i32.const 2))))
    (call $spin)))

;; counter.wat: NTHREADS threads (wasi thread-spawn) each add 1 to a
;; shared counter NITER times with i32.atomic.rmw.add and 64-bit adds with
;; i64.atomic.rmw.add; the main thread waits (memory.atomic.wait32) until
;; all have counted themselves done, then exits 0 only if both totals are
;; exact. run_threads.sh substitutes NTHREADS and NITER.
;; Memory: 0 counter32, 4 done, 8 counter64.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NITER))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
  (func (export "_start")
    (local $i i32) (local $d i32)
    (loop $l
      (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 1))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NTHREADS))))
    (loop $w
      (local.set $d (i32.atomic.load (i32.const 4)))
      (if (i32.lt_u (local.get $d) (i32.const NTHREADS))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (local.get $d)
                                      (i64.const -1)))
          (br $w))))
    (if (i32.ne (i32.atomic.load (i32.const 0))
                (i32.mul (i32.const NTHREADS) (i32.const NITER)))
      (then (call $exit (i32.const 1))))
    (if (i64.ne (i64.atomic.load (i32.const 8))
                (i64.mul (i64.const 3)
                         (i64.mul (i64.const NTHREADS) (i64.const NITER))))
      (then (call $exit (i32.const 2))))
    (call $exit (i32.const 0))))

;; mutex.wat: a futex mutex (0 free, 1 locked, 2 locked with waiters) on
;; memory.atomic.wait32/notify guards a plain (non-atomic) counter that
;; NTHREADS threads each increment NITER times; exits 0 only if the total
;; is exact. run_threads.sh substitutes NTHREADS and NITER (the stress run
;; is 64 x 10000). Memory: 0 counter, 4 done, 8 lock.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $lock (param $m i32)
    (local $c i32)
    (local.set $c (i32.atomic.rmw.cmpxchg (local.get $m) (i32.const 0)
                                          (i32.const 1)))
    (if (i32.eqz (local.get $c)) (then (return)))
    (if (i32.ne (local.get $c) (i32.const 2))
      (then (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))))
    (loop $l
      (if (i32.ne (local.get $c) (i32.const 0))
        (then
          (drop (memory.atomic.wait32 (local.get $m) (i32.const 2)
                                      (i64.const -1)))
          (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))
          (br $l)))))
  (func $unlock (param $m i32)
    (if (i32.ne (i32.atomic.rmw.sub (local.get $m) (i32.const 1))
                (i32.const 1))
      (then
        (i32.atomic.store (local.get $m) (i32.const 0))
        (drop (memory.atomic.notify (local.get $m) (i32.const 1))))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    (loop $l
      (call $lock (i32.const 8))
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (call $unlock (i32.const 8))
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
    (call $lock (i32.const 8))
    (if (i32.ne (i32.load (i32.const 0))
                (i32.mul (i32.const NTHREADS) (i32.const NITER)))
      (then (call $exit (i32.const 1))))
    (call $exit (i32.const 0))))

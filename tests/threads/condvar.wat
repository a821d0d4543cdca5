;; condvar.wat: a mutex and a condition variable built on futexes
;; (memory.atomic.wait32/notify). NTHREADS threads wait on the condvar
;; until the main thread sets 'go' under the mutex and broadcasts; each
;; then counts itself under the mutex and signals a second condvar, on
;; which the main thread waits until all are counted. Exits 0 if the count
;; is exact. Memory: 0 count, 8 lock, 12 cv seq, 16 go, 20 cv2 seq.
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
  ;; cond_wait(cv, m): sample the sequence, unlock, sleep while it is
  ;; unchanged, relock (callers loop on their predicate).
  (func $cond_wait (param $cv i32) (param $m i32)
    (local $seq i32)
    (local.set $seq (i32.atomic.load (local.get $cv)))
    (call $unlock (local.get $m))
    (drop (memory.atomic.wait32 (local.get $cv) (local.get $seq)
                                (i64.const -1)))
    (call $lock (local.get $m)))
  (func $cond_broadcast (param $cv i32)
    (drop (i32.atomic.rmw.add (local.get $cv) (i32.const 1)))
    (drop (memory.atomic.notify (local.get $cv) (i32.const -1))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $lock (i32.const 8))
    (block $b (loop $l
      (br_if $b (i32.load (i32.const 16)))
      (call $cond_wait (i32.const 12) (i32.const 8))
      (br $l)))
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (call $cond_broadcast (i32.const 20))
    (call $unlock (i32.const 8)))
  (func (export "_start")
    (local $i i32)
    (loop $l
      (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 1))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NTHREADS))))
    (call $lock (i32.const 8))
    (i32.store (i32.const 16) (i32.const 1))
    (call $cond_broadcast (i32.const 12))
    (block $b (loop $l
      (br_if $b (i32.ge_u (i32.load (i32.const 0)) (i32.const NTHREADS)))
      (call $cond_wait (i32.const 20) (i32.const 8))
      (br $l)))
    (if (i32.ne (i32.load (i32.const 0)) (i32.const NTHREADS))
      (then (call $exit (i32.const 1))))
    (call $unlock (i32.const 8))
    (call $exit (i32.const 0))))

;; wasix_mutex.wat: the WASIX thread API. NTHREADS threads started with
;; thread_spawn_v2 take a mutex built on futex_wait/futex_wake (with a
;; futex_wake_all at the end) NITER times each around a plain counter;
;; each checks thread_id against the tid it was given; the main thread
;; joins every one with thread_join (and checks that joining an unknown
;; id fails), then exits 0 if the total is exact.
;; Memory: 0 counter, 8 lock, 32 tid out, 40 option timestamp (none),
;; 64 bad-tid flag, 128.. tids, 1024 + 80 i: thread i's tid scratch, then
;; its 'woken' slot, then its thread_start struct.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn (param i32 i32) (result i32)))
  (import "wasix_32v1" "thread_join" (func $join (param i32) (result i32)))
  (import "wasix_32v1" "thread_id" (func $thread_id (param i32) (result i32)))
  (import "wasix_32v1" "futex_wait" (func $fwait (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wake" (func $fwake (param i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wake_all" (func $fwake_all (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  ;; $w: where futex_wait/futex_wake write 'woken' (one per thread).
  (func $lock (param $m i32) (param $w i32)
    (local $c i32)
    (local.set $c (i32.atomic.rmw.cmpxchg (local.get $m) (i32.const 0)
                                          (i32.const 1)))
    (if (i32.eqz (local.get $c)) (then (return)))
    (if (i32.ne (local.get $c) (i32.const 2))
      (then (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))))
    (loop $l
      (if (i32.ne (local.get $c) (i32.const 0))
        (then
          (drop (call $fwait (local.get $m) (i32.const 2) (i32.const 40)
                             (local.get $w)))
          (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))
          (br $l)))))
  (func $unlock (param $m i32) (param $w i32)
    (if (i32.ne (i32.atomic.rmw.sub (local.get $m) (i32.const 1))
                (i32.const 1))
      (then
        (i32.atomic.store (local.get $m) (i32.const 0))
        (drop (call $fwake (local.get $m) (local.get $w))))))
  ;; 'arg' is the thread_start struct's address.
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    (if (call $thread_id (i32.sub (local.get $arg) (i32.const 8)))
      (then (i32.atomic.store (i32.const 64) (i32.const 1))))
    (if (i32.ne (i32.load (i32.sub (local.get $arg) (i32.const 8)))
                (local.get $tid))
      (then (i32.atomic.store (i32.const 64) (i32.const 2))))
    (loop $l
      (call $lock (i32.const 8) (i32.sub (local.get $arg) (i32.const 4)))
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (call $unlock (i32.const 8) (i32.sub (local.get $arg) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NITER))))
    (drop (call $fwake_all (i32.const 8)
                           (i32.sub (local.get $arg) (i32.const 4)))))
  (func (export "_start")
    (local $i i32) (local $st i32)
    (loop $l
      ;; thread_start struct i at 1024 + 80 i (+8 below it: tid scratch)
      (local.set $st (i32.add (i32.const 1032)
                              (i32.mul (local.get $i) (i32.const 80))))
      (if (call $spawn (local.get $st)
                       (i32.add (i32.const 128)
                                (i32.mul (local.get $i) (i32.const 4))))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NTHREADS))))
    (local.set $i (i32.const 0))
    (loop $l
      (if (call $join (i32.load (i32.add (i32.const 128)
                                         (i32.mul (local.get $i) (i32.const 4)))))
        (then (call $exit (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NTHREADS))))
    ;; joined already: ESRCH (71)
    (if (i32.ne (call $join (i32.load (i32.const 128))) (i32.const 71))
      (then (call $exit (i32.const 5))))
    (if (i32.load (i32.const 64)) (then (call $exit (i32.const 6))))
    (if (i32.ne (i32.load (i32.const 0))
                (i32.mul (i32.const NTHREADS) (i32.const NITER)))
      (then (call $exit (i32.const 1))))
    (call $exit (i32.const 0))))

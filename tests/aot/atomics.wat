;; tests/aot/atomics.wat: guest threads under contention, for run_aot.sh
;; to run compiled. 8 threads (wasi thread-spawn) each do 20,000 rounds of:
;; a 32-bit atomic add; 8- and 16-bit atomic adds on neighbouring bytes
;; (a narrow access must not touch its neighbours); an increment of a
;; plain (non-atomic) i64 under a spin lock made of i32.atomic.rmw.cmpxchg
;; and i32.atomic.store; an xchg/add pair that must leave its cell as it
;; found it (xchg 7, then add back what it held minus 7). Each thread then counts itself done and notifies; the main
;; thread waits with memory.atomic.wait32 until all are done and exits 0
;; only if every total is exact (else a status naming the check), and if
;; a wait on a value that differs returns 1 ("not-equal") and one that
;; nobody notifies times out with 2.
;; Memory: 0 counter32, 4 done, 8 lock, 12 byte counter, 13 byte guard,
;; 14 u16 counter, 24 xchg cell, 32 threads ready, 128 the plain i64
;; counter (a cache line of its own: on the atomics' line a core keeps
;; the line through the load and store, and a broken lock goes unseen).
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $lock
    (loop $spin
      (br_if $spin (i32.atomic.rmw.cmpxchg (i32.const 8) (i32.const 0)
                                          (i32.const 1)))))
  (func $unlock (i32.atomic.store (i32.const 8) (i32.const 0)))
  ;; under the lock: the plain counter read, a while of other work, then
  ;; written back plus one (a broken lock loses counts at once)
  (func $critical (local $v i64) (local $k i32)
    (local.set $v (i64.load (i32.const 128)))
    (loop $busy
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $busy (i32.lt_u (local.get $k) (i32.const 256))))
    (i64.store (i32.const 128) (i64.add (local.get $v) (i64.const 1))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    ;; all threads start the rounds together (contention, not a series)
    (drop (i32.atomic.rmw.add (i32.const 32) (i32.const 1)))
    (loop $ready
      (br_if $ready (i32.lt_u (i32.atomic.load (i32.const 32))
                              (i32.const 8))))
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (drop (i32.atomic.rmw8.add_u (i32.const 12) (i32.const 1)))
      (drop (i64.atomic.rmw16.add_u (i32.const 14) (i64.const 1)))
      (call $lock)
      (call $critical)
      (call $unlock)
      (drop (i64.atomic.rmw.add (i32.const 24)
              (i64.sub (i64.atomic.rmw.xchg (i32.const 24) (i64.const 7))
                       (i64.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
  (func (export "_start")
    (local $i i32) (local $d i32)
    (i64.atomic.store (i32.const 24) (i64.const 1000))
    (loop $l
      (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 1))
        (then (call $exit (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))
    (loop $w
      (local.set $d (i32.atomic.load (i32.const 4)))
      (if (i32.lt_u (local.get $d) (i32.const 8))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (local.get $d)
                                      (i64.const -1)))
          (br $w))))
    (if (i32.ne (i32.atomic.load (i32.const 0)) (i32.const 160000))
      (then (call $exit (i32.const 1))))
    ;; 160,000 mod 256 = 0, and the guard byte after it stayed 0
    (if (i32.ne (i32.atomic.load16_u (i32.const 12)) (i32.const 0))
      (then (call $exit (i32.const 2))))
    ;; 160,000 mod 65,536
    (if (i64.ne (i64.atomic.load16_u (i32.const 14)) (i64.const 28928))
      (then (call $exit (i32.const 3))))
    (if (i64.ne (i64.load (i32.const 128)) (i64.const 160000))
      (then (call $exit (i32.const 4))))
    (if (i64.ne (i64.atomic.load (i32.const 24)) (i64.const 1000))
      (then (call $exit (i32.const 5))))
    (if (i32.ne (memory.atomic.wait32 (i32.const 4) (i32.const 0)
                                      (i64.const -1))
                (i32.const 1))
      (then (call $exit (i32.const 6))))
    (if (i32.ne (memory.atomic.wait64 (i32.const 24) (i64.const 1000)
                                      (i64.const 1000000))
                (i32.const 2))
      (then (call $exit (i32.const 7))))
    (call $exit (i32.const 0))))

;; timeout.wat: waits that time out. memory.atomic.wait32 and wait64 on a
;; matching value with a 30 ms timeout return 2 ("timed-out") after at
;; least 30 ms (clock_time_get, monotonic); a value that differs returns 1
;; at once; WASIX futex_wait with a 30 ms timeout reports woken = 0; a
;; notify with no waiter returns 0. Exits 0, or the number of the check
;; that failed. Memory: 0 futex word, 8 i64 word, 16 time out,
;; 32 option timestamp, 56 woken.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasix_32v1" "futex_wait" (func $fwait (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $now (result i64)
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 16)))
    (i64.load (i32.const 16)))
  (func (export "_start")
    (local $t i64)
    (local.set $t (call $now))
    (if (i32.ne (memory.atomic.wait32 (i32.const 0) (i32.const 0)
                                      (i64.const 30000000)) (i32.const 2))
      (then (call $exit (i32.const 1))))
    (if (i64.lt_u (i64.sub (call $now) (local.get $t)) (i64.const 30000000))
      (then (call $exit (i32.const 2))))
    (local.set $t (call $now))
    (if (i32.ne (memory.atomic.wait64 (i32.const 8) (i64.const 0)
                                      (i64.const 30000000)) (i32.const 2))
      (then (call $exit (i32.const 3))))
    (if (i64.lt_u (i64.sub (call $now) (local.get $t)) (i64.const 30000000))
      (then (call $exit (i32.const 4))))
    (if (i32.ne (memory.atomic.wait32 (i32.const 0) (i32.const 5)
                                      (i64.const -1)) (i32.const 1))
      (then (call $exit (i32.const 5))))
    (if (i32.ne (memory.atomic.notify (i32.const 0) (i32.const 1)) (i32.const 0))
      (then (call $exit (i32.const 6))))
    ;; futex_wait: Some(30 ms)
    (i32.store8 (i32.const 32) (i32.const 1))
    (i64.store (i32.const 40) (i64.const 30000000))
    (i32.store8 (i32.const 56) (i32.const 9))
    (local.set $t (call $now))
    (if (call $fwait (i32.const 0) (i32.const 0) (i32.const 32) (i32.const 56))
      (then (call $exit (i32.const 7))))
    (if (i32.load8_u (i32.const 56)) (then (call $exit (i32.const 8))))
    (if (i64.lt_u (i64.sub (call $now) (local.get $t)) (i64.const 30000000))
      (then (call $exit (i32.const 9))))
    ;; a differing value: woken = 1 at once
    (if (call $fwait (i32.const 0) (i32.const 7) (i32.const 32) (i32.const 56))
      (then (call $exit (i32.const 10))))
    (if (i32.ne (i32.load8_u (i32.const 56)) (i32.const 1))
      (then (call $exit (i32.const 11))))
    (call $exit (i32.const 0))))

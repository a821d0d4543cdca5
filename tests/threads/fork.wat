;; fork.wat: fork in a threaded process continues only the calling thread.
;; Four threads spin, incrementing a shared counter; the main thread forks
;; (proc_fork, a host fork()). In the child the counter must stay still
;; across a 30 ms sleep (no other thread exists there) and the child then
;; exits with 5; the parent joins it with proc_join, checks that it ended
;; normally with 5 and that its own threads are still counting (the
;; counter moves within 2 s), and exits
;; 0. Any other status names the failed check.
;; Memory: 0 counter, 4 stop flag, 16 pid out, 24 option_pid,
;; 32 join_status, 64 tid out.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_join" (func $pjoin (param i32 i32 i32) (result i32)))
  (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (br_if $l (i32.eqz (i32.atomic.load (i32.const 4))))))
  (func (export "_start")
    (local $i i32) (local $c i32)
    (loop $l
      (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 1))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    ;; wait until the threads run
    (loop $w
      (br_if $w (i32.lt_u (i32.atomic.load (i32.const 0)) (i32.const 1000))))
    (if (call $fork (i32.const 1) (i32.const 16))
      (then (call $exit (i32.const 4))))
    (if (i32.eqz (i32.load (i32.const 16)))
      (then
        ;; child
        (local.set $c (i32.atomic.load (i32.const 0)))
        (drop (call $sleep (i64.const 30000000)))
        (if (i32.ne (local.get $c) (i32.atomic.load (i32.const 0)))
          (then (call $exit (i32.const 6))))
        (call $exit (i32.const 5))))
    ;; parent: join that child
    (i32.store8 (i32.const 24) (i32.const 1))
    (i32.store (i32.const 28) (i32.load (i32.const 16)))
    (if (call $pjoin (i32.const 24) (i32.const 0) (i32.const 32))
      (then (call $exit (i32.const 7))))
    (if (i32.ne (i32.load8_u (i32.const 32)) (i32.const 1))
      (then (call $exit (i32.const 8))))
    (if (i32.ne (i32.load16_u (i32.const 34)) (i32.const 5))
      (then (call $exit (i32.const 9))))
    ;; its threads still count: wait (at most 2,000 1-ms sleeps, so a
    ;; loaded machine that does not schedule them for a while is no
    ;; failure) until the counter moves
    (local.set $c (i32.atomic.load (i32.const 0)))
    (local.set $i (i32.const 0))
    (block $moved
      (loop $w2
        (br_if $moved (i32.ne (local.get $c) (i32.atomic.load (i32.const 0))))
        (drop (call $sleep (i64.const 1000000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $w2 (i32.lt_u (local.get $i) (i32.const 2000)))
        (call $exit (i32.const 10))))
    (i32.atomic.store (i32.const 4) (i32.const 1))
    (call $exit (i32.const 0))))

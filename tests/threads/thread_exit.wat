;; thread_exit.wat: thread_exit ends only the caller. Four threads call
;; thread_exit(9) before writing their 'after' mark; the main thread joins
;; them all and ends with proc_exit(7): the status must be 7 (not 9) and
;; no 'after' mark may be set. Memory: 0 after marks, 32.. tids,
;; 256.. thread_start structs.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn (param i32 i32) (result i32)))
  (import "wasix_32v1" "thread_join" (func $join (param i32) (result i32)))
  (import "wasix_32v1" "thread_exit" (func $texit (param i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $texit (i32.const 9))
    (i32.atomic.store (i32.const 0) (i32.const 1)))
  (func (export "_start")
    (local $i i32)
    (loop $l
      (if (call $spawn (i32.add (i32.const 256) (i32.mul (local.get $i) (i32.const 64)))
                       (i32.add (i32.const 32) (i32.mul (local.get $i) (i32.const 4))))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (local.set $i (i32.const 0))
    (loop $l
      (if (call $join (i32.load (i32.add (i32.const 32) (i32.mul (local.get $i) (i32.const 4)))))
        (then (call $exit (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (if (i32.load (i32.const 0)) (then (call $exit (i32.const 5))))
    (call $exit (i32.const 7))))

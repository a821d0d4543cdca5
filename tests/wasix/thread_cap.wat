;; thread_cap.wat (issue 17): spawns threads, each of which waits for
;; ever, until thread-spawn fails, and exits with the number it got (at
;; most 200). Under --max-threads 5 that is 5: the tree's thread limit,
;; not the host's, stops a thread bomb.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
  (func (export "_start")
    (local $n i32)
    (block $full
      (loop $l
        (br_if $full (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $n) (i32.const 200)))))
    (call $exit (local.get $n))))

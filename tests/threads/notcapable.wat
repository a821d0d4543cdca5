;; notcapable.wat: a module without wasi_thread_start cannot start
;; threads: wasi thread-spawn returns a negative value and
;; thread_spawn_v2 returns ENOTCAPABLE (76). Exits 0 if both do.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn2 (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start")
    (if (i32.ge_s (call $spawn (i32.const 0)) (i32.const 0))
      (then (call $exit (i32.const 1))))
    (if (i32.ne (call $spawn2 (i32.const 64) (i32.const 0)) (i32.const 76))
      (then (call $exit (i32.const 2))))
    (call $exit (i32.const 0))))

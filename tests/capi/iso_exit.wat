;; t_isolate: a WASIX program that forks and exits 7 from the parent
;; while the child exits 3.
(module
  (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fork (i32.const 1) (i32.const 0)))
    (if (i32.eqz (i32.load (i32.const 0))) (then (call $exit (i32.const 3))))
    (call $exit (i32.const 7))))

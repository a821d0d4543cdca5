;; t_isolate: a WASIX process that raises SIGKILL (Linux numbering) on
;; itself: its host process dies of the signal.
(module
  (import "wasix_32v1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $raise (i32.const 9)))
    (call $exit (i32.const 1))))

;; proc_fork_env writes the child's pid (2 in a fresh run) to *pid, which
;; wasix-libc's vfork returns to the parent; proc_exit2 ends the child and
;; returns as the parent, which exits with that pid.
(module
  (import "wasix_32v1" "proc_fork_env" (func $fe (param i32) (result i32)))
  (import "wasix_32v1" "proc_exit2" (func $exit2 (param i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fe (i32.const 0)))
    (call $exit2 (i32.const 0))
    (call $exit (i32.load (i32.const 0)))))

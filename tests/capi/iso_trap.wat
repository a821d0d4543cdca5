;; t_isolate: a WASIX program whose child and then itself trap.
(module
  (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_join"
    (func $join (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fork (i32.const 1) (i32.const 0)))
    (if (i32.eqz (i32.load (i32.const 0))) (then unreachable))
    (i64.store (i32.const 16) (i64.const 0))
    (drop (call $join (i32.const 16) (i32.const 0) (i32.const 32)))
    unreachable))

;; ctx_throw.wat: an exception escaping a context's entrypoint, thrown
;; again in a main context that does not catch it: the run traps with
;; "uncaught exception" (tests/run_dylink.sh).
(module
  (import "wasix_32v1" "context_create"
    (func $create (param i32 i32) (result i32)))
  (import "wasix_32v1" "context_switch" (func $switch (param i64) (result i32)))
  (memory (export "memory") 1)
  (tag $boom (param i32))
  (table 2 funcref)
  (elem (i32.const 1) $throws)
  (func $throws (throw $boom (i32.const 1)))
  (func (export "_start")
    (drop (call $create (i32.const 0) (i32.const 1)))
    (drop (call $switch (i64.load (i32.const 0))))))

;; ctx_stale.wat: a setjmp snapshot belongs to the context that took it:
;; a context that longjmps to the main context's snapshot traps, and the
;; main context's switch traps with that message (tests/run_dylink.sh).
(module
  (import "wasix_32v1" "context_create"
    (func $create (param i32 i32) (result i32)))
  (import "wasix_32v1" "context_switch" (func $switch (param i64) (result i32)))
  (import "wasix_32v1" "stack_checkpoint"
    (func $checkpoint (param i32 i32) (result i32)))
  (import "wasix_32v1" "stack_restore" (func $restore (param i32 i64)))
  (global $sp (mut i32) (i32.const 65536))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 1) $jumps_out)
  (func $jumps_out (call $restore (i32.const 64) (i64.const 1)))
  (func $main (param i32)
    (drop (call $checkpoint (i32.const 64) (i32.const 96)))
    (if (i64.eqz (i64.load (i32.const 96)))
      (then (drop (call $create (i32.const 0) (i32.const 1)))
            (drop (call $switch (i64.load (i32.const 0)))))))
  (func (export "_start") (call $main (i32.const 7))))

;; tests/capi: host callbacks with and without environment (t_capi.c).
(module
  (import "env" "mix" (func $mix (param i32 i64 f64) (result f64)))
  (import "env" "tick" (func $tick (result i32)))
  (func (export "call") (param i32 i64 f64) (result f64)
    (f64.mul (call $mix (local.get 0) (local.get 1) (local.get 2))
             (f64.const 2)))
  (func (export "tick2") (result i32)
    (drop (call $tick))
    (call $tick)))

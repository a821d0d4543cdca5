;; tests/capi: traps from wasm and from a host function (t_capi.c).
(module
  (import "env" "fail" (func $fail (result i32)))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "unreachable") (unreachable))
  (func (export "fail") (result i32) (call $fail)))

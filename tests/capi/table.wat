;; tests/capi: a funcref table used by call_indirect (t_capi.c, "table").
(module
  (type $i2i (func (param i32) (result i32)))
  (table (export "tab") 2 10 funcref)
  (elem (i32.const 1) $inc)
  (func $inc (export "inc") (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $i2i) (local.get 1) (local.get 0))))

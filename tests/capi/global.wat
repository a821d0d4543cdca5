;; tests/capi: imported and exported globals (t_capi.c, "global").
(module
  (import "env" "c" (global $c f32))
  (import "env" "v" (global $v (mut i64)))
  (global $own (export "own") (mut i32) (i32.const 7))
  (global (export "k") f64 (f64.const 2.5))
  (func (export "get_c") (result f32) (global.get $c))
  (func (export "get_v") (result i64) (global.get $v))
  (func (export "set_v") (param i64) (global.set $v (local.get 0)))
  (func (export "get_own") (result i32) (global.get $own)))

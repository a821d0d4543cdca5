;; tests/capi: externref values through globals, tables and calls.
(module
  (import "env" "id" (func $id (param externref) (result externref)))
  (global $g (export "g") (mut externref) (ref.null extern))
  (table $t (export "t") 4 externref)
  (func (export "gset") (param externref) (global.set $g (local.get 0)))
  (func (export "gget") (result externref) (global.get $g))
  (func (export "tset") (param i32 externref)
    (table.set $t (local.get 0) (local.get 1)))
  (func (export "tget") (param i32) (result externref)
    (table.get $t (local.get 0)))
  (func (export "through") (param externref) (result externref)
    (call $id (local.get 0))))

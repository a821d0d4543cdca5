;; tests/capi: v128 at the C API boundary, which wasm.h cannot express:
;; an export and an import with v128 in their types, and a v128 global.
(module
  (func (export "id") (param v128) (result v128 v128 v128 v128 v128 v128
                                           v128 v128 v128 v128 v128 v128
                                           v128 v128 v128 v128 v128 v128)
    (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)
    (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)
    (local.get 0) (local.get 0) (local.get 0) (local.get 0) (local.get 0)
    (local.get 0) (local.get 0) (local.get 0))
  (global (export "g") (mut v128) (v128.const i64x2 -1 -1)))

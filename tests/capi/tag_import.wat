;; tag_import.wat: a module that imports a tag (tests/capi/t_capi.c): it
;; cannot be instantiated through wasm.h, which has no tag extern kind.
(module
  (import "host" "f" (func))
  (import "host" "e" (tag (param i32)))
  (func (export "g")))

;; tests/capi: a v128 host import, which no wasm.h function type matches.
(module
  (import "env" "h" (func (param v128) (result v128))))

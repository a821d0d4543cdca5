;; tags.wat: exception tags on the wasm.h path (tests/capi/t_capi.c).
;; Exports, in order: the tag "e" (which wasm.h's views leave out), "catch"
;; (throws 42 with "e" and catches it: returns 42), the tag "e2", "throw"
;; (throws "e" out to the caller: a trap).
(module
  (tag $e (export "e") (param i32))
  (func (export "catch") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (throw $e (i32.const 42)))
      (i32.const -1)))
  (tag (export "e2"))
  (func (export "throw")
    (throw $e (i32.const 7))))

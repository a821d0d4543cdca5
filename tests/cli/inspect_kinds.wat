;; inspect_kinds.wat: 'wasmix inspect' must show what wasm.h's views cannot
;; (tests/run_cli.sh): a tag export, v128 params, results and globals, a
;; 64-bit memory.
(module
  (tag $t (export "tg") (param i32))
  (func (export "f") (param v128 i32) (result v128) local.get 0)
  (memory i64 1)
  (export "m" (memory 0))
  (global (export "g") (mut v128) (v128.const i64x2 0 0)))

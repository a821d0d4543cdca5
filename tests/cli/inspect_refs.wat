;; inspect_refs.wat: 'wasmix inspect' of imports and exports with tags,
;; exnref, typed function references, a shared memory, table64 and
;; memory64 limits past 2^32 pages (tests/run_cli.sh).
(module
  (type $ft (func (param i32) (result i32)))
  (import "env" "t" (tag $it (param i64 f32)))
  (import "env" "mem" (memory 1 10 shared))
  (import "env" "tab" (table i64 2 funcref))
  (import "env" "g" (global exnref))
  (memory $big i64 0x200000000 0x300000000)
  (table $tt i64 1 100 (ref null $ft))
  (func (export "call")
    (param (ref null $ft) (ref extern) nullfuncref) (result exnref)
    (ref.null exn))
  (export "big" (memory $big))
  (export "tt" (table $tt))
  (export "it" (tag $it)))

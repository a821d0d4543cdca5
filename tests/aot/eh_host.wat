;; eh_host.wat: an exception crossing a host call (tests/run_aot.sh). A
;; WASIX context's entrypoint throws; the exception is thrown again from
;; the main context's context_switch (a host function: vm_call_throw),
;; where a compiled try_table catches it. Exits with the payload (42);
;; 134 "uncaught exception" if the host's throw is not caught.
(module
  (import "wasix_32v1" "context_create"
    (func $create (param i32 i32) (result i32)))
  (import "wasix_32v1" "context_switch" (func $switch (param i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (tag $boom (param i32))
  (table 2 funcref)
  (elem (i32.const 1) $throws)
  (func $throws (throw $boom (i32.const 42)))
  (func (export "_start")
    (drop (call $create (i32.const 0) (i32.const 1)))
    (block $h (result i32)
      (try_table (catch $boom $h)
        (drop (call $switch (i64.load (i32.const 0)))))
      (i32.const 1))
    (call $exit)))

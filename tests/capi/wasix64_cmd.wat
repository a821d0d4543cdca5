;; wasix64_cmd.wat: a memory64 WASIX module (import module "wasix_64v1",
;; pointers as i64) for tests/capi/t_wasix.c: "pair" makes a socket pair
;; (0: success), "fork" is refused on the wasm.h path (52: ENOSYS).
(module
  (import "wasix_64v1" "sock_pair"
    (func $sock_pair (param i32 i32 i32 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_fork" (func $proc_fork (param i32 i64) (result i32)))
  (memory (export "memory") i64 1)
  (func (export "pair") (result i32)
    (call $sock_pair (i32.const 1) (i32.const 1) (i32.const 0)
                     (i64.const 0) (i64.const 4)))
  (func (export "fork") (result i32)
    (call $proc_fork (i32.const 1) (i64.const 8))))

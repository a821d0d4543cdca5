;; edge.wat: in-bounds accesses at both ends of memory, before and after
;; memory.grow, must work; exits 0 (any wrong value hits 'unreachable').
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func $check (param i32 i32)
    (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 11))
    (i32.store (i32.const 65532) (i32.const 22))
    (i32.store8 (i32.const 65535) (i32.const 33))
    (call $check (i32.load (i32.const 0)) (i32.const 11))
    (call $check (i32.load8_u (i32.const 65535)) (i32.const 33))
    (call $check (memory.grow (i32.const 1)) (i32.const 1))
    (i64.store (i32.const 131064) (i64.const 44))
    (call $check (i32.wrap_i64 (i64.load (i32.const 131064))) (i32.const 44))
    (call $check (i32.load (i32.const 65536)) (i32.const 0))
    (call $exit (i32.const 0))))

;; Found by make fuzz-ci (fuzz_execute timeout): memory.atomic.wait32/64
;; on a shared memory with no timeout, and no other thread to notify,
;; blocked the target forever. The fuzz targets now cap waits with
;; vm_config.max_wait_ns = 0; every export must return promptly.
(module
  (type (;0;) (func (param i64)))
  (type (;1;) (func (param i32 i32) (result i32)))
  (type (;2;) (func (param i32 i32 i64) (result i32)))
  (type (;3;) (func (param i32 i64 i64) (result i32)))
  (func (;0;) (type 0) (param i64)
    i32.const 0
    local.get 0
    i64.store)
  (func (;1;) (type 1) (param i32 i32) (result i32)
    local.get 0
    local.get 1
    memory.atomic.notify)
  (func (;2;) (type 2) (param i32 i32 i64) (result i32)
    local.get 0
    local.get 0
    local.get 2
    memory.atomic.wait32)
  (func (;3;) (type 3) (param i32 i64 i64) (result i32)
    local.get 0
    local.get 1
    local.get 2
    memory.atomic.wait64)
  (memory (;0;) 1 1 shared)
  (export "init" (func 0))
  (export "memory.atombc.notify" (func 1))
  (export "memory.atomic.wait32" (func 2))
  (export "memory.atomic.wait64" (func 3)))

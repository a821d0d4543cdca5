;; br_table_loop_crash.wat: the input fuzz_execute found (2026-11-27),
;; converted with wasm2wat; see br_table_loop.wat for the cause.
(module
  (type (;0;) (func))
  (type (;1;) (func (param i32 i32 i32) (result i32)))
  (func (;0;) (type 0)
    i32.const 10
    i32.const 85
    i32.const 10
    memory.fill
    i32.const 9
    i32.const 10
    i32.const 5
    memory.copy)
  (func (;1;) (type 1) (param i32 i32 i32) (result i32)
    loop  ;; label = @1
      local.get 0
      local.get 1
      i32.eq
      if  ;; label = @2
        i32.const -1
        return
      end
      local.get 0
      br_table 0 (;@1;)
      local.get 2
      i32.eq
      if  ;; label = @2
        local.get 0
        i32.const 1
        i32.add
        local.set 0
        br 1 (;@1;)
      end
    end
    local.get 0
    return)
  (memory (;0;) 1 1)
  (export "test" (func 0))
  (export "checkRange" (func 1)))

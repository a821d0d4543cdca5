;; oob_grow.wat: after memory.grow, the first byte past the new end traps.
(module
  (memory 1)
  (func (export "_start")
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 131068) (i32.const 1))
    (drop (i32.load8_u (i32.const 131072)))))

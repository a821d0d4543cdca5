;; oob.wat: a load ending one byte past the end of a 1-page memory traps.
(module
  (memory 1)
  (func (export "_start") (drop (i32.load (i32.const 65533)))))

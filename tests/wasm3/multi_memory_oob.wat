;; Memory 1 is smaller than memory 0: an access in bounds of memory 0 but
;; past memory 1's end traps (exit 134, "out of bounds memory access").
(module
  (memory $m0 2)
  (memory $m1 1)
  (func (export "_start")
    (drop (i32.load $m0 (i32.const 70000)))
    (drop (i32.load $m1 (i32.const 70000)))))

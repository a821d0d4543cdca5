;; oob_max.wat: the largest address plus the largest offset traps (it
;; must land in the guard reservation, not in other host memory).
(module
  (memory 1)
  (func (export "_start")
    (i64.store offset=0xffffffff (i32.const -1) (i64.const 1))))

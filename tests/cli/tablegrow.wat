;; tablegrow.wat: grows a table by one element 60,000 times. Must take
;; linear time and memory: growth by exact sizes, each old array kept for
;; other threads, once took 4 GB and over a minute (docs/fuzzing.md).
(module
  (table 0 funcref)
  (func (export "_start") (local i32)
    (loop
      (drop (table.grow 0 (ref.null func) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 60000))))))

;; deep.wat: recurses 500 calls deep, then returns. Runs with the default
;; call depth; traps ("call stack exhausted") under --max-call-depth 100.
(module
  (func $down (param i32)
    (if (local.get 0)
      (then (call $down (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "_start")
    (call $down (i32.const 500))))

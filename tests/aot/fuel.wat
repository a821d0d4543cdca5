;; tests/aot/fuel.wat: calls and loop back-edges for run_aot.sh, which checks
;; that the compiled tier needs exactly the interpreter's --fuel to finish.
(module
  (func $f (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $f (i32.sub (local.get 0) (i32.const 1))) (call $f (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "_start") (local $i i32)
    (loop $l (drop (call $f (i32.const 10))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 50))))))

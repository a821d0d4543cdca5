;; bench/aot_eh.wat: the cost of a throw/catch round trip (docs/aot.md,
;; "Exceptions"): _start throws and catches 1,000,000 times, the throw one
;; call below the try_table. Time it with --aot and with --interp.
(module
  (tag $e (param i32))
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "_start")
    (local $i i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h)
          (call $throw (local.get $i)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000))))
    (if (i32.ne (local.get $sum) (i32.const 1783293664)) (then unreachable)))
)

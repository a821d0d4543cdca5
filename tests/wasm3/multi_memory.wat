;; Multi-memory: three memories, loads and stores of every width on
;; memory 2 (sign extension included), memory.copy from memory 1 to
;; memory 0 and back, memory.fill, memory.init and memory.grow/size on a
;; non-zero memory, an active data segment in memory 1 (atomics with a
;; memory index: tests/unit/t_eh.c, wabt 1.0.32 cannot assemble them).
;; Exit 0 when every check holds, else unreachable (exit 134).
(module
  (memory $m0 1)
  (memory $m1 1)
  (memory $m2 1 3)
  (data (memory $m1) (i32.const 100) "\01\02\03\04")
  (data $p "\aa\bb")
  (func $check (param i32) (if (i32.eqz (local.get 0)) (then (unreachable))))
  (func (export "_start")
    ;; widths and sign extension on memory 2
    (i64.store $m2 (i32.const 8) (i64.const -2))
    (call $check (i32.eq (i32.load8_s $m2 (i32.const 8)) (i32.const -2)))
    (call $check (i32.eq (i32.load8_u $m2 (i32.const 8)) (i32.const 254)))
    (call $check (i32.eq (i32.load16_s $m2 (i32.const 8)) (i32.const -2)))
    (call $check (i64.eq (i64.load32_s $m2 (i32.const 8)) (i64.const -2)))
    (call $check (i64.eq (i64.load32_u $m2 (i32.const 8)) (i64.const 0xfffffffe)))
    (call $check (i64.eq (i64.load $m2 (i32.const 8)) (i64.const -2)))
    (f64.store $m2 offset=16 (i32.const 0) (f64.const 2.5))
    (call $check (f64.eq (f64.load $m2 (i32.const 16)) (f64.const 2.5)))
    ;; memory 0 is untouched by all of that
    (call $check (i64.eqz (i64.load $m0 (i32.const 8))))
    ;; the data segment went to memory 1; copy it to memory 0 and back
    (call $check (i32.eq (i32.load $m1 (i32.const 100)) (i32.const 0x04030201)))
    (memory.copy $m0 $m1 (i32.const 0) (i32.const 100) (i32.const 4))
    (call $check (i32.eq (i32.load $m0 (i32.const 0)) (i32.const 0x04030201)))
    (memory.copy $m2 $m0 (i32.const 200) (i32.const 0) (i32.const 4))
    (call $check (i32.eq (i32.load $m2 (i32.const 200)) (i32.const 0x04030201)))
    ;; fill, init, grow and size on memory 2
    (memory.fill $m2 (i32.const 300) (i32.const 7) (i32.const 3))
    (call $check (i32.eq (i32.load $m2 (i32.const 300)) (i32.const 0x00070707)))
    (memory.init $m2 1 (i32.const 400) (i32.const 0) (i32.const 2))
    (call $check (i32.eq (i32.load16_u $m2 (i32.const 400)) (i32.const 0xbbaa)))
    (call $check (i32.eq (memory.size $m2) (i32.const 1)))
    (call $check (i32.eq (memory.grow $m2 (i32.const 1)) (i32.const 1)))
    (call $check (i32.eq (memory.size $m2) (i32.const 2)))
    (call $check (i32.eq (memory.size $m0) (i32.const 1)))
    (call $check (i32.eq (memory.grow $m2 (i32.const 5)) (i32.const -1)))
    ))

;; br_table_loop.wat: found by fuzz_execute (2026-11-27). A br_table entry
;; that branches back to an enclosing loop jumped ~2^32 cells forward: the
;; interpreter's JUMP added the entry index (uint32_t) and the negative
;; offset in 32-bit unsigned arithmetic, so the pointer moved by 2^32 - k
;; cells (SEGV). Branches through 'br' used int arithmetic and worked.
;; "f" must return 10; "spin" loops through br_table until fuel runs out.
(module
  (func (export "f") (result i32) (local i32)
    (block
      (loop
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_table 0 1 (i32.ge_u (local.get 0) (i32.const 10)))))
    (local.get 0))
  (func (export "spin") (param i32)
    (loop (br_table 0 0 (local.get 0)))))

;; memory64_atomic_fence.wat: found by the differential test (fuzz_diff,
;; 2026-12-03) on a generated memory64 module. The translator gave every
;; atomic of a 64-bit memory a second offset cell, atomic.fence too, but
;; the fence handler does not count one: the next instruction started a
;; cell early (SEGV). "f" must return 7.
(module
  (memory i64 1)
  (func (export "f") (result i32)
    (atomic.fence)
    (i32.atomic.store (i64.const 8) (i32.const 7))
    (atomic.fence)
    (i32.atomic.load (i64.const 8))))

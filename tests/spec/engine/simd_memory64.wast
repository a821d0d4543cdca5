;; simd_memory64.wast: the in-loop v128.load, v128.store, load32_splat and
;; load64_splat handlers with a 64-bit memory 0 (vm_compile.c do_simd: the
;; i64 address is clamped to 2^32 - 1, then the 32-bit memory forms run),
;; and the out-of-line form they leave to memories other than 0. In
;; bounds at both ends, out of bounds by one byte, by a large offset and
;; by an address with high bits set, which must trap, never wrap.
;; Written for wasmix; run by `make spec` (tests/spec/engine/).

(module
  (memory $m i64 1)
  (memory $n i64 1)
  (data (memory $m) (i64.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f")
  (data (memory $m) (i64.const 65520) "\f0\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff")
  (data (memory $n) (i64.const 16) "\10\11\12\13\14\15\16\17\18\19\1a\1b\1c\1d\1e\1f")

  (func (export "load") (param i64) (result v128)
    (v128.load (local.get 0)))
  (func (export "load_off") (param i64) (result v128)
    (v128.load offset=65520 (local.get 0)))
  (func (export "load_far") (param i64) (result v128)
    (v128.load offset=4294967296 (local.get 0)))
  (func (export "splat32") (param i64) (result v128)
    (v128.load32_splat (local.get 0)))
  (func (export "splat64") (param i64) (result v128)
    (v128.load64_splat offset=8 (local.get 0)))
  (func (export "store") (param i64 v128)
    (v128.store (local.get 0) (local.get 1)))
  (func (export "store_off") (param i64 v128)
    (v128.store offset=16 (local.get 0) (local.get 1)))
  (func (export "load_n") (param i64) (result v128)
    (v128.load $n (local.get 0)))
  (func (export "store_n") (param i64 v128)
    (v128.store $n (local.get 0) (local.get 1)))
)

(assert_return (invoke "load" (i64.const 0))
  (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
(assert_return (invoke "load" (i64.const 65520))
  (v128.const i8x16 0xf0 0xf1 0xf2 0xf3 0xf4 0xf5 0xf6 0xf7 0xf8 0xf9 0xfa 0xfb 0xfc 0xfd 0xfe 0xff))
(assert_return (invoke "load_off" (i64.const 0))
  (v128.const i8x16 0xf0 0xf1 0xf2 0xf3 0xf4 0xf5 0xf6 0xf7 0xf8 0xf9 0xfa 0xfb 0xfc 0xfd 0xfe 0xff))
(assert_trap (invoke "load" (i64.const 65521)) "out of bounds memory access")
(assert_trap (invoke "load_off" (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0x100000000)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0x8000000000000000)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "load_far" (i64.const 0)) "out of bounds memory access")
(assert_return (invoke "splat32" (i64.const 4)) (v128.const i32x4 0x07060504 0x07060504 0x07060504 0x07060504))
(assert_return (invoke "splat32" (i64.const 65532)) (v128.const i32x4 0xfffefdfc 0xfffefdfc 0xfffefdfc 0xfffefdfc))
(assert_trap (invoke "splat32" (i64.const 65533)) "out of bounds memory access")
(assert_trap (invoke "splat32" (i64.const 0x100000000)) "out of bounds memory access")
(assert_return (invoke "splat64" (i64.const 0)) (v128.const i64x2 0x0f0e0d0c0b0a0908 0x0f0e0d0c0b0a0908))
(assert_trap (invoke "splat64" (i64.const 65521)) "out of bounds memory access")
(assert_trap (invoke "splat64" (i64.const 0xffffffff00000000)) "out of bounds memory access")

(assert_return (invoke "store" (i64.const 32) (v128.const i32x4 1 2 3 4)))
(assert_return (invoke "load" (i64.const 32)) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "store_off" (i64.const 65504) (v128.const i32x4 5 6 7 8)))
(assert_return (invoke "load" (i64.const 65520)) (v128.const i32x4 5 6 7 8))
(assert_trap (invoke "store" (i64.const 65521) (v128.const i32x4 9 9 9 9)) "out of bounds memory access")
(assert_trap (invoke "store_off" (i64.const 65505) (v128.const i32x4 9 9 9 9)) "out of bounds memory access")
(assert_trap (invoke "store" (i64.const 0x100000000) (v128.const i32x4 9 9 9 9)) "out of bounds memory access")
(assert_trap (invoke "store" (i64.const -16) (v128.const i32x4 9 9 9 9)) "out of bounds memory access")
;; the trapping stores wrote nothing
(assert_return (invoke "load" (i64.const 65520)) (v128.const i32x4 5 6 7 8))

;; memory 1: the VMOP_SIMD form
(assert_return (invoke "load_n" (i64.const 16))
  (v128.const i8x16 0x10 0x11 0x12 0x13 0x14 0x15 0x16 0x17 0x18 0x19 0x1a 0x1b 0x1c 0x1d 0x1e 0x1f))
(assert_return (invoke "store_n" (i64.const 65520) (v128.const i64x2 -1 -2)))
(assert_return (invoke "load_n" (i64.const 65520)) (v128.const i64x2 -1 -2))
(assert_trap (invoke "load_n" (i64.const 65521)) "out of bounds memory access")
(assert_trap (invoke "store_n" (i64.const 0x100000000) (v128.const i64x2 0 0)) "out of bounds memory access")
(assert_return (invoke "load" (i64.const 32)) (v128.const i32x4 1 2 3 4))

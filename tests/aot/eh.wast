;; eh.wast: exceptions across the compiled and the interpreted tier
;; (docs/aot.md, "Exceptions"; tests/run_aot.sh runs it with --aot and
;; asserts how many functions compiled and instances stayed interpreted).
;; A module with a v128 global stays wholly interpreted; the others
;; compile. Every function here but those of $I is compiled.

;; $C: compiled. Throws, catches, rethrows; calls into $I through imports
;; bound later (a table filled by "set").
(module $C
  (tag $e (export "e") (param i32))
  (tag $f (export "f") (param i64 f64))
  (type $v (func))
  (table $t (export "t") 4 funcref)

  ;; Throws $e with payload x (compiled throw).
  (func $throw (export "throw") (param $x i32)
    (throw $e (local.get $x)))
  (func (export "throw-f") (param i64 f64)
    (throw $f (local.get 0) (local.get 1)))

  ;; Catches whatever table slot 0 (an interpreted function) throws.
  (func (export "catch-interp") (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call_indirect $t (param i32) (local.get $x) (i32.const 0)))
      (i32.const -1)))

  ;; Compiled -> interpreted (slot 1) -> compiled $throw: the exception
  ;; passes the interpreted frame and lands here.
  (func (export "through-interp") (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call_indirect $t (param i32) (local.get $x) (i32.const 1)))
      (i32.const -1)))

  ;; catch_ref then throw_ref to an outer handler; locals set inside the
  ;; try body are seen in the handler.
  (func (export "rethrow") (param $x i32) (result i32)
    (local $seen i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $inner (result i32 exnref)
          (try_table (catch_ref $e $inner)
            (local.set $seen (i32.const 100))
            (call $throw (local.get $x)))
          (unreachable))
        (drop (local.get $seen))
        (throw_ref))
      (i32.const -1))
    (local.get $seen)
    (i32.add))

  ;; The payload of two values of other types, caught by catch_all_ref
  ;; and rethrown to the caller.
  (func (export "catch-all-rethrow") (param i64 f64)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw $f (local.get 0) (local.get 1)))
      (unreachable))
    (throw_ref))

  ;; A trap inside try_table is not caught.
  (func (export "trap-in-try") (result i32)
    (block $h
      (try_table (catch_all $h)
        (unreachable)))
    (i32.const 7))
  (func (export "trap-in-callee") (result i32)
    (block $h
      (try_table (catch_all $h)
        (call_indirect $t (type $v) (i32.const 2))))
    (i32.const 7))

  ;; A catch whose label is the function's: returns the payload.
  (func (export "catch-to-func") (param $x i32) (result i32)
    (try_table (catch $e 0)
      (call $throw (local.get $x)))
    (i32.const -1))

  ;; An exception not caught leaves the function (and the module).
  (func (export "uncaught") (param $x i32)
    (block $h (result i64 f64)
      (try_table (catch $f $h)
        (call $throw (local.get $x)))
      (unreachable))
    (drop) (drop))

  ;; 200,000 throws and catches in a loop (exception objects are
  ;; reclaimed while compiled frames run).
  (func (export "many") (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h)
          (call $throw (local.get $i)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 200000))))
    (local.get $sum))

  ;; Legacy try/catch/rethrow/delegate around an interpreted throw.
  (func (export "legacy") (param $x i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32)
              (do
                (call_indirect $t (param i32) (local.get $x) (i32.const 0))
                (i32.const -1))
              (delegate 0)))
          (catch $e (drop) (rethrow 0))))
      (catch $e)))

  ;; An exnref kept in a compiled local (a C variable) across 100,000
  ;; other throws, then rethrown: the collector must see it.
  (func (export "kept") (result i32)
    (local $keep exnref) (local $i i32)
    (block $r (result i32 exnref)
      (try_table (catch_ref $e $r)
        (call $throw (i32.const 4242)))
      (unreachable))
    (local.set $keep)
    (drop)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h)
          (call $throw (local.get $i)))
        (i32.const 0))
      (drop)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    (block $h (result i32)
      (try_table (catch $e $h)
        (throw_ref (local.get $keep)))
      (i32.const -1)))
)
(register "C" $C)

;; $I: interpreted (a v128 global), imports $C's tags and functions.
(module $I
  (import "C" "e" (tag $e (param i32)))
  (import "C" "f" (tag $f (param i64 f64)))
  (import "C" "throw" (func $cthrow (param i32)))
  (import "C" "throw-f" (func $cthrow-f (param i64 f64)))
  (import "C" "rethrow" (func $crethrow (param i32) (result i32)))
  (import "C" "catch-all-rethrow" (func $ccar (param i64 f64)))
  (import "C" "t" (table $t 4 funcref))
  (global $keep v128 (v128.const i64x2 0 0))
  (elem (table $t) (i32.const 0) func $ithrow $icall $itrap)

  ;; An interpreted throw.
  (func $ithrow (param $x i32)
    (throw $e (i32.add (local.get $x) (i32.const 1000))))
  ;; Interpreted frame between two compiled ones.
  (func $icall (param $x i32)
    (call $cthrow (local.get $x)))
  (func $itrap
    (unreachable))

  ;; An interpreted catch of a compiled throw.
  (func (export "catch-compiled") (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $cthrow (local.get $x)))
      (i32.const -1)))
  (func (export "catch-compiled-f") (result i64 f64)
    (block $h (result i64 f64)
      (try_table (catch $f $h)
        (call $ccar (i64.const -5) (f64.const 2.5)))
      (unreachable)))
  ;; A compiled throw_ref caught here by catch_ref, rethrown again.
  (func (export "catch-ref-compiled") (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (block $r (result i32 exnref)
          (try_table (catch_ref $e $r)
            (call $cthrow (local.get $x)))
          (unreachable))
        (drop (i32.const 0))
        (throw_ref))
      (i32.const -1)))
)

(assert_return (invoke $C "catch-interp" (i32.const 5)) (i32.const 1005))
(assert_return (invoke $C "through-interp" (i32.const 6)) (i32.const 6))
(assert_return (invoke $C "rethrow" (i32.const 7)) (i32.const 107))
(assert_return (invoke $C "catch-to-func" (i32.const 9)) (i32.const 9))
(assert_exception (invoke $C "catch-all-rethrow" (i64.const 1) (f64.const 2)))
(assert_exception (invoke $C "uncaught" (i32.const 3)))
(assert_trap (invoke $C "trap-in-try") "unreachable")
(assert_trap (invoke $C "trap-in-callee") "unreachable")
(assert_return (invoke $C "many") (i32.const -1474936480))
(assert_return (invoke $C "kept") (i32.const 4242))
(assert_return (invoke $C "legacy" (i32.const 3)) (i32.const 1003))
(assert_return (invoke $I "catch-compiled" (i32.const 11)) (i32.const 11))
(assert_return (invoke $I "catch-compiled-f") (i64.const -5) (f64.const 2.5))
(assert_return (invoke $I "catch-ref-compiled" (i32.const 12)) (i32.const 12))
;; Still usable after all of the above.
(assert_return (invoke $C "catch-interp" (i32.const 1)) (i32.const 1001))

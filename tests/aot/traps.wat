;; tests/aot/traps.wat: one trap per export, for run_aot.sh to compare the
;; compiled tier's message with the interpreter's (the spec suite checks
;; the rest). _start runs the one named by the first argument.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $v (func))
  (type $i (func (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $div0 $oob)
  (func $div0 (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (func $oob (drop (i32.load (i32.const 70000))))
  (func $deep (param i32) (result i32)
    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $spin (loop $l (br $l)))
  (func $mismatch (drop (call_indirect (type $i) (i32.const 0))))
  (func $uninit (call_indirect (type $v) (i32.const 3)))
  (func $undef (call_indirect (type $v) (i32.const 9)))
  (func $unreach unreachable)
  (func $conv (drop (i32.trunc_f32_s (f32.const nan))))
  ;; for --timeout: a loop around a call of a leaf (the back-edge polls),
  ;; and a long recursion with no loop at all (entries poll)
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $spin_call (local i32)
    (loop $l (local.set 0 (call $leaf (local.get 0))) (br $l)))
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  ;; atomics (threads proposal) on this unshared memory: unaligned; both
  ;; out of bounds and unaligned (out of bounds wins); a wait, which needs
  ;; a shared memory
  (func $unaligned (drop (i32.atomic.rmw.add (i32.const 2) (i32.const 1))))
  (func $atomic_oob (drop (i64.atomic.load offset=65535 (i32.const 2))))
  (func $wait_unshared
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0))))
  ;; exceptions: one no handler catches (the uncaught message), a null
  ;; throw_ref
  (tag $e (param i32))
  (tag $other)
  (func $uncaught
    (block $h
      (try_table (catch $other $h)
        (throw $e (i32.const 1)))))
  (func $null_ref (throw_ref (ref.null exn)))
  ;; argv[1]'s first byte picks the trap: a b c d e f g h i j k l m n o p
  (func (export "_start")
    (local $c i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 256)))
    (local.set $c (i32.load8_u (i32.load (i32.const 20))))
    (block $x (block $p (block $o (block $n (block $m (block $l (block $k (block $j
    (block $i (block $h (block $g (block $f (block $e (block $d
      (block $cc (block $b (block $a
        (br_table $a $b $cc $d $e $f $g $h $i $j $k $l $m $n $o $p $x
          (i32.sub (local.get $c) (i32.const 97))))
        (call $div0) (return))
      (call $oob) (return))
      (drop (call $deep (i32.const 0))) (return))
      (call $spin) (return))
      (call $mismatch) (return))
      (call $uninit) (return))
      (call $undef) (return))
      (call $unreach) (return))
      (call $conv) (return))
      (call $spin_call) (return))
      (drop (call $fib (i32.const 60))) (return))
      (call $unaligned) (return))
      (call $atomic_oob) (return))
      (call $wait_unshared) (return))
      (call $uncaught) (return))
      (call $null_ref) (return))))

;; tests/aot/sjlj_eh.wat: setjmp/longjmp (WASIX stack_checkpoint and
;; stack_restore) meeting exception handling (try_table) in compiled
;; frames, for run_aot.sh, which runs each mode compiled and interpreted:
;; both must exit with the value the mode names.
;;
;; A longjmp lands in its anchor's frame with C's siglongjmp. Two pieces
;; of exception state must come back with it: the thread's chain of
;; landings (compiled try_table regions of live frames) and the region
;; in force in the anchor's frame at its setjmp call.
;;
;;   m  the anchor's setjmp call is inside its try_table; the longjmp
;;      comes from inside another compiled frame's try_table, which the
;;      jump leaves. Back in the anchor, a throw must be caught by the
;;      anchor's own region (the dead frame's landing must be gone from
;;      the chain): 7 + 50 = 57.
;;   n  the anchor's setjmp call is outside any region; the longjmp
;;      comes from a call inside the anchor's own try_table. Back at the
;;      setjmp, no region is in force: a throw must leave the anchor and
;;      reach _start's handler (not the anchor's region, which would
;;      exit 1): 9 + 60 = 69.
;;   o  m's shape, 1000 times in a loop, then a throw caught by the
;;      anchor's region: 1000 landings leave no landing behind: 70.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasix_32v1" "stack_checkpoint"
    (func $checkpoint (param i32 i32) (result i32)))
  (import "wasix_32v1" "stack_restore" (func $restore (param i32 i64)))
  (memory (export "memory") 1)
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 60000))
  (tag $e (param i32))

  ;; Buffers: 32 bytes each from 1024 (24-byte snapshot, then the value
  ;; setjmp returns).
  (func $buf (param i32) (result i32)
    (i32.add (i32.const 1024) (i32.mul (local.get 0) (i32.const 32))))

  ;; setjmp(buf) (a setjmp function: stays interpreted; its direct calls
  ;; are landings in the caller's compiled frame).
  (func $cp (param $b i32) (result i32)
    (if (call $checkpoint (local.get $b) (i32.add (local.get $b) (i32.const 24)))
      (then unreachable))
    (i32.load (i32.add (local.get $b) (i32.const 24))))

  (func $jump (param $b i32) (param $v i32)
    (call $restore (local.get $b) (i64.extend_i32_u (local.get $v))))

  ;; n more compiled frames, then longjmp(buf, v).
  (func $deep (param $b i32) (param $n i32) (param $v i32)
    (if (local.get $n)
      (then (call $deep (local.get $b) (i32.sub (local.get $n) (i32.const 1))
                        (local.get $v)))
      (else (call $jump (local.get $b) (local.get $v)))))

  ;; A compiled frame with a region of its own around the longjmp.
  (func $deep_in_try (param $b i32) (param $v i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $deep (local.get $b) (i32.const 2) (local.get $v)))
      (return))
    (drop))

  (func $mode_m (result i32)
    (local $r i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (local.set $r (call $cp (call $buf (i32.const 0))))
        (if (i32.eqz (local.get $r))
          (then (call $deep_in_try (call $buf (i32.const 0)) (i32.const 7))))
        (throw $e (i32.add (local.get $r) (i32.const 50))))
      (i32.const 2)))

  (func $mode_n (result i32)
    (local $r i32)
    (local.set $r (call $cp (call $buf (i32.const 1))))
    (if (i32.eqz (local.get $r))
      (then
        (block $h (result i32)
          (try_table (catch $e $h)
            (call $deep (call $buf (i32.const 1)) (i32.const 2) (i32.const 9)))
          (i32.const 3))
        (drop)
        (return (i32.const 1))))
    (throw $e (i32.add (local.get $r) (i32.const 60))))

  (func $mode_o (result i32)
    (local $i i32) (local $r i32) (local $sum i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set $r (call $cp (call $buf (i32.const 2))))
          (if (i32.eqz (local.get $r))
            (then (call $deep_in_try (call $buf (i32.const 2))
                                     (i32.add (local.get $i) (i32.const 1)))))
          (local.set $sum (i32.add (local.get $sum)
                            (i32.eq (local.get $r) (i32.add (local.get $i) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
        ;; sum = 1000
        (throw $e (i32.add (i32.div_u (local.get $sum) (i32.const 100)) (i32.const 60))))
      (i32.const 4)))

  (func (export "_start")
    (local $c i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 256)))
    (local.set $c (i32.load8_u (i32.load (i32.const 20))))
    (block $x (block $o (block $n (block $m
      (br_table $m $n $o $x (i32.sub (local.get $c) (i32.const 109))))
      (call $exit (call $mode_m)) (return))
      (block $h (result i32)
        (try_table (catch $e $h)
          (call $exit (call $mode_n)) (return))
        (i32.const 5))
      (call $exit) (return))
      (call $exit (call $mode_o)) (return))
    (call $exit (i32.const 100)))
)

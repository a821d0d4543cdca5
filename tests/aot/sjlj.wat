;; tests/aot/sjlj.wat: setjmp/longjmp (WASIX stack_checkpoint and
;; stack_restore) across compiled and interpreted frames, for run_aot.sh,
;; which runs each mode compiled and interpreted: both must end the same.
;; _start runs the mode named by argv[1]'s first byte and exits with its
;; result (proc_exit), or traps.
;;
;; $cp is a setjmp function (it forwards its first local to the import,
;; as wasix-libc's setjmp does): the compiled tier keeps it interpreted
;; and makes every direct call of it a landing in the caller's frame.
;; Functions holding a return_call stay interpreted (a per-function
;; limit of the compiled tier), which places interpreter frames at will.
;;
;;   a  compiled anchor, setjmp function, longjmp 4 compiled frames down:
;;      42 + 5 (the anchor's local is back at its value at the setjmp)
;;   b  compiled anchor calling the import itself (the SDK's setjmp): 43
;;   c  interpreted anchor, longjmp from compiled frames: 44
;;   d  compiled anchor, an interpreted frame between it and the longjmp,
;;      which comes from a compiled frame above that: 45
;;   e  two live setjmps in one compiled frame, longjmp to the outer one
;;      from below the inner one's landing: 46
;;   f  10000 setjmp + longjmp in a loop of a compiled frame, then a
;;      longjmp to an older setjmp of the same frame (not evicted): 47
;;   g  longjmp to a compiled anchor that returned: trap "its frame
;;      returned"
;;   h  the same, with a new activation at the same depth holding a
;;      live setjmp of its own: trap "its frame returned"
;;   i  forged snapshot (random token): trap "forged"
;;   j  longjmp to an interpreted anchor that returned, from compiled
;;      code: trap "its frame returned"
;;   k  compiled anchor; the longjmp comes from a nested level (WASIX
;;      call_dynamic runs a function of the table through vm_invoke,
;;      as a signal handler runs): 48
;;   l  the same with an interpreted anchor: 49
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasix_32v1" "stack_checkpoint"
    (func $checkpoint (param i32 i32) (result i32)))
  (import "wasix_32v1" "stack_restore" (func $restore (param i32 i64)))
  (import "wasix_32v1" "call_dynamic"
    (func $call_dynamic (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $jump_k $jump_l)
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 60000))

  ;; Buffers: 32 bytes each from 1024 (24-byte snapshot, then the value
  ;; setjmp returns).
  (func $buf (param i32) (result i32)
    (i32.add (i32.const 1024) (i32.mul (local.get 0) (i32.const 32))))

  ;; setjmp(buf): the snapshot at buf, the value at buf + 24.
  (func $cp (param $b i32) (result i32)
    (if (call $checkpoint (local.get $b) (i32.add (local.get $b) (i32.const 24)))
      (then unreachable))
    (i32.load (i32.add (local.get $b) (i32.const 24))))

  ;; longjmp(buf, v)
  (func $jump (param $b i32) (param $v i32)
    (call $restore (local.get $b) (i64.extend_i32_u (local.get $v))))

  ;; Compiled frames: n more of them, then longjmp(buf, v).
  (func $deep (param $b i32) (param $n i32) (param $v i32)
    (if (local.get $n)
      (then (call $deep (local.get $b) (i32.sub (local.get $n) (i32.const 1))
                        (local.get $v)))
      (else (call $jump (local.get $b) (local.get $v)))))

  ;; An interpreted frame (the return_call keeps it so) calling $deep.
  (func $mid (param $b i32) (param $n i32) (param $v i32)
    (if (i32.eqz (local.get $n)) (then (return_call $jump (local.get $b) (local.get $v))))
    (call $deep (local.get $b) (local.get $n) (local.get $v)))

  (func $mode_a (result i32)
    (local $n i32) (local $r i32)
    (local.set $n (i32.const 5))
    (local.set $r (call $cp (call $buf (i32.const 0))))
    (if (i32.eqz (local.get $r))
      (then (local.set $n (i32.const 99))
            (call $deep (call $buf (i32.const 0)) (i32.const 3) (i32.const 42))))
    (i32.add (local.get $r) (local.get $n)))

  (func $mode_b (param $x i32) (result i32)
    (local $r i32)
    (if (call $checkpoint (i32.const 1056) (i32.const 1080)) (then unreachable))
    (local.set $r (i32.load (i32.const 1080)))
    (if (i32.eqz (local.get $r))
      (then (call $deep (i32.const 1056) (i32.const 2) (local.get $x))))
    (local.get $r))

  ;; interpreted (the return_call)
  (func $mode_c (param $x i32) (result i32)
    (local $r i32)
    (if (i32.eqz (local.get $x)) (then (return_call $mode_c (i32.const 44))))
    (local.set $r (call $cp (call $buf (i32.const 2))))
    (if (i32.eqz (local.get $r))
      (then (call $deep (call $buf (i32.const 2)) (i32.const 3) (local.get $x))))
    (local.get $r))

  (func $mode_d (result i32)
    (local $r i32)
    (local.set $r (call $cp (call $buf (i32.const 3))))
    (if (i32.eqz (local.get $r))
      (then (call $mid (call $buf (i32.const 3)) (i32.const 2) (i32.const 45))))
    (local.get $r))

  (func $mode_e (result i32)
    (local $r i32) (local $s i32)
    (local.set $r (call $cp (call $buf (i32.const 4))))
    (if (local.get $r) (then (return (i32.add (local.get $r) (i32.const 40)))))
    (local.set $s (call $cp (call $buf (i32.const 5))))
    (if (i32.eqz (local.get $s))
      (then (call $deep (call $buf (i32.const 5)) (i32.const 1) (i32.const 1))))
    ;; back from the inner one (s = 1): now to the outer one
    (call $deep (call $buf (i32.const 4)) (i32.const 2) (i32.add (local.get $s) (i32.const 5)))
    (i32.const 0))

  (func $mode_f (result i32)
    ;; $pad: the interpreter takes a frame whose first slot equals the
    ;; buffer address for a setjmp function; $i would reach it
    (local $pad i32) (local $i i32) (local $r i32) (local $sum i32)
    (local.set $r (call $cp (call $buf (i32.const 6))))
    (if (local.get $r) (then (return (i32.sub (local.get $r) (i32.const 1953)))))
    (loop $l
      (local.set $r (call $cp (call $buf (i32.const 7))))
      (if (i32.eqz (local.get $r))
        (then (call $deep (call $buf (i32.const 7)) (i32.const 1)
                          (i32.add (local.get $i) (i32.const 1)))))
      (local.set $sum (i32.add (local.get $sum) (i32.eq (local.get $r)
                                   (i32.add (local.get $i) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10000))))
    ;; sum = 10000; longjmp to the first setjmp with 1000 + 10000 / 10
    (call $jump (call $buf (i32.const 6))
                (i32.add (i32.const 1000) (i32.div_u (local.get $sum) (i32.const 10))))
    (i32.const 0))

  ;; Compiled anchors that return. The buffer is not their first
  ;; parameter: a function whose first local holds the buffer it passes
  ;; to setjmp is taken for a setjmp function (docs/process.md).
  ;; (They return nothing: a frame that returns one value and made no
  ;; call since its setjmp is taken for a setjmp function, vm_jmp.c.)
  (func $set_and_return (param $k i32) (param $b i32)
    (drop (call $cp (local.get $b))))

  (func $set_and_jump (param $k i32) (param $b i32) (param $to i32) (result i32)
    (drop (call $cp (local.get $b)))
    (call $jump (local.get $to) (i32.const 1))
    (i32.const 8))

  ;; An interpreted anchor (the return_call) that returns.
  (func $interp_set_and_return (param $k i32)
    (if (i32.eqz (local.get $k)) (then (return_call $interp_set_and_return (i32.const 1))))
    (drop (call $cp (call $buf (i32.const 12)))))

  ;; Run by call_dynamic (a nested level): longjmp from compiled frames.
  (func $jump_k (call $deep (call $buf (i32.const 13)) (i32.const 2) (i32.const 48)))
  (func $jump_l (call $deep (call $buf (i32.const 14)) (i32.const 2) (i32.const 49)))

  (func $mode_k (result i32)
    (local $r i32)
    (local.set $r (call $cp (call $buf (i32.const 13))))
    (if (i32.eqz (local.get $r))
      (then (drop (call $call_dynamic (i32.const 0) (i32.const 0) (i32.const 0)
                                      (i32.const 0) (i32.const 0) (i32.const 0)))))
    (local.get $r))

  ;; interpreted (the return_call)
  (func $mode_l (param $x i32) (result i32)
    (local $r i32)
    (if (i32.eqz (local.get $x)) (then (return_call $mode_l (i32.const 1))))
    (local.set $r (call $cp (call $buf (i32.const 14))))
    (if (i32.eqz (local.get $r))
      (then (drop (call $call_dynamic (i32.const 1) (i32.const 0) (i32.const 0)
                                      (i32.const 0) (i32.const 0) (i32.const 0)))))
    (local.get $r))

  (func (export "_start")
    (local $c i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 256)))
    (local.set $c (i32.load8_u (i32.load (i32.const 20))))
    (block $x (block $l (block $k
    (block $j (block $i (block $h (block $g (block $f (block $e
    (block $d (block $cc (block $b (block $a
      (br_table $a $b $cc $d $e $f $g $h $i $j $k $l $x
        (i32.sub (local.get $c) (i32.const 97))))
      (call $exit (call $mode_a)) (return))
      (call $exit (call $mode_b (i32.const 43))) (return))
      (call $exit (call $mode_c (i32.const 0))) (return))
      (call $exit (call $mode_d)) (return))
      (call $exit (call $mode_e)) (return))
      (call $exit (call $mode_f)) (return))
      (call $set_and_return (i32.const 0) (call $buf (i32.const 8)))
      (call $deep (call $buf (i32.const 8)) (i32.const 2) (i32.const 1))
      (return))
      (call $set_and_return (i32.const 0) (call $buf (i32.const 9)))
      (drop (call $set_and_jump (i32.const 0) (call $buf (i32.const 10))
                                (call $buf (i32.const 9))))
      (return))
      (drop (call $cp (call $buf (i32.const 11))))
      (i64.store (i32.add (call $buf (i32.const 11)) (i32.const 8)) (i64.const 0x1234567890abcdef))
      (call $deep (call $buf (i32.const 11)) (i32.const 2) (i32.const 1))
      (return))
      (call $interp_set_and_return (i32.const 0))
      (call $deep (call $buf (i32.const 12)) (i32.const 2) (i32.const 1))
      (return))
      (call $exit (call $mode_k)) (return))
      (call $exit (call $mode_l (i32.const 0))) (return))
    (call $exit (i32.const 100)))
)

;; ctx_eh.wat: WASIX contexts with wasm exceptions, setjmp/longjmp
;; (stack_checkpoint/stack_restore) and a signal, no libc
;; (tests/run_dylink.sh). Each context throws and catches within itself;
;; an exception escaping an entrypoint is thrown again from the main
;; context's context_switch (as Wasmer does, and wasix-libc's context.h
;; describes); a snapshot taken in a context is restored there, also
;; after switches; a signal raised in a context runs its handler there.
;; Prints "ok ctx_eh" and exits 0; a failed check exits with its number.
(module
  (import "wasix_32v1" "context_create"
    (func $create (param i32 i32) (result i32)))
  (import "wasix_32v1" "context_switch" (func $switch (param i64) (result i32)))
  (import "wasix_32v1" "context_destroy"
    (func $destroy (param i64) (result i32)))
  (import "wasix_32v1" "stack_checkpoint"
    (func $checkpoint (param i32 i32) (result i32)))
  (import "wasix_32v1" "stack_restore" (func $restore (param i32 i64)))
  (import "wasix_32v1" "callback_signal" (func $callback (param i32 i32)))
  (import "wasi_snapshot_preview1" "proc_raise"
    (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))

  ;; Global 0, a mutable i32: what stack_checkpoint saves as the shadow
  ;; stack pointer and stack_restore puts back.
  (global $sp (mut i32) (i32.const 65536))
  (memory (export "memory") 2)
  ;; 0..31: context ids; 64: snapshot, 96: its value; 128: snapshot,
  ;; 160: its value; 200: handler name; 300: text; 320: iovec.
  (data (i32.const 200) "h")
  (data (i32.const 300) "ok ctx_eh\n")
  (tag $boom (param i32))
  (tag $other (param i64 i32))
  (table 8 funcref)
  (elem (i32.const 1) $catcher $escaper $jumper $signalled)

  (global $caught (mut i32) (i32.const 0))
  (global $landed (mut i32) (i32.const 0))
  (global $landed2 (mut i32) (i32.const 0))
  (global $sig (mut i32) (i32.const 0))
  (global $sig_after (mut i32) (i32.const 0))

  (func (export "h") (param i32) (global.set $sig (local.get 0)))

  (func $check (param i32 i32)
    (if (i32.eqz (local.get 0))
      (then (call $exit (local.get 1)) (unreachable))))

  (func $thrower (param i32) (throw $boom (local.get 0)))

  ;; Catches 1000 of its own exceptions per turn, then yields.
  (func $catcher
    (local $i i32)
    (loop $turn
      (local.set $i (i32.const 0))
      (loop $again
        (block $h (result i32)
          (try_table (catch $boom $h) (call $thrower (local.get $i)))
          (call $check (i32.const 0) (i32.const 90))
          (i32.const 0))
        (call $check (i32.eq (local.get $i)) (i32.const 91))
        (global.set $caught (i32.add (global.get $caught) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
      (drop (call $switch (i64.const 0)))
      (br $turn)))

  ;; Throws past its entrypoint.
  (func $escaper
    (throw $other (i64.const 0x1122334455667788) (i32.const 42)))

  ;; Longjmps from 'n' calls deeper, with the stack pointer changed.
  (func $deep (param $n i32) (param $snap i32) (param $v i64)
    (if (local.get $n)
      (then (call $deep (i32.sub (local.get $n) (i32.const 1))
                        (local.get $snap) (local.get $v)))
      (else (global.set $sp (i32.const 1234))
            (call $restore (local.get $snap) (local.get $v)))))

  ;; setjmp, longjmp from deeper down (the parameter keeps the
  ;; snapshot's address out of the first slot: not a wrapper).
  (func $sj_body (param i32)
    (drop (call $checkpoint (i32.const 64) (i32.const 96)))
    (if (i64.eqz (i64.load (i32.const 96)))
      (then (call $deep (i32.const 3) (i32.const 64) (i64.const 5))
            (unreachable)))
    (global.set $landed (i32.wrap_i64 (i64.load (i32.const 96)))))

  ;; setjmp, switch away and back, then longjmp.
  (func $sj_across (param i32)
    (drop (call $checkpoint (i32.const 128) (i32.const 160)))
    (if (i64.eqz (i64.load (i32.const 160)))
      (then (drop (call $switch (i64.const 0)))
            (call $deep (i32.const 2) (i32.const 128) (i64.const 9))
            (unreachable)))
    (global.set $landed2 (i32.wrap_i64 (i64.load (i32.const 160)))))

  ;; A switch by tail call: the exception comes out of the host function
  ;; that replaced this frame, and is caught in its caller.
  (func $tail_switch (param i64) (result i32)
    (return_call $switch (local.get 0)))

  (func $jumper
    (call $sj_body (i32.const 7))
    (call $sj_across (i32.const 7))
    (loop $l (drop (call $switch (i64.const 0))) (br $l)))

  ;; A signal raised in the context: the handler runs here.
  (func $signalled
    (call $check (i32.eqz (call $raise (i32.const 10))) (i32.const 92))
    (global.set $sig_after (global.get $sig))
    (loop $l (drop (call $switch (i64.const 0))) (br $l)))

  (func (export "_start")
    (call $callback (i32.const 200) (i32.const 1))
    ;; Exceptions caught within a context, over two turns.
    (call $check (i32.eqz (call $create (i32.const 0) (i32.const 1)))
      (i32.const 1))
    (call $check (i32.eqz (call $switch (i64.load (i32.const 0))))
      (i32.const 2))
    (call $check (i32.eq (global.get $caught) (i32.const 1000)) (i32.const 3))
    (call $check (i32.eqz (call $switch (i64.load (i32.const 0))))
      (i32.const 4))
    (call $check (i32.eq (global.get $caught) (i32.const 2000)) (i32.const 5))
    ;; An exception escaping an entrypoint: caught around the switch.
    (call $check (i32.eqz (call $create (i32.const 8) (i32.const 2)))
      (i32.const 6))
    (block $h (result i64 i32)
      (try_table (catch $other $h)
        (drop (call $switch (i64.load (i32.const 8)))))
      (call $check (i32.const 0) (i32.const 7))
      (unreachable))
    (call $check (i32.eq (i32.const 42)) (i32.const 8))
    (call $check (i64.eq (i64.const 0x1122334455667788)) (i32.const 9))
    ;; It ended: EINVAL, and it can be destroyed.
    (call $check (i32.eq (call $switch (i64.load (i32.const 8)))
                         (i32.const 28)) (i32.const 10))
    (call $check (i32.eqz (call $destroy (i64.load (i32.const 8))))
      (i32.const 11))
    (call $check (i32.eqz (call $create (i32.const 8) (i32.const 2)))
      (i32.const 26))
    (block $h3 (result i64 i32)
      (try_table (catch $other $h3)
        (drop (call $tail_switch (i64.load (i32.const 8)))))
      (call $check (i32.const 0) (i32.const 27))
      (unreachable))
    (call $check (i32.eq (i32.const 42)) (i32.const 28))
    (drop)
    ;; setjmp/longjmp in a context.
    (call $check (i32.eqz (call $create (i32.const 16) (i32.const 3)))
      (i32.const 12))
    (call $check (i32.eqz (call $switch (i64.load (i32.const 16))))
      (i32.const 13))
    (call $check (i32.eq (global.get $landed) (i32.const 5)) (i32.const 14))
    (call $check (i32.eq (global.get $sp) (i32.const 65536)) (i32.const 15))
    (call $check (i32.eqz (global.get $landed2)) (i32.const 16))
    (call $check (i32.eqz (call $switch (i64.load (i32.const 16))))
      (i32.const 17))
    (call $check (i32.eq (global.get $landed2) (i32.const 9)) (i32.const 18))
    (call $check (i32.eq (global.get $sp) (i32.const 65536)) (i32.const 19))
    ;; A signal in a context.
    (call $check (i32.eqz (call $create (i32.const 24) (i32.const 4)))
      (i32.const 20))
    (call $check (i32.eqz (call $switch (i64.load (i32.const 24))))
      (i32.const 21))
    (call $check (i32.eq (global.get $sig_after) (i32.const 10))
      (i32.const 22))
    ;; The first context still catches its own.
    (call $check (i32.eqz (call $switch (i64.load (i32.const 0))))
      (i32.const 23))
    (call $check (i32.eq (global.get $caught) (i32.const 3000))
      (i32.const 24))
    ;; The main context throws and catches too.
    (block $h2 (result i32)
      (try_table (catch $boom $h2) (call $thrower (i32.const 77)))
      (i32.const 0))
    (call $check (i32.eq (i32.const 77)) (i32.const 25))
    (i32.store (i32.const 320) (i32.const 300))
    (i32.store (i32.const 324) (i32.const 10))
    (drop (call $write (i32.const 1) (i32.const 320) (i32.const 1)
                       (i32.const 340)))
    (call $exit (i32.const 0))))

;; Threads and futexes at both widths (placeholders as in w64_twin.wat:
;; ptr, PS, MOD). The main thread starts one thread with thread_spawn_v2
;; (a thread_start struct of 16 PS-wide fields; the thread gets its
;; address as wasi_thread_start's 'ptr' argument), then waits on a futex
;; until the thread has stored 1 there and woken it; a second thread
;; comes from wasi "thread-spawn" (result and argument 'ptr' wide) and
;; adds 1 more. Exits 0 when the word is 2 and both tids are positive,
;; else with the failed step's code.
(module
  (import "wasi" "thread-spawn" (func $spawn (param ptr) (result ptr)))
  (import "MOD" "thread_spawn_v2" (func $spawn2 (param ptr ptr) (result i32)))
  (import "MOD" "futex_wait" (func $wait (param ptr i32 ptr ptr) (result i32)))
  (import "MOD" "futex_wake" (func $wake (param ptr ptr) (result i32)))
  (import "MOD" "thread_parallelism" (func $par (param ptr) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory ptr 1 1 shared))

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))

  ;; The word at 0x800 counts the threads that ran; each wakes the main
  ;; thread. The argument must be the address each spawn passed (0x400
  ;; for thread_spawn_v2, 0x500 for thread-spawn).
  (func (export "wasi_thread_start") (param $tid i32) (param $arg ptr)
    (if (i32.eqz (i32.or (ptr.eq (local.get $arg) (ptr.const 0x400))
                         (ptr.eq (local.get $arg) (ptr.const 0x500))))
      (then (call $exit (i32.const 50))))
    (drop (i32.atomic.rmw.add (ptr.const 0x800) (i32.const 1)))
    (drop (call $wake (ptr.const 0x800) (ptr.const 0x810))))

  ;; Waits until the word at 0x800 is 'n' (timeout: none, tag 0 at 0x820).
  (func $await (param $n i32)
    (local $v i32)
    (block $done
      (loop $again
        (local.set $v (i32.atomic.load (ptr.const 0x800)))
        (br_if $done (i32.eq (local.get $v) (local.get $n)))
        (call $check (i32.eqz (call $wait (ptr.const 0x800) (local.get $v)
                                          (ptr.const 0x820) (ptr.const 0x818)))
                     (i32.const 20))
        (br $again))))

  (func (export "_start")
    (call $check (i32.eqz (call $par (ptr.const 0x840))) (i32.const 10))
    (call $check (ptr.ge_u (ptr.load (ptr.const 0x840)) (ptr.const 1)) (i32.const 11))
    (call $check (i32.eqz (call $spawn2 (ptr.const 0x400) (ptr.const 0x830)))
                 (i32.const 12))
    (call $check (i32.gt_s (i32.load (ptr.const 0x830)) (i32.const 1)) (i32.const 13))
    (call $await (i32.const 1))
    (call $check (ptr.gt_s (call $spawn (ptr.const 0x500)) (ptr.const 1)) (i32.const 14))
    (call $await (i32.const 2))
    (call $exit (i32.const 0))))

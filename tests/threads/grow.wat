;; grow.wat: memory.grow on a shared memory while other threads run.
;; NTHREADS threads each grow the memory by one page, write their tid into
;; the first word of the page they got and count themselves done; the
;; main thread, which cached the memory's size before they grew it, then
;; reads every new page (an access that must not trap on a stale size)
;; and checks the final size. Exits 0 on success.
;; Memory: 0 done, 4 sum of tids written, 8 sum read back.
(module
  (import "env" "memory" (memory 1 100 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $old i32)
    (local.set $old (memory.grow (i32.const 1)))
    (if (i32.lt_s (local.get $old) (i32.const 0)) (then unreachable))
    (i32.store (i32.shl (local.get $old) (i32.const 16)) (local.get $tid))
    (drop (i32.atomic.rmw.add (i32.const 4) (local.get $tid)))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start")
    (local $i i32) (local $d i32) (local $sum i32)
    (loop $l
      (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 1))
        (then (call $exit (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const NTHREADS))))
    (loop $w
      (local.set $d (i32.atomic.load (i32.const 0)))
      (if (i32.lt_u (local.get $d) (i32.const NTHREADS))
        (then
          (drop (memory.atomic.wait32 (i32.const 0) (local.get $d)
                                      (i64.const -1)))
          (br $w))))
    (local.set $i (i32.const 1))
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
                               (i32.load (i32.shl (local.get $i) (i32.const 16)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (i32.const NTHREADS))))
    (if (i32.ne (local.get $sum) (i32.load (i32.const 4)))
      (then (call $exit (i32.const 1))))
    (if (i32.ne (memory.size) (i32.add (i32.const 1) (i32.const NTHREADS)))
      (then (call $exit (i32.const 2))))
    (call $exit (i32.const 0))))

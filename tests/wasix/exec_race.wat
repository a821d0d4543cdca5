;; exec_race.wat (issue 17): a second thread flips one byte of an argv string
;; while _start calls proc_exec4 in a loop. The runtime measured the
;; strings, then copied them: a string grown in between overran the host
;; buffer (free(): invalid size). Now each byte is read once, into a
;; bounded copy: every exec fails with ENOENT and the program exits 0.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "proc_exec4" (func $exec4 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 2 2 shared))
  ;; name "nope" at 16; argv[0] = 256 at 64; string at 256: "a", then 'x' * ~60000, NUL at 65000
  (data (memory 0) (i32.const 16) "nope")
  (data (memory 0) (i32.const 64) "\00\01\00\00")
  (func $racer
    (loop $l
      (i32.atomic.store8 (i32.const 257) (i32.const 0))
      (i32.atomic.store8 (i32.const 257) (i32.const 120))
      (br $l)))
  (func (export "wasi_thread_start") (param i32 i32) (call $racer))
  (func (export "_start")
    (local $i i32)
    (memory.fill (i32.const 256) (i32.const 120) (i32.const 64744))
    (i32.store8 (i32.const 65000) (i32.const 0))
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1)) (then (call $exit (i32.const 9))))
    (loop $l
      (drop (call $exec4 (i32.const 16) (i32.const 4) (i32.const 64) (i32.const 1)
                         (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (call $exit (i32.const 0))))

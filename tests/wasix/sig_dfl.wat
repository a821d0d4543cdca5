;; wasix-libc's default action for a signal with no handler, as its
;; __wasm_signal runs it: "block all signals" by naming a callback it does
;; not export, print, abort. Linux kills such a process with the signal,
;; silently: here SIGTERM (the runner expects status 143 and no output).
;; With "late" as argv[1] the callback writes to stdout first (a handler
;; of the program's, which happens to block signals later): it then runs
;; to the end and the program exits 0.
(module
  (import "wasix_32v1" "callback_signal" (func $cb (param i32 i32)))
  (import "wasi_snapshot_preview1" "proc_raise"
    (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $argsz (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "__wasm_signal")
  (data (i32.const 16) "__wasm_signal_blocked")
  (data (i32.const 64) "Program recieved termination signal\n")
  (data (i32.const 112) "handled\n")
  ;; iovecs at 200 (stderr text) and 208 (stdout text)
  (data (i32.const 200) "\40\00\00\00\24\00\00\00\70\00\00\00\08\00\00\00")
  (global $late (mut i32) (i32.const 0))
  (func (export "__wasm_signal") (param $sig i32)
    (if (global.get $late)
      (then (drop (call $write (i32.const 1) (i32.const 208) (i32.const 1)
                                (i32.const 240)))))
    (call $cb (i32.const 16) (i32.const 21))
    (if (i32.eqz (global.get $late))
      (then
        (drop (call $write (i32.const 2) (i32.const 200) (i32.const 1)
                           (i32.const 240)))
        (call $exit (i32.const 127)))))
  (func (export "_start")
    (drop (call $argsz (i32.const 300) (i32.const 304)))
    (global.set $late (i32.gt_u (i32.load (i32.const 300)) (i32.const 1)))
    (call $cb (i32.const 0) (i32.const 13))
    (drop (call $raise (i32.const 15)))
    (call $exit (i32.const 0))))

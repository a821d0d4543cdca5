;; One program, two widths: run_wasix.sh turns the placeholders into a
;; memory64 module importing "wasix_64v1" (ptr -> i64, PS -> 8, MOD ->
;; wasix_64v1) and its 32-bit twin (i32, 4, wasix_32v1), runs both and
;; checks that they print the same lines and exit 0. Pointers and sizes
;; are 'ptr' wide in the signatures and inside iovec, prestat and the
;; argv vector; result sizes (nwritten, nread, bufused, argc) are PS
;; bytes. Any failed step exits with its own code (10 + step).
;;
;; Steps: argv[1]; the preopen's name; a file written with two iovecs,
;; read back and stat'ed; fd_readdir; clocks and random; getcwd;
;; stack_checkpoint/restore; a signal handler run by proc_raise; a fork
;; whose child execs this program again (argv[1] "exec": it prints and
;; exits 7) and whose parent joins it.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_name (param i32 ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 ptr ptr i32 i64 i64 i32 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 ptr ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 ptr ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 ptr ptr i64 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 ptr) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param ptr ptr) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "MOD" "getcwd" (func $getcwd (param ptr ptr) (result i32)))
  (import "MOD" "stack_checkpoint" (func $checkpoint (param ptr ptr) (result i32)))
  (import "MOD" "stack_restore" (func $restore (param ptr i64)))
  (import "MOD" "callback_signal" (func $callback_signal (param ptr ptr)))
  (import "MOD" "proc_raise" (func $raise (param i32) (result i32)))
  (import "MOD" "proc_fork" (func $fork (param i32 ptr) (result i32)))
  (import "MOD" "proc_join" (func $join (param ptr i32 ptr) (result i32)))
  (import "MOD" "proc_exit2" (func $exit2 (param i32)))
  (import "MOD" "proc_id" (func $getpid (param ptr) (result i32)))
  (import "MOD" "proc_exec3" (func $exec3 (param ptr ptr ptr ptr ptr ptr i32 ptr ptr) (result i32)))
  (memory (export "memory") ptr 1)
  (data (ptr.const 600) "hello ")
  (data (ptr.const 608) "world\n")
  (data (ptr.const 620) "w64.txt")
  (data (ptr.const 630) "handler")
  (data (ptr.const 640) "child\n")
  (data (ptr.const 650) "joined 7\n")
  (data (ptr.const 660) "jumped 5\n")
  (data (ptr.const 670) "signal 10\n")
  (data (ptr.const 690) "\n")
  (data (ptr.const 700) "x\nexec")
  (data (ptr.const 710) "exec'd\n")

  ;; Exits with 'code' unless 'ok'.
  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))

  ;; Writes [p, p+n) to stdout through a one-entry iovec at 512.
  (func $print (param $p ptr) (param $n ptr)
    (ptr.store (ptr.const 512) (local.get $p))
    (ptr.store offset=PS (ptr.const 512) (local.get $n))
    (call $check (i32.eqz (call $fd_write (i32.const 1) (ptr.const 512)
                                          (ptr.const 1) (ptr.const 32)))
                 (i32.const 9)))

  (func $strlen (param $p ptr) (result ptr)
    (local $n ptr)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (ptr.add (local.get $p) (local.get $n)))))
        (local.set $n (ptr.add (local.get $n) (ptr.const 1)))
        (br $next)))
    (local.get $n))

  ;; Prints for SIGUSR1 only (SIGCHLD comes when the child exits).
  (func $handler (export "handler") (param $sig i32)
    (if (i32.eq (local.get $sig) (i32.const 10))
      (then (call $print (ptr.const 670) (ptr.const 10)))))

  (func (export "_start")
    (local $p ptr) (local $fd i32)
    ;; argv[1], from a PS-wide vector
    (call $check (i32.eqz (call $args_sizes_get (ptr.const 0) (ptr.const 16))) (i32.const 10))
    (call $check (ptr.eq (ptr.load (ptr.const 0)) (ptr.const 2)) (i32.const 11))
    (call $check (i32.eqz (call $args_get (ptr.const 100) (ptr.const 200))) (i32.const 12))
    (local.set $p (ptr.load offset=PS (ptr.const 100)))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 101)) ;; 'e'
      (then (call $print (ptr.const 710) (ptr.const 7))
            (call $exit (i32.const 7))))
    (call $print (local.get $p) (call $strlen (local.get $p)))
    (call $print (ptr.const 690) (ptr.const 1))
    ;; the preopen at fd 3: prestat { tag, name_len at PS }
    (call $check (i32.eqz (call $prestat_get (i32.const 3) (ptr.const 40))) (i32.const 13))
    (call $check (i32.eqz (i32.load8_u (ptr.const 40))) (i32.const 14))
    (call $check (i32.eqz (call $prestat_name (i32.const 3) (ptr.const 300)
                                              (ptr.load offset=PS (ptr.const 40))))
                 (i32.const 15))
    (call $print (ptr.const 300) (ptr.load offset=PS (ptr.const 40)))
    (call $print (ptr.const 690) (ptr.const 1))
    ;; a file: create, two iovecs out, seek, read back, stat, close
    (call $check (i32.eqz (call $path_open (i32.const 3) (i32.const 0)
                                           (ptr.const 620) (ptr.const 7)
                                           (i32.const 9) (i64.const 0x3fffffff)
                                           (i64.const 0x3fffffff) (i32.const 0)
                                           (ptr.const 24)))
                 (i32.const 16))
    (local.set $fd (i32.load (ptr.const 24)))
    (ptr.store (ptr.const 512) (ptr.const 600))
    (ptr.store offset=PS (ptr.const 512) (ptr.const 6))
    (ptr.store offset=PS2 (ptr.const 512) (ptr.const 608))
    (ptr.store offset=PS3 (ptr.const 512) (ptr.const 6))
    (call $check (i32.eqz (call $fd_write (local.get $fd) (ptr.const 512)
                                          (ptr.const 2) (ptr.const 32)))
                 (i32.const 17))
    (call $check (ptr.eq (ptr.load (ptr.const 32)) (ptr.const 12)) (i32.const 18))
    (call $check (i32.eqz (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0)
                                         (ptr.const 48)))
                 (i32.const 19))
    (ptr.store (ptr.const 512) (ptr.const 1024))
    (ptr.store offset=PS (ptr.const 512) (ptr.const 64))
    (call $check (i32.eqz (call $fd_read (local.get $fd) (ptr.const 512)
                                         (ptr.const 1) (ptr.const 32)))
                 (i32.const 20))
    (call $print (ptr.const 1024) (ptr.load (ptr.const 32)))
    (call $check (i32.eqz (call $fd_filestat_get (local.get $fd) (ptr.const 1100)))
                 (i32.const 21))
    (call $check (i64.eq (i64.load offset=32 (ptr.const 1100)) (i64.const 12))
                 (i32.const 22))
    (call $check (i32.eqz (call $fd_close (local.get $fd))) (i32.const 23))
    ;; the directory lists at least one entry
    (call $check (i32.eqz (call $fd_readdir (i32.const 3) (ptr.const 1200) (ptr.const 512)
                                            (i64.const 0) (ptr.const 32)))
                 (i32.const 24))
    (call $check (ptr.gt_u (ptr.load (ptr.const 32)) (ptr.const 24)) (i32.const 25))
    ;; clocks, randomness, getpid
    (call $check (i32.eqz (call $clock_time_get (i32.const 1) (i64.const 1) (ptr.const 56)))
                 (i32.const 26))
    (call $check (i64.ne (i64.load (ptr.const 56)) (i64.const 0)) (i32.const 27))
    (call $check (i32.eqz (call $random_get (ptr.const 1800) (ptr.const 16))) (i32.const 28))
    (call $check (i32.eqz (call $getpid (ptr.const 80))) (i32.const 29))
    ;; getcwd(buf, *len): *len is PS wide
    (ptr.store (ptr.const 72) (ptr.const 64))
    (call $check (i32.eqz (call $getcwd (ptr.const 1400) (ptr.const 72))) (i32.const 30))
    (call $print (ptr.const 1400) (ptr.load (ptr.const 72)))
    (call $print (ptr.const 690) (ptr.const 1))
    ;; setjmp/longjmp: the checkpoint returns again with *ret = 5
    (call $check (i32.eqz (call $checkpoint (ptr.const 1500) (ptr.const 1536))) (i32.const 31))
    (if (i64.eqz (i64.load (ptr.const 1536)))
      (then (call $restore (ptr.const 1500) (i64.const 5))))
    (call $check (i64.eq (i64.load (ptr.const 1536)) (i64.const 5)) (i32.const 32))
    (call $print (ptr.const 660) (ptr.const 9))
    ;; a signal handler runs inside proc_raise
    (call $callback_signal (ptr.const 630) (ptr.const 7))
    (call $check (i32.eqz (call $raise (i32.const 10))) (i32.const 33))
    ;; fork: the child prints and exits 7, the parent joins it
    (call $check (i32.eqz (call $fork (i32.const 1) (ptr.const 84))) (i32.const 34))
    (if (i32.eqz (i32.load (ptr.const 84)))
      (then (call $print (ptr.const 640) (ptr.const 6))
            (local.set $p (ptr.load (ptr.const 100)))
            (drop (call $exec3 (local.get $p) (call $strlen (local.get $p))
                               (ptr.const 700) (ptr.const 6)
                               (ptr.const 0) (ptr.const 0) (i32.const 0)
                               (ptr.const 0) (ptr.const 0)))
            (call $exit2 (i32.const 99))))
    (i32.store8 (ptr.const 88) (i32.const 1))
    (i32.store offset=4 (ptr.const 88) (i32.load (ptr.const 84)))
    (call $check (i32.eqz (call $join (ptr.const 88) (i32.const 0) (ptr.const 96)))
                 (i32.const 35))
    (call $check (i32.eq (i32.load8_u (ptr.const 96)) (i32.const 1)) (i32.const 36))
    (call $check (i32.eq (i32.load16_u offset=2 (ptr.const 96)) (i32.const 7))
                 (i32.const 37))
    (call $print (ptr.const 650) (ptr.const 9))
    (call $exit (i32.const 0))))

;; t_isolate: forks 1,000 children one after another; each exits with
;; its index mod 128, which the parent checks with proc_join. Exits 42
;; when all match, 100-103 on the first failure.
(module
  (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_join"
    (func $join (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32)
    (loop $next
      (if (call $fork (i32.const 1) (i32.const 0))
        (then (call $exit (i32.const 100))))
      (if (i32.eqz (i32.load (i32.const 0)))
        (then (call $exit (i32.and (local.get $i) (i32.const 127)))))
      ;; join any child: option_pid None at 16, join_status at 32
      (i64.store (i32.const 16) (i64.const 0))
      (if (call $join (i32.const 16) (i32.const 0) (i32.const 32))
        (then (call $exit (i32.const 101))))
      (if (i32.ne (i32.load8_u (i32.const 32)) (i32.const 1))
        (then (call $exit (i32.const 102))))
      (if (i32.ne (i32.load16_u (i32.const 34))
                  (i32.and (local.get $i) (i32.const 127)))
        (then (call $exit (i32.const 103))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
    (call $exit (i32.const 42))))

;; forkenv_eh.wat: vfork as wasix-libc's exception-handling builds make it
;; (they have no fork(): vfork is setjmp over proc_fork_env, and setjmp /
;; longjmp are a throw of the __c_longjmp tag). The caller goes on as the
;; child; the child's _exit is proc_exit2, which returns as the parent, and
;; libc then longjmps back to the vfork point by throwing the tag from a
;; few frames down. Done twice: once caught by the standard try_table
;; (clang-22's encoding) and once by a legacy try/catch (clang-19's, the
;; one today's wasix-libc EH sysroot uses). The parent then joins each
;; child and checks that it exited with its code. Exit 0 when all holds;
;; any other status names the failed check.
;; Memory: 0 pid out, 24 option_pid, 32 join status.
(module
  (import "wasix_32v1" "proc_fork_env" (func $fe (param i32) (result i32)))
  (import "wasix_32v1" "proc_exit2" (func $exit2 (param i32)))
  (import "wasix_32v1" "proc_join" (func $pjoin (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; wasix-libc's tag: the jmp_buf and the value longjmp gives setjmp
  (tag $c_longjmp (param i32 i32))

  ;; _exit in a vfork child, then longjmp(env 100, 1) from 'depth' frames
  (func $child_exit (param $code i32) (param $depth i32)
    (if (local.get $depth)
      (then
        (call $child_exit (local.get $code)
              (i32.sub (local.get $depth) (i32.const 1)))
        (return)))
    (call $exit2 (local.get $code))
    (throw $c_longjmp (i32.const 100) (i32.const 1)))

  ;; joins the pid at 0; exits 'bad' unless it exited with 'code'
  (func $join (param $code i32) (param $bad i32)
    (i32.store8 (i32.const 24) (i32.const 1))
    (i32.store (i32.const 28) (i32.load (i32.const 0)))
    (if (call $pjoin (i32.const 24) (i32.const 0) (i32.const 32))
      (then (call $exit (local.get $bad))))
    (if (i32.ne (i32.load8_u (i32.const 32)) (i32.const 1))
      (then (call $exit (i32.add (local.get $bad) (i32.const 1)))))
    (if (i32.ne (i32.load16_u (i32.const 34)) (local.get $code))
      (then (call $exit (i32.add (local.get $bad) (i32.const 2))))))

  ;; checks the longjmp's env and value
  (func $landed (param $env i32) (param $val i32) (param $bad i32)
    (if (i32.ne (local.get $env) (i32.const 100))
      (then (call $exit (local.get $bad))))
    (if (i32.ne (local.get $val) (i32.const 1))
      (then (call $exit (i32.add (local.get $bad) (i32.const 1))))))

  (func (export "_start")
    ;; 1. the standard encoding
    (block $jumped (result i32 i32)
      (try_table (catch $c_longjmp $jumped)
        (if (call $fe (i32.const 0)) (then (call $exit (i32.const 2))))
        (call $child_exit (i32.const 7) (i32.const 4)))
      ;; a child's _exit never falls through
      (call $exit (i32.const 3))
      (unreachable))
    (call $landed (i32.const 10))
    (call $join (i32.const 7) (i32.const 20))
    ;; 2. the legacy encoding
    (try
      (do
        (if (call $fe (i32.const 0)) (then (call $exit (i32.const 4))))
        (call $child_exit (i32.const 9) (i32.const 2))
        (call $exit (i32.const 5)))
      (catch $c_longjmp
        (call $landed (i32.const 30))))
    (call $join (i32.const 9) (i32.const 40))
    (call $exit (i32.const 0))))

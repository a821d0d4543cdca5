;; path_race.wat (issue 17): a second thread flips byte 4 of a chdir
;; path, "/subZ" and 3979 slashes, between 'Z' and NUL while _start calls
;; chdir on it in a loop. The runtime looked for a NUL in guest memory,
;; then copied the path: a NUL that arrived in between cut the copy to
;; "/sub", an existing directory, so chdir succeeded on a path the guest
;; never passed (the long tail widens that window). Now the bytes are
;; copied once and only the copy is checked: every call fails (EINVAL with
;; the NUL, ENOENT without) and the program exits 0; a success exits 1.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "chdir" (func $chdir (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (data (memory 0) (i32.const 16) "/subZ")
  (func $racer
    (loop $l
      (i32.atomic.store8 (i32.const 20) (i32.const 0))
      (i32.atomic.store8 (i32.const 20) (i32.const 90))
      (br $l)))
  (func (export "wasi_thread_start") (param i32 i32) (call $racer))
  (func (export "_start")
    (local $i i32)
    (memory.fill (i32.const 21) (i32.const 47) (i32.const 3979))
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 9))))
    (loop $l
      (if (i32.eqz (call $chdir (i32.const 16) (i32.const 3984)))
        (then (call $exit (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (call $exit (i32.const 0))))

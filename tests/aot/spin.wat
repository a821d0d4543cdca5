;; tests/aot/spin.wat: calls a function in a loop forever, for run_aot.sh's
;; switch-over test: the run starts interpreted (nothing cached), and when
;; the background compile ends it switches to compiled code mid-loop
;; ('-v' says so); the test then ends it.
(module
  (func $step (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "_start") (local i32)
    (loop $l
      (local.set 0 (call $step (local.get 0)))
      (br $l))))

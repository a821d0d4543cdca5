;; An exception nobody catches ends the run as a trap (exit 134,
;; "uncaught exception"), after passing through a try that does not
;; match and a return_call.
(module
  (tag $e (param i32))
  (tag $other)
  (func $thrower (param i32) (result i32) (throw $e (local.get 0)))
  (func $tail (param i32) (result i32) (return_call $thrower (local.get 0)))
  (func (export "_start")
    (try (do (drop (call $tail (i32.const 3)))) (catch $other))))

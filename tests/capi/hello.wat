;; tests/capi: a host import called from an export (t_capi.c, "hello").
(module
  (import "env" "hello" (func $hello (param i32)))
  (func (export "run") (param i32)
    (call $hello (i32.add (local.get 0) (i32.const 1)))))

;; tests/capi: a start function that traps (t_capi.c, "start").
(module
  (func $start (unreachable))
  (start $start))

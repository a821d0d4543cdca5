;; wasix_envmem.wat: a WASIX module that imports its memory, shared, as
;; wasix-libc's programs do (tests/capi/t_wasix.c): the wasm.h bridge
;; serves "env" "memory". 'pages' returns its size in pages (1).
(module
  (import "env" "memory" (memory 1 4 shared))
  (import "wasix_32v1" "proc_id" (func $proc_id (param i32) (result i32)))
  (func (export "pages") (result i32)
    (drop (call $proc_id (i32.const 0)))
    (memory.size)))

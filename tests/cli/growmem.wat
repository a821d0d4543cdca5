;; growmem.wat: grows memory 0 (1 page) by 100 pages and exits with 3 if
;; memory.grow refused (returned -1), else 0. For --max-memory.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 100)) (i32.const -1))
      (then (call $exit (i32.const 3))))))

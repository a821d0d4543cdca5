;; bigmem.wat: a memory whose minimum is 20 pages (1.25 MiB) and a table
;; of 1000 elements. For --max-memory and --max-table, which must refuse
;; it before allocating.
(module
  (memory (export "memory") 20)
  (table 1000 funcref)
  (func (export "_start")))

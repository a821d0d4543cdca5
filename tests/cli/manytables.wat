;; manytables.wat: 20 tables of 1,000,000 elements each, in 150 bytes.
;; Each is within the per-table cap, but together they would take 160 MB:
;; the table cap (--max-table, default 10,000,000) also bounds their sum,
;; checked before anything is allocated.
(module
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (table 1000000 funcref)
  (func (export "_start")))

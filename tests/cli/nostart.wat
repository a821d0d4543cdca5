;; nostart.wat: a valid module with no '_start' export: not a command.
(module
  (func (export "main") (result i32) (i32.const 0)))

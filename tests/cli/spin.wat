;; spin.wat: _start never returns: an empty loop. For --fuel and --timeout,
;; which must stop it (the fuel and interrupt checks at loop back-edges).
(module
  (func (export "_start")
    (loop $l (br $l))))

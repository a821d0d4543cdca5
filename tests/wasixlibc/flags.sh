# flags.sh: how the wasix-libc corpus compiles, links and asyncifies OUR
# programs against a user-supplied wasix-libc sysroot (WASIX_SYSROOT):
# the flags wasixcc (github.com/wasix-org/wasixcc) uses for a non-EH
# static executable, and its wasm-opt run for asyncify (the feature
# flags that binaryen 108 knows of). Sourced by tests/run_wasixlibc.sh
# and tests/wasixlibc/real/build.sh; never a recipe for wasix-libc itself.
#
# Gives WCFLAGS (compile), WLDFLAGS (link, after the inputs) and
# WOPTFLAGS (wasm-opt).

WCFLAGS="--target=wasm32-wasi --sysroot=$WASIX_SYSROOT -O2 -Wall -Wextra
 -matomics -mbulk-memory -mmutable-globals -pthread -mthread-model posix
 -ftls-model=local-exec -fno-trapping-math -fno-exceptions
 -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS"
WLDFLAGS="-Wl,--shared-memory,--import-memory,--max-memory=4294967296
 -Wl,-z,stack-size=8388608
 -Wl,--export=__heap_base,--export=__stack_pointer,--export=__data_end
 -Wl,--export=__wasm_init_tls,--export=__wasm_signal,--export=__tls_size
 -Wl,--export=__tls_align,--export=__tls_base
 -lwasi-emulated-mman -lwasi-emulated-process-clocks -lwasi-emulated-getpid"
WOPTFLAGS="--asyncify -O2 --no-validation --enable-threads
 --enable-mutable-globals --enable-bulk-memory --enable-simd
 --enable-exception-handling --enable-extended-const"

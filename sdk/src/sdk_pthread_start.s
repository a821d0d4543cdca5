# sdk_pthread_start.s: wasi_thread_start(tid, arg) of 'wasmix-cc -pthread'
# programs (sdk_pthread.c): 'arg' is the new thread's struct __pthread,
# whose first words are the WASIX thread_start (stack_upper @0, tls_base
# @4). Sets this thread's __stack_pointer and TLS block (__wasm_init_tls
# also sets __tls_base) before any C code runs, then calls
# __wasix_pthread_entry(tid, arg).
	.globaltype __stack_pointer, i32
	.functype __wasm_init_tls (i32) -> ()
	.functype __wasix_pthread_entry (i32, i32) -> ()
	.globl wasi_thread_start
	.type wasi_thread_start,@function
	.export_name wasi_thread_start, wasi_thread_start
wasi_thread_start:
	.functype wasi_thread_start (i32, i32) -> ()
	local.get 1
	i32.load 0
	global.set __stack_pointer
	local.get 1
	i32.load 4
	call __wasm_init_tls
	local.get 0
	local.get 1
	call __wasix_pthread_entry
	end_function

# dy_thr_start.s: wasi_thread_start(tid, arg) for dy_thr, which has no
# libc: arg points at {stack top, ...}; the thread's stack pointer is set
# from it before any C code runs, then dy_thread_body(tid, arg) runs.
	.globaltype	__stack_pointer, i32
	.functype	dy_thread_body (i32, i32) -> ()

	.globl	wasi_thread_start
	.export_name	wasi_thread_start, wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	0
	local.get	1
	call	dy_thread_body
	end_function

# guest_start.s: wasi_thread_start(tid, arg) for the C thread tests:
# sets this thread's __stack_pointer from the first word at 'arg' (a
# struct guest_start, guest.h) before calling guest_thread_main, which is
# C and may use the stack.
	.globaltype __stack_pointer, i32
	.functype guest_thread_main (i32, i32) -> ()
	.globl wasi_thread_start
	.type wasi_thread_start,@function
	.export_name wasi_thread_start, wasi_thread_start
wasi_thread_start:
	.functype wasi_thread_start (i32, i32) -> ()
	local.get 1
	i32.load 0
	global.set __stack_pointer
	local.get 0
	local.get 1
	call guest_thread_main
	end_function

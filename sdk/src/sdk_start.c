/*
 * sdk_start.c: runs the program's constructors and destructors exactly
 * once, around main.
 *
 * wasm-ld wraps every export of a command module (one with _start) in a
 * "command export" wrapper that calls __wasm_call_ctors before it and
 * __wasm_call_dtors after it, unless some object calls __wasm_call_ctors
 * itself. The SDK's exports are entered many times (__wasix_signal on
 * every signal, wasi_thread_start for every thread), so those wrappers
 * re-ran every constructor and, after each signal or thread, the atexit
 * handlers and the stdio flush. wasmix-cc links with
 * --wrap=__original_main, so crt1's _start calls this instead; the call
 * below is what makes wasm-ld leave the exports unwrapped.
 */
extern void __wasm_call_ctors(void);
extern void __wasm_call_dtors(void);
int __real___original_main(void);
int __wrap___original_main(void);

int __wrap___original_main(void)
{
	int r;

	__wasm_call_ctors();
	r = __real___original_main();
	/* crt1's _start calls exit(r) for r != 0, which runs them itself. */
	if (r == 0)
		__wasm_call_dtors();
	return r;
}

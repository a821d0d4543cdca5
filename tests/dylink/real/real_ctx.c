/*
 * real_ctx: wasix-libc contexts (wasix/context.h) in a dynamic program
 * built with the EH sysroot: setjmp/longjmp (wasm exceptions) inside a
 * context, a signal handled while a context runs, and a longjmp from a
 * context to a setjmp of the main context: the exception leaves the
 * context's entrypoint and is thrown again from the main context's
 * switch, where the setjmp catches it (Wasmer's behaviour). The context
 * has then ended: switching to it fails with EINVAL.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <wasix/context.h>

static wasix_context_id_t worker_id;
static jmp_buf main_buf;
static volatile int handled, jumps;

static void on_usr1(int sig)
{
	handled += sig == SIGUSR1;
}

static void worker(void)
{
	for (int i = 0; i < 1000; i++) {
		jmp_buf b;

		if (setjmp(b) == 0)
			longjmp(b, 1);
		jumps++;
	}
	raise(SIGUSR1);
	wasix_context_switch(wasix_context_main);
	longjmp(main_buf, 7);
}

int main(void)
{
	volatile int r;

	signal(SIGUSR1, on_usr1);
	if (wasix_context_create(&worker_id, worker) != 0) {
		perror("wasix_context_create");
		return 1;
	}
	r = setjmp(main_buf);
	if (r == 0) {
		wasix_context_switch(worker_id);
		printf("jumps=%d handled=%d\n", jumps, handled);
		wasix_context_switch(worker_id);
		printf("not reached\n");
		return 1;
	}
	printf("longjmp out of the context: %d\n", r);
	r = wasix_context_switch(worker_id);
	printf("switch to the ended context: %d %s\n", r,
	       errno == EINVAL ? "EINVAL" : "?");
	printf("destroy: %d\n", wasix_context_destroy(worker_id));
	return 0;
}

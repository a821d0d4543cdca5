/*
 * c_jmp.c: setjmp/longjmp and threads (guest.h: no libc, so the WASIX
 * imports are declared here). A second thread takes checkpoints of its
 * own and longjmps to them across frames ("thread-own=ok"); then it
 * longjmps to a buffer the main thread filled, which must trap: a
 * snapshot belongs to the thread that took it. Main waits; if the trap
 * does not end the process within 20 s it exits 3.
 */
#include "guest.h"

IMPORT("wasix_32v1", "stack_checkpoint")
__attribute__((returns_twice)) int32_t ckpt_raw(void *snap, uint64_t *ret);
IMPORT("wasix_32v1", "stack_restore")
_Noreturn void restore_raw(const void *snap, uint64_t val);

struct jb {
	uint64_t user;
	uint8_t hash[16];
	uint64_t ret;
};

/* setjmp: the checkpoint is taken by the frame that writes SETJMP. */
#define SETJMP(b) (ckpt_raw(&(b), &(b).ret) == 0 ? (int)(b).ret : -1)

static struct jb main_buf;
static volatile int sink;

__attribute__((noinline)) static void dive(struct jb *b, int n, int v)
{
	volatile char pad[64];

	pad[n & 63] = (char)n;
	sink += pad[n & 63];
	if (n == 0)
		restore_raw(b, (uint64_t)v);
	dive(b, n - 1, v);
	sink++;
}

static void worker(void *arg)
{
	struct jb own;
	volatile int rounds = 0;
	int r;

	(void)arg;
	r = SETJMP(own);
	if (r >= 0 && r < 3) {
		rounds = rounds + 1;
		dive(&own, 4, r + 1);
	}
	if (r == 3 && rounds == 3)
		guest_puts("thread-own=ok\n");
	else
		guest_print("thread-own-bad", (uint64_t)r);
	restore_raw(&main_buf, 1); /* not this thread's: a trap */
}

void _start(void)
{
	static int32_t never;
	int r = SETJMP(main_buf);

	if (r != 0) {
		guest_puts("main resumed by another thread\n");
		guest_exit(1);
	}
	if (guest_spawn(worker, 0) < 0)
		guest_exit(2);
	for (int i = 0; i < 20; i++)
		guest_wait(&never, 0, 1000000000);
	guest_exit(3);
}

/*
 * wx_ctors.c: constructors run once and atexit handlers once, however
 * many signals the runtime delivers through the SDK's exported callback
 * (wasm-ld's command-export wrappers used to run both around every
 * delivery; sdk/src/sdk_start.c). Prints one "ok" line from main and one
 * line from the atexit handler; the runner checks the exact output.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wx_check.h"

static int nctors;
static volatile int handled;

__attribute__((constructor)) static void count_ctor(void)
{
	nctors++;
}

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void bye(void)
{
	printf("atexit ctors=%d handled=%d\n", nctors, handled);
}

int main(void)
{
	CHECK(atexit(bye) == 0);
	CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
	for (int i = 0; i < 3; i++)
		CHECK(raise(SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(nctors == 1 && handled == 4);
	printf("ok ctors once\n");
	return 0;
}

/*
 * wt_sleep.c: sleeps argv[1] seconds in poll_oneoff (wasi-libc's sleep),
 * prints "awake", then, with a second argument, spins for ever. The
 * runner checks that --timeout ends a guest blocked in the sleep (the
 * wait is interruptible): the sleep returns early and the VM stops the
 * spin at its next check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	volatile unsigned long n = 0;

	sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
	printf("awake\n");
	fflush(stdout);
	while (argc > 2)
		n++;
	return (int)(n & 1);
}

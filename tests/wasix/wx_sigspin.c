/*
 * wx_sigspin.c: a signal handler ends a busy loop that calls nothing.
 * main arms alarm(1) and spins on a flag the SIGALRM handler sets, twice.
 * Interpreted, the loop's back-edge polls; compiled (run_aot.sh runs this
 * suite with WASMIX_AOT=1) the loop has no poll, and the delivery comes
 * through the compiled tier's asynchronous interrupt (aot_run.c): the
 * handler runs, and the loop must see its store. Prints one line per
 * round; the runner checks the exact output.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_alarm(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	volatile unsigned long spins = 0;

	signal(SIGALRM, on_alarm);
	for (int round = 1; round <= 2; round++) {
		alarm(1);
		while (got < round)
			spins++;
		printf("round %d: handled %d\n", round, (int)got);
	}
	return 0;
}

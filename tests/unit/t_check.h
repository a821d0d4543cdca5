/*
 * t_check.h: the few lines every unit test shares. CHECK counts a check
 * and prints the failing expression with its file and line; t_report
 * prints "NAME: N passed, M failed" and gives main's exit status.
 *
 * Each test is one program (one translation unit), so the counters are
 * plain statics; tests that check from several threads do so only after
 * joining them.
 */
#ifndef WASMIX_T_CHECK_H
#define WASMIX_T_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

/* Prints the closing line for test 'name'; returns main's exit status. */
static inline int t_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, passed, failed);
	return failed != 0;
}

#endif

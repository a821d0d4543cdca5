/*
 * wx_check.h: the one assertion of the WASIX guest tests. CHECK(c) prints
 * "FAIL line N: c (errno E)" and exits 1 when c is false, so the runner
 * (tests/run_wasix.sh) sees both the status and the failing line.
 */
#ifndef WX_CHECK_H
#define WX_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c,  \
			       errno);                                         \
			exit(1);                                               \
		}                                                              \
	} while (0)

#endif

// SPDX-License-Identifier: GPL-2.0
/* The DAXBENCH_TEST_STOP hook (see test_stop.h). */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "test_stop.h"

void test_stop(const char *point)
{
	static bool stopped;
	const char *want = getenv("DAXBENCH_TEST_STOP");

	if (!want || stopped || strcmp(want, point))
		return;
	stopped = true;		/* once: the moment is the first time */
	raise(SIGSTOP);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: the trace collector of a round (collector.c), and --inject
 * unflushed.
 */
#ifndef STRESS_COLLECTOR_H
#define STRESS_COLLECTOR_H

#include "scenario.h"

struct collector {
	struct dax_trace *tr;
	uint64_t keep_mask;		/* EVBIT()s of the records kept */
	struct trace_vec keep;		/* kept records, in drain order (in
					 * timestamp order after finish with
					 * the flush probe) */
	struct trace_vec tmp;
	struct dax_counts counts;	/* every record of the file */
	struct flush_pairing_stats pairing;	/* of keep, set by finish */
	bool inject_unflushed;		/* --inject unflushed */
	uint64_t injected;		/* --inject unflushed: writebacks
					 * whose flush records were dropped */
	pthread_t th;
	bool threaded;
	int stop;			/* __atomic */
	int err;			/* errno of a failed drain */
};

/* Start collecting the records of tr (a thread draining every 20 ms when
 * threaded). */
int collector_start(struct collector *co, struct dax_trace *tr,
		    uint64_t keep_mask, bool inject_unflushed, bool threaded);
/* Stop the thread, drain what is left; with the flush probes, sort keep by
 * time and pair its writebacks with their flushes (EV_FLUSH_RET and
 * EV_FLUSH_ENTRY records are then kept too; with --inject unflushed, the
 * flush records of every second writeback are dropped first, counted in
 * co->injected).  0, or -1 (a drain failed, out of memory). */
int collector_finish(struct collector *co);
void collector_free(struct collector *co);

#endif

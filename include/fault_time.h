/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-side fault service time: the interval between dax_pte_fault (or
 * dax_pmd_fault) and the matching *_fault_done of the same thread, from the
 * trace records.  Unlike a timed store, it holds only the DAX fault handler,
 * not the exception entry or the store itself.
 */
#ifndef DAXBENCH_FAULT_TIME_H
#define DAXBENCH_FAULT_TIME_H

#include <json-c/json.h>

#include "hist.h"
#include "trace.h"

#define FAULT_TIME_THREADS 64	/* threads tracked at once */

struct fault_time {
	struct hist pte, pmd;		/* ns per fault, by the entry size tried */
	uint64_t unpaired;		/* a done without its start, or overflow */
	struct { int32_t pid; uint16_t ev; uint64_t ts; } open[FAULT_TIME_THREADS];
	unsigned nopen;
};

void fault_time_init(struct fault_time *ft);
/* Feed records in timestamp order (as dax_trace_drain returns them). */
void fault_time_add_all(struct fault_time *ft, const struct trace_vec *tv);
/* {"pte": hist or null, "pmd": hist or null, "unpaired": N} */
json_object *fault_time_json(const struct fault_time *ft);

#endif

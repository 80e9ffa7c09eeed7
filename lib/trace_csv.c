// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "trace_csv.h"

void trace_csv_header(FILE *f)
{
	fputs("label,ts_ns,pid,cpu,event,dev,ino,pgoff,pglen,address,flags,result\n", f);
}

void trace_csv_write(FILE *f, const char *label, const struct trace_vec *tv)
{
	for (size_t i = 0; i < tv->n; i++) {
		const struct trace_rec *r = &tv->v[i];

		fprintf(f, "%s,%" PRIu64 ",%d,%d,%s,%u:%u,%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%#" PRIx64 ",%#x,%#x\n", label, r->ts,
			r->pid, r->cpu, dax_ev_name((enum dax_ev)r->ev),
			r->dev >> 20, r->dev & ((1u << 20) - 1), r->ino, r->pgoff,
			r->pglen, r->address, r->flags, (unsigned)r->result);
	}
}

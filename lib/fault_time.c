// SPDX-License-Identifier: GPL-2.0
/* Pairs fault start and done records per thread into service times. */
#include <string.h>

#include "fault_time.h"
#include "json_build.h"

void fault_time_init(struct fault_time *ft)
{
	memset(ft, 0, sizeof(*ft));
	hist_init(&ft->pte);
	hist_init(&ft->pmd);
}

static void fault_time_add(struct fault_time *ft, const struct trace_rec *r)
{
	uint16_t start;
	unsigned i;

	if (r->ev == EV_PTE_FAULT || r->ev == EV_PMD_FAULT) {
		for (i = 0; i < ft->nopen && ft->open[i].pid != r->pid; i++)
			;
		if (i == ft->nopen) {
			if (ft->nopen == FAULT_TIME_THREADS) {
				ft->unpaired++;
				return;
			}
			ft->nopen++;
		}
		ft->open[i].pid = r->pid;
		ft->open[i].ev = r->ev;
		ft->open[i].ts = r->ts;
		return;
	}
	if (r->ev != EV_PTE_FAULT_DONE && r->ev != EV_PMD_FAULT_DONE)
		return;
	start = r->ev == EV_PTE_FAULT_DONE ? EV_PTE_FAULT : EV_PMD_FAULT;
	for (i = 0; i < ft->nopen; i++) {
		if (ft->open[i].pid != r->pid)
			continue;
		if (ft->open[i].ev == start && r->ts >= ft->open[i].ts)
			hist_record(r->ev == EV_PTE_FAULT_DONE ? &ft->pte : &ft->pmd,
				    r->ts - ft->open[i].ts);
		else
			ft->unpaired++;
		ft->open[i] = ft->open[--ft->nopen];
		return;
	}
	ft->unpaired++;
}

void fault_time_add_all(struct fault_time *ft, const struct trace_vec *tv)
{
	for (size_t i = 0; i < tv->n; i++)
		fault_time_add(ft, &tv->v[i]);
}

json_object *fault_time_json(const struct fault_time *ft)
{
	json_object *o = json_object_new_object();
	int err = 0;

	/* null: no sample */
	err |= jadd_nullable(o, "pte", hist_to_json(&ft->pte, "ns"));
	err |= jadd_nullable(o, "pmd", hist_to_json(&ft->pmd, "ns"));
	err |= jadd_u64(o, "unpaired", ft->unpaired);
	return jdone(o, err);
}

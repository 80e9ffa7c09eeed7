// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: the pte-then-pmd sequence of --page mixed, on chunk 0
 * before each run: pages dirtied through a 4 KiB mapping, the same range
 * faulted through the 2 MiB-aligned mapping, synced by the run's first
 * method, and every page dirtied checked against the flush records with
 * the flush oracle.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dax_counts.h"
#include "daxfile.h"
#include "oracle.h"
#include "progress.h"
#include "sync_methods.h"
#include "timing.h"
#include "trace.h"
#include "workload.h"
#include "sync.h"

/* ------------------------------------------------------------------ */
/* the pte-then-pmd sequence (mixed mode)                               */

#define PROBE_STEP 16	/* every 16th page of the chunk */

/* The events traced since the last call: counted into *c, given to the
 * oracle. */
static void probe_collect(struct tracer *t, struct oracle *orc,
			  struct dax_counts *c)
{
	sync_drain(t);
	dax_counts_add_all(c, &t->tv);
	oracle_add_events(orc, t->tv.v, t->tv.n);
	t->tv.n = 0;
}

/* One store to every PROBE_STEP-th page of the chunk from page first, through
 * base (a mapping of the chunk), each given to the oracle; then the events
 * they caused, into *c.  Returns the number of stores. */
static uint64_t probe_stores(const struct params *p, struct tracer *t,
			     struct oracle *orc, char *base, uint64_t first,
			     struct dax_counts *c)
{
	uint64_t n = 0;

	for (uint64_t pg = first; pg < CHUNK / PAGE; pg += PROBE_STEP) {
		uint64_t a, b;

		wl_store_word(base, pg, 0, p->opt.seed + pg, &a, &b);
		oracle_add_store(orc, pg, a, b);
		n++;
	}
	probe_collect(t, orc, c);
	return n;
}

json_object *sync_probe_run(const struct params *p, struct fileset *fs,
			      struct tracer *t)
{
	const struct sync_ops *ops = p->methods[0];
	json_object *o = json_object_new_object();
	struct dax_counts c_pte = { 0 }, c_pmd = { 0 }, c_sync = { 0 };
	struct oracle *orc;
	struct oracle_report rep = { 0 };
	struct mapping tmp;
	struct sync_ctx ctx = { .fd = fs->f.fd, .maps = fs->smaps, .nmaps = fs->nsmaps,
				.file_size = p->size };
	struct sync_range rg = { 0, CHUNK };
	uint64_t t0, t1, n_pte, n_pmd, s0;
	char err[512];
	int32_t tid = wl_gettid();

	json_object_object_add(o, "chunk_offset", json_object_new_uint64(0));
	json_object_object_add(o, "method", json_object_new_string(ops->name));
	if (!ops->kernel_call) {
		json_object_object_add(o, "skipped", json_object_new_string(
			"the method persists in user space (MAP_SYNC): no kernel sync to check"));
		return o;
	}
	orc = oracle_new(p->size / PAGE);
	if (!orc)
		fatal("out of memory");
	sync_drain_discard(t);
	/* 1: pages dirtied through a 4 KiB mapping of the range */
	if (mapping_map(&tmp, &fs->f, 0, CHUNK, PAGE_PTE, false, err, sizeof(err)))
		fatal("%s", err);
	n_pte = probe_stores(p, t, orc, tmp.addr, 0, &c_pte);
	/* 2: the same file range faulted through the 2 MiB-aligned mapping */
	n_pmd = probe_stores(p, t, orc, fs->chunk[0], PROBE_STEP / 2, &c_pmd);
	/* 3: synced, by the run's first method (msync-range: the chunk) */
	s0 = ctx.syscalls;
	t0 = now_ns();
	if (ops->sync(&ctx, ops->uses_ranges ? &rg : NULL, ops->uses_ranges ? 1 : 0) < 0)
		fatal("pte-then-pmd: %s: %s", ops->name, strerror(errno));
	t1 = now_ns();
	probe_collect(t, orc, &c_sync);
	oracle_add_sync(orc, t0, t1, tid, ORACLE_SYNC_OTHER, 0, ops->whole_file ? 0 : CHUNK / PAGE);
	mapping_unmap(&tmp);
	if (oracle_check(orc, &rep, 8) < 0)
		fatal("flush oracle: out of memory");

	{
		json_object *s1 = json_object_new_object(), *s2 = json_object_new_object();
		json_object *s3 = json_object_new_object(), *oj;
		bool traced = t->tr != NULL;

		json_object_object_add(s1, "stores", json_object_new_uint64(n_pte));
		json_object_object_add(s1, "pages", json_object_new_string("0, 16, 32, ... of the chunk"));
		if (traced)
			json_object_object_add(s1, "counts", dax_counts_json(&c_pte, t->dax));
		json_object_object_add(s2, "stores", json_object_new_uint64(n_pmd));
		json_object_object_add(s2, "pages", json_object_new_string("8, 24, 40, ... of the chunk"));
		json_object_object_add(s2, "mapping_2m_aligned",
				       json_object_new_boolean((uintptr_t)fs->chunk[0] % CHUNK == 0));
		if (traced)
			json_object_object_add(s2, "counts", dax_counts_json(&c_pmd, t->dax));
		json_object_object_add(s3, "duration_ns", json_object_new_uint64(t1 - t0));
		json_object_object_add(s3, "syscalls", json_object_new_uint64(ctx.syscalls - s0));
		if (traced) {
			json_object_object_add(s3, "counts", dax_counts_json(&c_sync, t->dax));
			json_object_object_add(s3, "bytes_flushed",
				json_object_new_uint64(dax_counts_flushed_bytes(&c_sync, t->dax)));
		}
		json_object_object_add(o, "pte_step", s1);
		json_object_object_add(o, "pmd_step", s2);
		json_object_object_add(o, "sync", s3);
		json_object_object_add(o, "pages_dirtied", json_object_new_uint64(n_pte + n_pmd));
		if (traced && t->dax) {
			oj = oracle_report_json(&rep);
			json_object_object_add(o, "oracle", oj);
			json_object_object_add(o, "every_page_flushed", json_object_new_boolean(
				rep.violations == 0 && rep.pairs_checked == n_pte + n_pmd));
		} else {
			json_object_object_add(o, "oracle", NULL);
			json_object_object_add(o, "every_page_flushed", NULL);
		}
	}
	oracle_report_free(&rep);
	oracle_free(orc);
	return o;
}

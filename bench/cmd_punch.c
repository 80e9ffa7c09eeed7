// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench punch: what a small layout change costs a file with a large dirty
 * set, and whether the dirty set survives it.  Each of --ops operations:
 *
 *   dirty   one store to every page of the file but the holes made so far
 *           (the first pass faults every page in; the later ones fault what
 *           an fsync before write-protected and what an operation unmapped)
 *   op      fallocate(PUNCH_HOLE) (--op punch) or fallocate(ZERO_RANGE)
 *           (--op zero), KEEP_SIZE, of --hole bytes at a random page of a
 *           2 MiB region of the file no earlier operation of the run used:
 *           its latency and what the kernel wrote back during it (the
 *           dax_writeback_one events of this thread: a kernel that writes
 *           back before it drops entries does it here)
 *   fsync   after every --sync-every operations (default 1): its latency
 *           and what it wrote back
 *
 * The check, at each fsync: every page stored in the dirty passes since the
 * last fsync, outside the holes, is covered by a dax_writeback_one event
 * (any thread) after its last store and before the fsync returned; and each
 * hole reads zeros after its operation (and fsync).
 * A kernel that deletes dirty DAX entries when it breaks the layout for the
 * operation (7.2's dax_break_layout()) leaves pages that no writeback
 * covers: "unflushed_pages", and the verdict "fail".
 *
 * Faults by kind and bytes written back come from the fs_dax tracepoints of a
 * private trace instance (lib/trace*); the stores and the fsync go through
 * the workload layer (include/workload.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/falloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "dax_counts.h"
#include "daxfile.h"
#include "env.h"
#include "hist.h"
#include "opts.h"
#include "progress.h"
#include "results.h"
#include "rng.h"
#include "stats.h"
#include "timing.h"
#include "trace.h"
#include "workload.h"

#define REGION_PAGES (PMD_SIZE_BYTES / WL_PAGE)

enum op_kind { OP_PUNCH, OP_ZERO };

static const char *const op_names[] = { "punch", "zero", NULL };
static const int op_modes[] = {
	FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
};

struct params {
	uint64_t size;
	enum page_mode page;
	enum op_kind op;
	uint64_t hole;		/* bytes per operation */
	unsigned ops;		/* operations per run */
	unsigned sync_every;	/* an fsync after every sync_every operations */
	unsigned repeat;
	struct common_opts opt;
	bool dax;		/* the file under test is DAX (found, not an option) */
};

/* One operation and the fsync after it, if any (synced). */
struct op_rec {
	bool synced;
	uint64_t offset, length;	/* the hole, bytes */
	uint64_t dirtied;		/* bytes stored in the dirty pass */
	uint64_t op_ns, fsync_ns;
	uint64_t op_flushed, op_writebacks;	/* this thread, during the op */
	uint64_t fsync_flushed, fsync_writebacks; /* this thread, in the fsync */
	uint64_t other_flushed;		/* other threads, op or fsync */
	uint64_t unflushed_pages;	/* at the fsync: stored since the last
					 * one, outside the holes, not covered */
	uint64_t hole_pages_not_zero;
};

/* What a run's dirty passes, operations or fsyncs add up to. */
struct phase_acc {
	struct dax_counts counts;
	struct hist *lat;	/* store latency (dirty), call latency (op, fsync) */
	uint64_t duration_ns;
	uint64_t pages_stored;
	uint64_t calls;		/* fsyncs made (fsync) */
	uint64_t bytes_flushed;	/* this thread (op, fsync); any (dirty) */
};

enum { PH_DIRTY, PH_OP, PH_FSYNC, NPH };

struct run {
	struct phase_acc ph[NPH];
	struct op_rec *ops;
};

/* The per-page state of the check, from one fsync to the next. */
struct check {
	uint64_t *stored;	/* when the page's last store completed; 0: none */
	uint8_t *covered;	/* written back after that store */
	uint8_t *hole;		/* punched or zeroed by this run: not stored */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench punch --dir DIR [options]\n"
"  --dir DIR            directory on the file system under test (required)\n"
"  --size SIZE          file size (default 256M; a multiple of 2M)\n"
"  --page MODE          pmd | pte (default pmd)\n"
"  --op OP              punch: fallocate(PUNCH_HOLE) | zero: fallocate(ZERO_RANGE),\n"
"                       both with KEEP_SIZE (default punch)\n"
"  --hole SIZE          bytes per operation (default 4K; a multiple of 4K, at\n"
"                       most 2M)\n"
"  --ops N              operations per run, each in its own 2 MiB region, each\n"
"                       after a store to every page (default 8; at most size / 2M)\n"
"  --sync-every N       an fsync after every N operations and after the last\n"
"                       (default 1)\n"
"  --repeat N           runs, each on a fresh file (default 1)\n"
"  --seed N             seed of the hole positions and stored values (default 1)\n"
"  --output FILE        write the JSON result there (atomically)\n"
"  --trace-buffer SIZE  per-cpu trace buffer (default 16M)\n"
"  --no-trace           run without event accounting (and without the check)\n"
"  --allow-lost-events  keep results even when trace events were lost\n"
"  --quiet              no table on stdout\n");
}

static void parse(int argc, char **argv, struct params *p)
{
	static const struct opt_def defs[] = {
		OPT_DEF_DIR,
		{ { "size", required_argument, NULL, 's' }, "size", "16M" },
		{ { "page", required_argument, NULL, 'p' }, "choice", "pte" },
		{ { "op", required_argument, NULL, 'o' }, "choice", "zero" },
		{ { "hole", required_argument, NULL, 'H' }, "size", "4K" },
		{ { "ops", required_argument, NULL, 'n' }, "uint", "1" },
		{ { "sync-every", required_argument, NULL, 'y' }, "uint", "1" },
		{ { "repeat", required_argument, NULL, 'R' }, "uint", "1" },
		OPT_DEF_SEED,
		OPT_DEF_OUTPUT,
		OPT_DEF_TRACED_END,
	};
	static const char *const pages[] = { "pmd", "pte", NULL };
	static const enum page_mode page_of[] = { PAGE_PMD, PAGE_PTE };
	int c;

	*p = (struct params){ .size = 256ull << 20, .page = PAGE_PMD,
		.op = OP_PUNCH, .hole = WL_PAGE, .ops = 8, .sync_every = 1, .repeat = 1,
		.opt = TRACED_CMD_OPTS(usage) };
	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 's': p->size = opt_size("--size", optarg, PMD_SIZE_BYTES, 1ull << 50); break;
		case 'p': p->page = page_of[opt_choice("--page", optarg, pages)]; break;
		case 'o': p->op = opt_choice("--op", optarg, op_names); break;
		case 'H': p->hole = opt_size("--hole", optarg, WL_PAGE, PMD_SIZE_BYTES); break;
		case 'n': p->ops = opt_uint("--ops", optarg, 1, 100000); break;
		case 'y': p->sync_every = opt_uint("--sync-every", optarg, 1, 100000); break;
		case 'R': p->repeat = opt_uint("--repeat", optarg, 1, 100000); break;
		default:  opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	if (p->size % PMD_SIZE_BYTES)
		opt_die("--size", "%llu bytes is not a multiple of 2M",
			(unsigned long long)p->size);
	if (p->hole % WL_PAGE)
		opt_die("--hole", "%llu bytes is not a multiple of 4K",
			(unsigned long long)p->hole);
	if (p->ops > p->size / PMD_SIZE_BYTES)
		opt_die("--ops", "%u operations need %u regions of 2M, --size has %llu",
			p->ops, p->ops, (unsigned long long)(p->size / PMD_SIZE_BYTES));
	if (p->sync_every > p->ops)
		opt_die("--sync-every", "%u is more than --ops (%u)", p->sync_every, p->ops);
}

/* Bytes and entries a set of records wrote back: by thread tid (*own,
 * *own_wb) and by other threads (*other); and the check's coverage: a page
 * stored before a writeback of it is covered.  Off DAX, the pages
 * ext4_writepages wrote, whatever the thread, count as this thread's. */
static void account(const struct params *p, const struct trace_vec *tv,
		    int32_t tid, struct check *ck, uint64_t npages,
		    uint64_t *own, uint64_t *own_wb, uint64_t *other)
{
	if (!p->dax) {
		struct dax_counts c = { 0 };

		dax_counts_add_all(&c, tv);
		if (own)
			*own += dax_counts_flushed_bytes(&c, false);
		return;
	}
	for (size_t i = 0; i < tv->n; i++) {
		const struct trace_rec *r = &tv->v[i];

		if (r->ev != EV_WRITEBACK_ONE)
			continue;
		if (r->pid == tid) {
			if (own)
				*own += r->pglen * WL_PAGE;
			if (own_wb)
				(*own_wb)++;
		} else if (other) {
			*other += r->pglen * WL_PAGE;
		}
		for (uint64_t pg = r->pgoff; pg < r->pgoff + r->pglen && pg < npages; pg++)
			if (ck->stored[pg] && ck->stored[pg] < r->ts)
				ck->covered[pg] = 1;
	}
}

/* Drain the trace into tv (emptied first); NULL tracer: nothing. */
static void drain(struct dax_trace *tr, struct trace_vec *tv)
{
	tv->n = 0;
	if (tr && dax_trace_drain(tr, tv) < 0)
		fatal("reading trace events failed");
}

static void run_once(const struct params *p, struct dax_trace *tr,
		     struct trace_vec *tv, bool check, unsigned r,
		     struct run *out, json_object *root)
{
	uint64_t npages = p->size / WL_PAGE, nreg = p->size / PMD_SIZE_BYTES;
	uint64_t hole_pages = p->hole / WL_PAGE, x = p->opt.seed + r, rs[4];
	uint64_t *reg = malloc(nreg * sizeof(*reg));
	struct check ck = {
		.stored = calloc(npages, sizeof(uint64_t)),
		.covered = calloc(npages, 1),
		.hole = calloc(npages, 1),
	};
	char err[512], *zero = calloc(1, WL_PAGE);
	int32_t tid = wl_gettid();
	struct daxfile f;
	struct mapping m;

	if (!reg || !ck.stored || !ck.covered || !ck.hole || !zero)
		fatal("out of memory");
	if (daxfile_create(&f, p->opt.dir, ".daxbench-punch", p->size, err,
			   sizeof(err)))
		fatal("%s", err);
	unlink(f.path);		/* gone on every exit path, even a signal */
	if (mapping_map(&m, &f, 0, p->size, p->page, false, err, sizeof(err)))
		fatal("%s", err);
	if (r == 0) {
		json_object *fj = json_object_new_object();

		json_object_object_add(fj, "size", json_object_new_uint64(p->size));
		json_object_object_add(fj, "extents", daxfile_extents_json(&f));
		json_object_object_add(fj, "map_address_2m_aligned",
			json_object_new_boolean(((uintptr_t)m.addr % PMD_SIZE_BYTES) == 0));
		json_object_object_add(root, "file", fj);
	}
	/* The regions of the operations: the first p->ops of a shuffle. */
	xoshiro256ss_seed(rs, &x);
	for (uint64_t i = 0; i < nreg; i++)
		reg[i] = i;
	for (uint64_t i = 0; i < p->ops; i++) {
		uint64_t j = i + xoshiro256ss_next(rs) % (nreg - i), t = reg[i];

		reg[i] = reg[j];
		reg[j] = t;
	}
	for (int ph = 0; ph < NPH; ph++) {
		out->ph[ph].lat = malloc(sizeof(struct hist));
		if (!out->ph[ph].lat)
			fatal("out of memory");
		hist_init(out->ph[ph].lat);
	}
	out->ops = calloc(p->ops, sizeof(*out->ops));
	if (!out->ops)
		fatal("out of memory");
	if (tr) {
		dax_trace_filter_file(tr, f.st_dev, f.ino);
		drain(tr, tv);		/* discard the setup's events */
	}

	for (unsigned i = 0; i < p->ops; i++) {
		struct op_rec *o = &out->ops[i];
		struct phase_acc *d = &out->ph[PH_DIRTY], *op = &out->ph[PH_OP],
				 *fs = &out->ph[PH_FSYNC];
		uint64_t first = reg[i] * REGION_PAGES +
				 xoshiro256ss_next(rs) % (REGION_PAGES - hole_pages + 1);
		uint64_t t0, t1, bg = 0;

		progress("run %u/%u: %s %u/%u", r + 1, p->repeat, op_names[p->op],
			 i + 1, p->ops);
		/* dirty: every page but the holes */
		t0 = now_ns();
		for (uint64_t pg = 0; pg < npages; pg++) {
			uint64_t tb;

			if (ck.hole[pg])
				continue;
			wl_store_word(m.addr, pg, i, p->opt.seed ^ (pg << 16) ^ i,
				      &tb, &ck.stored[pg]);
			ck.covered[pg] = 0;
			hist_record(d->lat, ck.stored[pg] - tb);
			o->dirtied += WL_PAGE;
		}
		d->duration_ns += now_ns() - t0;
		d->pages_stored += o->dirtied / WL_PAGE;
		drain(tr, tv);
		dax_counts_add_all(&d->counts, tv);
		account(p, tv, tid, &ck, npages, &d->bytes_flushed, NULL,
			&d->bytes_flushed);

		/* the operation */
		o->offset = first * WL_PAGE;
		o->length = p->hole;
		t0 = now_ns();
		if (fallocate(f.fd, op_modes[p->op], (off_t)o->offset,
			      (off_t)o->length) < 0)
			fatal("fallocate(%s) at %llu, %llu bytes: %s",
			      p->op == OP_PUNCH ? "PUNCH_HOLE" : "ZERO_RANGE",
			      (unsigned long long)o->offset,
			      (unsigned long long)o->length, strerror(errno));
		t1 = now_ns();
		o->op_ns = t1 - t0;
		drain(tr, tv);
		dax_counts_add_all(&op->counts, tv);
		account(p, tv, tid, &ck, npages, &o->op_flushed, &o->op_writebacks, &bg);

		/* the hole's data is gone: nothing there to write back */
		for (uint64_t pg = first; pg < first + hole_pages; pg++)
			ck.hole[pg] = 1;

		/* the fsync, and the check: the rest written back */
		o->synced = (i + 1) % p->sync_every == 0 || i + 1 == p->ops;
		if (o->synced) {
			t0 = now_ns();
			if (wl_call(WL_FSYNC, f.fd, NULL, 0) < 0)
				fatal("fsync: %s", strerror(errno));
			t1 = now_ns();
			o->fsync_ns = t1 - t0;
			drain(tr, tv);
			dax_counts_add_all(&fs->counts, tv);
			account(p, tv, tid, &ck, npages, &o->fsync_flushed,
				&o->fsync_writebacks, &bg);
			for (uint64_t pg = 0; check && pg < npages; pg++)
				if (ck.stored[pg] && !ck.hole[pg] && !ck.covered[pg])
					o->unflushed_pages++;
			memset(ck.stored, 0, npages * sizeof(uint64_t));
			memset(ck.covered, 0, npages);
			hist_record(fs->lat, o->fsync_ns);
			fs->duration_ns += o->fsync_ns;
			fs->bytes_flushed += o->fsync_flushed;
			fs->calls++;
		}
		o->other_flushed = bg;
		for (uint64_t pg = first; pg < first + hole_pages; pg++)
			if (memcmp(m.addr + pg * WL_PAGE, zero, WL_PAGE))
				o->hole_pages_not_zero++;

		hist_record(op->lat, o->op_ns);
		op->duration_ns += o->op_ns;
		op->bytes_flushed += o->op_flushed;
	}
	/* the hole checks' read faults belong to no operation */
	drain(tr, tv);
	mapping_unmap(&m);
	daxfile_remove(&f);
	free(reg);
	free(ck.stored);
	free(ck.covered);
	free(ck.hole);
	free(zero);
}

static json_object *op_json(const struct op_rec *o, bool check)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "offset", json_object_new_uint64(o->offset));
	json_object_object_add(j, "length", json_object_new_uint64(o->length));
	json_object_object_add(j, "dirtied_bytes", json_object_new_uint64(o->dirtied));
	json_object_object_add(j, "op_ns", json_object_new_uint64(o->op_ns));
	json_object_object_add(j, "op_bytes_flushed", json_object_new_uint64(o->op_flushed));
	json_object_object_add(j, "op_writebacks", json_object_new_uint64(o->op_writebacks));
	json_object_object_add(j, "fsync_after", json_object_new_boolean(o->synced));
	json_object_object_add(j, "fsync_ns",
			       o->synced ? json_object_new_uint64(o->fsync_ns) : NULL);
	json_object_object_add(j, "fsync_bytes_flushed",
			       o->synced ? json_object_new_uint64(o->fsync_flushed) : NULL);
	json_object_object_add(j, "fsync_writebacks",
			       o->synced ? json_object_new_uint64(o->fsync_writebacks) : NULL);
	json_object_object_add(j, "other_threads_bytes_flushed",
			       json_object_new_uint64(o->other_flushed));
	json_object_object_add(j, "unflushed_pages", check && o->synced ?
			       json_object_new_uint64(o->unflushed_pages) : NULL);
	json_object_object_add(j, "hole_pages_not_zero",
			       json_object_new_uint64(o->hole_pages_not_zero));
	return j;
}

/* The counts of a phase as every command writes them ({"faults", "flush"}),
 * with one more member k1 = v1 in "flush" when k1 is not NULL. */
static void add_counts(json_object *o, const struct phase_acc *a, bool dax,
		       const char *k1, uint64_t v1)
{
	json_object *c = dax_counts_json(&a->counts, dax), *fl;

	if (k1 && json_object_object_get_ex(c, "flush", &fl))
		json_object_object_add(fl, k1, json_object_new_uint64(v1));
	json_object_object_foreach(c, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(c);
}

/* One run: [dirty, op, fsync], the phase objects daxbench compare reads
 * (histograms and *_ns as timings, faults, flush and bytes_* as counts). */
static json_object *run_json(const struct params *p, const struct run *ru,
			     bool dax, bool traced, bool check)
{
	json_object *arr = json_object_new_array(), *o, *ops;
	const struct phase_acc *a;
	uint64_t unflushed = 0, notzero = 0, dirtied = 0;

	for (unsigned i = 0; i < p->ops; i++) {
		unflushed += ru->ops[i].unflushed_pages;
		notzero += ru->ops[i].hole_pages_not_zero;
		dirtied += ru->ops[i].dirtied;
	}

	a = &ru->ph[PH_DIRTY];
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("dirty"));
	json_object_object_add(o, "duration_ns", json_object_new_uint64(a->duration_ns));
	json_object_object_add(o, "pages_stored", json_object_new_uint64(a->pages_stored));
	json_object_object_add(o, "bytes_dirtied", json_object_new_uint64(dirtied));
	json_object_object_add(o, "store_latency", hist_to_json(a->lat, "ns"));
	if (traced) {
		add_counts(o, a, dax, NULL, 0);
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(a->bytes_flushed));
	}
	json_object_array_add(arr, o);

	a = &ru->ph[PH_OP];
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(op_names[p->op]));
	json_object_object_add(o, "ops", json_object_new_uint64(p->ops));
	json_object_object_add(o, "latency", hist_to_json(a->lat, "ns"));
	if (traced) {
		add_counts(o, a, dax, NULL, 0);
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(a->bytes_flushed));
		json_object_object_add(o, "bytes_flushed_per_op",
			json_object_new_double((double)a->bytes_flushed / p->ops));
	}
	ops = json_object_new_array();
	for (unsigned i = 0; i < p->ops; i++)
		json_object_array_add(ops, op_json(&ru->ops[i], check));
	json_object_object_add(o, "per_op", ops);
	json_object_array_add(arr, o);

	a = &ru->ph[PH_FSYNC];
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("fsync"));
	json_object_object_add(o, "fsyncs", json_object_new_uint64(a->calls));
	json_object_object_add(o, "latency", hist_to_json(a->lat, "ns"));
	if (traced) {
		add_counts(o, a, dax, check ? "unflushed_pages" : NULL, unflushed);
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(a->bytes_flushed));
		json_object_object_add(o, "bytes_flushed_per_fsync",
			json_object_new_double((double)a->bytes_flushed / a->calls));
	}
	json_object_object_add(o, "hole_pages_not_zero", json_object_new_uint64(notzero));
	json_object_array_add(arr, o);
	return arr;
}

/* Median over every operation of every run of one op_rec member (of an
 * fsync member: over the operations an fsync followed). */
static double op_median(const struct params *p, const struct run *runs,
			size_t member)
{
	bool fsync_member = member == offsetof(struct op_rec, fsync_ns) ||
			    member == offsetof(struct op_rec, fsync_flushed);
	size_t n = (size_t)p->repeat * p->ops, k = 0;
	uint64_t *v = malloc(n * sizeof(*v));
	double med;

	if (!v)
		fatal("out of memory");
	for (unsigned r = 0; r < p->repeat; r++)
		for (unsigned i = 0; i < p->ops; i++)
			if (runs[r].ops[i].synced || !fsync_member)
				v[k++] = *(const uint64_t *)((const char *)&runs[r].ops[i] + member);
	med = median_u64(v, k);
	free(v);
	return med;
}

static json_object *summary_json(const struct params *p, const struct run *runs,
				 bool traced)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "note", json_object_new_string(
		"medians over every operation of every run (fsync_*: over those an fsync followed)"));
	json_object_object_add(s, "op_ns_median",
		json_object_new_double(op_median(p, runs, offsetof(struct op_rec, op_ns))));
	json_object_object_add(s, "fsync_ns_median",
		json_object_new_double(op_median(p, runs, offsetof(struct op_rec, fsync_ns))));
	if (traced) {
		json_object_object_add(s, "op_bytes_flushed_median",
			json_object_new_double(op_median(p, runs,
				offsetof(struct op_rec, op_flushed))));
		json_object_object_add(s, "fsync_bytes_flushed_median",
			json_object_new_double(op_median(p, runs,
				offsetof(struct op_rec, fsync_flushed))));
	}
	return s;
}

static void print_table(const struct params *p, const struct env_target *t,
			const struct run *runs, bool dax, bool traced,
			uint64_t unflushed, uint64_t notzero)
{
	char b[8][32];

	printf("daxbench punch: %s on %s (%s, %s, pmem %s), page=%s, %u x %s %s, fsync every %u, run 1 of %u\n",
	       fmt_bytes(b[0], sizeof(b[0]), p->size), p->opt.dir, t->fstype,
	       dax ? "dax" : "NO DAX: page-cache baseline", pmem_kind_name(t->kind),
	       page_mode_names[p->page], p->ops, fmt_bytes(b[1], sizeof(b[1]), p->hole),
	       op_names[p->op], p->sync_every, p->repeat);
	if (!traced)
		printf("(no trace events: flush counts and the check unavailable)\n");
	printf("%4s %10s %9s %9s %9s %9s %9s %9s %10s\n", "op", "offset", "dirtied",
	       op_names[p->op], "flushed", "fsync", "flushed", "unflushed", "hole-not-0");
	for (unsigned i = 0; i < p->ops; i++) {
		const struct op_rec *o = &runs[0].ops[i];

		snprintf(b[6], sizeof(b[6]), "%llu", (unsigned long long)o->unflushed_pages);
		printf("%4u %10s %9s %9s %9s %9s %9s %9s %10llu\n", i + 1,
		       fmt_bytes(b[0], sizeof(b[0]), o->offset),
		       fmt_bytes(b[1], sizeof(b[1]), o->dirtied),
		       fmt_ns(b[2], sizeof(b[2]), (double)o->op_ns),
		       traced ? fmt_bytes(b[3], sizeof(b[3]), o->op_flushed) : "-",
		       o->synced ? fmt_ns(b[4], sizeof(b[4]), (double)o->fsync_ns) : "-",
		       traced && o->synced ? fmt_bytes(b[5], sizeof(b[5]), o->fsync_flushed) : "-",
		       o->synced ? b[6] : "-",
		       (unsigned long long)o->hole_pages_not_zero);
	}
	printf("median of %u ops x %u runs: %s %s, flushed %s; next fsync %s, flushed %s; "
	       "unflushed pages %llu, hole pages not zero %llu\n", p->ops, p->repeat,
	       op_names[p->op],
	       fmt_ns(b[0], sizeof(b[0]), op_median(p, runs, offsetof(struct op_rec, op_ns))),
	       traced ? fmt_bytes(b[1], sizeof(b[1]),
			(uint64_t)op_median(p, runs, offsetof(struct op_rec, op_flushed))) : "-",
	       fmt_ns(b[2], sizeof(b[2]), op_median(p, runs, offsetof(struct op_rec, fsync_ns))),
	       traced ? fmt_bytes(b[3], sizeof(b[3]),
			(uint64_t)op_median(p, runs, offsetof(struct op_rec, fsync_flushed))) : "-",
	       (unsigned long long)unflushed, (unsigned long long)notzero);
}

int cmd_punch(int argc, char **argv)
{
	struct params p;
	struct dax_trace *tr = NULL;
	struct trace_vec tv = { 0 };
	struct env_target tgt;
	struct daxfile probe;
	struct run *runs;
	json_object *root, *rj, *pj, *cj;
	char err[512], why[256] = "";
	uint64_t lost = 0, unflushed = 0, notzero = 0;
	bool dax, traced, checked;
	int rc = 0;

	parse(argc, argv, &p);
	runs = calloc(p.repeat, sizeof(*runs));
	if (!runs)
		fatal("out of memory");
	root = results_new("punch", argc, argv);

	/* The environment, seen through a file of the size under test. */
	progress("creating %s file...", fmt_bytes(err, sizeof(err), p.size));
	if (daxfile_create(&probe, p.opt.dir, ".daxbench-punch", p.size, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return 1;
	}
	unlink(probe.path);
	env_target(p.opt.dir, probe.fd, &tgt);
	dax = p.dax = tgt.dax == 1;
	json_object_object_add(root, "env", env_capture(p.opt.dir, probe.fd));
	json_object_object_add(root, "dax", json_object_new_boolean(dax));
	daxfile_remove(&probe);
	if (!dax)
		fprintf(stderr, "%s: %s is not DAX (%s): running as a page-cache baseline\n",
			opt_progname(), p.opt.dir, tgt.fstype);

	if (!p.opt.no_trace) {
		struct dax_trace_opts to = { .prefix = "daxbench",
			.buffer_kb = (unsigned)p.opt.trace_kb, .pagecache = !dax };

		tr = dax_trace_open(&to, why, sizeof(why));
		if (!tr)
			fprintf(stderr, "%s: no event accounting: %s\n",
				opt_progname(), why);
	} else {
		snprintf(why, sizeof(why), "--no-trace");
	}
	traced = tr != NULL;
	checked = traced && dax;

	for (unsigned r = 0; r < p.repeat; r++)
		run_once(&p, tr, &tv, checked, r, &runs[r], root);
	progress_done();

	json_object_object_add(root, "trace", results_trace(tr, traced, why, dax, &lost));
	dax_trace_close(tr);
	trace_vec_free(&tv);

	pj = json_object_new_object();
	json_object_object_add(pj, "dir", json_object_new_string(p.opt.dir));
	json_object_object_add(pj, "size", json_object_new_uint64(p.size));
	json_object_object_add(pj, "page", json_object_new_string(page_mode_names[p.page]));
	json_object_object_add(pj, "op", json_object_new_string(op_names[p.op]));
	json_object_object_add(pj, "fallocate_mode", json_object_new_int(op_modes[p.op]));
	json_object_object_add(pj, "hole", json_object_new_uint64(p.hole));
	json_object_object_add(pj, "ops", json_object_new_int(p.ops));
	json_object_object_add(pj, "sync_every", json_object_new_int(p.sync_every));
	json_object_object_add(pj, "repeat", json_object_new_int(p.repeat));
	json_object_object_add(pj, "seed", json_object_new_uint64(p.opt.seed));
	json_object_object_add(pj, "trace_buffer_kb", json_object_new_uint64(p.opt.trace_kb));
	json_object_object_add(root, "params", pj);

	rj = json_object_new_array();
	for (unsigned r = 0; r < p.repeat; r++) {
		json_object_array_add(rj, run_json(&p, &runs[r], dax, traced, checked));
		for (unsigned i = 0; i < p.ops; i++) {
			unflushed += runs[r].ops[i].unflushed_pages;
			notzero += runs[r].ops[i].hole_pages_not_zero;
		}
	}
	json_object_object_add(root, "runs", rj);
	json_object_object_add(root, "summary", summary_json(&p, runs, traced));

	cj = json_object_new_object();
	json_object_object_add(cj, "rule", json_object_new_string(
		"every page stored since the last fsync, outside the holes, is covered by a "
		"dax_writeback_one after its last store and before the next fsync returned; "
		"the holes read zeros"));
	json_object_object_add(cj, "checked", json_object_new_boolean(checked));
	if (!checked)
		json_object_object_add(cj, "why", json_object_new_string(
			!dax ? "not DAX: no dax_writeback_one events" : why));
	json_object_object_add(cj, "unflushed_pages",
			       checked ? json_object_new_uint64(unflushed) : NULL);
	json_object_object_add(cj, "hole_pages_not_zero", json_object_new_uint64(notzero));
	json_object_object_add(root, "check", cj);
	/* compare alerts on any verdict but "pass" */
	if (checked || notzero)
		json_object_object_add(root, "verdict", json_object_new_string(
			(checked && unflushed) || notzero ? "fail" : "pass"));

	if (results_lost_refused(lost, p.opt.allow_lost, "counts are incomplete")) {
		rc = 1;
	} else {
		if (!p.opt.quiet)
			print_table(&p, &tgt, runs, dax, traced, unflushed, notzero);
		if (results_save(&p.opt.out, root))
			rc = 1;
	}
	for (unsigned r = 0; r < p.repeat; r++) {
		for (int ph = 0; ph < NPH; ph++)
			free(runs[r].ph[ph].lat);
		free(runs[r].ops);
	}
	free(runs);
	json_object_put(root);
	return rc;
}

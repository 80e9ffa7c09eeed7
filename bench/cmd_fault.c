// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench fault: the cost and the flush volume of DAX dirty-page tracking
 * for one file, phase by phase:
 *
 *   write          first store to every page (each store's latency, which
 *                  includes the write fault)
 *   fsync          flushes everything the write pass dirtied
 *   rewrite        one store to a fraction of the pages (--rewrite 1/16):
 *                  a correct kernel write-protected them in the fsync, so
 *                  they fault again
 *   fsync-rewrite  flushes what the rewrite dirtied: with PMD entries a
 *                  4 KiB store dirties 2 MiB (the flush amplification)
 *   fsync-idle     no stores since the last fsync: must flush 0 bytes
 *
 * The run ends with a verdict on the invariants of flush_checks.h (the
 * table's last lines, "verdict" in the JSON, exit status 1 when one
 * failed): every fsync after stores flushes at least the bytes stored
 * since the previous one, the idle fsync flushes 0, every writeback lies
 * inside the file, every page stored is written back by a later phase.
 *
 * Faults by kind and bytes flushed come from the fs_dax tracepoints of a
 * private trace instance; latencies from the store loop itself.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "dax_counts.h"
#include "daxfile.h"
#include "env.h"
#include "fault_time.h"
#include "flush_checks.h"
#include "workload.h"
#include "hist.h"
#include "opts.h"
#include "progress.h"
#include "results.h"
#include "stats.h"
#include "test_stop.h"
#include "timing.h"
#include "trace.h"
#include "trace_csv.h"
#include "verdict.h"

#define PAGE 4096ull

/* --inject: negative controls of the verdict, each a change to the trace
 * records of one phase (before anything counts them) that one invariant
 * must see. */
enum inject { INJ_NONE, INJ_SHORT_SYNC, INJ_IDLE_FLUSH, INJ_OUTSIDE, INJ_LOST_PAGE };

struct params {
	uint64_t size;
	enum page_mode page;
	bool map_sync;
	unsigned threads;
	uint64_t rw_num, rw_den;
	const char *rw_text;
	unsigned repeat;
	enum inject inject;
	const char *events;	/* CSV of every trace record */
	struct out_target ev_out;	/* what --events names */
	struct common_opts opt;	/* --dir, --seed, --output, --trace-buffer, ... */
};

enum phase_kind { PH_STORE_ALL, PH_STORE_REWRITE, PH_SYNC };

static const char *const inject_names[] = {
	"none", "short-sync", "idle-flush", "outside", "lost-page", NULL,
};

static const struct phase_def {
	const char *name;
	enum phase_kind kind;
} phases[] = {
	{ "write", PH_STORE_ALL },
	{ "fsync", PH_SYNC },
	{ "rewrite", PH_STORE_REWRITE },
	{ "fsync-rewrite", PH_SYNC },
	{ "fsync-idle", PH_SYNC },
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

struct phase_result {
	uint64_t duration_ns;
	uint64_t pages_stored;
	uint64_t bytes_dirtied;	/* stored (store phases) or since last sync */
	uint64_t sync_ns;
	struct hist *lat;	/* store latency; NULL for sync phases */
	struct fault_time *ft;	/* kernel-side fault service time */
	struct dax_counts counts;
};

struct worker {
	pthread_t th;
	pthread_barrier_t *start;
	char *base;
	uint64_t first, npages;	/* page range of this thread */
	enum phase_kind kind;
	const struct params *p;
	struct hist hist;
	uint64_t stored;
};

/* Page i is rewritten when the fraction num/den steps over an integer
 * there: exactly num pages in every den, evenly spread (1/16: i % 16 == 0). */
static inline bool rewrite_selected(uint64_t i, uint64_t num, uint64_t den)
{
	return (i * num) % den < num;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct params *p = w->p;

	pthread_barrier_wait(w->start);
	for (uint64_t i = w->first; i < w->first + w->npages; i++) {
		uint64_t t0, t1;

		if (w->kind == PH_STORE_REWRITE &&
		    !rewrite_selected(i, p->rw_num, p->rw_den))
			continue;
		wl_store_word(w->base, i, 0, p->opt.seed ^ i, &t0, &t1);
		hist_record(&w->hist, t1 - t0);
		w->stored++;
	}
	return NULL;
}

static int run_store_phase(const struct params *p, char *base,
			   enum phase_kind kind, struct phase_result *res)
{
	uint64_t pages = p->size / PAGE, per = pages / p->threads;
	struct worker *w = calloc(p->threads, sizeof(*w));
	pthread_barrier_t start;
	uint64_t t0;
	unsigned n;

	if (!w)
		return -1;
	pthread_barrier_init(&start, NULL, p->threads + 1);
	for (n = 0; n < p->threads; n++) {
		w[n] = (struct worker){ .start = &start, .base = base,
			.first = n * per, .npages = per, .kind = kind, .p = p };
		hist_init(&w[n].hist);
		wl_spawn(&w[n].th, worker_main, &w[n]);
	}
	t0 = now_ns();
	pthread_barrier_wait(&start);
	res->lat = malloc(sizeof(*res->lat));
	hist_init(res->lat);
	for (n = 0; n < p->threads; n++) {
		pthread_join(w[n].th, NULL);
		hist_merge(res->lat, &w[n].hist);
		res->pages_stored += w[n].stored;
	}
	res->duration_ns = now_ns() - t0;
	res->bytes_dirtied = res->pages_stored * PAGE;
	pthread_barrier_destroy(&start);
	free(w);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench fault --dir DIR [options]\n"
"  --dir DIR            directory on the file system under test (required)\n"
"  --size SIZE          file size (default 64M; a multiple of 2M, or of 4K\n"
"                       with --page pte, times --threads)\n"
"  --page MODE          pmd | pte | auto | misaligned (default pmd)\n"
"  --map-sync           map with MAP_SYNC (DAX only)\n"
"  --threads N          storing threads, each on its own range (default 1)\n"
"  --rewrite FRACTION   pages stored again after the first fsync (default 1/16)\n"
"  --repeat N           repeat the whole sequence on a fresh file (default 1)\n"
"  --seed N             seed of the stored values (default 1)\n"
"  --output FILE        write the JSON result there (atomically), or to stdout\n"
"                       with - (instead of the table)\n"
"  --events FILE        write every trace record there as CSV (atomically), or\n"
"                       to stdout with - (instead of the table)\n"
"  --trace-buffer SIZE  per-cpu trace buffer (default 16M)\n"
"  --no-trace           run without event accounting\n"
"  --inject CONTROL     a negative control of the verdict, changing the trace\n"
"                       records the run sees: short-sync (the first fsync loses\n"
"                       every other writeback; page cache: half its pages),\n"
"                       idle-flush (the idle fsync writes back a page),\n"
"                       outside (a writeback past the end of the file, DAX),\n"
"                       lost-page (the rewrite's first writeback moved to the\n"
"                       next entry, DAX); the run must exit 1\n"
"  --allow-lost-events  keep results even when trace events were lost\n"
"  --quiet              no table on stdout\n"
OUT_TARGET_HELP
"- or /dev/stdout writes to stdout, in place of the table.\n");
}

static void parse(int argc, char **argv, struct params *p)
{
	static const struct opt_def defs[] = {
		OPT_DEF_DIR,
		{ { "size", required_argument, NULL, 's' }, "size", "4M" },
		{ { "page", required_argument, NULL, 'p' }, "choice", "pte" },
		{ { "map-sync", no_argument, NULL, 'S' }, "flag", NULL },
		{ { "threads", required_argument, NULL, 't' }, "uint", "1" },
		{ { "rewrite", required_argument, NULL, 'r' }, "fraction", "1/16" },
		{ { "repeat", required_argument, NULL, 'R' }, "uint", "1" },
		OPT_DEF_SEED,
		OPT_DEF_OUTPUT,
		{ { "events", required_argument, NULL, 'E' }, "file-out", NULL },
		{ { "inject", required_argument, NULL, 'I' }, "choice", "short-sync" },
		OPT_DEF_TRACED_END,
	};
	uint64_t granule;
	int c;

	*p = (struct params){ .size = 64ull << 20, .page = PAGE_PMD,
		.threads = 1, .rw_num = 1, .rw_den = 16, .rw_text = "1/16",
		.repeat = 1, .opt = TRACED_CMD_OPTS(usage) };
	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 's': p->size = opt_size("--size", optarg, 1, 1ull << 50); break;
		case 'p': p->page = opt_choice("--page", optarg, page_mode_names); break;
		case 'S': p->map_sync = true; break;
		case 't': p->threads = opt_uint("--threads", optarg, 1, 1024); break;
		case 'r':
			opt_fraction("--rewrite", optarg, &p->rw_num, &p->rw_den);
			p->rw_text = optarg;
			break;
		case 'R': p->repeat = opt_uint("--repeat", optarg, 1, 100000); break;
		case 'E': p->events = optarg; break;
		case 'I': p->inject = opt_choice("--inject", optarg, inject_names); break;
		default:  opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	granule = p->page == PAGE_PTE ? PAGE : PMD_SIZE_BYTES;
	if (p->size % (granule * p->threads)) {
		char b[32];

		opt_die("--size", "%llu bytes is not a multiple of %s per thread x %u thread(s)",
			(unsigned long long)p->size, fmt_bytes(b, sizeof(b), granule),
			p->threads);
	}
	if (p->inject && p->opt.no_trace)
		opt_die("--inject", "changes trace records, but --no-trace was given");
	if (p->events && p->opt.no_trace)
		opt_die("--events", "needs tracing, but --no-trace was given");
	if (p->events) {
		out_target_check(&p->ev_out, "--events", p->events, NULL);
		if (out_target_same(&p->ev_out, &p->opt.out))
			opt_die("--events", "'%s' is where --output writes too", p->events);
		if (p->ev_out.to_stdout)
			p->opt.quiet = true;	/* the CSV takes the table's place */
	}
	test_stop("start");
}

static json_object *phase_json(const struct phase_def *d,
			       const struct phase_result *r, bool dax,
			       bool traced)
{
	json_object *o = json_object_new_object();
	uint64_t flushed = dax_counts_flushed_bytes(&r->counts, dax);

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "duration_ns", json_object_new_uint64(r->duration_ns));
	json_object_object_add(o, "pages_stored", json_object_new_uint64(r->pages_stored));
	json_object_object_add(o, "bytes_dirtied", json_object_new_uint64(r->bytes_dirtied));
	if (d->kind == PH_SYNC)
		json_object_object_add(o, "sync_ns", json_object_new_uint64(r->sync_ns));
	else
		json_object_object_add(o, "store_latency", hist_to_json(r->lat, "ns"));
	if (traced) {
		json_object *c = dax_counts_json(&r->counts, dax);

		json_object_object_foreach(c, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(c);
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(flushed));
		if (d->kind != PH_SYNC && dax && r->ft)
			json_object_object_add(o, "fault_ns", fault_time_json(r->ft));
		if (d->kind == PH_SYNC)
			json_object_object_add(o, "flush_amplification",
				r->bytes_dirtied ? json_object_new_double(
					(double)flushed / (double)r->bytes_dirtied) : NULL);
	}
	return o;
}

/* Median kernel-side service time over all DAX faults of a phase. */
static uint64_t fault_p50(const struct fault_time *ft)
{
	struct hist all;

	if (!ft)
		return 0;
	hist_init(&all);
	hist_merge(&all, &ft->pte);
	hist_merge(&all, &ft->pmd);
	return hist_quantile(&all, 0.5);
}

/* The per-phase summary over repeats: exact counts (from the first repeat,
 * with a flag when repeats disagree) and medians of the timings. */
static json_object *summary_json(const struct params *p,
				 struct phase_result (*res)[NPHASES], bool dax,
				 bool traced)
{
	json_object *arr = json_object_new_array();
	uint64_t *v = calloc(p->repeat, sizeof(*v));

	for (size_t ph = 0; ph < NPHASES; ph++) {
		json_object *o = phase_json(&phases[ph], &res[0][ph], dax, traced);
		bool same = true;

		/* Timings of one repeat do not summarise repeats: replace them. */
		json_object_object_del(o, "store_latency");
		json_object_object_del(o, "duration_ns");
		json_object_object_del(o, "sync_ns");
		json_object_object_del(o, "fault_ns");
		for (unsigned r = 1; r < p->repeat; r++)
			if (memcmp(&res[r][ph].counts, &res[0][ph].counts,
				   sizeof(res[0][ph].counts)) ||
			    res[r][ph].pages_stored != res[0][ph].pages_stored)
				same = false;
		json_object_object_add(o, "counts_equal_across_repeats",
				       json_object_new_boolean(same));
		if (phases[ph].kind == PH_SYNC) {
			for (unsigned r = 0; r < p->repeat; r++)
				v[r] = res[r][ph].sync_ns;
			json_object_object_add(o, "sync_ns_median",
				json_object_new_double(median_u64(v, p->repeat)));
			json_object_object_add(o, "sync_ns_min", json_object_new_uint64(v[0]));
			json_object_object_add(o, "sync_ns_max",
					       json_object_new_uint64(v[p->repeat - 1]));
		} else {
			for (unsigned r = 0; r < p->repeat; r++)
				v[r] = hist_quantile(res[r][ph].lat, 0.5);
			json_object_object_add(o, "store_p50_ns_median",
				json_object_new_double(median_u64(v, p->repeat)));
			for (unsigned r = 0; r < p->repeat; r++)
				v[r] = hist_quantile(res[r][ph].lat, 0.99);
			json_object_object_add(o, "store_p99_ns_median",
				json_object_new_double(median_u64(v, p->repeat)));
			if (traced && dax) {
				for (unsigned r = 0; r < p->repeat; r++)
					v[r] = fault_p50(res[r][ph].ft);
				json_object_object_add(o, "fault_p50_ns_median",
					json_object_new_double(median_u64(v, p->repeat)));
			}
		}
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

static void print_table(const struct params *p, const struct env_target *t,
			struct phase_result (*res)[NPHASES], bool dax,
			bool traced)
{
	char b1[32], b2[32], b4[32], b5[32];
	uint64_t *v = calloc(p->repeat, sizeof(*v));

	printf("daxbench fault: %s on %s (%s, %s, pmem %s), page=%s%s, threads=%u, rewrite=%s, %s of %u\n",
	       fmt_bytes(b1, sizeof(b1), p->size), p->opt.dir, t->fstype,
	       dax ? "dax" : "NO DAX: page-cache baseline", pmem_kind_name(t->kind),
	       page_mode_names[p->page], p->map_sync ? "+MAP_SYNC" : "",
	       p->threads, p->rw_text, p->repeat > 1 ? "median" : "run",
	       p->repeat);
	if (!traced)
		printf("(no trace events: fault and flush counts unavailable)\n");
	printf("%-14s %6s %6s %4s %8s %7s %8s %8s %7s %9s %9s %9s %9s\n", "phase",
	       "stores", "pte", "pmd", "fallback", "mkwrite", "dirtied",
	       "flushed", "amp", "store-p50", "store-p99", "fault-p50", "sync");
	for (size_t ph = 0; ph < NPHASES; ph++) {
		const struct phase_result *r = &res[0][ph];
		const struct dax_counts *c = &r->counts;
		uint64_t fl = dax_counts_flushed_bytes(c, dax);
		char amp[32] = "-", b6[32] = "-", b7[32] = "-";

		if (phases[ph].kind == PH_SYNC && r->bytes_dirtied && traced)
			snprintf(amp, sizeof(amp), "%.2fx", (double)fl / (double)r->bytes_dirtied);
		snprintf(b4, sizeof(b4), "-");
		snprintf(b5, sizeof(b5), "-");
		if (phases[ph].kind == PH_SYNC) {
			for (unsigned i = 0; i < p->repeat; i++)
				v[i] = res[i][ph].sync_ns;
			fmt_ns(b7, sizeof(b7), median_u64(v, p->repeat));
		} else {
			for (unsigned i = 0; i < p->repeat; i++)
				v[i] = hist_quantile(res[i][ph].lat, 0.5);
			fmt_ns(b4, sizeof(b4), median_u64(v, p->repeat));
			for (unsigned i = 0; i < p->repeat; i++)
				v[i] = hist_quantile(res[i][ph].lat, 0.99);
			fmt_ns(b5, sizeof(b5), median_u64(v, p->repeat));
			if (traced && dax && (c->pte_nopage || c->pmd_nopage ||
					      c->pmd_needdsync || c->pmd_fallback)) {
				for (unsigned i = 0; i < p->repeat; i++)
					v[i] = fault_p50(res[i][ph].ft);
				fmt_ns(b6, sizeof(b6), median_u64(v, p->repeat));
			}
		}
		if (traced && dax)
			printf("%-14s %6llu %6llu %4llu %8llu %7llu %8s %8s %7s %9s %9s %9s %9s\n",
			       phases[ph].name, (unsigned long long)r->pages_stored,
			       (unsigned long long)c->pte_nopage,
			       (unsigned long long)(c->pmd_nopage + c->pmd_needdsync),
			       (unsigned long long)c->pmd_fallback,
			       (unsigned long long)c->pfn_mkwrite,
			       fmt_bytes(b1, sizeof(b1), r->bytes_dirtied),
			       fmt_bytes(b2, sizeof(b2), fl), amp, b4, b5, b6, b7);
		else	/* page cache: no DAX faults; flush volume if traced */
			printf("%-14s %6llu %6s %4s %8s %7s %8s %8s %7s %9s %9s %9s %9s\n",
			       phases[ph].name, (unsigned long long)r->pages_stored,
			       "-", "-", "-", "-",
			       fmt_bytes(b1, sizeof(b1), r->bytes_dirtied),
			       traced ? fmt_bytes(b2, sizeof(b2), fl) : "-", amp,
			       b4, b5, b6, b7);
	}
	free(v);
}

/* One run of the command: the file under test (one per repeat), the
 * trace, the results by repeat and phase. */
struct fault_run {
	struct params p;
	struct phase_result (*res)[NPHASES];
	struct dax_trace *tr;
	struct trace_vec tv;
	struct env_target tgt;
	struct daxfile f;
	FILE *evf;		/* --events, when traced */
	char why[256];		/* why there is no trace */
	bool dax, traced;
	struct verdict verdict;	/* over every repeat */
	struct flush_checks fc;	/* the repeat's */
};

/* The first file, and what it says of the target (root: env, dax). */
static int first_file(struct fault_run *fr, json_object *root)
{
	const struct params *p = &fr->p;
	char err[512];

	progress("creating %s file...", fmt_bytes(err, sizeof(err), p->size));
	if (daxfile_create(&fr->f, p->opt.dir, ".daxbench-fault", p->size, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return -1;
	}
	unlink(fr->f.path);	/* gone on every exit path, even a signal */
	env_target(p->opt.dir, fr->f.fd, &fr->tgt);
	fr->dax = fr->tgt.dax == 1;
	json_object_object_add(root, "env", env_capture(p->opt.dir, fr->f.fd));
	json_object_object_add(root, "dax", json_object_new_boolean(fr->dax));
	return 0;
}

/* The private trace (unless --no-trace; without it the run goes on), and
 * the --events file begun. */
static int open_trace(struct fault_run *fr)
{
	struct params *p = &fr->p;

	if (!p->opt.no_trace) {
		struct dax_trace_opts to = { .prefix = "daxbench",
			.buffer_kb = (unsigned)p->opt.trace_kb, .pagecache = !fr->dax };

		fr->tr = dax_trace_open(&to, fr->why, sizeof(fr->why));
		if (!fr->tr)
			fprintf(stderr, "%s: no event accounting: %s\n",
				opt_progname(), fr->why);
	} else {
		snprintf(fr->why, sizeof(fr->why), "--no-trace");
	}
	fr->traced = fr->tr != NULL;
	if (p->events && fr->traced) {
		fr->evf = out_begin(&p->ev_out);
		if (!fr->evf) {
			out_target_report(&p->ev_out);
			return -1;
		}
		trace_csv_header(fr->evf);
	}
	return 0;
}

/* --inject: the phase's records changed as the control says. */
static void inject_records(const struct params *p, size_t ph, struct trace_vec *tv)
{
	const char *name = phases[ph].name;
	struct trace_rec x = { 0 };
	size_t k = 0, nth = 0;

	switch (p->inject) {
	case INJ_SHORT_SYNC:
		if (strcmp(name, "fsync"))
			return;
		for (size_t i = 0; i < tv->n; i++) {
			struct trace_rec *r = &tv->v[i];

			if (r->ev == EV_EXT4_WRITEPAGES_RESULT)
				r->pglen /= 2;
			if (r->ev == EV_WRITEBACK_ONE && nth++ % 2)
				continue;
			tv->v[k++] = *r;
		}
		tv->n = k;
		return;
	case INJ_IDLE_FLUSH:
	case INJ_OUTSIDE:
		if (strcmp(name, p->inject == INJ_IDLE_FLUSH ? "fsync-idle" : "fsync"))
			return;
		x.ts = now_ns();
		x.ev = EV_WRITEBACK_ONE;
		x.pglen = 1;
		x.pgoff = p->inject == INJ_OUTSIDE ? p->size / PAGE : 0;
		trace_vec_push(tv, &x);
		if (p->inject == INJ_IDLE_FLUSH) {	/* the page cache's */
			x.ev = EV_EXT4_WRITEPAGES_RESULT;
			trace_vec_push(tv, &x);
		}
		return;
	case INJ_LOST_PAGE:
		if (strcmp(name, "fsync-rewrite"))
			return;
		for (size_t i = 0; i < tv->n; i++)
			if (tv->v[i].ev == EV_WRITEBACK_ONE) {
				struct trace_rec *r = &tv->v[i];

				r->pgoff = (r->pgoff + r->pglen) % (p->size / PAGE);
				return;
			}
		return;
	case INJ_NONE:
		return;
	}
}

/* The phase's records, then its stores, then (a sync) what it flushed,
 * into the repeat's checks. */
static void check_phase(struct fault_run *fr, unsigned r, size_t ph,
			const struct phase_result *pr)
{
	const struct params *p = &fr->p;
	uint64_t pages = p->size / PAGE;
	char where[96];

	snprintf(where, sizeof(where), "repeat %u, %s", r + 1, phases[ph].name);
	fc_records(&fr->fc, fr->tv.v, fr->tv.n, where);
	if (phases[ph].kind == PH_STORE_ALL)
		fc_store(&fr->fc, 0, pr->pages_stored);
	else if (phases[ph].kind == PH_STORE_REWRITE)
		for (uint64_t i = 0; i < pages; i++)
			if (rewrite_selected(i, p->rw_num, p->rw_den))
				fc_store(&fr->fc, i, 1);
	if (phases[ph].kind == PH_SYNC)
		fc_sync(&fr->fc, where);
	if (ph == NPHASES - 1) {
		snprintf(where, sizeof(where), "repeat %u, after %s", r + 1,
			 phases[ph].name);
		fc_end(&fr->fc, where);
	}
}

/* Phase ph of repeat r on the mapping at base: the fsync or the stores,
 * then what the trace saw of it. */
static int run_phase(struct fault_run *fr, unsigned r, size_t ph, char *base,
		     uint64_t *dirtied_since_sync)
{
	struct phase_result *pr = &fr->res[r][ph];

	progress("repeat %u/%u: %s", r + 1, fr->p.repeat, phases[ph].name);
	if (phases[ph].kind == PH_SYNC) {
		uint64_t t0 = now_ns();

		if (wl_call(WL_FSYNC, fr->f.fd, NULL, 0) < 0) {
			fprintf(stderr, "%s: fsync: %s\n",
				opt_progname(), strerror(errno));
			return -1;
		}
		pr->sync_ns = pr->duration_ns = now_ns() - t0;
		pr->bytes_dirtied = *dirtied_since_sync;
		*dirtied_since_sync = 0;
	} else {
		if (run_store_phase(&fr->p, base, phases[ph].kind, pr))
			return -1;
		pr->ft = malloc(sizeof(*pr->ft));
		fault_time_init(pr->ft);
		*dirtied_since_sync += pr->bytes_dirtied;
	}
	if (fr->tr) {
		if (dax_trace_drain(fr->tr, &fr->tv) < 0) {
			fprintf(stderr, "%s: reading trace events failed\n",
				opt_progname());
			return -1;
		}
		inject_records(&fr->p, ph, &fr->tv);
		dax_counts_add_all(&pr->counts, &fr->tv);
		check_phase(fr, r, ph, pr);
		if (fr->evf) {
			char label[64];

			snprintf(label, sizeof(label), "r%u/%s", r + 1,
				 phases[ph].name);
			trace_csv_write(fr->evf, label, &fr->tv);
		}
		if (pr->ft)
			fault_time_add_all(pr->ft, &fr->tv);
		fr->tv.n = 0;
	}
	return 0;
}

/* Repeat r: its file (the first one made already), mapped; every phase;
 * its phases' JSON into runs (the first: the file into root too). */
static int run_repeat(struct fault_run *fr, unsigned r, json_object *root,
		      json_object *runs)
{
	const struct params *p = &fr->p;
	uint64_t dirtied_since_sync = 0;
	struct mapping m;
	json_object *rj;
	char err[512];

	if (r > 0 && daxfile_create(&fr->f, p->opt.dir, ".daxbench-fault", p->size,
				    err, sizeof(err)) == 0)
		unlink(fr->f.path);
	else if (r > 0) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return -1;
	}
	if (mapping_map(&m, &fr->f, 0, p->size, p->page, p->map_sync, err,
			sizeof(err))) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return -1;
	}
	if (r == 0) {
		json_object *fj = json_object_new_object();

		json_object_object_add(fj, "size", json_object_new_uint64(p->size));
		json_object_object_add(fj, "extents", daxfile_extents_json(&fr->f));
		json_object_object_add(fj, "map_address_2m_aligned",
			json_object_new_boolean(((uintptr_t)m.addr % PMD_SIZE_BYTES) == 0));
		json_object_object_add(root, "file", fj);
	}
	if (fr->tr) {
		dax_trace_filter_file(fr->tr, fr->f.st_dev, fr->f.ino);
		dax_trace_drain(fr->tr, &fr->tv);	/* discard setup events */
		fr->tv.n = 0;
		if (fc_init(&fr->fc, &fr->verdict, p->size / PAGE, fr->dax,
			    dax_trace_has(fr->tr, EV_EXT4_WRITEPAGES_RESULT))) {
			fprintf(stderr, "%s: out of memory\n", opt_progname());
			return -1;
		}
	}
	for (size_t ph = 0; ph < NPHASES; ph++) {
		if (run_phase(fr, r, ph, m.addr, &dirtied_since_sync))
			return -1;
		if (r == 0 && ph == 0)
			test_stop("running");
	}
	mapping_unmap(&m);
	daxfile_remove(&fr->f);
	fc_free(&fr->fc);
	rj = json_object_new_array();
	for (size_t ph = 0; ph < NPHASES; ph++)
		json_object_array_add(rj, phase_json(&phases[ph], &fr->res[r][ph],
						     fr->dax, fr->traced));
	json_object_array_add(runs, rj);
	return 0;
}

static json_object *params_json(const struct params *p)
{
	json_object *pj = json_object_new_object();

	json_object_object_add(pj, "dir", json_object_new_string(p->opt.dir));
	json_object_object_add(pj, "size", json_object_new_uint64(p->size));
	json_object_object_add(pj, "page", json_object_new_string(page_mode_names[p->page]));
	json_object_object_add(pj, "map_sync", json_object_new_boolean(p->map_sync));
	json_object_object_add(pj, "threads", json_object_new_int(p->threads));
	json_object_object_add(pj, "rewrite", json_object_new_string(p->rw_text));
	json_object_object_add(pj, "rewrite_fraction",
		json_object_new_double((double)p->rw_num / (double)p->rw_den));
	json_object_object_add(pj, "repeat", json_object_new_int(p->repeat));
	json_object_object_add(pj, "seed", json_object_new_uint64(p->opt.seed));
	json_object_object_add(pj, "trace_buffer_kb", json_object_new_uint64(p->opt.trace_kb));
	json_object_object_add(pj, "inject", json_object_new_string(inject_names[p->inject]));
	return pj;
}

/* Kept or refused (lost events), the --events file and the results
 * written, the table printed.  The exit status. */
static int finish(struct fault_run *fr, json_object *root, uint64_t lost)
{
	struct params *p = &fr->p;

	if (results_lost_refused(lost, p->opt.allow_lost, "counts are incomplete")) {
		if (fr->evf)
			out_abandon(&p->ev_out);
		return 1;
	}
	if (fr->evf && out_end(&p->ev_out)) {
		/* complete or absent, like the results file, and neither
		 * without the other */
		out_target_report(&p->ev_out);
		return 1;
	}
	if (!p->opt.quiet) {
		print_table(p, &fr->tgt, fr->res, fr->dax, fr->traced);
		verdict_print(stdout, &fr->verdict);
	} else if (verdict_failed(&fr->verdict)) {
		verdict_print(stderr, &fr->verdict);
	}
	if (results_save(&p->opt.out, root))
		return 1;
	return verdict_failed(&fr->verdict) ? 1 : 0;
}

int cmd_fault(int argc, char **argv)
{
	struct fault_run fr = { 0 };
	struct params *p = &fr.p;
	json_object *root, *runs;
	uint64_t lost = 0;
	int rc;

	parse(argc, argv, p);
	fr.res = calloc(p->repeat, sizeof(*fr.res));
	root = results_new("fault", argc, argv);
	if (first_file(&fr, root) || open_trace(&fr))
		return 1;
	verdict_init(&fr.verdict, fr.traced);
	if (!fr.traced)
		fc_declare(&fr.verdict);
	if (!fr.dax)
		fprintf(stderr, "%s: %s is not DAX (%s): running as a page-cache baseline\n",
			opt_progname(), p->opt.dir, fr.tgt.fstype);
	runs = json_object_new_array();
	for (unsigned r = 0; r < p->repeat; r++)
		if (run_repeat(&fr, r, root, runs))
			return 1;
	progress_done();

	json_object_object_add(root, "trace",
			       results_trace(fr.tr, fr.traced, fr.why, fr.dax, &lost));
	dax_trace_close(fr.tr);
	trace_vec_free(&fr.tv);
	json_object_object_add(root, "params", params_json(p));
	json_object_object_add(root, "runs", runs);
	json_object_object_add(root, "summary", summary_json(p, fr.res, fr.dax, fr.traced));
	if (fr.traced) {
		uint64_t idle = dax_counts_flushed_bytes(&fr.res[0][NPHASES - 1].counts, fr.dax);

		json_object_object_add(root, "idle_fsync_bytes_flushed",
				       json_object_new_uint64(idle));
	}
	verdict_json_add(&fr.verdict, root);
	rc = finish(&fr, root, lost);
	for (unsigned r = 0; r < p->repeat; r++)
		for (size_t ph = 0; ph < NPHASES; ph++)
			free(fr.res[r][ph].lat), free(fr.res[r][ph].ft);
	free(fr.res);
	json_object_put(root);
	return rc;
}

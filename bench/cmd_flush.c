// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench flush: bandwidth and per-call latency of the user-space flush
 * primitives of libpmem, the path that MAP_SYNC and device-dax programs use
 * instead of fsync.  Every call copies SIZE bytes from a small cache-hot
 * source to the next SIZE bytes of the thread's region, then:
 *
 *   persist         memcpy + pmem_persist (clwb / clflushopt / clflush,
 *                   then sfence: whichever libpmem chose, see "cpu_flush")
 *   flush_drain     memcpy + pmem_flush + pmem_drain (the split form)
 *   memcpy_persist  pmem_memcpy_persist (non-temporal stores at or above
 *                   libpmem's threshold, 256 B by default, then sfence)
 *   memcpy          plain memcpy, no flush: the ceiling
 *
 * Each thread cycles through its own --region (64M by default, larger than
 * the caches), so data does not stay cached between calls.  A point is one
 * (method, size, threads); it runs --duration, --repeat times, repeats
 * interleaved over the whole matrix; GB/s is 10^9 bytes per second summed
 * over the threads (bytes copied / wall time from the first thread's start
 * to the last thread's end), reported as the median and the spread
 * (min/max) of the repeats.  Latency is of single calls: every call at
 * 64K and above, one call in 64K/SIZE below (so the two clock reads do not
 * weigh on the bandwidth of small calls); the histogram merges all threads
 * and repeats.
 *
 * Targets: "anon" (anonymous DRAM, the reference), a directory on a DAX
 * file system (a file created there and mapped with pmem_map_file, which
 * asks for MAP_SYNC; removed at once), an existing regular file (mapped
 * whole; its contents are overwritten), or a device-dax /dev/daxN.M.  A
 * file system that is not DAX is run anyway, with one line on stderr and
 * "dax": false in the results: its flushes write back DRAM page cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <daxctl/libdaxctl.h>
#include <libpmem.h>

#include "builtin.h"
#include "cpu_flush.h"
#include "env.h"
#include "hist.h"
#include "opts.h"
#include "progress.h"
#include "results.h"
#include "stats.h"
#include "test_stop.h"
#include "timing.h"
#include "topology.h"
#include "workload.h"

#define MIN_SIZE 64ull
#define MAX_SIZE (2ull << 20)
#define MAX_SIZES 32
#define MAX_THREAD_COUNTS 64
#define MAX_THREADS 1024
#define LINE 64ull
#define SAMPLE_BYTES (64ull << 10)	/* one timed call per this many bytes */

enum method { M_PERSIST, M_FLUSH_DRAIN, M_MEMCPY_PERSIST, M_MEMCPY, NMETHODS };

static const char *const method_names[] = {
	"persist", "flush_drain", "memcpy_persist", "memcpy", NULL,
};
static const char *const method_calls[] = {
	"memcpy + pmem_persist",
	"memcpy + pmem_flush + pmem_drain",
	"pmem_memcpy_persist",
	"memcpy (no flush: the ceiling)",
};

enum target_kind { T_ANON, T_DIR, T_FILE, T_DEVDAX };
static const char *const target_kinds[] = { "anon", "dir", "file", "devdax" };

struct params {
	const char *target;
	enum target_kind kind;
	uint64_t sizes[MAX_SIZES];
	unsigned nsizes;
	unsigned threads[MAX_THREAD_COUNTS];
	unsigned nthreads, max_threads;
	const char *cpus_text;
	struct placement cpus;
	int methods[NMETHODS];
	unsigned nmethods;
	uint64_t duration_ns;
	unsigned repeat;
	uint64_t region;
	struct common_opts opt;	/* --output, --quiet, --help */
};

/* The memory under test: max_threads regions of p->region bytes. */
struct target {
	char *base;
	uint64_t len;		/* mapped length */
	bool pmem_mapped;	/* unmap with pmem_unmap, else munmap */
	int is_pmem;		/* pmem_is_pmem / pmem_map_file's answer */
	int dax;		/* 1, 0, -1 unknown (anon: -1) */
	int numa_node;		/* of the device, -1 unknown or anon */
	char path[PATH_MAX];	/* the file mapped (removed for T_DIR) */
	char dir[PATH_MAX];	/* where it lives, for env_capture */
	int fd;			/* for env_capture; -1 for anon */
	struct env_target env;
	json_object *devdax;	/* libdaxctl description */
	char daxname[64];	/* "dax0.0" for T_DEVDAX */
};

/* Per thread index, kept across points: thread i always runs on the same
 * cpu and the same region, whatever the thread count. */
struct slot {
	int cpu;
	char *region;
	char *src;
	uint64_t cursor;
};

struct worker {
	pthread_t th;
	pthread_barrier_t *start;
	const struct params *p;
	const struct topology *topo;
	struct slot *slot;
	enum method method;
	uint64_t size;
	int bind_errno;
	uint64_t calls, t_start, t_end;
	struct hist hist;
};

struct point {
	enum method method;
	uint64_t size;
	unsigned threads;
	uint64_t *bps;		/* bytes per second, per repeat */
	uint64_t calls;
	struct hist *lat;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench flush [options]\n"
"  --target T        anon (anonymous DRAM, default) | DIR on a DAX file system\n"
"                    (a file is created with pmem_map_file, MAP_SYNC) | FILE\n"
"                    (an existing file, mapped whole, overwritten) | /dev/daxN.M;\n"
"                    a file system without DAX runs labelled dax: false\n"
"  --sizes LIST      bytes per call, each 64..2M (default 64,256,4K,64K,2M)\n"
"  --threads LIST    thread counts, e.g. 1,2,4 or 1-4 (default 1,2,4,.. and\n"
"                    all cpus)\n"
"  --cpus P          compact | scatter | local | remote | a cpu list 0,2-3\n"
"                    (default compact; local/remote: the target's NUMA node)\n"
"  --methods LIST    persist,flush_drain,memcpy_persist,memcpy (default all;\n"
"                    memcpy has no flush: the ceiling)\n"
"  --duration D      per point and repeat (default 0.2s)\n"
"  --repeat N        repeats: median and min/max reported (default 3)\n"
"  --region SIZE     the buffer each thread cycles through (default 64M)\n"
"  --output FILE     write the JSON result there (atomically), or to stdout\n"
"                    with - (instead of the table)\n"
"  --quiet           no table on stdout\n"
OUT_TARGET_HELP
"- or /dev/stdout writes to stdout, in place of the table.\n"
"libpmem's environment applies: PMEM_NO_CLWB=1 / PMEM_NO_CLFLUSHOPT=1 force\n"
"an older flush instruction, PMEM_NO_MOVNT=1 regular stores, and so on.\n");
}

static void parse_sizes(const char *arg, struct params *p)
{
	char buf[1024], *tok[MAX_SIZES];
	unsigned n = opt_list("--sizes", arg, buf, sizeof(buf), tok, MAX_SIZES);

	p->nsizes = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = opt_size("--sizes", tok[i], MIN_SIZE, MAX_SIZE);

		for (unsigned j = 0; j < p->nsizes; j++)
			if (p->sizes[j] == v)
				opt_list_twice("--sizes", tok[i]);
		p->sizes[p->nsizes++] = v;
	}
}

static void add_threads(struct params *p, uint64_t v)
{
	char item[32];

	snprintf(item, sizeof(item), "%llu", (unsigned long long)v);
	for (unsigned j = 0; j < p->nthreads; j++)
		if (p->threads[j] == v)
			opt_list_twice("--threads", item);
	if (p->nthreads == MAX_THREAD_COUNTS)
		opt_die("--threads", "more than %u thread counts", MAX_THREAD_COUNTS);
	p->threads[p->nthreads++] = (unsigned)v;
}

static void parse_threads(const char *arg, struct params *p)
{
	char buf[1024], *tok[MAX_THREAD_COUNTS];
	unsigned n = opt_list("--threads", arg, buf, sizeof(buf), tok,
			      MAX_THREAD_COUNTS);

	p->nthreads = 0;
	for (unsigned i = 0; i < n; i++) {
		char *dash = strchr(tok[i], '-');
		uint64_t lo, hi;

		if (dash && dash != tok[i]) {	/* a range "1-4" */
			*dash = '\0';
			lo = opt_uint("--threads", tok[i], 1, MAX_THREADS);
			hi = opt_uint("--threads", dash + 1, 1, MAX_THREADS);
			if (hi < lo)
				opt_die("--threads", "range %llu-%llu is reversed",
					(unsigned long long)lo, (unsigned long long)hi);
		} else {
			lo = hi = opt_uint("--threads", tok[i], 1, MAX_THREADS);
		}
		for (uint64_t v = lo; v <= hi; v++)
			add_threads(p, v);
	}
}

static void parse_methods(const char *arg, struct params *p)
{
	char buf[1024], *tok[16];
	unsigned n = opt_list("--methods", arg, buf, sizeof(buf), tok, 16);
	bool seen[NMETHODS] = { false };

	p->nmethods = 0;
	for (unsigned i = 0; i < n; i++) {
		int from, to;

		if (!strcmp(tok[i], "all")) {
			from = 0;
			to = NMETHODS;
		} else {
			from = opt_choice("--methods", tok[i], method_names);
			to = from + 1;
		}
		for (int m = from; m < to; m++) {
			if (seen[m])
				opt_list_twice("--methods", method_names[m]);
			seen[m] = true;
			p->methods[p->nmethods++] = m;
		}
	}
}

static void parse_target(const char *arg, struct params *p)
{
	struct stat st;
	char name[64];

	p->target = arg;
	if (!strcmp(arg, "anon")) {
		p->kind = T_ANON;
		return;
	}
	if (!*arg)
		opt_die("--target", "empty (anon, a directory, a file or /dev/daxN.M)");
	if (stat(arg, &st) < 0)
		opt_die("--target", "%s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		p->kind = T_DIR;
		opt_writable_dir("--target", arg);
	} else if (S_ISREG(st.st_mode)) {
		p->kind = T_FILE;
		if (access(arg, R_OK | W_OK) < 0)
			opt_die("--target", "%s: %s", arg, strerror(errno));
	} else if (S_ISCHR(st.st_mode)) {
		if (!env_is_devdax(&st, name, sizeof(name)))
			opt_die("--target", "%s is a character device but not a device-dax instance", arg);
		p->kind = T_DEVDAX;
		if (access(arg, R_OK | W_OK) < 0)
			opt_die("--target", "%s: %s", arg, strerror(errno));
	} else {
		opt_die("--target", "%s is not a directory, a regular file or a device-dax", arg);
	}
}

static uint64_t target_need(const struct params *p)
{
	return p->region * p->max_threads;
}

static void parse(int argc, char **argv, struct params *p,
		  const struct topology *topo)
{
	static const struct opt_def defs[] = {
		{ { "target", required_argument, NULL, 'T' }, "target", "anon" },
		{ { "sizes", required_argument, NULL, 's' }, "list", "64" },
		{ { "threads", required_argument, NULL, 't' }, "list", "1" },
		{ { "cpus", required_argument, NULL, 'c' }, "cpus", "compact" },
		{ { "methods", required_argument, NULL, 'm' }, "list", "persist" },
		{ { "duration", required_argument, NULL, 'd' }, "duration", "1ms" },
		{ { "repeat", required_argument, NULL, 'R' }, "uint", "1" },
		{ { "region", required_argument, NULL, 'r' }, "size", "64K" },
		OPT_DEF_OUTPUT,
		OPT_DEF_QUIET,
		OPT_DEF_HELP,
		OPT_DEF_END,
	};
	const char *sizes = "64,256,4K,64K,2M", *methods = "all", *threads = NULL;
	const char *target = "anon";
	uint64_t maxsize = 0;
	int c;

	*p = (struct params){ .duration_ns = 200000000ull, .repeat = 3,
		.region = 64ull << 20, .cpus_text = "compact",
		.opt = { .usage = usage } };
	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 'T': target = optarg; break;
		case 's': sizes = optarg; break;
		case 't': threads = optarg; break;
		case 'c': p->cpus_text = optarg; break;
		case 'm': methods = optarg; break;
		case 'd':
			p->duration_ns = opt_duration_ns("--duration", optarg,
							 1000000ull, 3600ull * 1000000000ull);
			break;
		case 'R': p->repeat = opt_uint("--repeat", optarg, 1, 1000); break;
		case 'r': p->region = opt_size("--region", optarg, 4096, 1ull << 40); break;
		default:  opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);

	parse_sizes(sizes, p);
	parse_methods(methods, p);
	if (threads) {
		parse_threads(threads, p);
	} else {
		unsigned n = topology_npus(topo);

		for (unsigned v = 1; v < n; v *= 2)
			p->threads[p->nthreads++] = v;
		p->threads[p->nthreads++] = n;
	}
	for (unsigned i = 0; i < p->nthreads; i++)
		if (p->threads[i] > p->max_threads)
			p->max_threads = p->threads[i];
	placement_parse(topo, "--cpus", p->cpus_text, &p->cpus);
	for (unsigned i = 0; i < p->nsizes; i++)
		if (p->sizes[i] > maxsize)
			maxsize = p->sizes[i];
	if (p->region < maxsize) {
		char b1[32], b2[32];

		opt_die("--region", "%s is smaller than the largest of --sizes (%s)",
			fmt_bytes(b1, sizeof(b1), p->region),
			fmt_bytes(b2, sizeof(b2), maxsize));
	}
	if (p->region % 4096)
		opt_die("--region", "%llu is not a multiple of 4K",
			(unsigned long long)p->region);
	parse_target(target, p);
	if (p->kind == T_FILE) {
		struct stat st;

		if (stat(target, &st) == 0 && (uint64_t)st.st_size < target_need(p)) {
			char b1[32], b2[32];

			opt_die("--target", "%s holds %s, less than --region x %u threads = %s",
				target, fmt_bytes(b1, sizeof(b1), st.st_size),
				p->max_threads, fmt_bytes(b2, sizeof(b2), target_need(p)));
		}
	}
	test_stop("start");
}

/* libdaxctl's view of the device-dax instance name ("dax0.0"), or NULL. */
static json_object *devdax_json(const char *name, uint64_t *size)
{
	struct daxctl_ctx *ctx;
	struct daxctl_region *region;
	struct daxctl_dev *dev;
	json_object *o = NULL;

	if (daxctl_new(&ctx) < 0)
		return NULL;
	daxctl_region_foreach(ctx, region)
		daxctl_dev_foreach(region, dev) {
			if (o || strcmp(daxctl_dev_get_devname(dev), name))
				continue;
			o = json_object_new_object();
			json_object_object_add(o, "dev", json_object_new_string(name));
			json_object_object_add(o, "size",
				json_object_new_uint64(daxctl_dev_get_size(dev)));
			json_object_object_add(o, "align",
				json_object_new_uint64(daxctl_dev_get_align(dev)));
			json_object_object_add(o, "region",
				json_object_new_int(daxctl_region_get_id(region)));
			json_object_object_add(o, "enabled",
				json_object_new_boolean(daxctl_dev_is_enabled(dev)));
			json_object_object_add(o, "target_node",
				json_object_new_int(daxctl_dev_get_target_node(dev)));
			*size = daxctl_dev_get_size(dev);
		}
	daxctl_unref(ctx);
	return o;
}

static void target_open(const struct params *p, struct target *t)
{
	uint64_t need = target_need(p);
	size_t mapped = 0;

	*t = (struct target){ .fd = -1, .dax = -1, .numa_node = -1 };
	switch (p->kind) {
	case T_ANON:
		t->base = mmap(NULL, need, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->base == MAP_FAILED)
			fatal("cannot map %llu bytes of anonymous memory: %s",
			     (unsigned long long)need, strerror(errno));
		/* Huge pages where the kernel allows, like the PMD mappings
		 * of DAX files and device-dax (best effort). */
		madvise(t->base, need, MADV_HUGEPAGE);
		t->len = need;
		t->is_pmem = pmem_is_pmem(t->base, need);
		return;
	case T_DIR:
		snprintf(t->dir, sizeof(t->dir), "%s", p->target);
		snprintf(t->path, sizeof(t->path), "%s/.daxbench-flush.%d",
			 p->target, (int)getpid());
		t->base = pmem_map_file(t->path, need,
					PMEM_FILE_CREATE | PMEM_FILE_EXCL, 0600,
					&mapped, &t->is_pmem);
		if (!t->base)
			fatal("--target: cannot create %s: %s", t->path, pmem_errormsg());
		t->fd = open(t->path, O_RDONLY);
		unlink(t->path);
		t->pmem_mapped = true;
		t->len = mapped;
		break;
	case T_FILE: {
		char *slash;

		snprintf(t->path, sizeof(t->path), "%s", p->target);
		snprintf(t->dir, sizeof(t->dir), "%s", p->target);
		slash = strrchr(t->dir, '/');
		if (!slash)
			snprintf(t->dir, sizeof(t->dir), ".");
		else
			slash[slash == t->dir] = '\0';
		t->base = pmem_map_file(t->path, 0, 0, 0, &mapped, &t->is_pmem);
		if (!t->base)
			fatal("--target: cannot map %s: %s", t->path, pmem_errormsg());
		t->fd = open(t->path, O_RDONLY);
		t->pmem_mapped = true;
		t->len = mapped;
		break;
	}
	case T_DEVDAX: {
		struct stat st;
		char name[64] = "";
		uint64_t size = 0;

		snprintf(t->path, sizeof(t->path), "%s", p->target);
		if (stat(p->target, &st) == 0)
			env_is_devdax(&st, name, sizeof(name));
		snprintf(t->daxname, sizeof(t->daxname), "%s", name);
		t->devdax = devdax_json(name, &size);
		t->numa_node = topology_daxdev_numa(name);
		t->base = pmem_map_file(t->path, 0, 0, 0, &mapped, &t->is_pmem);
		if (!t->base)
			fatal("--target: cannot map %s: %s", t->path, pmem_errormsg());
		t->pmem_mapped = true;
		t->len = mapped;
		t->dax = 1;
		if (mapped < need) {
			char b1[32], b2[32];

			pmem_unmap(t->base, mapped);
			progress_done();
			opt_die("--region", "%s holds %s, less than --region x %u threads = %s",
				p->target, fmt_bytes(b1, sizeof(b1), mapped), p->max_threads,
				fmt_bytes(b2, sizeof(b2), need));
		}
		return;
	}
	}
	if (env_target(t->dir, t->fd, &t->env) == 0) {
		t->dax = t->env.dax;
		t->numa_node = t->env.numa_node;
		if (t->numa_node < 0 && t->env.blockdev[0])
			t->numa_node = topology_blockdev_numa(t->env.blockdev);
	}
	if (t->dax != 1)
		fprintf(stderr, "%s: --target %s is not DAX (%s%s): pmem_persist only reaches page-cache DRAM (not durable); results labelled dax: false\n",
			opt_progname(), p->target, t->env.fstype[0] ? t->env.fstype : "unknown fs",
			t->dax < 0 ? ", DAX state unknown" : "");
}

static void target_close(struct target *t)
{
	if (t->pmem_mapped)
		pmem_unmap(t->base, t->len);
	else
		munmap(t->base, t->len);
	if (t->fd >= 0)
		close(t->fd);
	json_object_put(t->devdax);
}

/* What libpmem 1.12 chose, rebuilt with its own rules (pmem_init and
 * pmem2_arch_init): libpmem has no API that says which instruction its
 * pmem_persist runs.  CPUID first (cpu_flush.h); PMEM_NO_CLWB=1 and PMEM_NO_CLFLUSHOPT=1
 * skip an instruction; PMEM_NO_FLUSH=1 or an eADR platform (auto flush)
 * drop the flush altogether (only the fence stays). */
struct cpu_flush {
	struct cpu_flush_caps caps;	/* what the cpu offers (CPUID) */
	const char *best;	/* its best flush instruction */
	const char *insn;	/* what libpmem uses */
	const char *forced;	/* "PMEM_NO_CLWB=1", ... or NULL */
	bool flushes;		/* false under PMEM_NO_FLUSH=1 or eADR */
	const char *no_flush_why;
	int auto_flush;
	const char *movnt;	/* non-temporal copy implementation, or NULL */
	uint64_t movnt_threshold;
};

static bool env_is(const char *name, const char *val)
{
	const char *e = getenv(name);

	return e && !strcmp(e, val);
}

static void libpmem_choice(struct cpu_flush *c)
{
	const struct cpu_flush_caps *cpu = &c->caps;
	const char *e;

	*c = (struct cpu_flush){ .movnt_threshold = 256 };
	cpu_flush_detect(&c->caps);
	c->best = cpu_flush_best(cpu) ? cpu_flush_best(cpu) : "unknown";
	c->insn = "clflush";
	if (cpu->clflushopt) {
		if (env_is("PMEM_NO_CLFLUSHOPT", "1"))
			c->forced = "PMEM_NO_CLFLUSHOPT=1";
		else
			c->insn = "clflushopt";
	}
	if (cpu->clwb) {
		if (env_is("PMEM_NO_CLWB", "1"))
			c->forced = c->forced ? "PMEM_NO_CLWB=1 PMEM_NO_CLFLUSHOPT=1" :
				    "PMEM_NO_CLWB=1";
		else
			c->insn = "clwb";
	}
	c->auto_flush = pmem_has_auto_flush();
	c->flushes = true;
	if (env_is("PMEM_NO_FLUSH", "1")) {
		c->flushes = false;
		c->no_flush_why = "PMEM_NO_FLUSH=1";
	} else if (!env_is("PMEM_NO_FLUSH", "0") && c->auto_flush == 1) {
		c->flushes = false;
		c->no_flush_why = "eADR (auto flush) platform";
	}
	if (!env_is("PMEM_NO_MOVNT", "1")) {
		c->movnt = "sse2";
		if (cpu->avx && !env_is("PMEM_AVX", "0"))
			c->movnt = "avx";
		if (cpu->avx512f && !env_is("PMEM_AVX512F", "0"))
			c->movnt = "avx512f";
		e = getenv("PMEM_MOVDIR64B");
		if (cpu->movdir64b && e && strcmp(e, "0"))
			c->movnt = "movdir64b";
	}
	e = getenv("PMEM_MOVNT_THRESHOLD");
	if (e && atoll(e) >= 0)
		c->movnt_threshold = (uint64_t)atoll(e);
}

static json_object *cpu_flush_json(const struct cpu_flush *c)
{
	static const char *const vars[] = {
		"PMEM_NO_CLWB", "PMEM_NO_CLFLUSHOPT", "PMEM_NO_FLUSH",
		"PMEM_NO_MOVNT", "PMEM_MOVNT_THRESHOLD", "PMEM_AVX",
		"PMEM_AVX512F", "PMEM_MOVDIR64B", "PMEM_WC_WORKAROUND",
		"PMEM_NO_GENERIC_MEMCPY", "PMEM_IS_PMEM_FORCE",
	};
	json_object *o = json_object_new_object();
	json_object *flags = json_object_new_object();
	json_object *env = json_object_new_object();

	json_object_object_add(flags, "clflush", json_object_new_boolean(c->caps.clflush));
	json_object_object_add(flags, "clflushopt", json_object_new_boolean(c->caps.clflushopt));
	json_object_object_add(flags, "clwb", json_object_new_boolean(c->caps.clwb));
	json_object_object_add(flags, "avx", json_object_new_boolean(c->caps.avx));
	json_object_object_add(flags, "avx512f", json_object_new_boolean(c->caps.avx512f));
	json_object_object_add(flags, "movdir64b", json_object_new_boolean(c->caps.movdir64b));
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		json_object_object_add(env, vars[i], v ? json_object_new_string(v) : NULL);
	}
	json_object_object_add(o, "instruction", json_object_new_string(c->insn));
	json_object_object_add(o, "cpu_best", json_object_new_string(c->best));
	json_object_object_add(o, "forced_by", c->forced ? json_object_new_string(c->forced) : NULL);
	json_object_object_add(o, "flushes", json_object_new_boolean(c->flushes));
	json_object_object_add(o, "no_flush_reason",
			       c->no_flush_why ? json_object_new_string(c->no_flush_why) : NULL);
	json_object_object_add(o, "auto_flush", json_object_new_int(c->auto_flush));
	json_object_object_add(o, "movnt", c->movnt ? json_object_new_string(c->movnt) : NULL);
	json_object_object_add(o, "movnt_threshold", json_object_new_uint64(c->movnt_threshold));
	json_object_object_add(o, "cpu_flags", flags);
	json_object_object_add(o, "env", env);
	json_object_object_add(o, "source", json_object_new_string(
		"inferred from CPUID and the environment with libpmem 1.12's rules"));
	return o;
}

/* One call of a method at dst; the copy's source is hot in cache. */
#define LOOP(OP)							\
	for (;;) {							\
		uint64_t t0, t1;					\
		for (uint64_t k = 1; k < period; k++) {			\
			char *dst = s->region + off;			\
			OP;						\
			off += stride;					\
			if (off + size > region)			\
				off = 0;				\
		}							\
		{							\
			char *dst = s->region + off;			\
			t0 = now_ns();					\
			OP;						\
			t1 = now_ns();					\
		}							\
		hist_record(&w->hist, t1 - t0);				\
		off += stride;						\
		if (off + size > region)				\
			off = 0;					\
		calls += period;					\
		if (t1 >= deadline)					\
			break;						\
	}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct slot *s = w->slot;
	const uint64_t size = w->size, region = w->p->region;
	const uint64_t stride = (size + LINE - 1) & ~(LINE - 1);
	const uint64_t period = size >= SAMPLE_BYTES ? 1 : SAMPLE_BYTES / size;
	const char *src = s->src;
	uint64_t off = s->cursor, calls = 0, deadline;

	/* The cursor was left by a point of another size. */
	if (off + size > region)
		off = 0;
	if (topology_bind_thread(w->topo, s->cpu) < 0)
		w->bind_errno = errno ? errno : EINVAL;
	pthread_barrier_wait(w->start);
	if (w->bind_errno)
		return NULL;
	w->t_start = now_ns();
	deadline = w->t_start + w->p->duration_ns;
	switch (w->method) {
	case M_PERSIST:
		LOOP(memcpy(dst, src, size); pmem_persist(dst, size));
		break;
	case M_FLUSH_DRAIN:
		LOOP(memcpy(dst, src, size); pmem_flush(dst, size); pmem_drain());
		break;
	case M_MEMCPY_PERSIST:
		LOOP(pmem_memcpy_persist(dst, src, size));
		break;
	case M_MEMCPY:
		LOOP(memcpy(dst, src, size); __asm__ volatile("" ::: "memory"));
		break;
	default:
		abort();
	}
	w->t_end = now_ns();
	w->calls = calls;
	s->cursor = off;
	return NULL;
}

/* Fill every slot's region once from its own (bound) thread: first-touch
 * NUMA placement for anon, block allocation and faults for files, all
 * before anything is timed.  Also allocate each slot's source buffer. */
struct prep {
	pthread_t th;
	const struct topology *topo;
	struct slot *slot;
	uint64_t region, maxsize;
	int err;
};

static void *prep_main(void *arg)
{
	struct prep *pr = arg;
	struct slot *s = pr->slot;

	if (topology_bind_thread(pr->topo, s->cpu) < 0) {
		pr->err = errno ? errno : EINVAL;
		return NULL;
	}
	if (posix_memalign((void **)&s->src, 4096, pr->maxsize)) {
		pr->err = ENOMEM;
		return NULL;
	}
	for (uint64_t i = 0; i < pr->maxsize; i++)
		s->src[i] = (char)(i * 131 + 7);
	memset(s->region, 0x5a, pr->region);
	pmem_persist(s->region, pr->region);	/* start with nothing dirty */
	return NULL;
}

static void prepare_slots(const struct params *p, const struct topology *topo,
			  struct target *t, struct slot *slots)
{
	struct prep *pr = calloc(p->max_threads, sizeof(*pr));
	uint64_t maxsize = 0;

	for (unsigned i = 0; i < p->nsizes; i++)
		if (p->sizes[i] > maxsize)
			maxsize = p->sizes[i];
	for (unsigned i = 0; i < p->max_threads; i++) {
		slots[i].cpu = placement_cpu(topo, &p->cpus, i);
		slots[i].region = t->base + (uint64_t)i * p->region;
		pr[i] = (struct prep){ .topo = topo, .slot = &slots[i],
			.region = p->region, .maxsize = maxsize };
	}
	/* A few at a time: no more threads than cpus touching memory. */
	for (unsigned i = 0; i < p->max_threads; i += topology_npus(topo)) {
		unsigned end = i + topology_npus(topo);

		if (end > p->max_threads)
			end = p->max_threads;
		for (unsigned j = i; j < end; j++)
			wl_spawn(&pr[j].th, prep_main, &pr[j]);
		for (unsigned j = i; j < end; j++)
			pthread_join(pr[j].th, NULL);
	}
	for (unsigned i = 0; i < p->max_threads; i++)
		if (pr[i].err)
			fatal("preparing thread %u on cpu %d: %s", i, slots[i].cpu,
			     strerror(pr[i].err));
	free(pr);
}

/* Run one point once; returns bytes per second over all threads. */
static uint64_t run_point(const struct params *p, const struct topology *topo,
			  struct slot *slots, struct point *pt)
{
	struct worker *w = calloc(pt->threads, sizeof(*w));
	pthread_barrier_t start;
	uint64_t first = UINT64_MAX, last = 0, bytes = 0;
	unsigned n;

	if (!w)
		fatal("out of memory");
	pthread_barrier_init(&start, NULL, pt->threads);
	for (n = 0; n < pt->threads; n++) {
		w[n] = (struct worker){ .start = &start, .p = p, .topo = topo,
			.slot = &slots[n], .method = pt->method, .size = pt->size };
		hist_init(&w[n].hist);
		wl_spawn(&w[n].th, worker_main, &w[n]);
	}
	for (n = 0; n < pt->threads; n++)
		pthread_join(w[n].th, NULL);
	for (n = 0; n < pt->threads; n++) {
		if (w[n].bind_errno)
			fatal("cannot bind thread %u to cpu %d: %s", n, slots[n].cpu,
			     strerror(w[n].bind_errno));
		hist_merge(pt->lat, &w[n].hist);
		pt->calls += w[n].calls;
		bytes += w[n].calls * pt->size;
		if (w[n].t_start < first)
			first = w[n].t_start;
		if (w[n].t_end > last)
			last = w[n].t_end;
	}
	pthread_barrier_destroy(&start);
	free(w);
	return last > first ? (uint64_t)((double)bytes * 1e9 / (double)(last - first)) : 0;
}

static double gb(double bps) { return bps / 1e9; }

/* The smallest interval two back-to-back clock reads show: the floor of
 * every latency figure (about 20-40 ns under KVM's kvm-clock). */
static uint64_t clock_floor_ns(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 2000; i++) {
		uint64_t a = now_ns(), b = now_ns();

		if (b - a < best)
			best = b - a;
	}
	return best;
}

static json_object *point_json(const struct params *p, const struct topology *topo,
			       const struct point *pt)
{
	json_object *o = json_object_new_object();
	json_object *reps = json_object_new_array();
	json_object *cpus = json_object_new_array();
	uint64_t *v = malloc(p->repeat * sizeof(*v));

	memcpy(v, pt->bps, p->repeat * sizeof(*v));
	for (unsigned r = 0; r < p->repeat; r++)
		json_object_array_add(reps, json_object_new_double(gb((double)pt->bps[r])));
	for (unsigned i = 0; i < pt->threads; i++)
		json_object_array_add(cpus, json_object_new_int(placement_cpu(topo, &p->cpus, i)));
	json_object_object_add(o, "method", json_object_new_string(method_names[pt->method]));
	json_object_object_add(o, "calls_made", json_object_new_string(method_calls[pt->method]));
	json_object_object_add(o, "ceiling", json_object_new_boolean(pt->method == M_MEMCPY));
	json_object_object_add(o, "size", json_object_new_uint64(pt->size));
	json_object_object_add(o, "threads", json_object_new_int((int)pt->threads));
	json_object_object_add(o, "cpus", cpus);
	json_object_object_add(o, "gbps_median", json_object_new_double(gb(median_u64(v, p->repeat))));
	json_object_object_add(o, "gbps_min", json_object_new_double(gb((double)v[0])));
	json_object_object_add(o, "gbps_max", json_object_new_double(gb((double)v[p->repeat - 1])));
	json_object_object_add(o, "gbps_repeats", reps);
	json_object_object_add(o, "calls", json_object_new_uint64(pt->calls));
	json_object_object_add(o, "latency_sample_every",
		json_object_new_uint64(pt->size >= SAMPLE_BYTES ? 1 : SAMPLE_BYTES / pt->size));
	json_object_object_add(o, "latency", hist_to_json(pt->lat, "ns"));
	free(v);
	return o;
}

/* A member of o (NULL when absent or null). */
static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *copy_member(json_object *o, const char *key)
{
	return json_object_get(member(o, key));
}

/*
 * What a hardware report names first: the region under test, its kind and
 * size, its NUMA node and whether the platform's persistence domain makes
 * the flush unnecessary (from env: libndctl's namespace and region, libcxl's
 * CXL region).  Anonymous DRAM is kind "dram", no region, flush_needed
 * null.
 */
static json_object *region_json(const struct params *p, const struct target *t,
				json_object *env)
{
	json_object *o = json_object_new_object();
	json_object *pm = member(env, "pmem"), *ns = member(pm, "namespace");
	json_object *cxl = member(pm, "cxl_region"), *v;
	const char *kind = p->kind == T_ANON ? "dram" :
		member(pm, "kind") ? json_object_get_string(member(pm, "kind")) : "unknown";

	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "name", cxl ? copy_member(cxl, "region") :
			       copy_member(ns, "region"));
	json_object_object_add(o, "nd_region", copy_member(ns, "region"));
	json_object_object_add(o, "namespace", copy_member(ns, "dev"));
	json_object_object_add(o, "mode", copy_member(ns, "mode"));
	v = member(ns, "region_size");
	json_object_object_add(o, "size", v ? json_object_get(v) :
			       p->kind == T_ANON ? json_object_new_uint64(t->len) : NULL);
	json_object_object_add(o, "mapped", json_object_new_uint64(t->len));
	json_object_object_add(o, "numa_node", t->numa_node < 0 ? NULL :
			       json_object_new_int(t->numa_node));
	json_object_object_add(o, "persistence_domain", copy_member(ns, "persistence_domain"));
	json_object_object_add(o, "flush_needed", p->kind == T_ANON || t->dax != 1 ? NULL : ns ?
			       copy_member(ns, "flush_needed") : json_object_new_boolean(true));
	json_object_object_add(o, "emulated", copy_member(pm, "emulated"));
	return o;
}

static const char *jstr(json_object *o, const char *key, const char *dflt)
{
	json_object *v = member(o, key);

	return v ? json_object_get_string(v) : dflt;
}

static void print_region(json_object *r)
{
	json_object *size = member(r, "size"), *node = member(r, "numa_node");
	json_object *need = member(r, "flush_needed");
	char b[32] = "size unknown";

	if (!strcmp(jstr(r, "kind", ""), "dram"))
		return;
	if (size)
		fmt_bytes(b, sizeof(b), (uint64_t)json_object_get_int64(size));
	printf("region: %s %s%s%s%s%s%s, %s, NUMA node %s%s; persistence domain %s: %s\n",
	       jstr(r, "kind", "unknown"), jstr(r, "name", "(no region)"),
	       member(r, "namespace") ? " (" : "", jstr(r, "namespace", ""),
	       member(r, "mode") ? " " : "", jstr(r, "mode", ""),
	       member(r, "namespace") ? ")" : "", b,
	       node ? json_object_get_string(node) : "unknown",
	       member(r, "emulated") && json_object_get_boolean(member(r, "emulated")) ?
	       ", emulated" : "",
	       jstr(r, "persistence_domain", "unknown"),
	       need && !json_object_get_boolean(need) ? "no flush needed (eADR)" :
	       "stores need a flush");
}

static void print_table(const struct params *p, const struct topology *topo,
			const struct target *t, const struct cpu_flush *cf, json_object *region,
			struct point *pts, unsigned npts, uint64_t clock_floor)
{
	uint64_t *v = malloc(p->repeat * sizeof(*v));
	char b1[32], b2[32], b3[32], dur[32];

	printf("daxbench flush: target %s (%s), pmem_persist uses %s%s%s%s, cpu has %s%s%s\n",
	       p->target, p->kind == T_ANON ? "anonymous DRAM, the reference" :
	       t->dax == 1 ? "dax" : "dax: false, page cache",
	       cf->insn, cf->forced ? " (forced by " : "", cf->forced ? cf->forced : "",
	       cf->forced ? ")" : "", cf->caps.clflush ? "clflush" : "",
	       cf->caps.clflushopt ? " clflushopt" : "", cf->caps.clwb ? " clwb" : "");
	print_region(region);
	if (!cf->flushes)
		printf("NOTE: libpmem does not flush at all here (%s): persist is a fence only\n",
		       cf->no_flush_why);
	printf("region %s/thread, cpus %s, %s x %u repeat%s: GB/s (10^9 B/s) median [min-max]; latency per call (clock floor %lluns)\n",
	       fmt_bytes(b1, sizeof(b1), p->region), p->cpus.text,
	       fmt_ns(dur, sizeof(dur), (double)p->duration_ns), p->repeat,
	       p->repeat > 1 ? "s" : "", (unsigned long long)clock_floor);
	printf("%7s %6s  %-26s %8s %19s %9s %9s  %s\n", "threads", "size", "method",
	       "GB/s", "[min - max]", "p50", "p99", "cpus");
	for (unsigned i = 0; i < npts; i++) {
		const struct point *pt = &pts[i];
		char cpus[64] = "";
		size_t o = 0;

		memcpy(v, pt->bps, p->repeat * sizeof(*v));
		median_u64(v, p->repeat);
		for (unsigned k = 0; k < pt->threads && o < sizeof(cpus) - 8; k++)
			o += snprintf(cpus + o, sizeof(cpus) - o, "%s%d", k ? "," : "",
				      placement_cpu(topo, &p->cpus, k));
		printf("%7u %6s  %-26s %8.2f [%7.2f - %7.2f] %9s %9s  %s\n", pt->threads,
		       fmt_bytes(b1, sizeof(b1), pt->size),
		       pt->method == M_MEMCPY ? "memcpy (no flush, ceiling)" :
		       method_names[pt->method],
		       gb(median_u64(v, p->repeat)), gb((double)v[0]),
		       gb((double)v[p->repeat - 1]),
		       fmt_ns(b2, sizeof(b2), (double)hist_quantile(pt->lat, 0.5)),
		       fmt_ns(b3, sizeof(b3), (double)hist_quantile(pt->lat, 0.99)), cpus);
	}
	free(v);
}

int cmd_flush(int argc, char **argv)
{
	struct params p;
	struct topology *topo;
	struct target t;
	struct cpu_flush cf;
	struct slot *slots;
	struct point *pts;
	json_object *root, *arr, *env, *region;
	unsigned npts, done = 0;
	uint64_t clock_floor;
	char err[256];
	int rc = 0;

	topo = topology_open(err, sizeof(err));
	if (!topo) {
		fprintf(stderr, "%s: cannot read the cpu topology: %s\n", opt_progname(), err);
		return 1;
	}
	parse(argc, argv, &p, topo);
	root = results_new("flush", argc, argv);
	libpmem_choice(&cf);
	clock_floor = clock_floor_ns();

	progress("mapping %s...", p.target);
	target_open(&p, &t);
	if (placement_resolve_numa(topo, &p.cpus, t.numa_node, err, sizeof(err))) {
		target_close(&t);
		progress_done();
		if (p.kind == T_ANON && !strstr(err, "no remote"))
			snprintf(err, sizeof(err), "anon memory has no NUMA node of its own (first touch places it): give a cpu list");
		opt_die("--cpus", "%s: %s", p.cpus.text, err);
	}
	slots = calloc(p.max_threads, sizeof(*slots));
	progress("preparing %u region(s) of %s...", p.max_threads,
		 fmt_bytes(err, sizeof(err), p.region));
	prepare_slots(&p, topo, &t, slots);

	npts = p.nthreads * p.nsizes * p.nmethods;
	pts = calloc(npts, sizeof(*pts));
	for (unsigned ti = 0, i = 0; ti < p.nthreads; ti++)
		for (unsigned si = 0; si < p.nsizes; si++)
			for (unsigned mi = 0; mi < p.nmethods; mi++, i++) {
				pts[i] = (struct point){ .method = p.methods[mi],
					.size = p.sizes[si], .threads = p.threads[ti] };
				pts[i].bps = calloc(p.repeat, sizeof(uint64_t));
				pts[i].lat = malloc(sizeof(struct hist));
				if (!pts[i].bps || !pts[i].lat)
					fatal("out of memory");
				hist_init(pts[i].lat);
			}
	/* Repeats outermost: a disturbance hits one repeat of many points,
	 * not every repeat of one point. */
	for (unsigned r = 0; r < p.repeat; r++)
		for (unsigned i = 0; i < npts; i++) {
			char b[32];

			progress("repeat %u/%u: %u thread(s), %s, %s  (%u/%u)", r + 1,
				 p.repeat, pts[i].threads, fmt_bytes(b, sizeof(b), pts[i].size),
				 method_names[pts[i].method], ++done, npts * p.repeat);
			if (r == 0 && i == 0)
				test_stop("running");
			pts[i].bps[r] = run_point(&p, topo, slots, &pts[i]);
		}
	progress_done();

	env = p.kind == T_ANON ? NULL : p.kind == T_DEVDAX ?
	      env_capture_devdax(t.daxname) : env_capture(t.dir, t.fd);
	region = region_json(&p, &t, env);
	{
		json_object *pj = json_object_new_object();
		json_object *a;

		json_object_object_add(pj, "target", json_object_new_string(p.target));
		a = json_object_new_array();
		for (unsigned i = 0; i < p.nsizes; i++)
			json_object_array_add(a, json_object_new_uint64(p.sizes[i]));
		json_object_object_add(pj, "sizes", a);
		a = json_object_new_array();
		for (unsigned i = 0; i < p.nthreads; i++)
			json_object_array_add(a, json_object_new_int((int)p.threads[i]));
		json_object_object_add(pj, "threads", a);
		json_object_object_add(pj, "cpus", json_object_new_string(p.cpus.text));
		a = json_object_new_array();
		for (unsigned i = 0; i < p.nmethods; i++)
			json_object_array_add(a, json_object_new_string(method_names[p.methods[i]]));
		json_object_object_add(pj, "methods", a);
		json_object_object_add(pj, "duration_ns", json_object_new_uint64(p.duration_ns));
		json_object_object_add(pj, "repeat", json_object_new_int((int)p.repeat));
		json_object_object_add(pj, "region", json_object_new_uint64(p.region));
		json_object_object_add(pj, "gb", json_object_new_string("10^9 bytes"));
		json_object_object_add(root, "params", pj);
	}
	{
		json_object *tj = json_object_new_object();

		json_object_object_add(tj, "kind", json_object_new_string(target_kinds[p.kind]));
		json_object_object_add(tj, "path", p.kind == T_ANON ? NULL :
				       json_object_new_string(t.path));
		json_object_object_add(tj, "dax", t.dax < 0 ? NULL : json_object_new_boolean(t.dax == 1));
		json_object_object_add(tj, "is_pmem", json_object_new_boolean(t.is_pmem));
		json_object_object_add(tj, "numa_node", t.numa_node < 0 ? NULL :
				       json_object_new_int(t.numa_node));
		json_object_object_add(tj, "devdax", t.devdax ? json_object_get(t.devdax) : NULL);
		if (p.kind == T_ANON)
			json_object_object_add(tj, "madv_hugepage", json_object_new_boolean(true));
		if (p.kind == T_DIR)
			json_object_object_add(tj, "file_removed", json_object_new_boolean(true));
		json_object_object_add(tj, "region", json_object_get(region));
		json_object_object_add(root, "target", tj);
	}
	json_object_object_add(root, "env", env);
	json_object_object_add(root, "topology", topology_json(topo));
	json_object_object_add(root, "clock_floor_ns", json_object_new_uint64(clock_floor));
	json_object_object_add(root, "cpu_flush", cpu_flush_json(&cf));
	arr = json_object_new_array();
	for (unsigned i = 0; i < npts; i++)
		json_object_array_add(arr, point_json(&p, topo, &pts[i]));
	json_object_object_add(root, "points", arr);

	if (!p.opt.quiet)
		print_table(&p, topo, &t, &cf, region, pts, npts, clock_floor);
	if (results_save(&p.opt.out, root))
		rc = 1;

	for (unsigned i = 0; i < npts; i++) {
		free(pts[i].bps);
		free(pts[i].lat);
	}
	free(pts);
	for (unsigned i = 0; i < p.max_threads; i++)
		free(slots[i].src);
	free(slots);
	target_close(&t);
	placement_free(&p.cpus);
	topology_close(topo);
	json_object_put(region);
	json_object_put(root);
	return rc;
}

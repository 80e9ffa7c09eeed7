// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: usage, option parsing and validation into struct params.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "opts.h"
#include "pattern.h"
#include "stats.h"
#include "sync_methods.h"
#include "test_stop.h"
#include "topology.h"
#include "sync.h"

const char *const sync_page_names[] = { "pte", "pmd", "mixed", NULL };
static const char *const numa_names[] = { "local", "remote", NULL };

/* ------------------------------------------------------------------ */
/* options                                                              */

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench sync --dir DIR [options]\n"
"  --dir DIR            directory on the file system under test (required)\n"
"  --size SIZE          file size (default 64M; a multiple of 2M, of 4K with\n"
"                       --page pte; at least 4M with --page mixed)\n"
"  --page MODE          pte | pmd | mixed (2 MiB chunks alternately PMD- and\n"
"                       PTE-mapped, plus the pte-then-pmd sequence) (default pmd)\n"
"  --writers W          storing threads (default 1)\n"
"  --pattern P          seq | rand | zipf (default rand); seq: each writer its\n"
"                       own slice, rand/zipf: the whole working set\n"
"  --zipf-theta X       zipf exponent, 0 < X <= 10 (default 0.99)\n"
"  --store-size SIZE    bytes per store, a power of two in 8..2M (default 4K)\n"
"  --working-set SIZE   the first SIZE bytes of the file are stored to\n"
"                       (default: --size)\n"
"  --rate N             stores per second per writer (default: as fast as\n"
"                       possible)\n"
"  --syncers S          syncing threads; writer i belongs to syncer i %% S\n"
"                       (default 1)\n"
"  --sync LIST          fsync | fdatasync | msync | msync-range | sfr | mapsync,\n"
"                       or a comma list dealt to the syncers in turn\n"
"                       (default fsync; mapsync alone, DAX only)\n"
"  --every N            a syncer calls after every N stores of its writers\n"
"                       (default 256)\n"
"  --period T           or every T (e.g. 10ms)\n"
"  --lockstep           writers wait at each --every boundary until their\n"
"                       syncer's call returns (as fio's fsync=N)\n"
"  --duration T         run length (default 1s)\n"
"  --stores N           or N stores per writer\n"
"  --cpus P             pin every thread: compact | scatter | a cpu list 0,2-3\n"
"                       (writers first, then syncers; default: not pinned)\n"
"  --numa local|remote  pin to the cpus of the pmem device's NUMA node, or of\n"
"                       the other nodes\n"
"  --repeat N           repeat on a fresh file (default 1): medians reported\n"
"  --seed N             seed of the offsets and stored values (default 1)\n"
"  --output FILE        write the JSON result there (atomically), or to stdout\n"
"                       with - (instead of the table)\n"
"  --trace-buffer SIZE  per-cpu trace buffer (default 16M)\n"
"  --no-trace           run without flush accounting\n"
"  --allow-lost-events  keep results even when trace events were lost\n"
"  --quiet              no table on stdout\n"
OUT_TARGET_HELP
"- or /dev/stdout writes to stdout, in place of the table.\n");
}

static void parse_sync(const char *arg, struct params *p)
{
	char buf[256], *tok[MAX_METHODS];
	unsigned n = opt_list("--sync", arg, buf, sizeof(buf), tok, MAX_METHODS);

	p->nmethods = 0;
	for (unsigned i = 0; i < n; i++)
		p->methods[p->nmethods++] =
			&sync_methods[opt_choice("--sync", tok[i], sync_method_names)];
	for (unsigned i = 0; i < p->nmethods; i++)
		if (p->methods[i]->map_sync && p->nmethods > 1)
			opt_die("--sync", "%s maps the file MAP_SYNC for every writer: it cannot be combined with other methods",
				p->methods[i]->name);
	p->sync_text = arg;
}

static double parse_theta(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v > 0 && v <= PATTERN_ZIPF_THETA_MAX))
		opt_die("--zipf-theta", "'%s' is not a number in (0, %g]", arg,
			PATTERN_ZIPF_THETA_MAX);
	return v;
}

void sync_parse(int argc, char **argv, struct params *p,
		  const struct topology *topo)
{
	static const struct opt_def defs[] = {
		OPT_DEF_DIR,
		{ { "size", required_argument, NULL, 's' }, "size", "4M" },
		{ { "page", required_argument, NULL, 'p' }, "choice", "pte" },
		{ { "writers", required_argument, NULL, 'w' }, "uint", "1" },
		{ { "syncers", required_argument, NULL, 'y' }, "uint", "1" },
		{ { "pattern", required_argument, NULL, 'P' }, "choice", "rand" },
		{ { "zipf-theta", required_argument, NULL, 'z' }, "number", "0.99" },
		{ { "store-size", required_argument, NULL, 'S' }, "size", "4K" },
		{ { "working-set", required_argument, NULL, 'W' }, "size", "4M" },
		{ { "rate", required_argument, NULL, 'r' }, "uint", "1000" },
		{ { "sync", required_argument, NULL, 'm' }, "list", "fsync" },
		{ { "every", required_argument, NULL, 'E' }, "uint", "256" },
		{ { "period", required_argument, NULL, 'T' }, "duration", "10ms" },
		{ { "lockstep", no_argument, NULL, 'l' }, "flag", NULL },
		{ { "duration", required_argument, NULL, 'D' }, "duration", "10ms" },
		{ { "stores", required_argument, NULL, 'n' }, "uint", "100" },
		{ { "cpus", required_argument, NULL, 'c' }, "cpus", "0" },
		{ { "numa", required_argument, NULL, 'u' }, "choice", "local" },
		{ { "repeat", required_argument, NULL, 'R' }, "uint", "1" },
		OPT_DEF_SEED,
		OPT_DEF_OUTPUT,
		OPT_DEF_TRACED_END,
	};
	bool every_given = false, period_given = false, dur_given = false;
	bool ws_given = false;
	const char *sync = "fsync";
	uint64_t granule, slots;
	char b1[32], b2[32];
	int c;

	*p = (struct params){ .size = 64ull << 20, .page = SP_PMD, .writers = 1,
		.syncers = 1, .pattern = PATTERN_RAND, .zipf_theta = PATTERN_ZIPF_THETA,
		.store_size = 4096, .every = 256, .duration_ns = 1000000000ull,
		.repeat = 1, .opt = TRACED_CMD_OPTS(usage) };
	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 's': p->size = opt_size("--size", optarg, 4096, 1ull << 44); break;
		case 'p': p->page = opt_choice("--page", optarg, sync_page_names); break;
		case 'w': p->writers = opt_uint("--writers", optarg, 1, MAX_THREADS); break;
		case 'y': p->syncers = opt_uint("--syncers", optarg, 1, MAX_THREADS); break;
		case 'P': p->pattern = opt_choice("--pattern", optarg, pattern_names); break;
		case 'z': p->zipf_theta = parse_theta(optarg); break;
		case 'S':
			p->store_size = opt_size("--store-size", optarg, 8, 2ull << 20);
			if (p->store_size & (p->store_size - 1))
				opt_die("--store-size", "%s is not a power of two (8, 16, ..., 4K, ..., 2M)",
					optarg);
			break;
		case 'W':
			p->working_set = opt_size("--working-set", optarg, 8, 1ull << 44);
			ws_given = true;
			break;
		case 'r': p->rate = opt_uint("--rate", optarg, 1, 1000000000ull); break;
		case 'm': sync = optarg; break;
		case 'E':
			p->every = opt_uint("--every", optarg, 1, 1ull << 40);
			every_given = true;
			break;
		case 'T':
			p->period_ns = opt_duration_ns("--period", optarg, 1000ull,
						       3600ull * 1000000000ull);
			period_given = true;
			break;
		case 'l': p->lockstep = true; break;
		case 'D':
			p->duration_ns = opt_duration_ns("--duration", optarg, 1000000ull,
							 24ull * 3600 * 1000000000ull);
			dur_given = true;
			break;
		case 'n': p->stores = opt_uint("--stores", optarg, 1, 1ull << 40); break;
		case 'c': p->cpus_text = optarg; break;
		case 'u':
			opt_choice("--numa", optarg, numa_names);
			p->numa_text = optarg;
			break;
		case 'R': p->repeat = opt_uint("--repeat", optarg, 1, 10000); break;
		default:  opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	parse_sync(sync, p);

	granule = p->page == SP_PTE ? PAGE : CHUNK;
	if (p->size % granule)
		opt_die("--size", "%s is not a multiple of %s (--page %s)",
			fmt_bytes(b1, sizeof(b1), p->size), fmt_bytes(b2, sizeof(b2), granule),
			sync_page_names[p->page]);
	if (p->page == SP_MIXED && p->size < 2 * CHUNK)
		opt_die("--size", "--page mixed needs at least 4M (a PMD chunk and a PTE chunk)");
	if (!ws_given)
		p->working_set = p->size;
	if (p->working_set > p->size)
		opt_die("--working-set", "%s is larger than --size %s",
			fmt_bytes(b1, sizeof(b1), p->working_set),
			fmt_bytes(b2, sizeof(b2), p->size));
	slots = p->working_set / p->store_size;
	if (slots < p->writers)
		opt_die("--working-set", "%s holds %llu store(s) of --store-size %s: fewer than the %u writer(s)",
			fmt_bytes(b1, sizeof(b1), p->working_set), (unsigned long long)slots,
			fmt_bytes(b2, sizeof(b2), p->store_size), p->writers);
	if (every_given && period_given)
		opt_die("--period", "cannot be combined with --every (one interval)");
	if (period_given)
		p->every = 0;
	if (p->lockstep && period_given)
		opt_die("--lockstep", "needs --every (writers wait at every N stores), not --period");
	if (p->every && p->syncers > p->writers)
		opt_die("--syncers", "%u syncers but %u writer(s): with --every each syncer needs a writer of its own (use --period)",
			p->syncers, p->writers);
	if (dur_given && p->stores)
		opt_die("--stores", "cannot be combined with --duration (one run length)");
	if (p->stores)
		p->duration_ns = 0;
	if (p->cpus_text && p->numa_text)
		opt_die("--numa", "cannot be combined with --cpus (both place the threads)");
	if (p->cpus_text) {
		placement_parse(topo, "--cpus", p->cpus_text, &p->pl);
		if (p->pl.policy == PLACE_LOCAL || p->pl.policy == PLACE_REMOTE)
			p->numa_text = p->cpus_text;
		p->pin = true;
	}
	if (p->numa_text) {
		placement_parse(topo, "--numa", p->numa_text, &p->pl);
		p->pin = true;
	}
	test_stop("start");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare DIR_A DIR_B: compare two result directories point by
 * point (NAME.json present in both), e.g. two kernels.
 *
 * The options, then the comparison in its phases (compare.h): every file
 * of both directories read and validated against its kind, and the points
 * with their metrics per side (compare_points.c: exit 2 naming the file and
 * the field on the first fault; a result compare does not compare, flush or
 * stress, or that is in one directory only is listed, never dropped); the
 * statistics (compare_analyse.c); the table on stdout (compare_text.c); with
 * --output DIR, DIR/compare.json (compare_json.c) and DIR/compare.txt.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "compare.h"
#include "opts.h"
#include "results.h"

static struct {
	const char *output;
	bool output_exists;		/* --output DIR was there before */
	struct out_target out_json, out_txt;	/* DIR/compare.json, .txt */
	bool quiet;
} opt;

static struct comparison cmp = { .alpha = 0.05, .seed = 1, .resamples_min = 10000 };

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench compare DIR_A DIR_B [options]\n"
"  Compares every NAME.json result present in both directories (e.g. the\n"
"  same suite on two kernels): timings by the change of their medians with a\n"
"  bootstrap interval (simultaneous over all timing metrics) and a\n"
"  Mann-Whitney U test, exact counts exactly.\n"
"  --output DIR       write DIR/compare.json and DIR/compare.txt (DIR: an\n"
"                     existing directory, or a new one; not stdout)\n"
"  --alpha A          family-wise error of the intervals (default 0.05: 95%%)\n"
"  --seed N           bootstrap seed (default 1)\n"
"  --resamples N      bootstrap resamples, at least 2000 (default 10000; raised\n"
"                     so that each tail of each interval holds 10 of them)\n"
"  --label-a TEXT     name of A in tables (default: its kernel release)\n"
"  --label-b TEXT     name of B\n"
"  --quiet            no table on stdout\n"
OUT_TARGET_HELP);
}

/* The two files of --output DIR (DIR exists): each a new name, a regular
 * file or a link to one (output_target.h). */
static void output_files(void)
{
	static char json[PATH_MAX + 16], txt[PATH_MAX + 16];

	snprintf(json, sizeof(json), "%s/compare.json", opt.output);
	snprintf(txt, sizeof(txt), "%s/compare.txt", opt.output);
	out_target_check(&opt.out_json, "--output", json, "is not a file of DIR");
	out_target_check(&opt.out_txt, "--output", txt, "is not a file of DIR");
}

static void parse(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ { "output", required_argument, NULL, 'o' }, "dir-out", NULL },
		{ { "alpha", required_argument, NULL, 'a' }, "number", "0.05" },
		{ { "seed", required_argument, NULL, 's' }, "uint", "1" },
		{ { "resamples", required_argument, NULL, 'r' }, "uint", "2000" },
		{ { "label-a", required_argument, NULL, 'A' }, "text", "A" },
		{ { "label-b", required_argument, NULL, 'B' }, "text", "B" },
		{ { "quiet", no_argument, NULL, 'q' }, "flag", NULL },
		{ { "help", no_argument, NULL, 'h' }, "flag", NULL },
		OPT_DEF_END,
	};
	int c;

	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 'o': opt.output = optarg; break;
		case 'a': {
			char *end;

			errno = 0;
			cmp.alpha = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(cmp.alpha > 0) ||
			    !(cmp.alpha <= 0.5))
				opt_die("--alpha", "'%s' is not a number in (0, 0.5]", optarg);
			break;
		}
		case 's': cmp.seed = opt_uint("--seed", optarg, 0, UINT64_MAX); break;
		case 'r': cmp.resamples_min = opt_uint("--resamples", optarg, 2000, 10000000); break;
		case 'A':
		case 'B':
			if (!*optarg)
				opt_die(c == 'A' ? "--label-a" : "--label-b", "is empty");
			cmp.label[c == 'A' ? SA : SB] = optarg;
			break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default:  opt_getopt_fail(c, argv);
		}
	}
	if (argc - optind != 2)
		opt_die(NULL, "expected two result directories DIR_A DIR_B, got %d argument(s) (see --help)",
			argc - optind);
	cmp.dir[SA] = argv[optind];
	cmp.dir[SB] = argv[optind + 1];
	for (int s = 0; s < 2; s++) {
		struct stat st;

		if (stat(cmp.dir[s], &st) || !S_ISDIR(st.st_mode))
			opt_die(s == SA ? "DIR_A" : "DIR_B", "'%s' is not a directory",
				cmp.dir[s]);
	}
	if (opt.output) {	/* created when the results are written */
		out_dir_check("--output", opt.output, &opt.output_exists);
		if (opt.output_exists)
			output_files();
	}
}

/* The labels not given: each side's kernel release, with its file system
 * when the two differ. */
static void default_labels(void)
{
	static char lab[2][400];
	char rel[2][256], fs[2][64];

	for (int s = 0; s < 2; s++)
		compare_side_env(&cmp, s, rel[s], sizeof(rel[s]), fs[s], sizeof(fs[s]));
	for (int s = 0; s < 2; s++) {
		if (cmp.label[s])
			continue;
		if (strcmp(fs[SA], fs[SB]))
			snprintf(lab[s], sizeof(lab[s]), "%.300s %.60s", rel[s], fs[s]);
		else
			snprintf(lab[s], sizeof(lab[s]), "%.300s", rel[s]);
		cmp.label[s] = lab[s];
	}
}

/* --output DIR: compare.json and compare.txt, DIR made if new. */
static int write_output(int argc, char **argv)
{
	json_object *root;
	int rc = 0;
	FILE *f;

	if (!opt.output_exists) {
		if (mkdir(opt.output, 0755) && errno != EEXIST) {
			fprintf(stderr, "%s: --output: cannot create %s: %s\n",
				opt_progname(), opt.output, strerror(errno));
			return 1;
		}
		output_files();
	}
	root = compare_json(&cmp, argc, argv);
	if (results_save(&opt.out_json, root))
		rc = 1;
	json_object_put(root);
	f = out_begin(&opt.out_txt);
	if (f)
		compare_print(f, &cmp);
	if (!f || out_end(&opt.out_txt)) {
		out_abandon(&opt.out_txt);
		out_target_report(&opt.out_txt);
		rc = 1;
	}
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	parse(argc, argv);
	compare_load(&cmp);
	default_labels();
	compare_analyse(&cmp);
	if (!opt.quiet)
		compare_print(stdout, &cmp);
	return opt.output ? write_output(argc, argv) : 0;
}

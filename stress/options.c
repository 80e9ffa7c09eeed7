// SPDX-License-Identifier: GPL-2.0
/*
 * daxstress: the command line.  The driver's options, and the scenarios'
 * own (struct sc_option), gathered from the table: one option a name, in
 * the getopt table, --help and --list-options; which negative controls
 * apply comes from what the selected scenarios implement.  The
 * reproduction line of a failed scenario.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "results.h"
#include "test_stop.h"

#define OPT_OWN 0x200		/* getopt codes of the own options: + index */
#define HELP_COL 24		/* where --help's descriptions start */
#define HELP_WIDTH 79

/* The own options of every scenario, one a name, in table order: into
 * p->own. */
static void gather_own(struct stress_params *p)
{
	size_t n;
	const struct scenario *const *t = scenario_table(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < t[i]->noptions; k++) {
			const struct sc_option *o = &t[i]->options[k];
			size_t j = 0;

			while (j < p->nown && strcmp(p->own[j].o->name, o->name))
				j++;
			if (j < p->nown) {
				if (p->own[j].o->min != o->min ||
				    p->own[j].o->max != o->max ||
				    strcmp(p->own[j].o->help, o->help)) {
					fprintf(stderr, "daxstress: --%s declared "
						"unlike by %s\n", o->name,
						t[i]->name);
					abort();
				}
				continue;
			}
			if (p->nown == OWN_OPTIONS_MAX || k >= SC_OPTIONS_MAX)
				abort();
			p->own[p->nown].o = o;
			snprintf(p->own[p->nown].example,
				 sizeof(p->own[0].example), "%u", o->min);
			p->nown++;
		}
}

static const struct own_option *own_of(const struct stress_params *p,
				       const char *name)
{
	for (size_t j = 0; j < p->nown; j++)
		if (!strcmp(p->own[j].o->name, name))
			return &p->own[j];
	return NULL;
}

unsigned own_value(const struct stress_params *p, const struct scenario *sc,
		   size_t k)
{
	const struct own_option *w = own_of(p, sc->options[k].name);

	return w && w->set ? w->value : sc->options[k].dflt;
}

unsigned own_given(const struct stress_params *p, const char *name,
		   unsigned dflt)
{
	const struct own_option *w = own_of(p, name);

	return w && w->set ? w->value : dflt;
}

/* ---- --help ---- */

/* text from column HELP_COL, wrapped at HELP_WIDTH (a word too long for a
 * line stands alone on it). */
static void help_wrapped(FILE *f, const char *head, const char *text)
{
	size_t col = (size_t)fprintf(f, "%s", head);
	const char *w = text;

	if (col >= HELP_COL) {
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", (int)(HELP_COL - col), "");
	col = HELP_COL;
	while (*w) {
		size_t len = strcspn(w, " ");

		if (col > HELP_COL && col + 1 + len > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)len, w);
		col += len;
		w += len;
		w += strspn(w, " ");
	}
	fputc('\n', f);
}

/* "  --NAME ARG  HELP of A (default 3) and B (default 2)" of each own
 * option, from the scenarios that declare it. */
static void usage_own(FILE *f, const struct stress_params *p)
{
	size_t n;
	const struct scenario *const *t = scenario_table(&n);

	for (size_t j = 0; j < p->nown; j++) {
		const struct sc_option *o = p->own[j].o;
		char head[64], text[1024];
		size_t len, users = 0, seen = 0;

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < t[i]->noptions; k++)
				users += !strcmp(t[i]->options[k].name, o->name);
		snprintf(head, sizeof(head), "  --%s %s", o->name, o->arg);
		len = (size_t)snprintf(text, sizeof(text), "%s of", o->help);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < t[i]->noptions; k++) {
				if (strcmp(t[i]->options[k].name, o->name))
					continue;
				seen++;
				len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s %s (default %u)", seen == 1 ? "" :
					seen == users ? " and" : ",", t[i]->name,
					t[i]->options[k].dflt);
			}
		help_wrapped(f, head, text);
	}
}

static void usage(FILE *f)
{
	struct stress_params own = { .nown = 0 };

	gather_own(&own);
	fprintf(f,
"usage: daxstress --dir DIR [options]\n"
"Race scenarios for fs-dax dirty-page tracking, checked by a flush oracle\n"
"fed from the kernel's fs_dax tracepoints; TAP on stdout.\n"
"  --dir DIR             directory on the file system under test (required)\n"
"  --scenario NAME[,..]  scenarios to run, in order (default all; --list)\n"
"  --list                list the scenarios and exit\n"
"  --seed N              seed of every random choice (default: random, printed)\n"
"  --duration D          run for D in all (e.g. 90s, 30m, 1h), split evenly\n"
"                        between the scenarios that can run here\n"
"  --iterations N        iterations per scenario (default: each scenario's own\n"
"                        count, or as many as --duration allows)\n"
"  --size SIZE           file size (default 16M, 40M in concurrent-fsync,\n"
"                        pte-then-pmd and rewrite-after-flush, whose second\n"
"                        and third of every four iterations take 2M less 5\n"
"                        pages; a multiple of 4M)\n"
"  --writers N           storing threads (default 2)\n");
	usage_own(f, &own);
	fprintf(f,
"  --round D             racing time of an iteration (default 1s)\n"
"  --page MODE           mixed | pmd | pte: the mapping of the file under test\n"
"                        in concurrent-fsync, rewrite-after-flush and\n"
"                        truncate-punch (default mixed: PMD and PTE\n"
"                        iterations alternate), and layout (mixed: both in\n"
"                        every iteration)\n"
"  --inject KIND         negative control: partial-sync or async (on\n"
"                        concurrent-fsync: the oracle must fire), kmsg-warning\n"
"                        (a fake WARNING in the kernel log: every scenario fails),\n"
"                        unflushed (DAX scenarios, needs kprobe events: the\n"
"                        dax_flush records of every second writeback dropped,\n"
"                        each must be an unflushed violation)\n"
"  --output FILE         JSON summary, written atomically\n"
"  --trace-buffer SIZE   per-cpu trace buffer (default 32M)\n"
"  --allow-lost-events   go on when trace events were lost\n"
"  --max-report N        violations printed per scenario (default 5)\n"
"  --dump DIR            write the streams of a scenario's first failing\n"
"                        iteration (stores, sync calls, events) as CSV to DIR\n"
"  --version, --help\n"
"Violations are of a class: late or missed (a page stored before a sync call\n"
"not written back by it: flushed by a call still running when it returned,\n"
"or not), and unflushed (a dax_writeback_one event with no completed\n"
"dax_flush of its range by its thread before it: checked with kprobe events\n"
"only; without them every scenario says the rule was not checked).\n"
OUT_TARGET_HELP
"--output cannot be stdout (- or /dev/stdout): stdout carries the TAP.\n"
"Exit status: 0 every scenario passed or was skipped, 1 one failed, 2 bad\n"
"options, 4 every selected scenario was skipped.\n");
}

static void list(void)
{
	size_t n;
	const struct scenario *const *t = scenario_table(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-20s %-10s %s\n", t[i]->name,
		       t[i]->needs_dax ? "dax" : "page-cache", t[i]->desc);
}

/* ---- the selection ---- */

/* --scenario LIST (given once or more): every scenario once, "all" for
 * every one; a scenario selected twice is an error, as in every list. */
static void select_add(struct selection *s, const char *arg)
{
	size_t n;
	const struct scenario *const *t = scenario_table(&n);
	char buf[512], *tok[TABLE_MAX + 1];
	unsigned ntok = opt_list("--scenario", arg, buf, sizeof(buf), tok,
				 (unsigned)n + 1);

	for (unsigned k = 0; k < ntok; k++) {
		size_t c = (size_t)opt_choice("--scenario", tok[k],
					      scenario_names());
		size_t from = c == n ? 0 : c, to = c == n ? n : c + 1;

		for (size_t i = from; i < to; i++) {
			for (size_t j = 0; j < s->n; j++)
				if (s->v[j] == t[i])
					opt_list_twice("--scenario", t[i]->name);
			s->v[s->n++] = t[i];
		}
	}
}

/* The scenarios of the table implementing the negative control k, in
 * words for a message: "NAME, which is not selected", "the DAX scenarios,
 * none of which is selected" or "A, B and C, none of which is selected". */
static void inject_users(enum inject_kind k, char *out, size_t len)
{
	size_t n, users = 0, seen = 0, o = 0;
	const struct scenario *const *t = scenario_table(&n);
	bool all_dax = true;

	for (size_t i = 0; i < n; i++) {
		bool has = scenario_injects(t[i], k);

		users += has;
		all_dax &= has == t[i]->needs_dax;
	}
	if (users > 1 && all_dax) {
		snprintf(out, len, "the DAX scenarios, none of which is selected");
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (scenario_injects(t[i], k)) {
			seen++;
			o += (size_t)snprintf(out + o, len - o, "%s%s", seen == 1 ?
				"" : seen == users ? " and " : ", ", t[i]->name);
		}
	snprintf(out + o, len - o, users == 1 ? ", which is not selected" :
		 ", none of which is selected");
}

/* --inject KIND must apply to a selected scenario. */
static void check_inject(enum inject_kind k, const struct selection *sel)
{
	char who[512];

	if (k == INJ_NONE)
		return;
	for (size_t i = 0; i < sel->n; i++)
		if (scenario_injects(sel->v[i], k))
			return;
	inject_users(k, who, sizeof(who));
	opt_die("--inject", "%s applies to %s", inject_names[k], who);
}

/* ---- parsing ---- */

/* The driver's options before the own ones, and after. */
static const struct opt_def defs_head[] = {
	OPT_DEF_DIR,
	{ { "scenario", required_argument, NULL, 'c' }, "list", "page-cache" },
	{ { "list", no_argument, NULL, 'l' }, "flag", NULL },
	OPT_DEF_SEED,
	{ { "duration", required_argument, NULL, 'D' }, "duration", "1s" },
	{ { "iterations", required_argument, NULL, 'i' }, "uint", "1" },
	{ { "size", required_argument, NULL, 's' }, "size", "4M" },
	{ { "writers", required_argument, NULL, 'w' }, "uint", "1" },
};
static const struct opt_def defs_tail[] = {
	{ { "round", required_argument, NULL, 'r' }, "duration", "10ms" },
	{ { "page", required_argument, NULL, 'p' }, "choice", "pte" },
	{ { "inject", required_argument, NULL, 'I' }, "choice", "none" },
	/* a file, not stdout: stdout carries the TAP */
	{ OPT_LONG_OUTPUT, "file-out-only", NULL },
	OPT_DEF_TRACE_BUFFER,
	OPT_DEF_ALLOW_LOST,
	{ { "max-report", required_argument, NULL, 'm' }, "uint", "5" },
	{ { "dump", required_argument, NULL, 'U' }, "dir", NULL },
	{ { "version", no_argument, NULL, 'V' }, "flag", NULL },
	OPT_DEF_HELP,
	OPT_DEF_END,
};
#define NHEAD (sizeof(defs_head) / sizeof(defs_head[0]))
#define NTAIL (sizeof(defs_tail) / sizeof(defs_tail[0]))

/* defs_head, the own options, defs_tail (with its end). */
static void build_defs(const struct stress_params *p, struct opt_def *defs)
{
	memcpy(defs, defs_head, sizeof(defs_head));
	for (size_t j = 0; j < p->nown; j++)
		defs[NHEAD + j] = (struct opt_def){ { p->own[j].o->name,
			required_argument, NULL, OPT_OWN + (int)j }, "uint",
			p->own[j].example };
	memcpy(defs + NHEAD + p->nown, defs_tail, sizeof(defs_tail));
}

/* One option of the driver's (c, its value optarg). */
static void parse_one(int c, char **argv, struct stress_params *p,
		      struct selection *sel)
{
	switch (c) {
	case 'c': select_add(sel, optarg); break;
	case 'l': list(); exit(0);
	case 'D':
		p->duration_ns = opt_duration_ns("--duration", optarg,
			1000000000ull, 30ull * 86400 * 1000000000ull);
		break;
	case 'i':
		p->iterations = (unsigned)opt_uint("--iterations", optarg, 1,
						   1000000000);
		break;
	case 's':
		p->size = opt_size("--size", optarg, 4ull << 20, 1ull << 40);
		if (p->size % (4ull << 20))
			opt_die("--size", "'%s' is not a multiple of 4M", optarg);
		p->size_set = true;
		break;
	case 'w':
		p->writers = (unsigned)opt_uint("--writers", optarg, 1, 64);
		p->writers_set = true;
		break;
	case 'r':
		p->round_ns = opt_duration_ns("--round", optarg, 10000000ull,
					      3600ull * 1000000000ull);
		p->round_set = true;
		break;
	case 'p':
		p->page = (enum page_sel)opt_choice("--page", optarg,
						    page_sel_names);
		p->page_set = true;
		break;
	case 'I':
		p->inject = (enum inject_kind)opt_choice("--inject", optarg,
							 inject_names);
		break;
	case 'm':
		p->max_report = (unsigned)opt_uint("--max-report", optarg, 0,
						   100000);
		break;
	case 'U':
		opt_writable_dir("--dump", optarg);
		p->dump_dir = optarg;
		break;
	case 'V': printf("daxstress %s\n", DAXBENCH_VERSION); exit(0);
	default: opt_common(c, argv, &p->opt);
	}
}

void parse(int argc, char **argv, struct stress_params *p,
	   struct selection *sel)
{
	struct opt_def defs[NHEAD + OWN_OPTIONS_MAX + NTAIL];
	int c;

	*p = (struct stress_params){ .round_ns = 1000000000ull, .max_report = 5,
		.opt = { .usage = usage, .trace_min = 1ull << 20,
		.trace_max = 1ull << 32, .dir_required = true,
		.no_stdout = "carries the TAP", .trace_kb = 32768 } };
	memset(sel, 0, sizeof(*sel));
	gather_own(p);
	build_defs(p, defs);
	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		if (c >= OPT_OWN && c < OPT_OWN + (int)p->nown) {
			struct own_option *w = &p->own[c - OPT_OWN];
			char name[64];

			snprintf(name, sizeof(name), "--%s", w->o->name);
			w->value = (unsigned)opt_uint(name, optarg, w->o->min,
						      w->o->max);
			w->set = true;
		} else {
			parse_one(c, argv, p, sel);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	if (!sel->n)
		select_add(sel, "all");	/* the default */
	check_inject(p->inject, sel);
	if (!p->opt.seed_set)
		p->opt.seed = (now_ns() ^ ((uint64_t)getpid() << 20)) % 1000000000ull;
	test_stop("start");
}

json_object *params_json(const struct stress_params *p)
{
	json_object *j = json_object_new_object();
	int err = 0;

	err |= jadd_str(j, "dir", p->opt.dir);
	err |= jadd_u64(j, "duration_ns", p->duration_ns);
	err |= jadd_u64(j, "iterations", p->iterations);
	err |= p->size_set ? jadd_u64(j, "size", p->size) : jadd_null(j, "size");
	err |= jadd_u64(j, "round_ns", p->round_ns);
	err |= jadd_str(j, "page", page_sel_names[p->page]);
	err |= jadd_str(j, "inject", inject_names[p->inject]);
	err |= jadd_u64(j, "trace_buffer_kb", p->opt.trace_kb);
	err |= jadd_bool(j, "allow_lost_events", p->opt.allow_lost);
	return jdone(j, err);
}

/* ---- the reproduction line ---- */

static void quote(char *out, size_t len, const char *s)
{
	size_t o = strlen(out);
	bool plain = *s != '\0';

	for (const char *q = s; *q; q++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_./=,:+@%", *q))
			plain = false;
	if (plain) {
		snprintf(out + o, len - o, " %s", s);
		return;
	}
	snprintf(out + o, len - o, " '");
	for (; *s; s++) {
		o = strlen(out);
		if (*s == '\'')
			snprintf(out + o, len - o, "'\\''");
		else
			snprintf(out + o, len - o, "%c", *s);
	}
	o = strlen(out);
	snprintf(out + o, len - o, "'");
}

void repro_line(char *out, size_t len, const char *prog,
		const struct stress_params *p, const struct scenario *sc,
		int iterations)
{
	char num[96];

	snprintf(out, len, "%s", prog);
	quote(out, len, "--dir");
	quote(out, len, p->opt.dir);
	quote(out, len, "--scenario");
	quote(out, len, sc->name);
	snprintf(num, sizeof(num), "--seed=%" PRIu64, p->opt.seed);
	quote(out, len, num);
	snprintf(num, sizeof(num), "--iterations=%d", iterations);
	quote(out, len, num);
	if (p->size_set) {
		snprintf(num, sizeof(num), "--size=%" PRIu64, p->size);
		quote(out, len, num);
	}
	if (p->writers_set) {
		snprintf(num, sizeof(num), "--writers=%u", p->writers);
		quote(out, len, num);
	}
	for (size_t j = 0; j < p->nown; j++)
		if (p->own[j].set) {
			snprintf(num, sizeof(num), "--%s=%u", p->own[j].o->name,
				 p->own[j].value);
			quote(out, len, num);
		}
	if (p->round_set) {
		snprintf(num, sizeof(num), "--round=%" PRIu64 "ns", p->round_ns);
		quote(out, len, num);
	}
	if (p->page_set) {
		snprintf(num, sizeof(num), "--page=%s", page_sel_names[p->page]);
		quote(out, len, num);
	}
	/* the negative control, where it applies */
	if (scenario_injects(sc, p->inject)) {
		snprintf(num, sizeof(num), "--inject=%s", inject_names[p->inject]);
		quote(out, len, num);
	}
	if (p->opt.trace_set) {
		snprintf(num, sizeof(num), "--trace-buffer=%" PRIu64 "K", p->opt.trace_kb);
		quote(out, len, num);
	}
	if (p->opt.allow_lost)
		quote(out, len, "--allow-lost-events");
}

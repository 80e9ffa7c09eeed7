// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/opts.c: valid values parse to exact numbers; every
 * invalid value makes the process exit 2 with one stderr line naming the
 * option and quoting the value (checked in a forked child). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opts.h"
#include "tap.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)
#define SEC UINT64_C(1000000000)

enum kind { SIZE, DUR, UINT, FRAC, CHOICE, LIST, DIR, RODIR, COMMON };
static const char *const kind_name[] = {
	"size", "duration", "uint", "fraction", "choice", "list", "dir",
	"dir (read-only mount)", "common options",
};

static const char *const modes[] = { "seq", "rand", "stride", NULL };

/* arg as shown in a TAP line: control characters escaped. */
static const char *vis(const char *arg)
{
	static char buf[4][128];
	static int slot;
	char *b = buf[slot++ & 3];
	size_t o = 0;

	for (; *arg && o < sizeof(buf[0]) - 5; arg++)
		if ((unsigned char)*arg < 0x20)
			o += (size_t)snprintf(b + o, sizeof(buf[0]) - o,
					      "\\x%02x", *arg);
		else
			b[o++] = *arg;
	b[o] = '\0';
	return b;
}

struct call {
	enum kind kind;
	const char *opt, *arg;
	uint64_t min, max;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: test\n");
}

/*
 * A command's getopt loop over "prog ARGS" (ARGS split at blanks): its own
 * --own N, every common option, then opt_common_finish().  *own gets --own.
 */
static void parse_common(const char *args, struct common_opts *co,
			 uint64_t *own)
{
	static const struct option lo[] = {
		OPT_LONG_DIR, OPT_LONG_SEED, OPT_LONG_OUTPUT,
		OPT_LONG_TRACE_BUFFER, OPT_LONG_NO_TRACE, OPT_LONG_ALLOW_LOST,
		OPT_LONG_QUIET, OPT_LONG_HELP,
		{ "own", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	char buf[1024], *argv[32], *save = NULL;
	int argc = 0, c;

	snprintf(buf, sizeof(buf), "%s", args);
	argv[argc++] = "prog";
	for (char *t = strtok_r(buf, " ", &save); t && argc < 31;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	*co = (struct common_opts){ .usage = usage, .trace_min = 4096,
		.trace_max = UINT64_C(1) << 34, .dir_required = true,
		.seed = 1, .trace_kb = 16384 };
	*own = 0;
	optind = 0;		/* a fresh getopt scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case 'o': *own = opt_uint("--own", optarg, 0, 100); break;
		default: opt_common(c, argv, co);
		}
	}
	opt_common_finish(argc, argv, co);
}

/* Run one parser; returns its value (fractions as num * 2^32 / den). */
static uint64_t run(const struct call *c)
{
	uint64_t n, d;

	switch (c->kind) {
	case SIZE:
		return opt_size(c->opt, c->arg, c->min, c->max);
	case DUR:
		return opt_duration_ns(c->opt, c->arg, c->min, c->max);
	case UINT:
		return opt_uint(c->opt, c->arg, c->min, c->max);
	case FRAC:
		opt_fraction(c->opt, c->arg, &n, &d);
		return n;
	case CHOICE:
		return (uint64_t)opt_choice(c->opt, c->arg, modes);
	case LIST: {
		char buf[64], *tok[3];

		return opt_list(c->opt, c->arg, buf, sizeof(buf), tok, 3);
	}
	case RODIR:
		/* In a private mount namespace, mount a read-only tmpfs on
		 * the directory: what defeats root, who ignores mode bits.
		 * Exit 77 (skip) when that is not permitted. */
		if (unshare(CLONE_NEWNS) ||
		    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", c->arg, "tmpfs", MS_RDONLY, NULL))
			_exit(77);
		/* fall through */
	case DIR:
		opt_writable_dir(c->opt, c->arg);
		return 0;
	case COMMON: {
		struct common_opts co;

		parse_common(c->arg, &co, &n);
		return n;
	}
	}
	return 0;
}

/*
 * Run c in a child with stderr on a pipe.  Returns the wait status; the
 * child's stderr is in out (NUL-terminated, truncated to len - 1).
 */
static int in_child(const struct call *c, char *out, size_t len)
{
	int p[2], status = -1;
	size_t got = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		close(p[1]);
		if (devnull >= 0) {	/* keep the TAP stream clean */
			dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
		opt_set_progname("daxbench");
		run(c);
		_exit(0);	/* parser returned: success */
	}
	close(p[1]);
	for (;;) {
		char scratch[256];
		ssize_t r;

		if (got < len - 1)
			r = read(p[0], out + got, len - 1 - got);
		else
			r = read(p[0], scratch, sizeof(scratch));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (got < len - 1)
			got += (size_t)r;
	}
	out[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/*
 * Expect c to fail: exit status 2, exactly one line on stderr that starts
 * with "daxbench: OPT: " and contains want (default: the quoted value).
 */
static void bad(enum kind k, const char *opt, const char *arg, uint64_t min,
		uint64_t max, const char *want)
{
	struct call c = { k, opt, arg, min, max };
	char out[2048], prefix[128], quoted[256];
	int st = in_child(&c, out, sizeof(out));
	char *nl = strchr(out, '\n');
	int one_line = nl && nl[1] == '\0';

	snprintf(prefix, sizeof(prefix), "daxbench: %s: ", opt);
	snprintf(quoted, sizeof(quoted), "'%s'", arg);
	if (!want)
		want = quoted;
	if (k == RODIR && WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip("%s: cannot mount a read-only tmpfs here", kind_name[k]);
		return;
	}
	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == OPT_EXIT_USAGE &&
		one_line && !strncmp(out, prefix, strlen(prefix)) &&
		strstr(out, want),
		"%s %s '%s' is rejected with one line naming it",
		kind_name[k], opt, vis(arg))) {
		diag("status %#x, stderr: %s", st, out);
	} else {
		*nl = '\0';
		diag("%s", out);
	}
}

/* Expect c to succeed silently in a child (for calls that might exit). */
static void good_in_child(enum kind k, const char *opt, const char *arg,
			  const char *what)
{
	struct call c = { k, opt, arg, 0, 0 };
	char out[2048];
	int st = in_child(&c, out, sizeof(out));

	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !out[0],
		"%s: %s is accepted", kind_name[k], what))
		diag("status %#x, stderr: %s", st, out);
}

static void good_size(const char *arg, uint64_t want)
{
	uint64_t v = opt_size("--size", arg, 0, UINT64_MAX);

	is(v, want, "size '%s' = %llu", arg, (unsigned long long)want);
}

static void good_dur(const char *arg, uint64_t want)
{
	uint64_t v = opt_duration_ns("--duration", arg, 0, UINT64_MAX);

	is(v, want, "duration '%s' = %llu ns", arg, (unsigned long long)want);
}

static void good_uint(const char *arg, uint64_t min, uint64_t max,
		      uint64_t want)
{
	uint64_t v = opt_uint("--threads", arg, min, max);

	is(v, want, "uint '%s' = %llu", arg, (unsigned long long)want);
}

static void good_frac(const char *arg, uint64_t wn, uint64_t wd)
{
	uint64_t n = 0, d = 0;

	opt_fraction("--fraction", arg, &n, &d);
	ok(n == wn && d == wd, "fraction '%s' = %llu/%llu (got %llu/%llu)",
	   arg, (unsigned long long)wn, (unsigned long long)wd,
	   (unsigned long long)n, (unsigned long long)d);
}

static void test_sizes(void)
{
	good_size("4096", 4096);
	good_size("64M", 67108864);
	good_size("64K", 64 * KiB);
	good_size("64k", 64 * KiB);
	good_size("64KiB", 64 * KiB);
	good_size("64KB", 64 * KiB);
	good_size("4096B", 4096);
	good_size("2G", 2 * GiB);
	good_size("1T", TiB);
	good_size("1P", TiB << 10);	/* the limits messages print: "1P" */
	good_size("2E", TiB << 21);
	good_size("1.5K", 1536);
	good_size("0", 0);
	good_size("16777215T", 16777215 * TiB);
	is(opt_size("--size", "1T", 1, TiB), TiB, "size at max is accepted");

	bad(SIZE, "--size", "0", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "12Q", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "12Q", 1, UINT64_MAX,
	    "expected a number with an optional K, M, G, T, P or E suffix");
	bad(SIZE, "--size", "-1", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "1.5.5M", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "99999999999T", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "18446744073709551616", 0, UINT64_MAX, NULL);
	bad(SIZE, "--size", "16777216T", 0, UINT64_MAX, NULL);
	bad(SIZE, "--size", "2T", 1, TiB, "1T");
	bad(SIZE, "--size", "2P", 1, TiB << 10, "allowed 1 to 1P");
	bad(SIZE, "--size", "16E", 1, UINT64_MAX, "too large");
	bad(SIZE, "--size", " 64M", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "64M ", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "64Mx", 1, UINT64_MAX, NULL);
	bad(SIZE, "--size", "0.3", 0, UINT64_MAX, NULL);
	bad(SIZE, "--size", "M", 0, UINT64_MAX, NULL);
	bad(SIZE, "--size", "12\nQ", 1, UINT64_MAX, "12\\x0aQ");
}

static void test_durations(void)
{
	good_dur("10s", 10 * SEC);
	good_dur("500us", 500000);
	good_dur("500ms", 500000000);
	good_dur("20ns", 20);
	good_dur("2m", 120 * SEC);
	good_dur("1h", 3600 * SEC);
	good_dur("10", 10 * SEC);
	good_dur("1.5s", 1500000000);
	good_dur("0.25", 250000000);
	good_dur("1.5us", 1500);

	bad(DUR, "--duration", "10x", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "-1s", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "s", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "1.5.5s", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "99999999999h", 0, UINT64_MAX, NULL);
	bad(DUR, "--duration", "2h", 1, 3600 * SEC, "1h");
}

static void test_uints_fractions(void)
{
	good_uint("42", 0, UINT64_MAX, 42);
	good_uint("0x10", 0, UINT64_MAX, 16);
	good_uint("0XfF", 0, UINT64_MAX, 255);
	good_uint("0", 0, 10, 0);
	good_uint("010", 0, UINT64_MAX, 10);
	good_uint("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);

	bad(UINT, "--threads", "-1", 1, 64, NULL);
	bad(UINT, "--threads", "abc", 1, 64, NULL);
	bad(UINT, "--threads", "", 1, 64, NULL);
	bad(UINT, "--threads", "1x", 1, 64, NULL);
	bad(UINT, "--threads", "0x", 1, 64, NULL);
	bad(UINT, "--threads", "65", 1, 64, "1 to 64");
	bad(UINT, "--threads", "0", 1, 64, "'0'");
	bad(UINT, "--threads", "18446744073709551616", 0, UINT64_MAX, NULL);

	good_frac("1/16", 1, 16);
	good_frac("0.0625", 625, 10000);
	good_frac("1", 1, 1);
	good_frac("3/3", 3, 3);
	good_frac("0x1/0x10", 1, 16);

	bad(FRAC, "--fraction", "2/1", 0, 0, NULL);
	bad(FRAC, "--fraction", "0", 0, 0, NULL);
	bad(FRAC, "--fraction", "1/0", 0, 0, NULL);
	bad(FRAC, "--fraction", "1.5", 0, 0, NULL);
	bad(FRAC, "--fraction", "abc", 0, 0, NULL);
	bad(FRAC, "--fraction", "/16", 0, 0, NULL);
	bad(FRAC, "--fraction", "1/16x", 0, 0, NULL);
}

static void test_choices_lists(void)
{
	char buf[64], *tok[3];
	unsigned k;

	is(opt_choice("--pattern", "stride", modes), 2, "choice 'stride' is index 2");
	bad(CHOICE, "--pattern", "foo", 0, 0, "seq, rand, stride");
	bad(CHOICE, "--pattern", "foo", 0, 0, NULL);

	/* lists: one rule for every list option */
	k = opt_list("--list", "a,b,c", buf, sizeof(buf), tok, 3);
	ok(k == 3 && !strcmp(tok[0], "a") && !strcmp(tok[2], "c"),
	   "list 'a,b,c' is three items in order");
	k = opt_list("--list", "one", buf, sizeof(buf), tok, 3);
	ok(k == 1 && !strcmp(tok[0], "one"), "list 'one' is one item");
	bad(LIST, "--list", "", 0, 0, "empty list");
	bad(LIST, "--list", ",", 0, 0, "empty item");
	bad(LIST, "--list", "a,", 0, 0, "empty item");
	bad(LIST, "--list", ",a", 0, 0, "empty item");
	bad(LIST, "--list", "a,,b", 0, 0, "empty item");
	bad(LIST, "--list", "a,a", 0, 0, "'a' is listed twice");
	bad(LIST, "--list", "a,b,a", 0, 0, "'a' is listed twice");
	bad(LIST, "--list", "a,b,c,d", 0, 0, "more than 3 items");
}

/* Writable directories, in dir (a fresh temporary one). */
static void test_dirs(const char *dir)
{
	char file[PATH_MAX], notdir[PATH_MAX], rodir[PATH_MAX];
	int fd;

	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(notdir, sizeof(notdir), "%s/file/sub", dir);
	snprintf(rodir, sizeof(rodir), "%s/ro", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	mkdir(rodir, 0500);

	good_in_child(DIR, "--dir", dir, "a fresh temporary directory");
	bad(DIR, "--dir", "/nonexistent", 0, 0, NULL);
	bad(DIR, "--dir", file, 0, 0, NULL);
	bad(DIR, "--dir", notdir, 0, 0, NULL);
	bad(DIR, "--dir", "", 0, 0, NULL);
	if (geteuid() != 0)
		bad(DIR, "--dir", rodir, 0, 0, NULL);
	else
		skip("read-only directory: root bypasses mode bits");
	bad(RODIR, "--dir", rodir, 0, 0, "Read-only file system");
	rmdir(rodir);
	unlink(file);
}

/* The options the commands share (opt_common), with dir as --dir. */
static void test_common(const char *dir)
{
	struct common_opts co;
	char args[512];
	uint64_t own;

	snprintf(args, sizeof(args), "--dir %s --own 7 --seed 0x10 "
		 "--trace-buffer 1M --no-trace --allow-lost-events "
		 "--quiet --output %s/r.json", dir, dir);
	parse_common(args, &co, &own);
	ok(co.dir && !strcmp(co.dir, dir) && own == 7 &&
	   co.seed == 16 && co.seed_set && co.trace_kb == 1024 &&
	   co.trace_set && co.no_trace && co.allow_lost && co.quiet &&
	   co.output && strstr(co.output, "/r.json"),
	   "common options parse beside a command's own");
	snprintf(args, sizeof(args), "--dir %s", dir);
	parse_common(args, &co, &own);
	ok(co.seed == 1 && !co.seed_set && co.trace_kb == 16384 &&
	   !co.trace_set && !co.no_trace && !co.allow_lost &&
	   !co.quiet && !co.output, "the command's defaults stay");
	good_in_child(COMMON, "--help", "--help",
		      "--help (exit 0, usage on stdout)");
	snprintf(args, sizeof(args), "--dir %s --seed -1", dir);
	bad(COMMON, "--seed", args, 0, 0, "'-1'");
	snprintf(args, sizeof(args), "--dir %s --seed", dir);
	bad(COMMON, "--seed", args, 0, 0, "needs a value");
	snprintf(args, sizeof(args), "--dir %s --trace-buffer 1K", dir);
	bad(COMMON, "--trace-buffer", args, 0, 0, "'1K'");
	snprintf(args, sizeof(args), "--dir %s --bogus", dir);
	bad(COMMON, "--bogus", args, 0, 0, "unknown option (see --help)");
	snprintf(args, sizeof(args), "--dir %s extra", dir);
	bad(COMMON, "extra", args, 0, 0, "unexpected argument");
	bad(COMMON, "--dir", "--seed 1", 0, 0, "is required");
	bad(COMMON, "--dir", "--dir /nonexistent", 0, 0, "does not exist");
	snprintf(args, sizeof(args), "--dir %s --output /nonexistent/x",
		 dir);
	bad(COMMON, "--output", args, 0, 0, "does not exist");
}

int main(void)
{
	char dir[] = "/tmp/daxbench-test-opts-XXXXXX";

	opt_set_progname("/usr/local/bin/daxbench");
	is_str(opt_progname(), "daxbench", "opt_set_progname keeps the basename");
	test_sizes();
	test_durations();
	test_uints_fractions();
	test_choices_lists();
	if (!mkdtemp(dir)) {
		skip("the directory and common-option points: mkdtemp: %s",
		     strerror(errno));
		return done_testing();
	}
	test_dirs(dir);
	test_common(dir);
	rmdir(dir);
	return done_testing();
}

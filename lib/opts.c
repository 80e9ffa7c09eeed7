// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line value parsing with units.  Every error is one line on stderr,
 * "PROG: OPT: reason quoting 'the value'", followed by exit(2).
 *
 * Numbers are parsed by hand (not strtoull) so that leading blanks, signs,
 * octal and locale quirks are all rejected rather than silently accepted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* O_TMPFILE, mkostemp */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opts.h"

static const char *progname = "daxbench";

void opt_set_progname(const char *name)
{
	const char *slash;

	if (!name || !*name)
		return;
	slash = strrchr(name, '/');
	progname = slash && slash[1] ? slash + 1 : name;
}

const char *opt_progname(void)
{
	return progname;
}

void opt_die(const char *opt, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n = 0;
	char *p;

	if (opt)
		n = snprintf(msg, sizeof(msg), "%s: %s: ", progname, opt);
	else
		n = snprintf(msg, sizeof(msg), "%s: ", progname);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	/* Exactly one line, whatever the arguments contained. */
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fflush(stdout);
	fprintf(stderr, "%s\n", msg);
	exit(OPT_EXIT_USAGE);
}

/*
 * The user's value as it will be quoted in a message: control characters
 * escaped, long values shortened.  Only used right before opt_die(), so a
 * static buffer is fine.
 */
static const char *shown(const char *arg)
{
	static char buf[96];
	size_t o = 0;

	for (; *arg && o < sizeof(buf) - 8; arg++) {
		unsigned char c = (unsigned char)*arg;

		if (c < 0x20 || c == 0x7f)
			o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (*arg)
		o += snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

/* Render a byte count compactly for messages: "64M", "4096", "1T", "1P";
 * opt_size() takes back every suffix it prints. */
static const char *fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char sfx[] = "KMGTPE";
	int i = -1;

	while (v && i < 5 && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, sfx[i]);
	return buf;
}

static const char *fmt_ns(uint64_t ns, char *buf, size_t len)
{
	static const struct { uint64_t mul; const char *u; } units[] = {
		{ 3600000000000ull, "h" }, { 60000000000ull, "m" },
		{ 1000000000ull, "s" }, { 1000000ull, "ms" },
		{ 1000ull, "us" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns && ns % units[i].mul == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(ns / units[i].mul),
				 units[i].u);
			return buf;
		}
	snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A decimal number "123", "1.5", ".5" or "2." with no sign and no blanks.
 * The value is *ip + *fp / 10^*fdig; at most 18 fraction digits are kept
 * and *lost is set if a nonzero digit beyond those was dropped.  *overflow
 * is set when the integer part does not fit in 64 bits.  Returns the end
 * of the number, or NULL when there is no digit at all.
 */
static const char *parse_decimal(const char *s, bool allow_frac,
				 uint64_t *ip, uint64_t *fp, unsigned *fdig,
				 bool *lost, bool *overflow)
{
	uint64_t i = 0, f = 0;
	unsigned nd = 0, nf = 0;

	*lost = false;
	*overflow = false;
	for (; isdig(*s); s++, nd++) {
		if (__builtin_mul_overflow(i, 10, &i) ||
		    __builtin_add_overflow(i, (uint64_t)(*s - '0'), &i))
			*overflow = true;
	}
	if (allow_frac && *s == '.') {
		s++;
		for (; isdig(*s); s++) {
			if (nf < 18) {
				f = f * 10 + (uint64_t)(*s - '0');
				nf++;
			} else if (*s != '0') {
				*lost = true;
			}
			nd++;
		}
	}
	if (!nd)
		return NULL;
	*ip = i;
	*fp = f;
	*fdig = nf;
	return s;
}

static uint64_t pow10u(unsigned n)
{
	uint64_t p = 1;

	while (n--)
		p *= 10;
	return p;
}

/*
 * (i + f / 10^nf) * mul, exactly where possible.  Returns false on
 * overflow.  *rem receives the remainder of the fractional product (so the
 * result is exact iff *rem == 0 and !lost), and *half whether the dropped
 * part is at least one half (for rounding).
 */
static bool scale(uint64_t i, uint64_t f, unsigned nf, uint64_t mul,
		  uint64_t *out, uint64_t *rem, bool *half)
{
	uint64_t r, den = pow10u(nf);
	unsigned __int128 fm = (unsigned __int128)f * mul;

	if (__builtin_mul_overflow(i, mul, &r))
		return false;
	if (__builtin_add_overflow(r, (uint64_t)(fm / den), &r))
		return false;
	*rem = (uint64_t)(fm % den);
	*half = *rem && *rem >= den - *rem;
	*out = r;
	return true;
}

#define SIZE_EXPECT "expected a number with an optional K, M, G, T, P or E suffix"

/* v against [min, max] for a --opt whose value arg is a what ("size",
 * "duration"), the bounds shown with fmt: one line and exit 2 when outside
 * (no upper bound: "below the minimum"). */
static void check_range(const char *opt, const char *what, const char *arg,
			uint64_t v, uint64_t min, uint64_t max,
			const char *(*fmt)(uint64_t, char *, size_t))
{
	char a[32], b[32];

	if (v < min && max == UINT64_MAX)
		opt_die(opt, "%s '%s' is below the minimum of %s", what,
			shown(arg), fmt(min, a, sizeof(a)));
	if (v < min || v > max)
		opt_die(opt, "%s '%s' is out of range (allowed %s to %s)", what,
			shown(arg), fmt(min, a, sizeof(a)), fmt(max, b, sizeof(b)));
}

uint64_t opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t i, f, mul = 1, v, rem;
	unsigned nf;
	bool lost, ovf, half;
	const char *s;
	char a[32];

	if (!arg || !*arg)
		opt_die(opt, "invalid size '' (" SIZE_EXPECT ")");
	s = parse_decimal(arg, true, &i, &f, &nf, &lost, &ovf);
	if (!s)
		opt_die(opt, "invalid size '%s' (" SIZE_EXPECT ")", shown(arg));
	switch (*s) {
	case 'k': case 'K': mul = 1ull << 10; s++; break;
	case 'm': case 'M': mul = 1ull << 20; s++; break;
	case 'g': case 'G': mul = 1ull << 30; s++; break;
	case 't': case 'T': mul = 1ull << 40; s++; break;
	case 'p': case 'P': mul = 1ull << 50; s++; break;
	case 'e': case 'E': mul = 1ull << 60; s++; break;
	}
	if (mul > 1 && (s[0] == 'i' || s[0] == 'I') && s[1] == 'B')
		s += 2;
	else if (*s == 'B')
		s++;
	if (*s)
		opt_die(opt, "invalid size '%s' (" SIZE_EXPECT ")", shown(arg));
	if (ovf || !scale(i, f, nf, mul, &v, &rem, &half))
		opt_die(opt, "size '%s' is too large (maximum %s)", shown(arg),
			fmt_size(max, a, sizeof(a)));
	if (rem || lost)
		opt_die(opt, "size '%s' is not a whole number of bytes",
			shown(arg));
	check_range(opt, "size", arg, v, min, max, fmt_size);
	return v;
}

#define DUR_EXPECT "expected a number with an optional ns, us, ms, s, m or h suffix; bare numbers are seconds"

uint64_t opt_duration_ns(const char *opt, const char *arg, uint64_t min_ns,
			 uint64_t max_ns)
{
	static const struct { const char *u; uint64_t mul; } units[] = {
		{ "ns", 1ull }, { "us", 1000ull }, { "\xc2\xb5s", 1000ull },
		{ "ms", 1000000ull }, { "s", 1000000000ull },
		{ "m", 60000000000ull }, { "h", 3600000000000ull },
		{ "", 1000000000ull },
	};
	uint64_t i, f, mul = 0, v, rem;
	unsigned nf;
	bool lost, ovf, half;
	const char *s;
	char a[32];
	size_t k;

	if (!arg || !*arg)
		opt_die(opt, "invalid duration '' (" DUR_EXPECT ")");
	s = parse_decimal(arg, true, &i, &f, &nf, &lost, &ovf);
	if (!s)
		opt_die(opt, "invalid duration '%s' (" DUR_EXPECT ")",
			shown(arg));
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (!strcmp(s, units[k].u)) {
			mul = units[k].mul;
			break;
		}
	if (!mul)
		opt_die(opt, "invalid duration '%s' (" DUR_EXPECT ")",
			shown(arg));
	if (ovf || !scale(i, f, nf, mul, &v, &rem, &half) ||
	    (half && v == UINT64_MAX))
		opt_die(opt, "duration '%s' is too large (maximum %s)",
			shown(arg), fmt_ns(max_ns, a, sizeof(a)));
	v += half;		/* round to the nearest nanosecond */
	(void)lost;		/* digits beyond 1e-18 cannot matter */
	check_range(opt, "duration", arg, v, min_ns, max_ns, fmt_ns);
	return v;
}

/* Integer digits in base 10 or, with "0x", 16.  NULL on junk/empty. */
static bool parse_uint(const char *s, uint64_t *out, bool *overflow)
{
	unsigned base = 10;
	uint64_t v = 0;
	unsigned d;

	*overflow = false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (isdig(*s))
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			*overflow = true;
	}
	*out = v;
	return true;
}

uint64_t opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v = 0;
	bool ovf;

	if (!arg || !parse_uint(arg, &v, &ovf))
		opt_die(opt, "invalid number '%s' (expected a non-negative "
			"decimal or 0x-prefixed hex integer)",
			arg ? shown(arg) : "");
	if (ovf || v < min || v > max)
		opt_die(opt, "'%s' is out of range (allowed %llu to %llu)",
			shown(arg), (unsigned long long)min,
			(unsigned long long)max);
	return v;
}

#define FRAC_EXPECT "expected a fraction in (0, 1] such as 1/16, 0.0625 or 1"

void opt_fraction(const char *opt, const char *arg, uint64_t *num,
		  uint64_t *den)
{
	const char *slash, *s;
	uint64_t n, d, i, f;
	unsigned nf;
	bool ovf, lost;
	char buf[64];

	if (!arg || !*arg)
		opt_die(opt, "invalid fraction '' (" FRAC_EXPECT ")");
	slash = strchr(arg, '/');
	if (slash) {
		size_t len = (size_t)(slash - arg);
		bool ovf2;

		if (len == 0 || len >= sizeof(buf))
			opt_die(opt, "invalid fraction '%s' (" FRAC_EXPECT ")",
				shown(arg));
		memcpy(buf, arg, len);
		buf[len] = '\0';
		if (!parse_uint(buf, &n, &ovf) ||
		    !parse_uint(slash + 1, &d, &ovf2))
			opt_die(opt, "invalid fraction '%s' (" FRAC_EXPECT ")",
				shown(arg));
		if (d == 0 && !ovf2)
			opt_die(opt, "invalid fraction '%s' (division by zero)",
				shown(arg));
		if (ovf || ovf2)
			opt_die(opt, "fraction '%s' has numbers too large",
				shown(arg));
	} else {
		s = parse_decimal(arg, true, &i, &f, &nf, &lost, &ovf);
		if (!s || *s)
			opt_die(opt, "invalid fraction '%s' (" FRAC_EXPECT ")",
				shown(arg));
		if (ovf || i > 1 || (i == 1 && (f || lost)))
			opt_die(opt, "fraction '%s' is greater than 1",
				shown(arg));
		if (lost && !i && !f)
			opt_die(opt, "fraction '%s' is too small (at most 18 "
				"decimal places)", shown(arg));
		d = pow10u(nf);
		n = i * d + f;
	}
	if (n == 0)
		opt_die(opt, "fraction '%s' must be greater than 0", shown(arg));
	if (n > d)
		opt_die(opt, "fraction '%s' is greater than 1", shown(arg));
	*num = n;
	*den = d;
}

int opt_choice(const char *opt, const char *arg, const char *const *choices)
{
	char list[512];
	size_t o = 0;
	int k;

	for (k = 0; arg && choices[k]; k++)
		if (!strcmp(arg, choices[k]))
			return k;
	list[0] = '\0';
	for (k = 0; choices[k] && o < sizeof(list); k++) {
		int n = snprintf(list + o, sizeof(list) - o, "%s%s",
				 k ? ", " : "", choices[k]);

		if (n < 0)
			break;
		o += (size_t)n;
	}
	opt_die(opt, "invalid choice '%s' (expected one of: %s)",
		arg ? shown(arg) : "", list);
}

unsigned opt_list(const char *opt, const char *arg, char *buf, size_t len,
		  char **tok, unsigned max)
{
	unsigned n = 0;
	char *s;

	if (!arg || !*arg)
		opt_die(opt, "empty list");
	if (strlen(arg) >= len)
		opt_die(opt, "list too long ('%s')", shown(arg));
	strcpy(buf, arg);
	for (s = buf;; s++) {
		char *comma = strchr(s, ',');

		if (comma)
			*comma = '\0';
		if (!*s)
			opt_die(opt, "'%s': an empty item in the list", shown(arg));
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(tok[i], s))
				opt_list_twice(opt, s);
		if (n == max)
			opt_die(opt, "'%s': more than %u items", shown(arg), max);
		tok[n++] = s;
		if (!comma)
			break;
		s = comma;
	}
	return n;
}

void opt_list_twice(const char *opt, const char *item)
{
	opt_die(opt, "'%s' is listed twice", shown(item));
}

void opt_writable_dir(const char *opt, const char *arg)
{
	char *path;
	struct stat st;
	size_t len;
	int fd;

	if (!arg || !*arg)
		opt_die(opt, "invalid directory '' (empty path)");
	if (stat(arg, &st)) {
		if (errno == ENOENT)
			opt_die(opt, "directory '%s' does not exist",
				shown(arg));
		opt_die(opt, "cannot access '%s': %s", shown(arg),
			strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		opt_die(opt, "'%s' is not a directory", shown(arg));
	if (access(arg, W_OK | X_OK))
		opt_die(opt, "directory '%s' is not writable: %s", shown(arg),
			strerror(errno));

	/*
	 * access() trusts the mode bits (which root bypasses) and knows about
	 * read-only mounts, but not about immutable directories, full or
	 * quota-limited filesystems, or LSMs: really create a file.
	 */
#ifdef O_TMPFILE
	fd = open(arg, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return;
	}
	/* O_TMPFILE unsupported here (or refused): try a named file. */
#endif
	len = strlen(arg) + sizeof("/.daxbench-probe-XXXXXX");
	path = malloc(len);
	if (!path)
		opt_die(opt, "out of memory");
	snprintf(path, len, "%s/.daxbench-probe-XXXXXX", arg);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		free(path);
		opt_die(opt, "cannot create a file in '%s': %s", shown(arg),
			strerror(e));
	}
	close(fd);
	unlink(path);
	free(path);
}

void opt_getopt_fail(int c, char **argv)
{
	extern int optind;

	if (c == ':')
		opt_die(argv[optind - 1], "needs a value");
	opt_die(argv[optind - 1], "unknown option (see --help)");
}

void opt_no_operands(int argc, char **argv)
{
	extern int optind;

	if (optind < argc)
		opt_die(argv[optind], "unexpected argument (see --help)");
}

void opt_common(int c, char **argv, struct common_opts *co)
{
	switch (c) {
	case OPT_DIR: co->dir = optarg; break;
	case OPT_SEED:
		co->seed = opt_uint("--seed", optarg, 0, UINT64_MAX);
		co->seed_set = true;
		break;
	case OPT_OUTPUT: co->output = optarg; break;
	case OPT_TRACE_BUFFER:
		co->trace_kb = opt_size("--trace-buffer", optarg, co->trace_min,
					co->trace_max) >> 10;
		co->trace_set = true;
		break;
	case OPT_NO_TRACE: co->no_trace = true; break;
	case OPT_ALLOW_LOST: co->allow_lost = true; break;
	case OPT_QUIET: co->quiet = true; break;
	case OPT_HELP: co->usage(stdout); exit(0);
	default: opt_getopt_fail(c, argv);
	}
}

void opt_common_finish(int argc, char **argv, struct common_opts *co)
{
	opt_no_operands(argc, argv);
	if (co->dir_required && !co->dir)
		opt_die("--dir", "is required: the directory on the file system under test");
	if (co->dir)
		opt_writable_dir("--dir", co->dir);
	if (co->output) {
		out_target_check(&co->out, "--output", co->output, co->no_stdout);
		if (co->out.to_stdout)
			co->quiet = true;
	}
}

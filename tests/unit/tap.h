/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP producer for the C unit tests (kselftest style), read by tests/run.
 *
 *   ok(cond, fmt, ...)              one point, passed when cond
 *   is(got, want, fmt, ...)         got == want, numbers of any type
 *   cmp_ok(got, op, want, fmt, ...) got op want: op one of == != < <= > >=
 *   is_str(got, want, fmt, ...)     equal strings (NULL equals only NULL)
 *   is_near(got, want, tol, fmt, ...)  |got - want| <= tol (doubles)
 *   skip(fmt, ...)                  a point not run ("# SKIP")
 *   diag(fmt, ...)                  a "# " line
 *   return done_testing();          the plan, last; status 1 if one failed
 *
 * Every one of them but skip and diag returns whether the point passed.  A
 * failing point is followed by its diagnostics, which tests/run shows:
 * "#   got X, expected Y" ("expected > Y" for cmp_ok) from all but ok,
 * then "#   at FILE:LINE" of the call.
 *
 * The plan is counted, not typed: done_testing() prints "1..N" after the N
 * points the test ran (TAP allows the plan last).  A test that dies before
 * it (a crash, an exit from deep inside) prints no plan, and tests/run
 * counts that as a failure.
 *
 * The time limit: a test still running TAP_TIMEOUT seconds after it began
 * (60 unless the test defines it before including tap.h; the environment's
 * DAXBENCH_TAP_TIMEOUT overrides it, 0 for none, and tests/run sets that a
 * tenth under its own limit) prints one failing point naming
 * the test, how long it ran and the last point it had passed with its
 * FILE:LINE, then the plan, and ends by SIGALRM: a library's cleanup on
 * fatal signals (fatal_signals.h: the tracefs instance, temporaries) runs
 * as for any other signal.  tap_timeout(seconds) sets it again from now
 * (0: none), e.g. for a mode that is no test.  The timer is a POSIX timer
 * whose expiry runs in a thread of its own: no signal handler is installed
 * (the tests of the library's signal handling see the dispositions they
 * set), and a forked child has no timer.
 */
#ifndef DAXBENCH_TAP_H
#define DAXBENCH_TAP_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TAP_TIMEOUT
#define TAP_TIMEOUT 60
#endif

static int tap_n, tap_failed;

/* The last point, for the timeout's message (read by the timer's thread). */
static struct {
	pthread_mutex_t lock;
	int n;
	char name[160];
	const char *file;
	int line;
} tap_last = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct {
	timer_t id;
	bool made;
	unsigned seconds;
} tap_timer;

#define TAP_FMT(i) __attribute__((format(printf, i, i + 1)))

/* One point: its line; when it fails, the values it compared (got and
 * want, when given) and where it was called. */
static inline __attribute__((format(printf, 7, 0)))
void tap_vpoint(const char *file, int line, bool pass, const char *directive,
		const char *got, const char *want, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	printf("%sok %d - %s", pass ? "" : "not ", ++tap_n, directive);
	vprintf(fmt, ap);
	printf("\n");
	pthread_mutex_lock(&tap_last.lock);
	tap_last.n = tap_n;
	vsnprintf(tap_last.name, sizeof(tap_last.name), fmt, copy);
	tap_last.file = file;
	tap_last.line = line;
	pthread_mutex_unlock(&tap_last.lock);
	va_end(copy);
	if (!pass) {
		tap_failed++;
		if (got)
			printf("#   got %s, expected %s\n", got, want);
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
}

/* The body of a point function whose format is its last named argument. */
#define TAP_POINT(file, line, pass, got, want, fmt)			\
	do {								\
		va_list ap_;						\
									\
		va_start(ap_, fmt);					\
		tap_vpoint(file, line, pass, "", got, want, fmt, ap_);	\
		va_end(ap_);						\
	} while (0)

static inline TAP_FMT(4) int tap_ok(const char *file, int line, int cond,
				    const char *fmt, ...)
{
	TAP_POINT(file, line, cond, NULL, NULL, fmt);
	return cond;
}
#define ok(cond, ...) tap_ok(__FILE__, __LINE__, !!(cond), __VA_ARGS__)

static inline void tap_quote(char *buf, size_t len, const char *s)
{
	if (s)
		snprintf(buf, len, "'%s'", s);
	else
		snprintf(buf, len, "NULL");
}

static inline TAP_FMT(5) int tap_is_str(const char *file, int line,
					const char *got, const char *want,
					const char *fmt, ...)
{
	bool pass = got && want ? !strcmp(got, want) : got == want;
	char g[256], w[256];

	tap_quote(g, sizeof(g), got);
	tap_quote(w, sizeof(w), want);
	TAP_POINT(file, line, pass, g, w, fmt);
	return pass;
}
#define is_str(got, want, ...) tap_is_str(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

static inline TAP_FMT(6) int tap_is_near(const char *file, int line,
					 double got, double want, double tol,
					 const char *fmt, ...)
{
	bool pass = fabs(got - want) <= tol;
	char g[48], w[64];

	snprintf(g, sizeof(g), "%.10g", got);
	snprintf(w, sizeof(w), "%.10g within %g", want, tol);
	TAP_POINT(file, line, pass, g, w, fmt);
	return pass;
}
#define is_near(got, want, tol, ...) \
	tap_is_near(__FILE__, __LINE__, (got), (want), (tol), __VA_ARGS__)

/* A number as text, by its type: is() and cmp_ok() print both values. */
static inline void tap_num_i(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
}

static inline void tap_num_u(char *buf, size_t len, unsigned long long v)
{
	snprintf(buf, len, "%llu", v);
}

static inline void tap_num_f(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.10g", v);
}

#define TAP_NUM(buf, x) _Generic((x),					\
	float: tap_num_f, double: tap_num_f, long double: tap_num_f,	\
	int: tap_num_i, long: tap_num_i, long long: tap_num_i,		\
	default: tap_num_u)(buf, sizeof(buf), (x))

static inline TAP_FMT(7) int tap_cmp(const char *file, int line, bool pass,
				     const char *a, const char *op, const char *b,
				     const char *fmt, ...)
{
	char w[80];

	if (strcmp(op, "=="))
		snprintf(w, sizeof(w), "%s %s", op, b);
	else
		snprintf(w, sizeof(w), "%s", b);
	TAP_POINT(file, line, pass, a, w, fmt);
	return pass;
}

/* a op b in the type C compares them in (that of a + b), each evaluated
 * once. */
#define cmp_ok(a, op, b, ...)						\
	__extension__ ({						\
		__typeof__((a) + (b)) tap_a_ = (a), tap_b_ = (b);	\
		char tap_sa_[40], tap_sb_[40];				\
									\
		TAP_NUM(tap_sa_, tap_a_);				\
		TAP_NUM(tap_sb_, tap_b_);				\
		tap_cmp(__FILE__, __LINE__, tap_a_ op tap_b_, tap_sa_, #op, \
			tap_sb_, __VA_ARGS__);				\
	})
#define is(got, want, ...) cmp_ok(got, ==, want, __VA_ARGS__)

static inline TAP_FMT(3) void tap_skip(const char *file, int line,
				       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vpoint(file, line, true, "# SKIP ", NULL, NULL, fmt, ap);
	va_end(ap);
}
#define skip(...) tap_skip(__FILE__, __LINE__, __VA_ARGS__)

static inline TAP_FMT(1) void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- the time limit ---- */

/* In the timer's own thread: the failing point, the plan, then SIGALRM
 * (and, should every thread block it, an exit 10 s later).  write(2), not
 * stdio: the test's thread may be stopped inside printf. */
static void tap_expired(union sigval sv)
{
	char buf[512], last[256];
	int n = tap_n, len;

	(void)sv;
	if (pthread_mutex_trylock(&tap_last.lock) == 0) {
		if (tap_last.n)
			snprintf(last, sizeof(last), "the last point was %d (%s) at %s:%d",
				 tap_last.n, tap_last.name, tap_last.file, tap_last.line);
		else
			snprintf(last, sizeof(last), "before its first point");
		pthread_mutex_unlock(&tap_last.lock);
	} else {
		snprintf(last, sizeof(last), "inside point %d", n + 1);
	}
	len = snprintf(buf, sizeof(buf), "not ok %d - %s: timed out after %u s, %s\n1..%d\n",
		       n + 1, program_invocation_short_name, tap_timer.seconds, last, n + 1);
	if (len > (int)sizeof(buf))
		len = (int)sizeof(buf);
	if (write(STDOUT_FILENO, buf, (size_t)len) < 0)
		len = 0;	/* nowhere to say it: the signal still ends it */
	kill(getpid(), SIGALRM);
	sleep(10);
	_exit(1);
}

/* (Re)arm the limit: seconds from now, 0 for none. */
static inline void tap_timeout(unsigned seconds)
{
	struct itimerspec its = { .it_value = { .tv_sec = seconds } };

	if (!tap_timer.made) {
		struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
					.sigev_notify_function = tap_expired };

		if (!seconds || timer_create(CLOCK_MONOTONIC, &sev, &tap_timer.id))
			return;
		tap_timer.made = true;
	}
	tap_timer.seconds = seconds;
	timer_settime(tap_timer.id, 0, &its, NULL);
}

__attribute__((constructor)) static void tap_start(void)
{
	const char *e = getenv("DAXBENCH_TAP_TIMEOUT");
	unsigned long s = TAP_TIMEOUT;

	if (e && *e) {
		char *end;

		errno = 0;
		s = strtoul(e, &end, 10);
		if (errno || *end || s > 86400)
			s = TAP_TIMEOUT;
	}
	tap_timeout((unsigned)s);
}

/* The plan, counted: "1..N" for the N points run.  Exit status 1 when a
 * point failed, else 0. */
static inline int done_testing(void)
{
	tap_timeout(0);
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif

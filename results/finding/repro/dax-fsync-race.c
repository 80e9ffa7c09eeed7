// SPDX-License-Identifier: GPL-2.0
/*
 * dax-fsync-race: can fsync() of an fs-dax file return before a page stored
 * through a MAP_SHARED mapping before the fsync began has been flushed?
 *
 *   cc -O2 -pthread -o dax-fsync-race dax-fsync-race.c
 *   ./dax-fsync-race [-t SECS] [-s MB] [-w WRITERS] [-y SYNCERS] [-p] [-c] DIR
 *
 * DIR on ext4/xfs mounted -o dax, as root.  Exit: 0 no violation seen, 1 a
 * violation, 2 bad usage, 4 cannot run.  -p: map 4 KiB off a 2 MiB boundary
 * (PTE entries only); -c: go on after a violation; --inject-skip N: drop
 * every Nth writeback event (negative control: must exit 1).
 *
 * Suspects, fs/dax.c dax_writeback_one(): TOWRITE is cleared before the
 * flush, so an fsync that tagged the entry earlier skips it and returns while
 * another is still flushing it (LATE); get_unlocked_entry() on the walk's
 * xa_state skips an entry locked by a fault or another fsync (MISSED).
 *
 * Witness: fs_dax/dax_writeback_one (pgoff, pglen: pages of the file) and a
 * kretprobe on dax_flush, in a private tracefs instance with trace clock mono
 * (= CLOCK_MONOTONIC), read as text from its trace_pipe.  A writeback is
 * timed by the latest preceding dax_flush return of its thread (the
 * tracepoint fires after the entry is unlocked, when a racing fsync may have
 * returned already); without kprobe events, by the tracepoint.
 *
 * Oracle: for an fsync [s, e] and a page stored between tb and ta < s, a
 * writeback covering the page, by any thread, must be timed in (tb, e).  (tb,
 * not ta: a flush may land between the store and the clock read after it.)
 * trace_pipe prints rounded microseconds: a writeback counts if its true time
 * may be in the window, so rounding can hide a violation, never make one.
 * Rounds of 1 s: writers store to random pages while the syncers call fsync
 * together (a barrier before each call); then all stop, the main thread calls
 * fsync (the quiescent control, checked too), the trace is drained and the
 * round checked.  Only the round's stores count: the earlier ones were
 * covered by the previous round's final fsync.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#define PG 4096ull
#define PMD (2ull << 20)
#define SCAP (1u << 20)		/* stores per writer per round */
#define YCAP (1u << 16)		/* calls per syncer per round */
#define MAXT 16
#define LO(w) ((w)->us * 1000 - 500)	/* the true time of a writeback */
#define HI(w) ((w)->us * 1000 + 499)	/* is in [LO, HI] */
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct store { uint64_t tb, ta; uint32_t pg; };
struct call { uint64_t s, e; int tid; };
struct wb { uint64_t us, tp_us, pgoff, pglen; int pid; };	/* us: dax_flush return */
struct thr { pthread_t th; unsigned id; size_t n; void *log; };

static char inst[200], pipe_path[240], en_wb[260], en_fl[260], probe_file[120],
	probe_del[64], flush_tag[48], fpath[4200];	/* set before any signal */
static volatile sig_atomic_t inst_made, probe_made;
static int pipe_fd = -1, fd, cyc_stop;
static atomic_int stop;
static pthread_barrier_t b1, b2;
static char *base;
static uint64_t npages;
static struct wb *ev;		/* this round's writebacks */
static size_t nev, capev;
static unsigned long ino, inject_skip, lost, n_paired, n_unpaired, n_dropped, n_bad, n_wb;
static unsigned long long n_calls[2], n_pairs[2], n_viol[2], n_stores;	/* [1]: quiescent */

static uint64_t now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static void nap(long ns) { nanosleep(&(struct timespec){ 0, ns }, NULL); }
static uint64_t xs(uint64_t *x) { return *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17; }

static int wfile(const char *path, const char *val, int append)
{
	int f = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC)), ok;

	if (f < 0)
		return -1;
	ok = write(f, val, strlen(val)) == (ssize_t)strlen(val);
	close(f);
	return ok ? 0 : -1;
}

static void cleanup(void)	/* async-signal-safe */
{
	if (pipe_fd >= 0)
		close(pipe_fd), pipe_fd = -1;
	if (inst_made) {
		wfile(en_fl, "0", 0), wfile(en_wb, "0", 0);
		for (int i = 0; i < 200 && rmdir(inst) && errno == EBUSY; i++)
			nap(10000000);
		inst_made = 0;
	}
	if (probe_made)
		wfile(probe_file, probe_del, 1), probe_made = 0;
	if (fpath[0])
		unlink(fpath), fpath[0] = 0;
}

static void on_signal(int sig) { cleanup(), raise(sig); }	/* SA_RESETHAND */

__attribute__((noreturn, format(printf, 2, 3))) static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("dax-fsync-race: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(code);
}

/* A trace_pipe line: "COMM-PID [CPU] FLAGS SEC.USEC: EVENT: ARGS" */
static void parse_line(char *l)
{
	static struct { int pid; uint64_t us; } pend[4096];	/* unpaired flush, by pid */
	unsigned long sec, us, pg, len, in;
	char *m, *p, *q;
	int pid, paired;

	if (!(m = strstr(l, ": dax_writeback_one: ")) && !(m = strstr(l, flush_tag))) {
		lost += !!strstr(l, "[LOST ");
		return;
	}
	for (p = m; p > l && p[-1] != ' '; p--)	/* p: the time, q: the pid */
		;
	for (q = p; q > l && *q != '['; q--)
		;
	while (q > l && q[-1] == ' ')
		q--;
	while (q > l && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (sscanf(p, "%lu.%lu", &sec, &us) != 2 || q == l || q[-1] != '-' ||
	    (m[2] == 'd' && sscanf(m + 21, "dev %*d:%*d ino %lx pgoff %lx pglen %lx",
				   &in, &pg, &len) != 3)) {
		n_bad++;
		return;
	}
	pid = atoi(q), us += sec * 1000000;
	if (m[2] == 'f') {	/* dax_flush returned */
		pend[pid % 4096].pid = pid, pend[pid % 4096].us = us;
		return;
	}
	if (in != ino || !len || (inject_skip && ++n_wb % inject_skip == 0 && ++n_dropped))
		return;
	if (nev == capev && !(ev = realloc(ev, (capev = 2 * capev + 65536) * sizeof(*ev))))
		die(4, "out of memory");
	paired = pend[pid % 4096].pid == pid && pend[pid % 4096].us;
	ev[nev++] = (struct wb){ paired ? pend[pid % 4096].us : us, us, pg, len, pid };
	paired ? (n_paired++, pend[pid % 4096].us = 0) : n_unpaired++;
}

static void drain(void)		/* every event up to now into ev[] */
{
	static char buf[1 << 20];
	static size_t len;
	ssize_t n;

	while ((n = read(pipe_fd, buf + len, sizeof(buf) - len)) > 0 || (n < 0 && errno == EINTR)) {
		char *l = buf, *nl;

		for (len += n > 0 ? n : 0; (nl = memchr(l, '\n', buf + len - l)); l = nl + 1)
			*nl = 0, parse_line(l);
		len -= l - buf;
		memmove(buf, l, len);
	}
	if (n < 0 && errno != EAGAIN)
		die(4, "reading %s: %s", pipe_path, strerror(errno));
}

static void setup_trace(void)
{
	char t[40] = "/sys/kernel/tracing", p[400], def[80], fmt[4096] = "";
	int pid = getpid(), f, n, err = 0;

	if (access(strcat(strcpy(p, t), "/instances"), W_OK) &&
	    access(strcat(strcpy(p, strcpy(t, "/sys/kernel/debug/tracing")), "/instances"), W_OK))
		die(4, "no tracefs instances (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(p, sizeof(p), "%s/events/fs_dax/dax_writeback_one/format", t);
	if ((f = open(p, O_RDONLY)) >= 0)
		n = read(f, fmt, sizeof(fmt) - 1), fmt[n > 0 ? n : 0] = 0, close(f);
	if (!strstr(fmt, " ino;") || !strstr(fmt, " pgoff;") || !strstr(fmt, " pglen;"))
		die(4, "no fs_dax/dax_writeback_one event with ino, pgoff, pglen (%s)", p);
	snprintf(def, sizeof(def), "r:dax_fsync_race/flush_%d dax_flush", pid);
	snprintf(probe_del, sizeof(probe_del), "-:dax_fsync_race/flush_%d", pid);
	snprintf(flush_tag, sizeof(flush_tag), ": flush_%d: ", pid);
	for (int i = 0; i < 2 && !probe_made; i++) {
		snprintf(probe_file, sizeof(probe_file), "%s/%s", t, i ? "kprobe_events" : "dynamic_events");
		if (!wfile(probe_file, def, 1))
			probe_made = 1;
		else if (!err || errno != ENOENT)
			err = errno;
	}
	snprintf(inst, sizeof(inst), "%s/instances/dax-fsync-race-%d", t, pid);
	snprintf(en_wb, sizeof(en_wb), "%s/events/fs_dax/dax_writeback_one/enable", inst);
	snprintf(en_fl, sizeof(en_fl), "%s/events/dax_fsync_race/flush_%d/enable", inst, pid);
	snprintf(pipe_path, sizeof(pipe_path), "%s/trace_pipe", inst);
	if (mkdir(inst, 0755))
		die(4, "cannot create %s: %s", inst, strerror(errno));
	inst_made = 1;
	if (wfile(strcat(strcpy(p, inst), "/trace_clock"), "mono", 0))
		die(4, "cannot set trace clock mono in %s: %s", p, strerror(errno));
	wfile(strcat(strcpy(p, inst), "/buffer_size_kb"), "16384", 0);	/* best effort */
	snprintf(p, sizeof(p), "%s/events/fs_dax/dax_writeback_one/filter", inst);
	snprintf(def, sizeof(def), "ino == %lu", ino);
	if (wfile(p, def, 0) || wfile(en_wb, "1", 0))
		die(4, "cannot filter or enable %s: %s", en_wb, strerror(errno));
	if (probe_made && wfile(en_fl, "1", 0))
		err = errno, wfile(probe_file, probe_del, 1), probe_made = 0;
	if (!probe_made)
		fprintf(stderr, "dax-fsync-race: no kretprobe on dax_flush (%s): writebacks timed "
			"by their tracepoint, which can hide late flushes\n", strerror(err));
	if ((pipe_fd = open(pipe_path, O_RDONLY | O_NONBLOCK)) < 0)
		die(4, "cannot open %s: %s", pipe_path, strerror(errno));
}

static void *writer(void *arg)
{
	struct thr *w = arg;
	struct store *st = w->log;
	uint64_t x = now() * 2654435761u + w->id, pg, tb;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		pg = xs(&x) % npages, tb = now();
		*(volatile uint64_t *)(base + pg * PG + 8 * w->id) = x;
		st[w->n++] = (struct store){ tb, now(), pg };
		if (w->n == SCAP)
			stop = 1;
	}
	return NULL;
}

static void *syncer(void *arg)
{
	struct thr *y = arg;
	struct call *c = y->log;
	uint64_t x = now() * 2654435761u + y->id, s, until;

	for (;;) {
		if (y->n == YCAP)
			stop = 1;
		if (pthread_barrier_wait(&b1) == PTHREAD_BARRIER_SERIAL_THREAD)
			cyc_stop = stop;
		pthread_barrier_wait(&b2);
		if (cyc_stop)
			return NULL;
		for (until = now() + xs(&x) % 20000; now() < until;)	/* start within 20 us */
			;
		s = now();
		if (fsync(fd))
			die(4, "fsync: %s", strerror(errno));
		c[y->n++] = (struct call){ s, now(), syscall(SYS_gettid) };
	}
}

static int cmp_wb(const void *a, const void *b)
{
	const struct wb *x = a, *y = b;

	return (x->us > y->us) - (x->us < y->us);
}

static void report(uint64_t pg, uint64_t tb, const struct call *c, struct thr *w, unsigned nw,
		   struct thr *y, unsigned ny, const struct wb *e, size_t ne)
{
	const struct wb *cov = NULL;
	const struct call *k = NULL;
	uint64_t ta = 0;

	for (unsigned i = 0; i < nw; i++)
		for (struct store *s = w[i].log; s < (struct store *)w[i].log + w[i].n; s++)
			ta = s->pg == pg && s->tb == tb ? s->ta : ta;
	printf("VIOLATION: fsync by thread %d ran %.6f .. %.6f (CLOCK_MONOTONIC s) and returned "
	       "before page %llu (file offset %#llx) was flushed; the page was stored at %.6f .. "
	       "%.6f, %.1f us before the fsync began.\n  Writebacks of the page from 2 ms before the "
	       "store to 2 ms after the fsync, us from the fsync's start:\n", c->tid, c->s / 1e9,
	       c->e / 1e9, (unsigned long long)pg, (unsigned long long)(pg * PG), tb / 1e9, ta / 1e9,
	       (c->s - ta) / 1e3);
	for (const struct wb *i = e; i < e + ne; i++) {
		if (i->pgoff > pg || pg >= i->pgoff + i->pglen)
			continue;
		cov = !cov && HI(i) > tb ? i : cov;
		if (HI(i) + 2000000 > tb && LO(i) < c->e + 2000000)
			printf("    dax_flush returned %+9.0f  tracepoint %+9.0f  pid %-6d pgoff %#llx pglen %#llx\n",
			       i->us - c->s / 1e3, i->tp_us - c->s / 1e3, i->pid,
			       (unsigned long long)i->pgoff, (unsigned long long)i->pglen);
	}
	if (!cov) {
		printf("  MISSED: no writeback of the page after the store in this round\n");
		return;
	}
	for (unsigned i = 0; i < ny; i++)	/* the call that made the first flush after the store */
		for (struct call *j = y[i].log; j < (struct call *)y[i].log + y[i].n; j++)
			k = j->tid == cov->pid && j->s < HI(cov) && LO(cov) < j->e ? j : k;
	printf("  %s: first flushed after the store %.0f us after the fsync returned, by pid %d",
	       k && k->s < c->e ? "LATE" : "MISSED", cov->us - c->e / 1e3, cov->pid);
	if (k)
		printf(" in its fsync that began %.0f us %s this one returned", (k->s < c->e ? c->e - k->s :
		       k->s - c->e) / 1e3, k->s < c->e ? "before" : "after");
	printf("\n");
}

/*
 * Sweep the round in time order (at equal times calls first): a store (at
 * ta) raises tb[p] (each store done before s must be flushed after it began,
 * so the latest tb counts); a call start copies tb[]; a writeback (at LO)
 * raises hi[p] to its HI; a call end checks hi[p] > tb[p] for each page
 * stored before the call began.  The last call stream is the quiescent one.
 */
static unsigned long long check(struct thr *w, unsigned nw, struct thr *y, unsigned ny,
				struct wb *e, size_t ne)
{
	uint64_t *tb = calloc(npages, 8), *hi = calloc(npages, 8), *snap = calloc(ny * npages, 8);
	size_t wi[MAXT] = { 0 }, ci[MAXT] = { 0 }, ei = 0;
	unsigned long long v = 0;
	static int reported;
	int started[MAXT] = { 0 };

	if (!tb || !hi || !snap)
		die(4, "out of memory");
	qsort(e, ne, sizeof(*e), cmp_wb);
	for (;;) {
		uint64_t best = UINT64_MAX, k;
		int who = -1;

		for (unsigned i = 0; i < ny; i++) {	/* key: 2 * time + (not a call) */
			struct call *c = (struct call *)y[i].log + ci[i];

			if (ci[i] < y[i].n && 2 * (started[i] ? c->e : c->s) < best)
				best = 2 * (started[i] ? c->e : c->s), who = i;
		}
		for (unsigned i = 0; i < nw; i++)
			if (wi[i] < w[i].n && 2 * ((struct store *)w[i].log)[wi[i]].ta + 1 < best)
				best = 2 * ((struct store *)w[i].log)[wi[i]].ta + 1, who = MAXT + i;
		if (ei < ne && 2 * LO(&e[ei]) + 1 < best)
			who = 2 * MAXT;
		if (who < 0)
			break;
		if (who == 2 * MAXT) {
			for (k = e[ei].pgoff; k < e[ei].pgoff + e[ei].pglen && k < npages; k++)
				hi[k] = MAX(hi[k], HI(&e[ei]));
			ei++;
		} else if (who >= MAXT) {
			struct store *s = (struct store *)w[who - MAXT].log + wi[who - MAXT]++;

			tb[s->pg] = MAX(tb[s->pg], s->tb);
		} else if (!started[who]) {
			memcpy(snap + who * npages, tb, npages * 8), started[who] = 1;
		} else {
			struct call *c = (struct call *)y[who].log + ci[who]++;
			uint64_t *sn = snap + who * npages;
			int q = who == (int)ny - 1;

			for (k = 0, started[who] = 0, n_calls[q]++; k < npages; k++) {
				n_pairs[q] += sn[k] != 0;
				if (sn[k] && hi[k] <= sn[k] && (v++, n_viol[q]++, !reported++))
					report(k, sn[k], c, w, nw, y, ny, e, ne);
			}
		}
	}
	for (unsigned i = 0; i < nw; i++)
		n_stores += w[i].n;
	free(tb), free(hi), free(snap);
	return v;
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: dax-fsync-race [-t SECS] [-s MB] [-w WRITERS] [-y "
		"SYNCERS] [-p] [-c] [--inject-skip N] DIR\n  DIR on a file system mounted -o dax; "
		"defaults: 30 s, 64 MiB, 2 writers, 2 syncers, PMD-aligned mapping\n"
		"  exit: 0 no violation, 1 violation, 2 bad usage, 4 cannot run\n");
	exit(code);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "inject-skip", 1, NULL, 'k' },
					    { "help", 0, NULL, 'h' }, { 0 } };
	unsigned long secs = 30, mb = 64, nw = 2, ny = 2, pte = 0, cont = 0, rounds = 0, skipped = 0, x;
	unsigned long long viol = 0, round_ns = 1000000000;
	struct thr w[MAXT] = { 0 }, y[MAXT] = { 0 };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
	struct statx sx;
	struct utsname u;
	char *end, *r;
	int o;

	while ((o = getopt_long(argc, argv, "t:s:w:y:pch", lo, NULL)) != -1) {
		if (o == 'h' || o == 'p' || o == 'c') {
			o == 'h' ? usage(0) : (void)(*(o == 'p' ? &pte : &cont) = 1);
			continue;
		}
		if (o == '?' || (x = strtoul(optarg, &end, 10), *end || !*optarg || !x))
			usage(2);
		*(o == 't' ? &secs : o == 's' ? &mb : o == 'w' ? &nw : o == 'y' ? &ny : &inject_skip) = x;
	}
	if (optind != argc - 1 || mb % 2 || mb > 65536 || nw >= MAXT || ny >= MAXT)
		usage(2);
	if (geteuid())
		die(4, "needs root (tracefs, kprobes)");
	npages = (mb << 20) / PG;
	snprintf(fpath, sizeof(fpath), "%s/dax-fsync-race.%d", argv[optind], getpid());
	atexit(cleanup);
	if ((fd = open(fpath, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0)
		fpath[0] = 0, die(4, "cannot create a file in %s: %s", argv[optind], strerror(errno));
	if (fallocate(fd, 0, 0, mb << 20) && ftruncate(fd, mb << 20))
		die(4, "cannot size %s: %s", fpath, strerror(errno));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, &sx))
		die(4, "statx %s: %s", fpath, strerror(errno));
	if (!(sx.stx_attributes & STATX_ATTR_DAX))
		die(4, "%s is not a DAX file (%s)", fpath, sx.stx_attributes_mask & STATX_ATTR_DAX ?
		    "mount the file system -o dax" : "this kernel cannot tell");
	ino = sx.stx_ino;
	r = mmap(NULL, (mb << 20) + 2 * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	base = (char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1)) + (pte ? PG : 0);
	if (r == MAP_FAILED || mmap(base, mb << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				    fd, 0) == MAP_FAILED)
		die(4, "mmap %s: %s", fpath, strerror(errno));
	setup_trace();
	sigaction(SIGINT, &sa, NULL), sigaction(SIGTERM, &sa, NULL);
	uname(&u);
	printf("dax-fsync-race: kernel %s, %s: %lu MiB %s, %lu writers, %lu fsync threads, %lu s; "
	       "writebacks timed by %s\n", u.release, fpath, mb, pte ? "PTE (misaligned)" : "PMD-aligned",
	       nw, ny, secs, probe_made ? "their dax_flush return (kretprobe)" : "the tracepoint");
	for (uint64_t pg = 0; pg < npages; pg++)	/* every page once */
		base[pg * PG] = 1;
	if (fsync(fd))
		die(4, "fsync: %s", strerror(errno));
	drain();
	if (!nev)
		die(4, "fsync of a dirty file traced no dax_writeback_one for it: not DAX?");
	for (unsigned i = 0; i <= nw + ny; i++)	/* y[ny]: the main thread's final fsync */
		if (!(*(i < nw ? &w[i].log : &y[i - nw].log) = malloc(i < nw ?
				SCAP * sizeof(struct store) : YCAP * sizeof(struct call))))
			die(4, "out of memory");
	pthread_barrier_init(&b1, NULL, ny), pthread_barrier_init(&b2, NULL, ny);
	for (uint64_t dl = now() + secs * 1000000000ull; (!viol || cont) && now() < dl; rounds++) {
		uint64_t rend = now() + round_ns;
		unsigned long lost0 = lost;
		struct call *fin = y[ny].log;

		stop = 0;
		nev = 0;
		for (unsigned i = 0; i < nw + ny; i++) {
			struct thr *t = i < nw ? &w[i] : &y[i - nw];

			t->id = i + 1, t->n = 0;
			if (pthread_create(&t->th, NULL, i < nw ? writer : syncer, t))
				die(4, "pthread_create failed");
		}
		while (!stop && now() < (rend < dl ? rend : dl))
			nap(2000000);
		stop = 1;
		for (unsigned i = 0; i < nw + ny; i++)
			pthread_join(i < nw ? w[i].th : y[i - nw].th, NULL);
		fin->s = now();
		if (fsync(fd))
			die(4, "fsync: %s", strerror(errno));
		fin->e = now(), fin->tid = syscall(SYS_gettid), y[ny].n = 1;
		drain();
		if (lost != lost0)	/* shorter rounds, fewer events */
			fprintf(stderr, "dax-fsync-race: round %lu lost trace events: not checked\n",
				rounds + 1), skipped++, round_ns /= 2;
		else
			viol += check(w, nw, y, ny + 1, ev, nev);
	}
	printf("dax-fsync-race: %lu rounds (%lu not checked), %llu stores, %llu fsync calls "
	       "checked (%llu (call, page) pairs): %llu violations; quiescent fsyncs: %llu calls, "
	       "%llu pairs, %llu violations; %lu writebacks traced, %lu timed by dax_flush return, "
	       "%lu by tracepoint, %lu lines not understood\n", rounds, skipped, n_stores,
	       n_calls[0], n_pairs[0], n_viol[0], n_calls[1], n_pairs[1], n_viol[1],
	       n_paired + n_unpaired, n_paired, n_unpaired, n_bad);
	if (inject_skip)
		printf("dax-fsync-race: INJECTED: %lu writeback events dropped\n", n_dropped);
	printf("%s\n", viol ? "FAIL: an fsync returned before a page stored before it began was flushed"
	       : skipped == rounds ? "SKIP: no round could be checked" : "PASS");
	return viol ? 1 : skipped == rounds ? 4 : 0;
}

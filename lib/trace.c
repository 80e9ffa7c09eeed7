// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel event capture through libtracefs + libtraceevent (see trace.h).
 *
 * Reading: every per-cpu trace_pipe_raw of the private instance is opened
 * once (O_NONBLOCK|O_CLOEXEC) and wrapped with tracefs_cpu_alloc_fd().
 * tracefs_cpu_read() returns one sub-buffer per call, full or partial (the
 * kernel copies out the events of the page the writer is still on), and 0
 * once the cpu buffer is empty, so a drain consumes exactly what was
 * committed: nothing is read twice and a partially filled last page is not
 * left behind.  Each sub-buffer is walked with kbuffer, records are decoded
 * with field handles looked up once at open (tep_find_field +
 * tep_read_number_field), filtered, and the per-cpu streams are merged by
 * timestamp.
 *
 * Cleanup: every open trace is entered in a small static table holding the
 * precomputed instance path and its fds, read by the atexit handler and by
 * the SIGINT/SIGTERM/SIGHUP handler (async-signal-safe: close, close_range,
 * rmdir, open, write, nanosleep, sigaction, sigprocmask, raise).  With
 * flush_time the table also holds the "-:group/event" lines of the two
 * dax_flush probes (kretprobe and entry kprobe): the handler removes the
 * instance (disabling the events in it first if that fails), then appends
 * those lines to kprobe_events (a dynamic event enabled anywhere cannot be
 * removed).
 *
 * Flush records: with the probes, EV_FLUSH_RET (pid and time) and
 * EV_FLUSH_ENTRY (pid, time and size) records pass the file filter and are
 * returned like the others; the consumer
 * pairs them with the writebacks (dax_trace_pair_flushes()) once it holds
 * every record of a run.  Not drain by drain: the per-cpu buffers are read
 * one after the other, so a later drain can bring records of a cpu older
 * than records of another cpu already returned (a thread that moved from
 * one cpu to the other in between: 35 ms apart seen under TCG), and a
 * writeback would then be paired before its flush record arrived.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#define TRACEFS_STD_DIR "/sys/kernel/tracing"
#define DEFAULT_BUFFER_KB 16384u
#define MARKER_PREFIX "daxbench "
#define MAX_TRACES 16
#define FLUSH_GROUP "daxbench"
#define FLUSH_PREFIX "flush_"
#define FLUSHIN_PREFIX "flushin_"
#define FLUSH_FUNC "dax_flush"
#define KPROBE_EVENTS "kprobe_events"

/* ------------------------------------------------------------------ */
/* Event table                                                          */

struct evdef {
	const char *canon;	/* dax_ev_name() */
	const char *sys;
	const char *names[2];	/* kernel names, first that exists wins */
	bool pagecache;		/* only with opts->pagecache */
};

static const struct evdef evdefs[EV__COUNT] = {
	[EV_PTE_FAULT] = { "dax_pte_fault", "fs_dax", { "dax_pte_fault" }, false },
	[EV_PTE_FAULT_DONE] = { "dax_pte_fault_done", "fs_dax", { "dax_pte_fault_done" }, false },
	[EV_PMD_FAULT] = { "dax_pmd_fault", "fs_dax", { "dax_pmd_fault" }, false },
	[EV_PMD_FAULT_DONE] = { "dax_pmd_fault_done", "fs_dax", { "dax_pmd_fault_done" }, false },
	[EV_LOAD_HOLE] = { "dax_load_hole", "fs_dax", { "dax_load_hole" }, false },
	[EV_PMD_LOAD_HOLE] = { "dax_pmd_load_hole", "fs_dax", { "dax_pmd_load_hole" }, false },
	[EV_PMD_LOAD_HOLE_FALLBACK] = { "dax_pmd_load_hole_fallback", "fs_dax",
					{ "dax_pmd_load_hole_fallback" }, false },
	[EV_INSERT_PFN_MKWRITE] = { "dax_insert_pfn_mkwrite", "fs_dax",
				    { "dax_insert_pfn_mkwrite" }, false },
	[EV_INSERT_PFN_MKWRITE_NO_ENTRY] = { "dax_insert_pfn_mkwrite_no_entry", "fs_dax",
					     { "dax_insert_pfn_mkwrite_no_entry" }, false },
	[EV_INSERT_MAPPING] = { "dax_insert_mapping", "fs_dax",
				{ "dax_insert_mapping", "dax_insert_entry" }, false },
	[EV_WRITEBACK_RANGE] = { "dax_writeback_range", "fs_dax", { "dax_writeback_range" }, false },
	[EV_WRITEBACK_RANGE_DONE] = { "dax_writeback_range_done", "fs_dax",
				      { "dax_writeback_range_done" }, false },
	[EV_WRITEBACK_ONE] = { "dax_writeback_one", "fs_dax", { "dax_writeback_one" }, false },
	[EV_WB_DIRTY_FOLIO] = { "writeback_dirty_folio", "writeback",
				{ "writeback_dirty_folio", "writeback_dirty_page" }, true },
	[EV_EXT4_WRITEPAGES] = { "ext4_writepages", "ext4", { "ext4_writepages" }, true },
	[EV_EXT4_WRITEPAGES_RESULT] = { "ext4_writepages_result", "ext4",
					{ "ext4_writepages_result" }, true },
	[EV_MARKER] = { "marker", "ftrace", { "print" }, false },
	/* name: FLUSH_PREFIX<pid>, made at open (dax_trace.flush_name) */
	[EV_FLUSH_RET] = { "dax_flush_return", FLUSH_GROUP, { NULL }, false },
	/* name: FLUSHIN_PREFIX<pid> (dax_trace.flushin_name) */
	[EV_FLUSH_ENTRY] = { "dax_flush_entry", FLUSH_GROUP, { NULL }, false },
};

typedef struct tep_format_field field_t;

struct evinfo {
	struct tep_event *e;
	char kname[96];		/* "sys/name" as found */
	field_t *pid, *ino, *pgoff, *pglen, *address, *flags, *result, *dev;
	field_t *bdi;		/* writeback_dirty_*: "name" (no dev field) */
	field_t *buf;		/* ftrace/print */
	field_t *size;		/* the flush entry probe's size argument */
	unsigned minsize;	/* record must hold every field used */
};

struct cpu_rd {
	int cpu;
	int fd;
	struct tracefs_cpu *tcpu;
	struct trace_vec tmp;	/* decoded records of one drain */
	size_t pos;		/* merge cursor */
};

struct dax_trace {
	struct tracefs_instance *inst;
	char name[64];
	char dir[PATH_MAX];	/* tracing dir */
	char path[PATH_MAX];	/* instance dir */
	unsigned buffer_kb;
	bool pagecache;

	struct tep_handle *tep;
	struct evinfo ev[EV__COUNT];
	bool has[EV__COUNT];
	uint8_t *idmap;		/* event id -> ev + 1 (0: not ours) */
	int max_id;
	field_t *type_field;

	int marker_fd;
	int ncpu;
	struct cpu_rd *cpus;
	int *fds;		/* marker + per-cpu fds, for the signal handler */
	int nfds;
	void *page;
	int page_size;
	struct kbuffer *kbuf;
	unsigned max_reads;	/* per cpu per drain: bounds a drain racing writers */

	uint64_t lost0;

	bool filter;
	uint32_t f_dev;		/* kernel encoding */
	uint64_t f_ino;
	char f_bdi[32];		/* bdi name of the file's device, "" unknown */

	/* flush time (opts.flush_time): both probes or neither */
	char flush_name[64];	/* FLUSH_PREFIX<pid>: kretprobe */
	char flushin_name[64];	/* FLUSHIN_PREFIX<pid>: kprobe, size */
	char flushin_fetch[32];	/* how it fetches the size ("$arg3") */
	char flush_why[320];	/* why there is no probe, "" when there is */
	struct tracefs_dynevent *flush_dev;	/* created by us */
	struct tracefs_dynevent *flushin_dev;	/* created by us */

	int slot;
};

/* ------------------------------------------------------------------ */
/* Cleanup registry (read by the atexit and signal handlers)           */

struct slot {
	int used;		/* __atomic */
	pid_t owner;
	char path[PATH_MAX];
	int *fds;
	int nfds;
	struct dax_trace *t;
	/* the flush probes (return, entry), for the signal handler */
	int probe;		/* __atomic: 1 while they may exist */
	char probe_enable[2][PATH_MAX + 160];	/* instance's enable files */
	char probe_file[PATH_MAX + 32];		/* <tracing>/kprobe_events */
	char probe_del[2][128];		/* "-:group/event\n" */
};

static struct slot slots[MAX_TRACES];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static bool atexit_done;
static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_act[3];
static bool sig_installed[3];

static int sig_index(int sig)
{
	for (int i = 0; i < 3; i++)
		if (sigs[i] == sig)
			return i;
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void close_all_from_3(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 3; fd < 65536; fd++)
		close(fd);
}

/* Async-signal-safe: remove every instance this process registered. */
static void cleanup_async(void)
{
	pid_t me = getpid();

	for (int i = 0; i < MAX_TRACES; i++) {
		struct slot *s = &slots[i];
		bool closed_all = false;

		if (!__atomic_load_n(&s->used, __ATOMIC_ACQUIRE) || s->owner != me)
			continue;
		for (int k = 0; k < s->nfds; k++)
			if (s->fds[k] >= 0)
				close(s->fds[k]);
		for (int tries = 0; tries < 200; tries++) {
			if (rmdir(s->path) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY)
				break;
			/* someone else holds a file of the instance open
			 * (libtracefs, another thread): we are dying anyway */
			if (!closed_all) {
				close_all_from_3();
				closed_all = true;
				continue;
			}
			sleep_ms(1);	/* a read in flight in another thread */
		}
		if (__atomic_load_n(&s->probe, __ATOMIC_ACQUIRE)) {
			for (int k = 0; k < 2; k++) {
				int fd = open(s->probe_enable[k], O_WRONLY | O_CLOEXEC);

				/* still there if the rmdir failed: disable it */
				if (fd >= 0) {
					if (write(fd, "0", 1) < 0) {
						/* nothing more to do */
					}
					close(fd);
				}
			}
			for (int k = 0; k < 2; k++) {
				int fd = open(s->probe_file, O_WRONLY | O_APPEND | O_CLOEXEC);

				if (fd >= 0) {
					if (write(fd, s->probe_del[k],
						  strlen(s->probe_del[k])) < 0) {
						/* nothing more to do */
					}
					close(fd);
				}
			}
			__atomic_store_n(&s->probe, 0, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
	}
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	int i = sig_index(sig);
	struct sigaction dfl;
	sigset_t set;

	if (i >= 0 && !(old_act[i].sa_flags & SA_SIGINFO) &&
	    old_act[i].sa_handler == SIG_IGN) {
		errno = saved;
		return;
	}
	if (i >= 0 && ((old_act[i].sa_flags & SA_SIGINFO) ?
		       old_act[i].sa_sigaction != NULL :
		       old_act[i].sa_handler != SIG_DFL)) {
		/* The program had its own handler: that is its intent (e.g.
		 * stop and write results); it will close the trace or exit,
		 * and dax_trace_close or the atexit handler cleans up. */
		if (old_act[i].sa_flags & SA_SIGINFO)
			old_act[i].sa_sigaction(sig, si, uc);
		else
			old_act[i].sa_handler(sig);
		errno = saved;
		return;
	}
	/* Default action (terminate): clean up, then die by the signal. */
	cleanup_async();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void at_exit(void)
{
	pid_t me = getpid();

	for (int i = 0; i < MAX_TRACES; i++) {
		struct slot *s = &slots[i];

		if (__atomic_load_n(&s->used, __ATOMIC_ACQUIRE) && s->owner == me)
			dax_trace_close(s->t);
	}
}

/* With reg_lock held. */
static void install_handlers(void)
{
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = true;
	}
	for (int i = 0; i < 3; i++) {
		struct sigaction sa, cur;

		if (sig_installed[i])
			continue;
		if (sigaction(sigs[i], NULL, &cur) < 0)
			continue;
		if (!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_IGN)
			continue;	/* ignored (nohup...): nothing to do */
		old_act[i] = cur;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | (cur.sa_flags & SA_RESTART);
		sigfillset(&sa.sa_mask);
		if (sigaction(sigs[i], &sa, NULL) == 0)
			sig_installed[i] = true;
	}
}

/* With reg_lock held: when no trace is left, give the signals back unless
 * the program has replaced our handler meanwhile. */
static void maybe_uninstall_handlers(void)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) &&
		    slots[i].owner == getpid())
			return;
	for (int i = 0; i < 3; i++) {
		struct sigaction cur;

		if (!sig_installed[i])
			continue;
		if (sigaction(sigs[i], NULL, &cur) == 0 &&
		    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_signal)
			sigaction(sigs[i], &old_act[i], NULL);
		sig_installed[i] = false;
	}
}

static struct slot *slot_of(struct dax_trace *t)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) &&
		    slots[i].t == t && slots[i].owner == getpid())
			return &slots[i];
	return NULL;
}

static bool name_registered(const char *path)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) &&
		    slots[i].owner == getpid() && strcmp(slots[i].path, path) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static void set_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static int vec_reserve(struct trace_vec *tv, size_t extra)
{
	size_t need = tv->n + extra, cap;
	struct trace_rec *v;

	if (need <= tv->cap)
		return 0;
	cap = tv->cap ? tv->cap : 1024;
	while (cap < need)
		cap *= 2;
	v = realloc(tv->v, cap * sizeof(*v));
	if (!v)
		return -1;
	tv->v = v;
	tv->cap = cap;
	return 0;
}

void trace_vec_free(struct trace_vec *tv)
{
	if (!tv)
		return;
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}

const char *dax_ev_name(enum dax_ev ev)
{
	if ((unsigned)ev >= EV__COUNT)
		return "unknown";
	return evdefs[ev].canon;
}

bool dax_trace_has(const struct dax_trace *t, enum dax_ev ev)
{
	if (!t || (unsigned)ev >= EV__COUNT)
		return false;
	return t->has[ev];
}

/* Sum of overrun + commit overrun + dropped events over the cpus. */
static uint64_t read_lost(const struct dax_trace *t)
{
	uint64_t sum = 0;
	char path[PATH_MAX + 64], buf[1024];

	for (int c = 0; c < t->ncpu; c++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", t->path,
			 t->cpus[c].cpu);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			unsigned long long v;

			if (sscanf(buf, "overrun: %llu", &v) == 1 ||
			    sscanf(buf, "commit overrun: %llu", &v) == 1 ||
			    sscanf(buf, "dropped events: %llu", &v) == 1)
				sum += v;
		}
		fclose(f);
	}
	return sum;
}

uint64_t dax_trace_lost(struct dax_trace *t)
{
	uint64_t now;

	if (!t)
		return 0;
	now = read_lost(t);
	return now > t->lost0 ? now - t->lost0 : 0;
}

/* ------------------------------------------------------------------ */
/* tracefs discovery, stale instances                                   */

static const char *tracing_dir(char *why, size_t whylen)
{
	const char *dir = NULL;
	int m = tracefs_tracing_dir_is_mounted(false, &dir);

	if (m == 1 && dir)
		return tracefs_tracing_dir();
	/* Not mounted.  Mount it at its standard place ourselves rather than
	 * letting libtracefs fall back to mounting debugfs. */
	if (mount("nodev", TRACEFS_STD_DIR, "tracefs", 0, NULL) < 0) {
		set_why(why, whylen,
			"tracefs is not mounted and mounting it at %s failed: %s",
			TRACEFS_STD_DIR, strerror(errno));
		return NULL;
	}
	dir = tracefs_tracing_dir();
	if (!dir)
		set_why(why, whylen, "tracefs mounted at %s but libtracefs cannot find it",
			TRACEFS_STD_DIR);
	return dir;
}

static bool stale_name(const char *name, const char *prefix, pid_t *pid)
{
	const char *pfx[3] = { "daxbench", "daxstress", prefix };

	for (int i = 0; i < 3; i++) {
		size_t l = strlen(pfx[i]);
		char *end;
		long v;

		if (strncmp(name, pfx[i], l) || name[l] != '-' ||
		    name[l + 1] < '0' || name[l + 1] > '9')
			continue;
		errno = 0;
		v = strtol(name + l + 1, &end, 10);
		if (*end || errno || v <= 0 || v > INT_MAX)
			continue;
		*pid = (pid_t)v;
		return true;
	}
	return false;
}

static void remove_stale(const char *dir, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[PATH_MAX + 256];
		pid_t pid;

		if (!stale_name(de->d_name, prefix, &pid) || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/instances/%s", dir, de->d_name);
		rmdir(p);
	}
	closedir(d);
}

/* "flush_<pid>" or "flushin_<pid>" -> pid */
static bool flush_probe_pid(const char *name, pid_t *pid)
{
	static const char *const pfx[2] = { FLUSH_PREFIX, FLUSHIN_PREFIX };

	for (int k = 0; k < 2; k++) {
		size_t l = strlen(pfx[k]);
		char *end;
		long v;

		if (strncmp(name, pfx[k], l) || name[l] < '0' || name[l] > '9')
			continue;
		errno = 0;
		v = strtol(name + l, &end, 10);
		if (*end || errno || v <= 0 || v > INT_MAX)
			continue;
		*pid = (pid_t)v;
		return true;
	}
	return false;
}

/* Flush probes (either kind) of dead processes (and, with mine, the two of
 * mine left by an earlier process that had my pid). */
static void remove_stale_probes(const char *mine, const char *mine_in)
{
	struct tracefs_dynevent **list;

	if (!tracefs_file_exists(NULL, KPROBE_EVENTS))
		return;
	list = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KRETPROBE |
					TRACEFS_DYNEVENT_KPROBE, FLUSH_GROUP);
	for (int i = 0; list && list[i]; i++) {
		char *sys = NULL, *ev = NULL;
		pid_t pid;

		tracefs_dynevent_info(list[i], &sys, &ev, NULL, NULL, NULL);
		if (ev && flush_probe_pid(ev, &pid) &&
		    ((mine && !strcmp(ev, mine)) ||
		     (mine_in && !strcmp(ev, mine_in)) ||
		     (pid != getpid() && kill(pid, 0) < 0 && errno == ESRCH)))
			tracefs_dynevent_destroy(list[i], true);
		free(sys);
		free(ev);
	}
	tracefs_dynevent_list_free(list);
}

/* ------------------------------------------------------------------ */
/* Event lookup                                                         */

static field_t *fld(struct evinfo *ei, const char *name)
{
	field_t *f = tep_find_field(ei->e, name);

	if (f && (f->flags & TEP_FIELD_IS_ARRAY) && !(f->flags & TEP_FIELD_IS_STRING))
		return NULL;
	if (f && (unsigned)(f->offset + f->size) > ei->minsize)
		ei->minsize = f->offset + f->size;
	return f;
}

static int load_event(struct dax_trace *t, enum dax_ev ev)
{
	const struct evdef *d = &evdefs[ev];
	struct evinfo *ei = &t->ev[ev];

	const char *names[2] = { d->names[0], d->names[1] };

	if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY) {
		names[0] = ev == EV_FLUSH_RET ? t->flush_name : t->flushin_name;
		names[1] = NULL;
	}
	for (int k = 0; k < 2 && names[k]; k++) {
		const char *name = names[k];
		char *fmt;
		int len = 0;

		/* ftrace/print has no enable file; the others must be
		 * enable-able in our instance */
		if (ev != EV_MARKER &&
		    !tracefs_event_file_exists(t->inst, d->sys, name, "enable"))
			continue;
		fmt = tracefs_event_file_read(NULL, d->sys, name, "format", &len);
		if (!fmt)
			continue;
		if (tep_parse_event(t->tep, fmt, len, d->sys) != 0) {
			free(fmt);
			continue;
		}
		free(fmt);
		ei->e = tep_find_event_by_name(t->tep, d->sys, name);
		if (!ei->e)
			continue;
		snprintf(ei->kname, sizeof(ei->kname), "%s/%s", d->sys, name);
		break;
	}
	if (!ei->e)
		return -1;

	ei->minsize = 0;
	ei->pid = tep_find_common_field(ei->e, "common_pid");
	if (ei->pid && (unsigned)(ei->pid->offset + ei->pid->size) > ei->minsize)
		ei->minsize = ei->pid->offset + ei->pid->size;
	if (!t->type_field)
		t->type_field = tep_find_common_field(ei->e, "common_type");

	switch (ev) {
	case EV_FLUSH_RET:	/* the pid and the time are all we use */
		return t->type_field ? 0 : -1;
	case EV_FLUSH_ENTRY:	/* and the size */
		ei->size = fld(ei, "size");
		return t->type_field && ei->size ? 0 : -1;
	case EV_MARKER:
		ei->buf = tep_find_field(ei->e, "buf");
		if (!ei->buf)
			return -1;
		if ((unsigned)ei->buf->offset > ei->minsize)
			ei->minsize = ei->buf->offset;
		break;
	case EV_WB_DIRTY_FOLIO:
		ei->ino = fld(ei, "ino");
		ei->pgoff = fld(ei, "index");
		ei->dev = fld(ei, "dev");	/* none today */
		ei->bdi = tep_find_field(ei->e, "name");
		if (ei->bdi && (unsigned)(ei->bdi->offset + ei->bdi->size) > ei->minsize)
			ei->minsize = ei->bdi->offset + ei->bdi->size;
		break;
	case EV_EXT4_WRITEPAGES:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		break;
	case EV_EXT4_WRITEPAGES_RESULT:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pglen = fld(ei, "pages_written");
		break;
	case EV_WRITEBACK_RANGE:
	case EV_WRITEBACK_RANGE_DONE:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pgoff = fld(ei, "start_index");
		break;
	default:	/* fs_dax faults, holes, mkwrite, insert, writeback_one */
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pgoff = fld(ei, "pgoff");
		ei->pglen = fld(ei, "pglen");
		ei->address = fld(ei, "address");
		ei->flags = fld(ei, "flags");
		ei->result = fld(ei, "result");
		break;
	}
	if (!ei->ino || !t->type_field)
		return ev == EV_MARKER && t->type_field ? 0 : -1;
	return 0;
}

static int header_setup(struct dax_trace *t)
{
	char *buf;
	int len = 0, ret;

	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!buf)
		return -1;
	ret = tep_parse_header_page(t->tep, buf, len, sizeof(long));
	free(buf);
	if (ret < 0)
		return -1;
	tep_set_long_size(t->tep, tep_get_header_page_size(t->tep));
	return 0;
}

/* ------------------------------------------------------------------ */
/* open / close                                                         */

static int ifile_write(struct dax_trace *t, const char *file, const char *val)
{
	return tracefs_instance_file_write(t->inst, file, val) < 0 ? -1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int list_cpus(const char *inst_path, int **out)
{
	char path[PATH_MAX + 16];
	struct dirent *de;
	int *v = NULL, n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/per_cpu", inst_path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int c, *nv;
		char extra;

		if (sscanf(de->d_name, "cpu%d%c", &c, &extra) != 1)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			closedir(d);
			return -1;
		}
		v = nv;
		v[n++] = c;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_int);
	*out = v;
	return n;
}

static void free_trace(struct dax_trace *t)
{
	if (!t)
		return;
	for (int c = 0; c < t->ncpu; c++) {
		if (t->cpus[c].tcpu)
			tracefs_cpu_free_fd(t->cpus[c].tcpu);
		trace_vec_free(&t->cpus[c].tmp);
	}
	free(t->cpus);
	free(t->fds);
	free(t->page);
	if (t->kbuf)
		kbuffer_free(t->kbuf);
	free(t->idmap);
	if (t->flush_dev)
		tracefs_dynevent_free(t->flush_dev);
	if (t->flushin_dev)
		tracefs_dynevent_free(t->flushin_dev);
	if (t->tep)
		tep_free(t->tep);
	if (t->inst)
		tracefs_instance_free(t->inst);
	free(t);
}

static void close_fds(struct dax_trace *t)
{
	for (int k = 0; k < t->nfds; k++) {
		if (t->fds[k] >= 0)
			close(t->fds[k]);
		t->fds[k] = -1;
	}
	if (t->marker_fd >= 0)
		t->marker_fd = -1;
	for (int c = 0; c < t->ncpu; c++)
		t->cpus[c].fd = -1;
}

static void destroy_dynevent(struct tracefs_dynevent **d)
{
	if (!*d)
		return;
	for (int tries = 0; tries < 50; tries++) {
		errno = 0;
		if (tracefs_dynevent_destroy(*d, tries > 0) == 0)
			break;
		if (errno != EBUSY)
			break;	/* not there, or nothing more to try */
		sleep_ms(10);	/* a file of it still open */
	}
	tracefs_dynevent_free(*d);
	*d = NULL;
}

/* Remove the flush probes (the instance, where they were enabled, is gone
 * or has them disabled). */
static void destroy_probe(struct dax_trace *t, struct slot *s)
{
	if (!t->flush_dev && !t->flushin_dev)
		return;
	destroy_dynevent(&t->flush_dev);
	destroy_dynevent(&t->flushin_dev);
	if (s)
		__atomic_store_n(&s->probe, 0, __ATOMIC_RELEASE);
}

/* Disable both flush events in the instance (where they may be enabled). */
static void disable_probes(struct dax_trace *t)
{
	if (!t->inst)
		return;
	if (t->flush_dev)
		tracefs_event_disable(t->inst, FLUSH_GROUP, t->flush_name);
	if (t->flushin_dev)
		tracefs_event_disable(t->inst, FLUSH_GROUP, t->flushin_name);
}

static void flush_off(struct dax_trace *t, struct slot *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void flush_off(struct dax_trace *t, struct slot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->flush_why, sizeof(t->flush_why), fmt, ap);
	va_end(ap);
	disable_probes(t);
	t->has[EV_FLUSH_RET] = t->has[EV_FLUSH_ENTRY] = false;
	memset(&t->ev[EV_FLUSH_RET], 0, sizeof(t->ev[EV_FLUSH_RET]));
	memset(&t->ev[EV_FLUSH_ENTRY], 0, sizeof(t->ev[EV_FLUSH_ENTRY]));
	destroy_probe(t, s);
}

/* Create one dynamic event; on failure why says so and -1. */
static int create_dynevent(struct tracefs_dynevent *d, const char *what,
			   char *why, size_t whylen)
{
	char *err;
	int e;

	tracefs_error_clear(NULL);
	if (tracefs_dynevent_create(d) == 0)
		return 0;
	e = errno;
	err = tracefs_error_last(NULL);
	if (err) {
		err[strcspn(err, "\n")] = 0;
		snprintf(why, whylen, "cannot create a %s on %s: %s (%s)", what,
			 FLUSH_FUNC, strerror(e), err);
	} else {
		snprintf(why, whylen, "cannot create a %s on %s: %s", what,
			 FLUSH_FUNC, strerror(e));
	}
	free(err);
	return -1;
}

/* The kretprobe FLUSH_GROUP/flush_<pid> and the kprobe
 * FLUSH_GROUP/flushin_<pid> (size argument) on dax_flush, not enabled yet.
 * Both or neither: on failure t->flush_dev and t->flushin_dev stay NULL and
 * t->flush_why says why. */
static void create_probe(struct dax_trace *t, struct slot *s)
{
	/* dax_flush(dax_dev, addr, size): the third argument */
	static const char *const fetch[] = {
		"$arg3",
#ifdef __x86_64__
		"%dx",		/* kernels without $argN on this arch */
#endif
	};
	char kpath[PATH_MAX + 32], fmt[64], why1[320] = "";

	snprintf(t->flush_name, sizeof(t->flush_name), FLUSH_PREFIX "%d",
		 (int)getpid());
	snprintf(t->flushin_name, sizeof(t->flushin_name), FLUSHIN_PREFIX "%d",
		 (int)getpid());
	snprintf(kpath, sizeof(kpath), "%s/" KPROBE_EVENTS, t->dir);
	if (access(kpath, F_OK) < 0) {
		snprintf(t->flush_why, sizeof(t->flush_why),
			 "the kernel has no %.200s (CONFIG_KPROBE_EVENTS)", kpath);
		return;
	}
	if (access(kpath, W_OK) < 0) {
		snprintf(t->flush_why, sizeof(t->flush_why), "cannot write %.200s: %s",
			 kpath, strerror(errno));
		return;
	}
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < MAX_TRACES; i++) {
		struct slot *o = &slots[i];

		if (o != s && __atomic_load_n(&o->used, __ATOMIC_ACQUIRE) &&
		    o->owner == getpid() &&
		    __atomic_load_n(&o->probe, __ATOMIC_ACQUIRE) && o->t &&
		    !strcmp(o->t->flush_name, t->flush_name)) {
			pthread_mutex_unlock(&reg_lock);
			snprintf(t->flush_why, sizeof(t->flush_why),
				 "%s/%s is used by another trace of this process",
				 FLUSH_GROUP, t->flush_name);
			return;
		}
	}
	/* from now on a signal removes them (harmless if not there yet) */
	snprintf(s->probe_file, sizeof(s->probe_file), "%s", kpath);
	snprintf(s->probe_enable[0], sizeof(s->probe_enable[0]),
		 "%s/events/%s/%s/enable", t->path, FLUSH_GROUP, t->flush_name);
	snprintf(s->probe_enable[1], sizeof(s->probe_enable[1]),
		 "%s/events/%s/%s/enable", t->path, FLUSH_GROUP, t->flushin_name);
	snprintf(s->probe_del[0], sizeof(s->probe_del[0]), "-:%s/%s\n",
		 FLUSH_GROUP, t->flush_name);
	snprintf(s->probe_del[1], sizeof(s->probe_del[1]), "-:%s/%s\n",
		 FLUSH_GROUP, t->flushin_name);
	__atomic_store_n(&s->probe, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_lock);

	/* ones of an earlier process that had my pid */
	remove_stale_probes(t->flush_name, t->flushin_name);
	t->flush_dev = tracefs_kretprobe_alloc(FLUSH_GROUP, t->flush_name,
					       FLUSH_FUNC, NULL, 0);
	if (!t->flush_dev) {
		snprintf(t->flush_why, sizeof(t->flush_why), "out of memory");
		goto fail;
	}
	if (create_dynevent(t->flush_dev, "kretprobe", t->flush_why,
			    sizeof(t->flush_why))) {
		tracefs_dynevent_free(t->flush_dev);
		t->flush_dev = NULL;
		goto fail;
	}
	for (size_t k = 0; k < sizeof(fetch) / sizeof(fetch[0]); k++) {
		char w[320];

		snprintf(fmt, sizeof(fmt), "size=%s:u64", fetch[k]);
		t->flushin_dev = tracefs_kprobe_alloc(FLUSH_GROUP, t->flushin_name,
						      FLUSH_FUNC, fmt);
		if (!t->flushin_dev) {
			snprintf(t->flush_why, sizeof(t->flush_why), "out of memory");
			goto fail;
		}
		if (create_dynevent(t->flushin_dev, "kprobe", w, sizeof(w)) == 0) {
			snprintf(t->flushin_fetch, sizeof(t->flushin_fetch), "%s",
				 fetch[k]);
			t->flush_why[0] = 0;
			return;
		}
		tracefs_dynevent_free(t->flushin_dev);
		t->flushin_dev = NULL;
		if (!k)
			snprintf(why1, sizeof(why1), "%.280s (size=%s)", w, fetch[k]);
		else
			snprintf(t->flush_why, sizeof(t->flush_why), "%.150s; %.150s "
				 "(size=%s)", why1, w, fetch[k]);
	}
	if (sizeof(fetch) / sizeof(fetch[0]) == 1)
		snprintf(t->flush_why, sizeof(t->flush_why), "%s", why1);
fail:
	destroy_probe(t, s);
	__atomic_store_n(&s->probe, 0, __ATOMIC_RELEASE);
}

static int destroy_instance(struct dax_trace *t)
{
	for (int tries = 0; tries < 100; tries++) {
		if (rmdir(t->path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		/* a forked child may still hold an fd of ours */
		sleep_ms(10);
	}
	return -1;
}

void dax_trace_close(struct dax_trace *t)
{
	struct slot *s;

	if (!t)
		return;
	pthread_mutex_lock(&reg_lock);
	s = slot_of(t);
	if (!s) {
		pthread_mutex_unlock(&reg_lock);
		return;		/* closed already */
	}
	close_fds(t);
	disable_probes(t);
	/* tracefs_instance_destroy() is a single rmdir; do it ourselves so
	 * that EBUSY (a child still holding an inherited fd) is retried. */
	destroy_instance(t);
	destroy_probe(t, s);
	__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
	maybe_uninstall_handlers();
	pthread_mutex_unlock(&reg_lock);
	free_trace(t);
}

static int open_cpus(struct dax_trace *t, char *why, size_t whylen)
{
	int *ids = NULL, n;

	n = list_cpus(t->path, &ids);
	if (n <= 0) {
		set_why(why, whylen, "no per_cpu buffers in %s", t->path);
		free(ids);
		return -1;
	}
	t->cpus = calloc(n, sizeof(*t->cpus));
	t->fds = malloc((n + 1) * sizeof(int));
	if (!t->cpus || !t->fds) {
		free(ids);
		set_why(why, whylen, "out of memory");
		return -1;
	}
	t->fds[t->nfds++] = t->marker_fd;
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX + 64];
		struct cpu_rd *cr = &t->cpus[i];

		cr->cpu = ids[i];
		snprintf(p, sizeof(p), "%s/per_cpu/cpu%d/trace_pipe_raw", t->path, ids[i]);
		cr->fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (cr->fd < 0) {
			set_why(why, whylen, "open %s: %s", p, strerror(errno));
			free(ids);
			return -1;
		}
		t->fds[t->nfds++] = cr->fd;
		t->ncpu = i + 1;
		cr->tcpu = tracefs_cpu_alloc_fd(cr->fd, t->page_size, true);
		if (!cr->tcpu) {
			set_why(why, whylen, "tracefs_cpu_alloc_fd failed");
			free(ids);
			return -1;
		}
	}
	free(ids);
	return 0;
}

struct dax_trace *dax_trace_open(const struct dax_trace_opts *o, char *why,
				 size_t whylen)
{
	const char *prefix = o && o->prefix && *o->prefix ? o->prefix : "daxbench";
	const char *dir;
	struct dax_trace *t;
	struct slot *s = NULL;
	char val[64], ipath[PATH_MAX + 64];
	bool any_dax = false, any_pc = false;
	int max_id = 0;
	long long subbuf_kb = 0;
	unsigned npages;

	set_why(why, whylen, "%s", "");
	if (strchr(prefix, '/') || strlen(prefix) > 40) {
		set_why(why, whylen, "bad instance prefix \"%s\"", prefix);
		return NULL;
	}
	dir = tracing_dir(why, whylen);
	if (!dir)
		return NULL;
	snprintf(ipath, sizeof(ipath), "%s/instances", dir);
	if (access(ipath, W_OK) < 0) {
		set_why(why, whylen, "cannot create trace instances in %s: %s (needs root)",
			ipath, strerror(errno));
		return NULL;
	}

	t = calloc(1, sizeof(*t));
	if (!t) {
		set_why(why, whylen, "out of memory");
		return NULL;
	}
	snprintf(t->flush_why, sizeof(t->flush_why), "not requested");
	t->marker_fd = -1;
	t->slot = -1;
	t->buffer_kb = o && o->buffer_kb ? o->buffer_kb : DEFAULT_BUFFER_KB;
	t->pagecache = o && o->pagecache;
	snprintf(t->name, sizeof(t->name), "%s-%d", prefix, (int)getpid());
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	snprintf(t->path, sizeof(t->path), "%s/instances/%s", dir, t->name);

	remove_stale(dir, prefix);
	remove_stale_probes(NULL, NULL);

	pthread_mutex_lock(&reg_lock);
	if (name_registered(t->path)) {
		pthread_mutex_unlock(&reg_lock);
		set_why(why, whylen, "trace instance %s is already open in this process",
			t->name);
		free(t);
		return NULL;
	}
	/* An instance of our name not ours: left by an earlier process that
	 * had our pid.  Start afresh. */
	rmdir(t->path);
	for (int i = 0; i < MAX_TRACES; i++)
		if (!__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE)) {
			s = &slots[i];
			t->slot = i;
			break;
		}
	if (!s) {
		pthread_mutex_unlock(&reg_lock);
		set_why(why, whylen, "too many traces open (%d)", MAX_TRACES);
		free(t);
		return NULL;
	}
	t->inst = tracefs_instance_create(t->name);
	if (!t->inst) {
		pthread_mutex_unlock(&reg_lock);
		set_why(why, whylen, "cannot create trace instance %s: %s", t->path,
			strerror(errno));
		free(t);
		return NULL;
	}
	/* Registered from now on: a signal or exit removes the instance. */
	s->owner = getpid();
	snprintf(s->path, sizeof(s->path), "%s", t->path);
	s->fds = NULL;
	s->nfds = 0;
	s->t = t;
	s->probe = 0;
	__atomic_store_n(&s->used, 1, __ATOMIC_RELEASE);
	install_handlers();
	pthread_mutex_unlock(&reg_lock);

	if (ifile_write(t, "tracing_on", "0") < 0 ||
	    ifile_write(t, "trace_clock", "mono") < 0) {
		set_why(why, whylen, "cannot set trace_clock mono in %s: %s", t->path,
			strerror(errno));
		goto fail;
	}
	snprintf(val, sizeof(val), "%u", t->buffer_kb);
	if (ifile_write(t, "buffer_size_kb", val) < 0) {
		set_why(why, whylen, "cannot set buffer_size_kb %u: %s", t->buffer_kb,
			strerror(errno));
		goto fail;
	}
	if (ifile_write(t, "options/overwrite", "0") < 0) {
		set_why(why, whylen, "cannot clear options/overwrite: %s", strerror(errno));
		goto fail;
	}

	t->tep = tep_alloc();
	if (!t->tep || header_setup(t) < 0) {
		set_why(why, whylen, "cannot parse events/header_page");
		goto fail;
	}
	if (o && o->flush_time)
		create_probe(t, s);
	for (int ev = 0; ev < EV__COUNT; ev++) {
		if (evdefs[ev].pagecache && !t->pagecache)
			continue;
		if ((ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY) && !t->flush_dev)
			continue;
		if (load_event(t, ev) < 0) {
			memset(&t->ev[ev], 0, sizeof(t->ev[ev]));
			if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY)
				flush_off(t, s, "cannot parse the format of %s/%s",
					  FLUSH_GROUP, ev == EV_FLUSH_RET ?
					  t->flush_name : t->flushin_name);
			continue;
		}
		if (ev != EV_MARKER &&
		    tracefs_event_file_write(t->inst, evdefs[ev].sys,
					     t->ev[ev].kname + strlen(evdefs[ev].sys) + 1,
					     "enable", "1") < 0) {
			memset(&t->ev[ev], 0, sizeof(t->ev[ev]));
			if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY)
				flush_off(t, s, "cannot enable %s/%s in %s: %s",
					  FLUSH_GROUP, ev == EV_FLUSH_RET ?
					  t->flush_name : t->flushin_name, t->name,
					  strerror(errno));
			continue;
		}
		t->has[ev] = true;
		if (t->ev[ev].e->id > max_id)
			max_id = t->ev[ev].e->id;
		if (evdefs[ev].pagecache)
			any_pc = true;
		else if (ev != EV_MARKER && ev != EV_FLUSH_RET && ev != EV_FLUSH_ENTRY)
			any_dax = true;
	}
	if (t->has[EV_FLUSH_RET] != t->has[EV_FLUSH_ENTRY])
		flush_off(t, s, "only one of the two dax_flush probes could be enabled");
	if (t->has[EV_FLUSH_RET] && !t->has[EV_WRITEBACK_ONE])
		flush_off(t, s, "no dax_writeback_one tracepoint to pair with");
	if (!any_dax && !(t->pagecache && any_pc)) {
		set_why(why, whylen, t->pagecache ?
			"kernel has no fs_dax nor page-cache writeback tracepoints" :
			"kernel has no fs_dax tracepoints");
		goto fail;
	}
	if (!t->has[EV_MARKER]) {
		set_why(why, whylen, "cannot decode ftrace/print (trace_marker) records");
		goto fail;
	}
	t->max_id = max_id;
	t->idmap = calloc(max_id + 1, 1);
	if (!t->idmap)
		goto oom;
	for (int ev = 0; ev < EV__COUNT; ev++)
		if (t->has[ev])
			t->idmap[t->ev[ev].e->id] = (uint8_t)(ev + 1);

	/* a read of trace_pipe_raw must hold a whole sub-buffer */
	t->page_size = tep_get_sub_buffer_size(t->tep);
	if (tracefs_instance_file_read_number(t->inst, "buffer_subbuf_size_kb",
					      &subbuf_kb) == 0 &&
	    subbuf_kb * 1024 > t->page_size)
		t->page_size = (int)(subbuf_kb * 1024);
	if (t->page_size < 4096)
		t->page_size = 4096;
	t->page = malloc(t->page_size);
	t->kbuf = kbuffer_alloc(tep_get_header_page_size(t->tep) == 8 ?
				KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
				tep_is_file_bigendian(t->tep) ?
				KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE);
	if (!t->page || !t->kbuf)
		goto oom;
	npages = (unsigned)((uint64_t)t->buffer_kb * 1024 / (unsigned)t->page_size);
	t->max_reads = 2 * npages + 64;

	snprintf(ipath, sizeof(ipath), "%s/trace_marker", t->path);
	t->marker_fd = open(ipath, O_WRONLY | O_CLOEXEC);
	if (t->marker_fd < 0) {
		set_why(why, whylen, "open %s: %s", ipath, strerror(errno));
		goto fail;
	}
	if (open_cpus(t, why, whylen) < 0)
		goto fail;
	s->fds = t->fds;
	__atomic_store_n(&s->nfds, t->nfds, __ATOMIC_RELEASE);

	t->lost0 = read_lost(t);
	if (ifile_write(t, "tracing_on", "1") < 0) {
		set_why(why, whylen, "cannot turn tracing on: %s", strerror(errno));
		goto fail;
	}
	return t;

oom:
	set_why(why, whylen, "out of memory");
fail:
	if (t->marker_fd >= 0 && t->nfds == 0)
		close(t->marker_fd);
	dax_trace_close(t);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* filter                                                               */

/* The bdi of a block device is named after the whole disk ("254:0"). */
static void find_bdi(unsigned maj, unsigned min, char *out, size_t outlen)
{
	char p[PATH_MAX + 64], real[PATH_MAX], buf[64];
	struct stat st;
	FILE *f;

	out[0] = 0;
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", maj, min);
	if (!realpath(p, real))
		return;
	snprintf(p, sizeof(p), "%s/partition", real);
	if (stat(p, &st) == 0) {
		snprintf(p, sizeof(p), "%s/../dev", real);
	} else {
		snprintf(p, sizeof(p), "%s/dev", real);
	}
	f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(p, sizeof(p), "/sys/class/bdi/%s", buf);
		if (stat(p, &st) == 0 && strlen(buf) < outlen)
			memcpy(out, buf, strlen(buf) + 1);
	}
	fclose(f);
}

void dax_trace_filter_file(struct dax_trace *t, uint64_t st_dev, uint64_t ino)
{
	if (!t)
		return;
	t->f_dev = (uint32_t)((major(st_dev) << 20) | (minor(st_dev) & 0xfffff));
	t->f_ino = ino;
	find_bdi(major(st_dev), minor(st_dev), t->f_bdi, sizeof(t->f_bdi));
	t->filter = true;
}

/* ------------------------------------------------------------------ */
/* drain                                                                */

static inline uint64_t rdf(field_t *f, const void *data)
{
	unsigned long long v = 0;

	if (f)
		tep_read_number_field(f, data, &v);
	return v;
}

static bool parse_marker(const char *s, size_t len, uint64_t *arg)
{
	size_t pl = sizeof(MARKER_PREFIX) - 1, i;
	uint64_t v = 0;

	if (len < pl + 1 || memcmp(s, MARKER_PREFIX, pl))
		return false;
	for (i = pl; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == pl)
		return false;
	*arg = v;
	return true;
}

/* Decode one record into r; false when it is not ours or filtered out. */
static inline bool decode(struct dax_trace *t, const void *data, unsigned size,
			  uint64_t ts, int cpu, struct trace_rec *r)
{
	unsigned long long type;
	struct evinfo *ei;
	int ev;

	if (size < 2 || tep_read_number_field(t->type_field, data, &type) < 0 ||
	    type > (unsigned long long)t->max_id || !t->idmap[type])
		return false;
	ev = t->idmap[type] - 1;
	ei = &t->ev[ev];
	if (size < ei->minsize)
		return false;

	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->cpu = (int16_t)cpu;
	r->ev = (uint16_t)ev;
	r->pid = (int32_t)rdf(ei->pid, data);

	if (ev == EV_MARKER) {
		const char *s = (const char *)data + ei->buf->offset;
		size_t len = size - ei->buf->offset;

		return parse_marker(s, strnlen(s, len), &r->arg);
	}
	if (ev == EV_FLUSH_RET)
		return true;	/* any file: no file in it */
	if (ev == EV_FLUSH_ENTRY) {
		r->flush_size = rdf(ei->size, data);
		return true;
	}
	r->ino = rdf(ei->ino, data);
	r->dev = (uint32_t)rdf(ei->dev, data);
	r->pgoff = rdf(ei->pgoff, data);
	r->pglen = rdf(ei->pglen, data);
	r->address = rdf(ei->address, data);
	r->flags = (uint32_t)rdf(ei->flags, data);
	r->result = (int32_t)rdf(ei->result, data);

	if (!t->filter)
		return true;
	if (r->ino != t->f_ino)
		return false;
	if (ei->dev)
		return r->dev == t->f_dev;
	/* no dev field (writeback_dirty_folio): match the bdi name when the
	 * file's bdi is known, else the inode number alone */
	if (ei->bdi && t->f_bdi[0]) {
		const char *name = (const char *)data + ei->bdi->offset;

		if (strncmp(name, t->f_bdi, ei->bdi->size))
			return false;
	}
	r->dev = t->f_dev;
	return true;
}

/* Read and decode everything buffered on one cpu into cr->tmp. */
static int drain_cpu(struct dax_trace *t, struct cpu_rd *cr)
{
	cr->tmp.n = 0;
	cr->pos = 0;
	for (unsigned reads = 0; reads < t->max_reads; reads++) {
		unsigned long long ts;
		void *data;
		int r;

		if (cr->fd < 0)
			return -1;
		r = tracefs_cpu_read(cr->tcpu, t->page, true);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		if (r == 0)
			break;	/* empty (EAGAIN) or nothing committed */
		if (kbuffer_load_subbuffer(t->kbuf, t->page) < 0)
			return -1;
		if (kbuffer_subbuffer_size(t->kbuf) + kbuffer_start_of_data(t->kbuf) > r) {
			errno = EIO;
			return -1;
		}
		for (data = kbuffer_read_event(t->kbuf, &ts); data;
		     data = kbuffer_next_event(t->kbuf, &ts)) {
			unsigned size = (unsigned)kbuffer_event_size(t->kbuf);

			if (cr->tmp.n == cr->tmp.cap && vec_reserve(&cr->tmp, 1) < 0)
				return -1;
			if (decode(t, data, size, ts, cr->cpu, &cr->tmp.v[cr->tmp.n]))
				cr->tmp.n++;
		}
	}
	return 0;
}

/* Stable insertion sort of v[from..n): linear when already sorted. */
static void fix_order(struct trace_rec *v, size_t from, size_t n)
{
	for (size_t i = from + 1; i < n; i++) {
		struct trace_rec x;
		size_t j = i;

		if (v[i - 1].ts <= v[i].ts)
			continue;
		x = v[i];
		while (j > from && v[j - 1].ts > x.ts) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Binary min-heap of cpu indices keyed by the next record's timestamp
 * (ties: lower cpu first, so the merge is deterministic). */
static bool heap_less(struct dax_trace *t, int a, int b)
{
	struct cpu_rd *x = &t->cpus[a], *y = &t->cpus[b];
	uint64_t tx = x->tmp.v[x->pos].ts, ty = y->tmp.v[y->pos].ts;

	return tx < ty || (tx == ty && a < b);
}

static void heap_down(struct dax_trace *t, int *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < n && heap_less(t, h[l], h[m]))
			m = l;
		if (r < n && heap_less(t, h[r], h[m]))
			m = r;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

long dax_trace_drain(struct dax_trace *t, struct trace_vec *out)
{
	size_t total = 0, start;
	int *h, nh = 0;

	if (!t || !out) {
		errno = EINVAL;
		return -1;
	}
	for (int c = 0; c < t->ncpu; c++) {
		if (drain_cpu(t, &t->cpus[c]) < 0)
			return -1;
		total += t->cpus[c].tmp.n;
	}
	if (vec_reserve(out, total) < 0)
		return -1;
	start = out->n;
	if (t->ncpu == 1) {
		memcpy(out->v + out->n, t->cpus[0].tmp.v, total * sizeof(*out->v));
		out->n += total;
	} else {
		h = malloc(t->ncpu * sizeof(*h));
		if (!h)
			return -1;
		for (int c = 0; c < t->ncpu; c++)
			if (t->cpus[c].tmp.n)
				h[nh++] = c;
		for (int i = nh / 2 - 1; i >= 0; i--)
			heap_down(t, h, nh, i);
		while (nh > 1) {
			struct cpu_rd *cr = &t->cpus[h[0]];

			out->v[out->n++] = cr->tmp.v[cr->pos++];
			if (cr->pos == cr->tmp.n)
				h[0] = h[--nh];
			heap_down(t, h, nh, 0);
		}
		if (nh == 1) {
			struct cpu_rd *cr = &t->cpus[h[0]];
			size_t k = cr->tmp.n - cr->pos;

			memcpy(out->v + out->n, cr->tmp.v + cr->pos, k * sizeof(*out->v));
			out->n += k;
		}
		free(h);
	}
	/* per-cpu streams are in buffer order; make the result strictly
	 * timestamp-ordered should a cpu's clock have stepped back */
	fix_order(out->v, start, out->n);
	return (long)total;
}

/* ------------------------------------------------------------------ */
/* markers, description                                                 */

int dax_trace_mark(struct dax_trace *t, uint64_t n)
{
	char buf[sizeof(MARKER_PREFIX) + 24], dig[24];
	size_t pl = sizeof(MARKER_PREFIX) - 1, k = 0;
	ssize_t w;

	if (!t || t->marker_fd < 0) {
		errno = EBADF;
		return -1;
	}
	memcpy(buf, MARKER_PREFIX, pl);
	do {
		dig[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		buf[pl++] = dig[--k];
	w = write(t->marker_fd, buf, pl);
	if (w == (ssize_t)pl)
		return 0;
	/* the kernel answers EBADF when the buffer is full (no-overwrite);
	 * the event is counted in "dropped events" */
	if (w < 0 && errno == EBADF)
		errno = ENOBUFS;
	return -1;
}

bool dax_trace_flush_timed(const struct dax_trace *t, const char **why)
{
	if (t && t->has[EV_FLUSH_RET] && t->has[EV_FLUSH_ENTRY])
		return true;
	if (why)
		*why = t ? t->flush_why : "no trace";
	return false;
}

/* hits and misses of a flush probe from kprobe_profile ("  NAME  HITS
 * MISSED"; NAME with or without its group); false when not found. */
static bool probe_profile(const struct dax_trace *t, const char *pname,
			  uint64_t *hits, uint64_t *missed)
{
	char path[PATH_MAX + 32], line[512], full[160];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_profile", t->dir);
	snprintf(full, sizeof(full), "%s/%s", FLUSH_GROUP, pname);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char name[160];
		unsigned long long h, m;

		if (sscanf(line, "%159s %llu %llu", name, &h, &m) == 3 &&
		    (!strcmp(name, pname) || !strcmp(name, full))) {
			*hits = h;
			*missed = m;
			found = true;
		}
	}
	fclose(f);
	return found;
}

uint64_t dax_trace_flush_missed(const struct dax_trace *t)
{
	uint64_t hits, missed, sum = 0;

	if (!dax_trace_flush_timed(t, NULL))
		return 0;
	if (t->flush_dev && probe_profile(t, t->flush_name, &hits, &missed))
		sum += missed;
	if (t->flushin_dev && probe_profile(t, t->flushin_name, &hits, &missed))
		sum += missed;
	return sum;
}

json_object *dax_trace_describe(const struct dax_trace *t)
{
	json_object *o, *evs;
	uint64_t hits, missed;

	if (!t)
		return NULL;
	o = json_object_new_object();
	evs = json_object_new_array();
	json_object_object_add(o, "instance", json_object_new_string(t->name));
	json_object_object_add(o, "clock", json_object_new_string("mono"));
	json_object_object_add(o, "buffer_kb", json_object_new_int64(t->buffer_kb));
	for (int ev = 0; ev < EV__COUNT; ev++)
		if (t->has[ev] && ev != EV_MARKER)
			json_object_array_add(evs, json_object_new_string(t->ev[ev].kname));
	json_object_object_add(o, "events", evs);
	json_object_object_add(o, "flush_time", json_object_new_string(
				       dax_trace_flush_timed(t, NULL) ?
				       "dax_flush return" : "tracepoint"));
	if (dax_trace_flush_timed(t, NULL)) {
		char name[200];

		snprintf(name, sizeof(name), "%s/%s (kretprobe on %s)", FLUSH_GROUP,
			 t->flush_name, FLUSH_FUNC);
		json_object_object_add(o, "flush_probe", json_object_new_string(name));
		snprintf(name, sizeof(name), "%s/%s (kprobe on %s, size=%s)",
			 FLUSH_GROUP, t->flushin_name, FLUSH_FUNC, t->flushin_fetch);
		json_object_object_add(o, "flush_entry_probe",
				       json_object_new_string(name));
		if (t->flush_dev && probe_profile(t, t->flush_name, &hits, &missed)) {
			json_object_object_add(o, "flush_probe_hits",
					       json_object_new_uint64(hits));
			json_object_object_add(o, "flush_probe_missed",
					       json_object_new_uint64(missed));
		}
		if (t->flushin_dev &&
		    probe_profile(t, t->flushin_name, &hits, &missed)) {
			json_object_object_add(o, "flush_entry_probe_hits",
					       json_object_new_uint64(hits));
			json_object_object_add(o, "flush_entry_probe_missed",
					       json_object_new_uint64(missed));
		}
	} else {
		json_object_object_add(o, "flush_probe", NULL);
		json_object_object_add(o, "flush_entry_probe", NULL);
		json_object_object_add(o, "flush_probe_why",
				       json_object_new_string(t->flush_why));
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* pairing of writebacks with their flush                               */

struct fp_ent {
	int32_t pid;
	bool used, has_wb, has_entry;
	uint64_t pending;	/* ts of the flush not yet paired, 0: none */
	uint64_t pending_size;	/* its size (from its entry), 0: unknown */
	uint64_t entry_ts;	/* the flush entered, not returned yet */
	uint64_t entry_size;
	uint64_t last_wb;	/* ts of the thread's last writeback_one */
};

struct flush_pairing {
	struct fp_ent *tab;	/* open addressing, cap a power of two */
	size_t cap, n;
	struct flush_pairing_stats st;
};

struct flush_pairing *flush_pairing_new(void)
{
	struct flush_pairing *fp = calloc(1, sizeof(*fp));

	if (!fp)
		return NULL;
	fp->cap = 64;
	fp->tab = calloc(fp->cap, sizeof(*fp->tab));
	if (!fp->tab) {
		free(fp);
		return NULL;
	}
	return fp;
}

void flush_pairing_free(struct flush_pairing *fp)
{
	if (!fp)
		return;
	free(fp->tab);
	free(fp);
}

static size_t fp_hash(int32_t pid, size_t cap)
{
	return (size_t)(((uint32_t)pid * 0x9e3779b1u) >> 7) & (cap - 1);
}

static struct fp_ent *fp_slot(struct fp_ent *tab, size_t cap, int32_t pid)
{
	size_t i = fp_hash(pid, cap);

	while (tab[i].used && tab[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The entry of pid, made if new; NULL when out of memory. */
static struct fp_ent *fp_get(struct flush_pairing *fp, int32_t pid)
{
	struct fp_ent *e = fp_slot(fp->tab, fp->cap, pid);

	if (e->used)
		return e;
	if (2 * (fp->n + 1) > fp->cap) {
		size_t cap = fp->cap * 2;
		struct fp_ent *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return NULL;
		for (size_t i = 0; i < fp->cap; i++)
			if (fp->tab[i].used)
				*fp_slot(tab, cap, fp->tab[i].pid) = fp->tab[i];
		free(fp->tab);
		fp->tab = tab;
		fp->cap = cap;
		e = fp_slot(tab, cap, pid);
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->pid = pid;
	fp->n++;
	return e;
}

int flush_pairing_feed(struct flush_pairing *fp, struct trace_rec *v, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct trace_rec *r = &v[i];
		struct fp_ent *e;

		if (r->ev != EV_FLUSH_RET && r->ev != EV_WRITEBACK_ONE &&
		    r->ev != EV_FLUSH_ENTRY)
			continue;
		if (r->ev == EV_WRITEBACK_ONE)
			r->flush_ts = r->flush_size = 0;
		e = rc ? NULL : fp_get(fp, r->pid);
		if (!e) {
			if (!rc)
				errno = ENOMEM;
			rc = -1;
			if (r->ev == EV_WRITEBACK_ONE)
				fp->st.unpaired++;
			else if (r->ev == EV_FLUSH_RET)
				fp->st.flushes++;
			else
				fp->st.entries++;
			continue;
		}
		if (r->ev == EV_FLUSH_ENTRY) {
			fp->st.entries++;
			if (e->has_wb && r->ts < e->last_wb) {
				fp->st.entries_unused++;	/* drained late */
				continue;
			}
			if (e->has_entry) {	/* its return never came */
				fp->st.entries_unused++;
				if (r->ts < e->entry_ts)
					continue;
			}
			e->has_entry = true;
			e->entry_ts = r->ts;
			e->entry_size = r->flush_size;
			continue;
		}
		if (r->ev == EV_FLUSH_RET) {
			uint64_t size = 0;

			fp->st.flushes++;
			if (e->has_wb && r->ts < e->last_wb) {
				/* before the thread's last writeback: drained
				 * late; not this thread's next flush */
				fp->st.flushes_unused++;
				continue;
			}
			if (e->has_entry && e->entry_ts <= r->ts) {
				size = e->entry_size;
				e->has_entry = false;
			} else {
				fp->st.flushes_no_entry++;
			}
			if (e->pending) {	/* a flush never followed by
						 * its writeback record */
				fp->st.flushes_unused++;
				if (r->ts < e->pending)
					continue;
			}
			e->pending = r->ts;
			e->pending_size = size;
			continue;
		}
		if (e->has_wb && r->ts < e->last_wb) {
			fp->st.unpaired++;	/* drained late: leave it */
			continue;
		}
		if (e->pending && e->pending <= r->ts) {
			r->flush_ts = e->pending;
			r->flush_size = e->pending_size;
			e->pending = 0;
			fp->st.paired++;
		} else {
			fp->st.unpaired++;
		}
		e->has_wb = true;
		e->last_wb = r->ts;
	}
	return rc;
}

void flush_pairing_stats(const struct flush_pairing *fp,
			 struct flush_pairing_stats *st)
{
	if (fp)
		*st = fp->st;
	else
		memset(st, 0, sizeof(*st));
}

/* Stable merge sort of v[0..n) by ts (tmp: n records). */
static void sort_by_ts(struct trace_rec *v, struct trace_rec *tmp, size_t n)
{
	size_t h = n / 2, i, j, k;

	if (n < 2)
		return;
	sort_by_ts(v, tmp, h);
	sort_by_ts(v + h, tmp, n - h);
	if (v[h - 1].ts <= v[h].ts)
		return;		/* already in order: the usual case */
	memcpy(tmp, v, h * sizeof(*v));
	for (i = 0, j = h, k = 0; i < h && j < n; k++)
		v[k] = v[j].ts < tmp[i].ts ? v[j++] : tmp[i++];
	while (i < h)
		v[k++] = tmp[i++];
}

int dax_trace_pair_flushes(struct trace_vec *tv, struct flush_pairing_stats *st)
{
	struct flush_pairing *fp;
	struct trace_rec *tmp;
	int rc;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!tv || !tv->n)
		return 0;
	fp = flush_pairing_new();
	tmp = malloc((tv->n / 2 + 1) * sizeof(*tmp));
	if (!fp || !tmp) {
		flush_pairing_free(fp);
		free(tmp);
		errno = ENOMEM;
		return -1;
	}
	sort_by_ts(tv->v, tmp, tv->n);
	free(tmp);
	rc = flush_pairing_feed(fp, tv->v, tv->n);
	if (st)
		flush_pairing_stats(fp, st);
	flush_pairing_free(fp);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The dax_flush probes of opts.flush_time (see trace.h): the kretprobe
 * FLUSH_GROUP/flush_<pid> and the kprobe FLUSH_GROUP/flushin_<pid> that
 * fetches the size argument, created at open, both or neither; removed at
 * close (and by the exit and signal handlers, trace_cleanup.c); ones of
 * dead processes removed at open; their hits and misses (kprobe_profile).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
void trace_remove_stale_probes(const char *mine, const char *mine_in)
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
		trace_sleep_ms(10);	/* a file of it still open */
	}
	tracefs_dynevent_free(*d);
	*d = NULL;
}

/* Remove the flush probes (the instance, where they were enabled, is gone
 * or has them disabled). */
void trace_destroy_probe(struct dax_trace *t, struct slot *s)
{
	if (!t->flush_dev && !t->flushin_dev)
		return;
	destroy_dynevent(&t->flush_dev);
	destroy_dynevent(&t->flushin_dev);
	if (s)
		__atomic_store_n(&s->probe, 0, __ATOMIC_RELEASE);
}

/* Disable both flush events in the instance (where they may be enabled). */
void trace_disable_probes(struct dax_trace *t)
{
	if (!t->inst)
		return;
	if (t->flush_dev)
		tracefs_event_disable(t->inst, FLUSH_GROUP, t->flush_name);
	if (t->flushin_dev)
		tracefs_event_disable(t->inst, FLUSH_GROUP, t->flushin_name);
}

void trace_flush_off(struct dax_trace *t, struct slot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->flush_why, sizeof(t->flush_why), fmt, ap);
	va_end(ap);
	trace_disable_probes(t);
	t->has[EV_FLUSH_RET] = t->has[EV_FLUSH_ENTRY] = false;
	memset(&t->ev[EV_FLUSH_RET], 0, sizeof(t->ev[EV_FLUSH_RET]));
	memset(&t->ev[EV_FLUSH_ENTRY], 0, sizeof(t->ev[EV_FLUSH_ENTRY]));
	trace_destroy_probe(t, s);
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
void trace_create_probe(struct dax_trace *t, struct slot *s)
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
	pthread_mutex_lock(&trace_reg_lock);
	for (int i = 0; i < MAX_TRACES; i++) {
		struct slot *o = &trace_slots[i];

		if (o != s && __atomic_load_n(&o->used, __ATOMIC_ACQUIRE) &&
		    o->owner == getpid() &&
		    __atomic_load_n(&o->probe, __ATOMIC_ACQUIRE) && o->t &&
		    !strcmp(o->t->flush_name, t->flush_name)) {
			pthread_mutex_unlock(&trace_reg_lock);
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
	pthread_mutex_unlock(&trace_reg_lock);

	/* ones of an earlier process that had my pid */
	trace_remove_stale_probes(t->flush_name, t->flushin_name);
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
	trace_destroy_probe(t, s);
	__atomic_store_n(&s->probe, 0, __ATOMIC_RELEASE);
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
bool trace_probe_profile(const struct dax_trace *t, const char *pname,
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
	if (t->flush_dev && trace_probe_profile(t, t->flush_name, &hits, &missed))
		sum += missed;
	if (t->flushin_dev && trace_probe_profile(t, t->flushin_name, &hits, &missed))
		sum += missed;
	return sum;
}

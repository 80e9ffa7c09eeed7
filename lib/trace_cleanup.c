// SPDX-License-Identifier: GPL-2.0
/*
 * Cleanup of the private instances (see trace.h): every open trace is
 * entered in a small static table holding the precomputed instance path
 * and its fds, read by the atexit handler and by the cleanup that
 * fatal_signals.h runs on every default-fatal signal (async-signal-safe:
 * close, close_range, rmdir, open, write, nanosleep).  With flush_time the
 * table also holds the "-:group/event" lines of the two dax_flush probes
 * (kretprobe and entry kprobe): the cleanup removes the instance
 * (disabling the events in it first if that fails), then appends those
 * lines to kprobe_events (a dynamic event enabled anywhere cannot be
 * removed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"
#include "fatal_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct slot trace_slots[MAX_TRACES];
pthread_mutex_t trace_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static bool atexit_done;

void trace_sleep_ms(long ms)
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
		struct slot *s = &trace_slots[i];
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
			trace_sleep_ms(1);	/* a read in flight in another thread */
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

static void at_exit(void)
{
	pid_t me = getpid();

	for (int i = 0; i < MAX_TRACES; i++) {
		struct slot *s = &trace_slots[i];

		if (__atomic_load_n(&s->used, __ATOMIC_ACQUIRE) && s->owner == me)
			dax_trace_close(s->t);
	}
}

/* With trace_reg_lock held. */
void trace_install_handlers(void)
{
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = true;
	}
	fatal_signals_on(cleanup_async);
}

struct slot *trace_slot_of(struct dax_trace *t)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&trace_slots[i].used, __ATOMIC_ACQUIRE) &&
		    trace_slots[i].t == t && trace_slots[i].owner == getpid())
			return &trace_slots[i];
	return NULL;
}

bool trace_name_registered(const char *path)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&trace_slots[i].used, __ATOMIC_ACQUIRE) &&
		    trace_slots[i].owner == getpid() &&
		    strcmp(trace_slots[i].path, path) == 0)
			return true;
	return false;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Cleanup of the private instances (see trace.h): every open trace is
 * entered in a small static table holding the precomputed instance path
 * and its fds, read by the atexit handler and by the SIGINT/SIGTERM/SIGHUP
 * handler (async-signal-safe: close, close_range, rmdir, open, write,
 * nanosleep, sigaction, sigprocmask, raise).  With flush_time the table
 * also holds the "-:group/event" lines of the two dax_flush probes
 * (kretprobe and entry kprobe): the handler removes the instance
 * (disabling the events in it first if that fails), then appends those
 * lines to kprobe_events (a dynamic event enabled anywhere cannot be
 * removed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct slot trace_slots[MAX_TRACES];
pthread_mutex_t trace_reg_lock = PTHREAD_MUTEX_INITIALIZER;
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

/* With trace_reg_lock held: when no trace is left, give the signals back
 * unless the program has replaced our handler meanwhile. */
void trace_maybe_uninstall_handlers(void)
{
	for (int i = 0; i < MAX_TRACES; i++)
		if (__atomic_load_n(&trace_slots[i].used, __ATOMIC_ACQUIRE) &&
		    trace_slots[i].owner == getpid())
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

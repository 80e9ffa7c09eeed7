// SPDX-License-Identifier: GPL-2.0
/*
 * The handler of every default-fatal signal (see fatal_signals.h): the
 * registered cleanups, then death by the signal.  Async-signal-safe in the
 * handler: atomic loads, the cleanups, sigaction, sigprocmask, raise, _exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fatal_signals.h"

/* signal(7): every standard signal whose default action is Term or Core
 * (SIGKILL aside: it cannot be caught); the real-time ones follow. */
static const int std_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
#ifdef SIGPWR
	SIGPWR,
#endif
	SIGSYS,
};
#define NSTD (sizeof(std_sigs) / sizeof(std_sigs[0]))
#define MAXSIG 65

static void (*cleanups[FATAL_SIGNALS_MAX_CLEANUPS])(void);
static int ncleanups;			/* __atomic */
static struct sigaction old_act[MAXSIG];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

size_t fatal_signals_count(void)
{
	int rt = SIGRTMAX - SIGRTMIN + 1;

	return NSTD + (rt > 0 ? (size_t)rt : 0);
}

int fatal_signal(size_t i)
{
	if (i < NSTD)
		return std_sigs[i];
	i -= NSTD;
	return i < fatal_signals_count() - NSTD ? SIGRTMIN + (int)i : -1;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = sig > 0 && sig < MAXSIG ? &old_act[sig] : NULL;
	int saved = errno, n;
	struct sigaction dfl;
	sigset_t set;

	if (old && ((old->sa_flags & SA_SIGINFO) ? old->sa_sigaction != NULL :
		    old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN)) {
		/* The program's own handler, installed before ours: its
		 * intent (stop, write results); its exit runs atexit. */
		if (old->sa_flags & SA_SIGINFO)
			old->sa_sigaction(sig, si, uc);
		else
			old->sa_handler(sig);
		errno = saved;
		return;
	}
	n = __atomic_load_n(&ncleanups, __ATOMIC_ACQUIRE);
	while (n-- > 0)
		cleanups[n]();
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

/* With lock held.  Where the handler is not ours (never installed, or
 * changed since: a forked child that reset its signals), what is there
 * becomes the previous disposition. */
static void install(void)
{
	for (size_t i = 0; i < fatal_signals_count(); i++) {
		int sig = fatal_signal(i);
		struct sigaction sa, cur;

		if (sig <= 0 || sig >= MAXSIG || sigaction(sig, NULL, &cur) < 0)
			continue;
		if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_signal)
			continue;
		if (!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_IGN)
			continue;	/* ignored (nohup...): it stays so */
		old_act[sig] = cur;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | (cur.sa_flags & SA_RESTART);
		sigfillset(&sa.sa_mask);
		sigaction(sig, &sa, NULL);
	}
}

int fatal_signals_on(void (*fn)(void))
{
	int rc = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < ncleanups; i++)
		if (cleanups[i] == fn)
			goto out;
	if (ncleanups == FATAL_SIGNALS_MAX_CLEANUPS) {
		rc = -1;
		goto out;
	}
	cleanups[ncleanups] = fn;
	__atomic_store_n(&ncleanups, ncleanups + 1, __ATOMIC_RELEASE);
out:
	install();
	pthread_mutex_unlock(&lock);
	return rc;
}

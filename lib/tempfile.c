// SPDX-License-Identifier: GPL-2.0
/*
 * Temporaries beside their target (see tempfile.h): a small static table of
 * their names, read by the exit and fatal-signal cleanups (unlink is
 * async-signal-safe); the name is registered before the file is created
 * and unregistered after it is renamed or removed, so a signal in between
 * finds at worst a name that no longer exists.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fatal_signals.h"
#include "tempfile.h"

static struct {
	int used;			/* __atomic */
	pid_t owner;			/* a forked child leaves them alone */
	char path[TEMPFILE_PATH_MAX];
} slots[TEMPFILE_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool hooked;

/* Async-signal-safe. */
static void remove_all(void)
{
	pid_t me = getpid();

	for (int i = 0; i < TEMPFILE_MAX; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) &&
		    slots[i].owner == me) {
			unlink(slots[i].path);
			__atomic_store_n(&slots[i].used, 0, __ATOMIC_RELEASE);
		}
}

static int reg(const char *path)
{
	int slot = -1;

	pthread_mutex_lock(&lock);
	if (!hooked) {
		atexit(remove_all);
		hooked = true;
	}
	fatal_signals_on(remove_all);	/* again: a child may have reset them */
	for (int i = 0; i < TEMPFILE_MAX && slot < 0; i++)
		if (!__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) ||
		    slots[i].owner != getpid())
			slot = i;
	if (slot >= 0) {
		slots[slot].owner = getpid();
		snprintf(slots[slot].path, sizeof(slots[slot].path), "%s", path);
		__atomic_store_n(&slots[slot].used, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
	return slot;
}

static void unreg(const char *path)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < TEMPFILE_MAX; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) &&
		    slots[i].owner == getpid() && !strcmp(slots[i].path, path))
			__atomic_store_n(&slots[i].used, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
}

int tempfile_create(const char *target, char *tmp)
{
	int fd, e;

	if (snprintf(tmp, TEMPFILE_PATH_MAX, "%s.tmp.%d", target, (int)getpid()) >=
	    TEMPFILE_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (reg(tmp) < 0) {
		errno = ENFILE;
		return -1;
	}
	for (int tries = 0; tries < 2; tries++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		/* left by an earlier process that had our pid */
		unlink(tmp);
	}
	if (fd < 0) {
		e = errno;
		unreg(tmp);
		errno = e;
	}
	return fd;
}

int tempfile_commit(int fd, const char *tmp, const char *target)
{
	int e;

	if (fsync(fd) < 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, target) < 0) {
		e = errno;
		goto fail;
	}
	unreg(tmp);
	return 0;
fail:
	unlink(tmp);
	unreg(tmp);
	errno = e;
	return -1;
}

void tempfile_discard(int fd, const char *tmp)
{
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	unreg(tmp);
}

void tempfile_remove_stale(const char *target)
{
	const char *slash = strrchr(target, '/');
	char dir[PATH_MAX], path[PATH_MAX + 300];
	const char *base = slash ? slash + 1 : target;
	size_t blen = strlen(base);
	struct dirent *de;
	DIR *d;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == target)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - target), target);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		struct stat st;
		char *end;
		long pid;

		if (strncmp(p, base, blen) || strncmp(p + blen, ".tmp.", 5))
			continue;
		p += blen + 5;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		if (*end || errno || pid <= 0 || pid > INT_MAX || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* alive (or not ours to ask): in use */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			unlink(path);
	}
	closedir(d);
}

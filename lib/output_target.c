// SPDX-License-Identifier: GPL-2.0
/*
 * Output targets (see output_target.h): the rule of what --output may name,
 * checked before the run, and the writing: stdout, or a temporary written
 * through a stream that keeps the first write error (ENOSPC, EIO...), then
 * renamed over the target.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* fopencookie */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opts.h"
#include "output_target.h"
#include "test_stop.h"

static bool stdout_name(const char *arg)
{
	return !strcmp(arg, "-") || !strcmp(arg, "/dev/stdout") ||
	       !strcmp(arg, "/dev/fd/1") || !strcmp(arg, "/proc/self/fd/1");
}

static const char *kind_name(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link" :
	       S_ISREG(m) ? "a regular file" : "not a regular file";
}

/* The directory of path takes files (dies otherwise). */
static void dir_takes_files(const char *opt, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	if (!slash) {
		opt_writable_dir(opt, ".");
		return;
	}
	if (slash == path) {
		opt_writable_dir(opt, "/");
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	opt_writable_dir(opt, dir);
}

void out_target_check(struct out_target *t, const char *opt, const char *arg,
		      const char *no_stdout)
{
	struct stat st, lst;
	size_t len = arg ? strlen(arg) : 0;

	memset(t, 0, sizeof(*t));
	t->opt = opt;
	t->arg = arg;
	t->fd = -1;
	if (!len)
		opt_die(opt, "invalid file name '' (empty path)");
	if (stdout_name(arg)) {
		if (no_stdout)
			opt_die(opt, "'%s' is stdout, which %s: name a file", arg,
				no_stdout);
		t->to_stdout = true;
		return;
	}
	if (len >= sizeof(t->path))
		opt_die(opt, "path too long");
	if (arg[len - 1] == '/')
		opt_die(opt, "'%s' is not a file name (it ends in '/')", arg);
	if (lstat(arg, &lst) == 0) {
		if (S_ISLNK(lst.st_mode)) {
			if (stat(arg, &st) < 0)
				opt_die(opt, "'%s' is a symbolic link that leads nowhere (%s)",
					arg, strerror(errno));
			if (!S_ISREG(st.st_mode))
				opt_die(opt, "'%s' is a symbolic link to %s, not to a regular file",
					arg, kind_name(st.st_mode));
			if (!realpath(arg, t->path))
				opt_die(opt, "cannot resolve the symbolic link '%s': %s", arg,
					strerror(errno));
		} else if (S_ISREG(lst.st_mode)) {
			memcpy(t->path, arg, len + 1);
		} else {
			opt_die(opt, "'%s' is %s, not a regular file (results are written to a "
				"regular file%s)", arg, kind_name(lst.st_mode),
				no_stdout ? "" : ", or to stdout with '-'");
		}
	} else if (errno == ENOENT) {
		memcpy(t->path, arg, len + 1);
	} else {
		opt_die(opt, "cannot access '%s': %s", arg, strerror(errno));
	}
	dir_takes_files(opt, t->path);
	tempfile_remove_stale(t->path);
}

void out_dir_check(const char *opt, const char *arg, bool *exists)
{
	struct stat st, lst;
	size_t len = arg ? strlen(arg) : 0;
	char dir[PATH_MAX];

	*exists = false;
	if (!len)
		opt_die(opt, "invalid directory '' (empty path)");
	if (stdout_name(arg))
		opt_die(opt, "'%s': this output is a directory of files, not a stream", arg);
	if (len >= sizeof(dir))
		opt_die(opt, "path too long");
	if (stat(arg, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			opt_die(opt, "'%s' is %s, not a directory", arg, kind_name(st.st_mode));
		opt_writable_dir(opt, arg);
		*exists = true;
		return;
	}
	if (errno != ENOENT)
		opt_die(opt, "cannot access '%s': %s", arg, strerror(errno));
	if (lstat(arg, &lst) == 0)
		opt_die(opt, "'%s' is a symbolic link that leads nowhere", arg);
	/* a new directory: its parent must take it */
	memcpy(dir, arg, len + 1);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	dir_takes_files(opt, dir);
}

bool out_target_same(const struct out_target *a, const struct out_target *b)
{
	struct stat sa, sb;

	if (!a->opt || !b->opt)
		return false;
	if (a->to_stdout || b->to_stdout)
		return a->to_stdout && b->to_stdout;
	if (!strcmp(a->path, b->path))
		return true;
	return stat(a->path, &sa) == 0 && stat(b->path, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The stream over the temporary: every write error kept in t->err. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	struct out_target *t = cookie;
	size_t off = 0;

	while (off < size) {
		ssize_t n = write(t->fd, buf + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!t->err)
				t->err = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	return (ssize_t)off;	/* short: the stream's error flag */
}

/* The target is still a regular file or absent (it may have been replaced
 * during the run). */
static bool still_fine(struct out_target *t)
{
	struct stat st;

	if (lstat(t->path, &st) < 0 || S_ISREG(st.st_mode))
		return true;
	snprintf(t->why, sizeof(t->why), "it became %s during the run",
		 kind_name(st.st_mode));
	return false;
}

FILE *out_begin(struct out_target *t)
{
	static const cookie_io_functions_t io = { .write = cookie_write };

	t->err = 0;
	t->why[0] = '\0';
	t->f = NULL;
	if (t->to_stdout)
		return t->f = stdout;
	if (!still_fine(t))
		return NULL;
	t->fd = tempfile_create(t->path, t->tmp);
	if (t->fd < 0) {
		t->err = errno;
		return NULL;
	}
	t->f = fopencookie(t, "w", io);
	if (!t->f) {
		t->err = errno;
		tempfile_discard(t->fd, t->tmp);
		t->fd = -1;
	}
	return t->f;
}

int out_end(struct out_target *t)
{
	int bad;

	if (!t->f)
		return -1;
	if (t->to_stdout) {
		errno = 0;
		bad = fflush(stdout) != 0 || ferror(stdout);
		if (bad)
			t->err = errno ? errno : EIO;
		t->f = NULL;
		return bad ? -1 : 0;
	}
	errno = 0;
	if (fflush(t->f) != 0 && !t->err)
		t->err = errno ? errno : EIO;
	if (ferror(t->f) && !t->err)
		t->err = EIO;
	fclose(t->f);		/* the cookie's: t->fd stays open */
	t->f = NULL;
	if (t->err || !still_fine(t)) {
		tempfile_discard(t->fd, t->tmp);
		t->fd = -1;
		return -1;
	}
	test_stop("writing");
	bad = tempfile_commit(t->fd, t->tmp, t->path);
	if (bad)
		t->err = errno;
	t->fd = -1;
	return bad ? -1 : 0;
}

void out_abandon(struct out_target *t)
{
	if (t->f && !t->to_stdout)
		fclose(t->f);
	t->f = NULL;
	if (t->fd >= 0)
		tempfile_discard(t->fd, t->tmp);
	t->fd = -1;
}

void out_target_report(const struct out_target *t)
{
	fprintf(stderr, "%s: %s: cannot write %s: %s\n", opt_progname(), t->opt,
		t->to_stdout ? "stdout" : t->arg,
		t->why[0] ? t->why : strerror(t->err ? t->err : EIO));
}

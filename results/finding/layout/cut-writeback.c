// SPDX-License-Identifier: GPL-2.0
/*
 * cut-writeback: which 2 MiB DAX entries does a punch, zero range or
 * truncate write back, and which does it delete unwritten?
 *
 *   cc -O2 -static -o cut-writeback cut-writeback.c
 *   ./cut-writeback DIR
 *
 * DIR on ext4/xfs mounted -o dax, as root.  For each operation, on a fresh
 * 8 MiB file (fallocated and fsynced, so nothing is dirty) mapped MAP_SHARED
 * and 2 MiB-aligned, four stores dirty the four 2 MiB entries (regions 0-3)
 * by PMD faults: pages 1, 513, 1100 and 1636.  Then one operation:
 *   punch-hole, zero-range  pages 576..1599 (2.25 MiB to 6.25 MiB): cuts
 *                           regions 1 and 3, covers region 2 whole; pages
 *                           513 and 1636 lie outside the range, 1100 inside;
 *   truncate-down           to page 576: cuts region 1, regions 2 and 3 lie
 *                           wholly beyond the new end of file.
 * then fsync.  The fs_dax:dax_writeback_one events of the file (a private
 * tracefs instance, filtered on its inode) are read after the operation
 * ("by the operation") and after the fsync ("by the fsync").
 *
 * Required: every page stored outside the operation's range written back by
 * one of them (exit 1 otherwise).  Reported: whether the entries the range
 * covers whole (region 2; and 3 for truncate-down) were written back, which
 * a kernel that writes back only the cut entries does not do (xfs writes the
 * range back itself before punching or zeroing it, xfs_flush_unmap_range()).
 * Exit 2: cannot run.  Everything runs on one thread, one step at a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096ull
#define PMD (2ull << 20)
#define SIZE (8ull << 20)
#define MAXEV 256

struct ev { unsigned long pgoff, pglen; };

static char inst[300], pipe_path[400], fpath[4200];
static int pipe_fd = -1;

static void cleanup(void)
{
	if (fpath[0])
		unlink(fpath);
	if (inst[0])
		rmdir(inst);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("cut-writeback: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	cleanup();
	exit(2);
}

static int wfile(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return rc;
}

/* The dax_writeback_one events of inode ino in the pipe now. */
static size_t drain(unsigned long ino, struct ev *ev)
{
	static char buf[1 << 16];
	static size_t len;
	size_t n = 0;
	ssize_t r;

	while ((r = read(pipe_fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		char *l = buf, *nl, *m;
		unsigned long i;
		struct ev e;

		len += (size_t)r;
		buf[len] = 0;
		while ((nl = strchr(l, '\n'))) {
			*nl = 0;
			m = strstr(l, ": dax_writeback_one: ");
			if (m && sscanf(m + 21, "dev %*d:%*d ino %lx pgoff %lx pglen %lx",
					&i, &e.pgoff, &e.pglen) == 3 && i == ino && n < MAXEV)
				ev[n++] = e;
			l = nl + 1;
		}
		len -= (size_t)(l - buf);
		memmove(buf, l, len);
	}
	if (r < 0 && errno != EAGAIN)
		die("reading %s: %s", pipe_path, strerror(errno));
	return n;
}

static int covers(const struct ev *ev, size_t n, unsigned long page)
{
	for (size_t k = 0; k < n; k++)
		if (ev[k].pgoff <= page && page < ev[k].pgoff + ev[k].pglen)
			return 1;
	return 0;
}

static void show(const char *what, const struct ev *ev, size_t n)
{
	printf(" %s:", what);
	if (!n)
		printf(" none");
	for (size_t k = 0; k < n; k++)
		printf(" %lu+%lu", ev[k].pgoff, ev[k].pglen);
	printf(";");
}

int main(int argc, char **argv)
{
	static const unsigned long stored[4] = { 1, 513, 1100, 1636 };
	static const char *const ops[3] = { "punch-hole", "zero-range", "truncate-down" };
	const unsigned long first = 576, last = 1599;	/* the range, pages */
	char p[600], val[64];
	int lost = 0;

	if (argc != 2)
		die("usage: cut-writeback DIR");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/cut-writeback-%d",
		 (int)getpid());
	if (mkdir(inst, 0755))
		inst[0] = 0, die("cannot create a tracefs instance: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s/events/fs_dax/dax_writeback_one/enable", inst);
	if (wfile(p, "1"))
		die("cannot enable %s: %s", p, strerror(errno));
	snprintf(pipe_path, sizeof(pipe_path), "%s/trace_pipe", inst);
	if ((pipe_fd = open(pipe_path, O_RDONLY | O_NONBLOCK)) < 0)
		die("cannot open %s: %s", pipe_path, strerror(errno));

	for (int o = 0; o < 3; o++) {
		struct ev by_op[MAXEV], by_fsync[MAXEV];
		size_t nop, nfs;
		struct stat st;
		int fd, rc, trunc = o == 2, inside_wb = 0;
		char *r, *base;

		snprintf(fpath, sizeof(fpath), "%s/cut-writeback.%d", argv[1], (int)getpid());
		unlink(fpath);
		if ((fd = open(fpath, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0)
			fpath[0] = 0, die("cannot create a file in %s: %s", argv[1], strerror(errno));
		if (fallocate(fd, 0, 0, SIZE) || fsync(fd) || fstat(fd, &st))
			die("preparing %s: %s", fpath, strerror(errno));
		snprintf(p, sizeof(p), "%s/events/fs_dax/dax_writeback_one/filter", inst);
		snprintf(val, sizeof(val), "ino == %lu", (unsigned long)st.st_ino);
		if (wfile(p, val))
			die("cannot set the filter %s: %s", p, strerror(errno));
		r = mmap(NULL, SIZE + PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		base = (char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1));
		if (r == MAP_FAILED || mmap(base, SIZE, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
			die("mmap %s: %s", fpath, strerror(errno));
		drain(st.st_ino, by_op);
		for (int k = 0; k < 4; k++)
			*(volatile uint64_t *)(base + stored[k] * PG) = 0xc0ull << 40 | k;
		if (trunc)
			rc = ftruncate(fd, (off_t)(first * PG));
		else
			rc = fallocate(fd, o == 0 ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
				       FALLOC_FL_ZERO_RANGE, (off_t)(first * PG),
				       (off_t)((last + 1 - first) * PG));
		if (rc)
			die("%s: %s", ops[o], strerror(errno));
		nop = drain(st.st_ino, by_op);
		if (fsync(fd))
			die("fsync after %s: %s", ops[o], strerror(errno));
		nfs = drain(st.st_ino, by_fsync);
		printf("%-14s", ops[o]);
		show("by the operation", by_op, nop);
		show("by the fsync", by_fsync, nfs);
		for (int k = 0; k < 4; k++) {
			int in = stored[k] >= first && (trunc || stored[k] <= last);
			int wb = covers(by_op, nop, stored[k]) || covers(by_fsync, nfs, stored[k]);

			if (in)
				inside_wb |= covers(by_op, nop, stored[k]);
			else if (!wb)
				lost++;
			printf(" page %lu%s %s;", stored[k], in ? " (in the range)" : "",
			       wb ? "written back" : in ? "not written back" : "NOT written back: LOST");
		}
		printf(" entries the range covers whole: %s\n",
		       inside_wb ? "written back" : "not written back");
		munmap(r, SIZE + PMD);
		close(fd);
		unlink(fpath);
		fpath[0] = 0;
	}
	close(pipe_fd);
	cleanup();
	if (lost)
		printf("FAIL: %d page(s) stored outside an operation's range not written back\n", lost);
	return lost ? 1 : 0;
}

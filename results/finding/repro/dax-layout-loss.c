// SPDX-License-Identifier: GPL-2.0
/*
 * dax-layout-loss: does a layout change of an fs-dax file (a punch, a
 * truncate, a collapse, ...) make the kernel forget that pages stored through
 * a MAP_SHARED mapping elsewhere in the file are dirty, so that the next
 * fsync() does not write them back?
 *
 *   cc -O2 -static -o dax-layout-loss dax-layout-loss.c
 *   ./dax-layout-loss [-a | -o OP[,OP...]] [--pmd | --near] [-l] DIR
 *
 * DIR on ext4/xfs mounted -o dax, as root.  Exit: 0 every stored page was
 * written back, 1 the kernel lost the dirty state of a stored page, 2 cannot
 * run (not root, no tracefs, not DAX, every operation refused) or bad usage.
 *
 * Each operation runs on a fresh 1 MiB file (fallocated, so every page has
 * a block): map it MAP_SHARED, store to pages 0 and 7, do the operation on
 * page 200 (far from both), fsync, and read the fs_dax:dax_writeback_one
 * events of the file's inode traced from the stores to the fsync's return.
 * A stored page is written back when one of them covers it (pgoff <= page <
 * pgoff + pglen).  The default operation is fallocate(PUNCH_HOLE) of page
 * 200; -a runs every operation below, -o the ones named, -l lists them.
 * --pmd: a 4 MiB file mapped 2 MiB-aligned (PMD entries: the stores dirty
 * one 2 MiB entry), the operation on page 700 (in the second 2 MiB).
 * --near: as --pmd, but the operation on page 300, inside the 2 MiB entry
 * the stores dirtied: what an operation does to a dirty PMD entry it cuts
 * (a different question from the one above; see README.md).
 *
 * The suspect (Linux 6.15 and later, "fs/dax: always remove DAX page-cache
 * entries when breaking layouts"): dax_break_layout() ends with
 * dax_delete_mapping_range() over the range it is given, and ext4 and xfs
 * give it the whole file (dax_break_layout_inode(): 0 .. LLONG_MAX), so
 * every DIRTY and TOWRITE entry of the file is deleted without being written
 * back.  On 6.1 and 6.12 ext4_break_layouts() and xfs_break_dax_layouts()
 * only wait for pinned pages, and the same fsync writes both pages back.
 *
 * The trace: a private tracefs instance, instances/dax-layout-loss-PID, with
 * only fs_dax/dax_writeback_one enabled and filtered on the file's inode,
 * read as text from its trace_pipe; removed at exit and on SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT, with the test files.  Everything runs on one thread,
 * one step after another: the pipe is drained before the stores, so what it
 * holds after the fsync is exactly what was traced in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80	/* Linux 6.17 */
#endif
/* XFS_IOC_EXCHANGE_RANGE (Linux 6.10, fs/xfs/libxfs/xfs_fs.h) */
struct xfs_exchange_range_abi {
	int32_t file1_fd;
	uint32_t pad;
	uint64_t file1_offset, file2_offset, length, flags;
};
#define XCHG_IOC _IOW('X', 129, struct xfs_exchange_range_abi)

#define PG 4096ull
#define PMD (2ull << 20)
#define MAXEV 4096

enum kind { FALLOC, TRUNC, CLONE_IN, CLONE_OUT, DEDUPE, EXCHANGE };

struct op {
	const char *name, *what;
	enum kind kind;
	int mode;		/* fallocate mode */
	int where;		/* 0: the page; 1: past EOF; 2: truncate down;
				 * 3: up; 4: same size */
	int prepunch;		/* punch the page before the stores */
};

static const struct op ops[] = {
	{ "punch-hole", "fallocate(PUNCH_HOLE|KEEP_SIZE)", FALLOC,
	  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 0 },
	{ "zero-range", "fallocate(ZERO_RANGE)", FALLOC, FALLOC_FL_ZERO_RANGE, 0, 0 },
	{ "zero-range-keep-size", "fallocate(ZERO_RANGE|KEEP_SIZE)", FALLOC,
	  FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 0 },
	{ "collapse-range", "fallocate(COLLAPSE_RANGE)", FALLOC, FALLOC_FL_COLLAPSE_RANGE, 0, 0 },
	{ "insert-range", "fallocate(INSERT_RANGE)", FALLOC, FALLOC_FL_INSERT_RANGE, 0, 0 },
	{ "write-zeroes", "fallocate(WRITE_ZEROES)", FALLOC, FALLOC_FL_WRITE_ZEROES, 0, 0 },
	{ "allocate", "fallocate(0) of a hole punched before the stores", FALLOC, 0, 0, 1 },
	{ "allocate-keep-size", "fallocate(KEEP_SIZE) past the end of file", FALLOC,
	  FALLOC_FL_KEEP_SIZE, 1, 0 },
	{ "unshare-range", "fallocate(UNSHARE_RANGE)", FALLOC, FALLOC_FL_UNSHARE_RANGE, 0, 0 },
	{ "truncate-down", "ftruncate to the page's offset", TRUNC, 0, 2, 0 },
	{ "truncate-up", "ftruncate to twice the size", TRUNC, 0, 3, 0 },
	{ "truncate-same-size", "ftruncate to the same size", TRUNC, 0, 4, 0 },
	{ "clone-into", "FICLONERANGE from a second file onto the page", CLONE_IN, 0, 0, 0 },
	{ "clone-out", "FICLONERANGE of the page into a second file", CLONE_OUT, 0, 0, 0 },
	{ "dedupe-range", "FIDEDUPERANGE of a second file's equal page onto the page",
	  DEDUPE, 0, 0, 0 },
	{ "exchange-range", "XFS_IOC_EXCHANGE_RANGE of the page with a second file's",
	  EXCHANGE, 0, 0, 0 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static char inst[200], en_wb[300], filt[300], pipe_path[240];
static char fpath[4200], ppath[4200];		/* set before any signal */
static volatile sig_atomic_t inst_made;
static int pipe_fd = -1;

static int wfile(const char *path, const char *val)
{
	int f = open(path, O_WRONLY | O_TRUNC), ok;

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
		wfile(en_wb, "0");
		for (int i = 0; i < 200 && rmdir(inst) && errno == EBUSY; i++)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		inst_made = 0;
	}
	if (fpath[0])
		unlink(fpath), fpath[0] = 0;
	if (ppath[0])
		unlink(ppath), ppath[0] = 0;
}

static void on_signal(int sig) { cleanup(), raise(sig); }	/* SA_RESETHAND */

__attribute__((noreturn, format(printf, 2, 3))) static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("dax-layout-loss: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(code);
}

struct wb { unsigned long ino, pgoff, pglen; };
static struct wb ev[MAXEV];
static size_t nev;
static unsigned long n_bad, n_lost;

/* Everything in the pipe now into ev[] (keep) or nowhere. */
static void drain(int keep)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;

	nev = 0;
	while ((n = read(pipe_fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)) {
		char *l = buf, *nl, *m;
		struct wb w;

		for (len += n > 0 ? n : 0; (nl = memchr(l, '\n', buf + len - l)); l = nl + 1) {
			*nl = 0;
			n_lost += keep && strstr(l, "LOST") != NULL;
			if (!keep || !(m = strstr(l, ": dax_writeback_one: ")))
				continue;
			if (sscanf(m + 21, "dev %*d:%*d ino %lx pgoff %lx pglen %lx", &w.ino,
				   &w.pgoff, &w.pglen) != 3)
				n_bad++;
			else if (nev < MAXEV)
				ev[nev++] = w;
		}
		len -= l - buf;
		memmove(buf, l, len);
	}
	if (n < 0 && errno != EAGAIN)
		die(2, "reading %s: %s", pipe_path, strerror(errno));
}

static void setup_trace(void)
{
	char t[40] = "/sys/kernel/tracing", p[400], fmt[4096] = "";
	int f, n;

	if (access(strcat(strcpy(p, t), "/instances"), W_OK) &&
	    access(strcat(strcpy(p, strcpy(t, "/sys/kernel/debug/tracing")), "/instances"), W_OK))
		die(2, "no tracefs instances (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(p, sizeof(p), "%s/events/fs_dax/dax_writeback_one/format", t);
	if ((f = open(p, O_RDONLY)) >= 0)
		n = read(f, fmt, sizeof(fmt) - 1), fmt[n > 0 ? n : 0] = 0, close(f);
	if (!strstr(fmt, " ino;") || !strstr(fmt, " pgoff;") || !strstr(fmt, " pglen;"))
		die(2, "no fs_dax/dax_writeback_one event with ino, pgoff, pglen (%s)", p);
	snprintf(inst, sizeof(inst), "%s/instances/dax-layout-loss-%d", t, (int)getpid());
	snprintf(en_wb, sizeof(en_wb), "%s/events/fs_dax/dax_writeback_one/enable", inst);
	snprintf(filt, sizeof(filt), "%s/events/fs_dax/dax_writeback_one/filter", inst);
	snprintf(pipe_path, sizeof(pipe_path), "%s/trace_pipe", inst);
	if (mkdir(inst, 0755))
		die(2, "cannot create %s: %s", inst, strerror(errno));
	inst_made = 1;
	wfile(strcat(strcpy(p, inst), "/buffer_size_kb"), "1024");	/* best effort */
	if (wfile(en_wb, "1"))
		die(2, "cannot enable %s: %s", en_wb, strerror(errno));
	if ((pipe_fd = open(pipe_path, O_RDONLY | O_NONBLOCK)) < 0)
		die(2, "cannot open %s: %s", pipe_path, strerror(errno));
}

static int make_file(char *path, const char *dir, const char *tag, uint64_t size)
{
	int fd;

	snprintf(path, 4200, "%s/dax-layout-loss.%d%s", dir, (int)getpid(), tag);
	unlink(path);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0)
		path[0] = 0, die(2, "cannot create a file in %s: %s", dir, strerror(errno));
	if (fallocate(fd, 0, 0, size))
		die(2, "cannot fallocate %s: %s", path, strerror(errno));
	return fd;
}

static int refused(int e)	/* the file system does not do this */
{
	return e == EOPNOTSUPP || e == EINVAL || e == EXDEV || e == ENOTTY || e == ENOSYS;
}

/* The operation on page pg of fd (size bytes); peer: a second file.  0, or
 * an errno. */
static int run_op(const struct op *o, int fd, int peer, uint64_t size, uint64_t pg)
{
	struct file_clone_range cr = { 0 };
	struct xfs_exchange_range_abi xr = { 0 };
	struct {
		struct file_dedupe_range r;
		struct file_dedupe_range_info i;
	} d;
	uint64_t off = pg * PG;
	int rc = 0;

	memset(&d, 0, sizeof(d));

	switch (o->kind) {
	case FALLOC:
		rc = fallocate(fd, o->mode, (off_t)(o->where ? size : off), (off_t)PG);
		break;
	case TRUNC:
		rc = ftruncate(fd, (off_t)(o->where == 2 ? off : o->where == 3 ? 2 * size : size));
		break;
	case CLONE_IN:
	case CLONE_OUT:
		cr.src_fd = o->kind == CLONE_IN ? peer : fd;
		cr.src_offset = o->kind == CLONE_IN ? 0 : off;
		cr.src_length = PG;
		cr.dest_offset = o->kind == CLONE_IN ? off : 0;
		rc = ioctl(o->kind == CLONE_IN ? fd : peer, FICLONERANGE, &cr);
		break;
	case DEDUPE:
		d.r.src_offset = 0, d.r.src_length = PG, d.r.dest_count = 1;
		d.i.dest_fd = fd, d.i.dest_offset = off;
		rc = ioctl(peer, FIDEDUPERANGE, &d);
		if (!rc && d.i.status < 0)
			return -d.i.status;
		if (!rc && d.i.status == FILE_DEDUPE_RANGE_DIFFERS)
			return EBADE;	/* cannot be: both pages were written equal */
		break;
	case EXCHANGE:
		xr.file1_fd = peer, xr.file1_offset = 0, xr.file2_offset = off, xr.length = PG;
		rc = ioctl(fd, XCHG_IOC, &xr);
		break;
	}
	return rc ? errno : 0;
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout, "usage: dax-layout-loss [-a | -o OP[,OP...]] [--pmd | --near] [-l] DIR\n"
		"  DIR on a file system mounted -o dax, as root; default: -o punch-hole\n"
		"  -a every operation (-l lists them), --pmd a 4 MiB file mapped 2 MiB-aligned,\n"
		"  --near the same with the operation inside the stores' 2 MiB entry\n"
		"  exit: 0 every stored page written back, 1 dirty state lost, 2 cannot run or bad usage\n");
	exit(code);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "pmd", 0, NULL, 'P' }, { "near", 0, NULL, 'N' },
					    { "all", 0, NULL, 'a' },
					    { "help", 0, NULL, 'h' }, { 0 } };
	static const uint64_t stored[] = { 0, 7 };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
	int sel[NOPS] = { 0 }, any = 0, pmd = 0, near = 0, o, nrun = 0, nlost = 0, nref = 0;
	uint64_t size, pg;
	struct utsname u;
	struct statfs sf;
	const char *dir;
	char *tok, *save = NULL;

	while ((o = getopt_long(argc, argv, "ao:lh", lo, NULL)) != -1) {
		switch (o) {
		case 'a':
			for (size_t i = 0; i < NOPS; i++)
				sel[i] = any = 1;
			break;
		case 'o':
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				size_t i;

				for (i = 0; i < NOPS && strcmp(ops[i].name, tok); i++)
					;
				if (i == NOPS) {
					fprintf(stderr, "dax-layout-loss: unknown operation '%s' (-l)\n", tok);
					usage(2);
				}
				sel[i] = any = 1;
			}
			break;
		case 'l':
			for (size_t i = 0; i < NOPS; i++)
				printf("%-22s %s\n", ops[i].name, ops[i].what);
			return 0;
		case 'P': pmd = 1; break;
		case 'N': pmd = near = 1; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	if (!any)
		sel[0] = 1;
	dir = argv[optind];
	size = pmd ? 2 * PMD : PMD / 2;
	pg = near ? 300 : pmd ? 700 : 200;
	if (geteuid())
		die(2, "needs root (tracefs)");
	atexit(cleanup);
	sigaction(SIGINT, &sa, NULL), sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL), sigaction(SIGQUIT, &sa, NULL);
	setup_trace();
	uname(&u);
	printf("dax-layout-loss: kernel %s, %s (%s): a %llu MiB file mapped %s, stores to pages 0 "
	       "and 7, each operation on page %llu%s, then fsync\n", u.release, dir,
	       statfs(dir, &sf) ? "?" : sf.f_type == 0xEF53 ? "ext4" : sf.f_type == 0x58465342 ?
	       "xfs" : "other", (unsigned long long)(size >> 20), pmd ? "2 MiB-aligned (PMD)" :
	       "4 KiB-aligned (PTE)", (unsigned long long)pg,
	       near ? " (inside the stores' 2 MiB entry)" : "");
	for (size_t i = 0; i < NOPS; i++) {
		const struct op *op = &ops[i];
		struct statx sx;
		int fd, peer = -1, e, wb[2] = { 0 };
		char val[64], *r, *base;
		unsigned long ino;

		if (!sel[i])
			continue;
		fd = make_file(fpath, dir, "", size);
		if (statx(fd, "", AT_EMPTY_PATH, STATX_INO, &sx))
			die(2, "statx %s: %s", fpath, strerror(errno));
		if (!(sx.stx_attributes & STATX_ATTR_DAX))
			die(2, "%s is not a DAX file (%s)", fpath, sx.stx_attributes_mask &
			    STATX_ATTR_DAX ? "mount the file system -o dax" : "this kernel cannot tell");
		ino = sx.stx_ino;
		if (op->kind >= CLONE_IN) {	/* the second file, page 0 equal to page pg */
			memset(val, 0x5a, sizeof(val));
			peer = make_file(ppath, dir, ".peer", PG);
			if (pwrite(peer, val, sizeof(val), 0) != sizeof(val) ||
			    pwrite(fd, val, sizeof(val), (off_t)(pg * PG)) != sizeof(val))
				die(2, "pwrite: %s", strerror(errno));
		}
		if (op->prepunch && fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					      (off_t)(pg * PG), (off_t)PG))
			die(2, "fallocate(PUNCH_HOLE) before the stores: %s", strerror(errno));
		snprintf(val, sizeof(val), "ino == %lu", ino);
		if (wfile(filt, val))
			die(2, "cannot set the filter %s: %s", filt, strerror(errno));
		r = mmap(NULL, size + PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		base = (char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1));
		if (r == MAP_FAILED || mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
					    fd, 0) == MAP_FAILED)
			die(2, "mmap %s: %s", fpath, strerror(errno));
		if (!pmd)
			madvise(base, size, MADV_NOHUGEPAGE);
		drain(0);
		for (int k = 0; k < 2; k++)
			*(volatile uint64_t *)(base + stored[k] * PG) = 0xdaull << 40 | i << 8 | k;
		e = run_op(op, fd, peer, size, pg);
		if (fsync(fd))
			die(2, "fsync after %s: %s", op->name, strerror(errno));
		drain(1);
		for (size_t k = 0; k < nev; k++)
			for (int j = 0; j < 2; j++)
				wb[j] += ev[k].ino == ino && ev[k].pgoff <= stored[j] &&
					 stored[j] < ev[k].pgoff + ev[k].pglen;
		printf("%-20s %s: %s; %zu writeback events; page 0 %s, page 7 %s",
		       op->name, op->what, e ? strerror(e) : "done", nev,
		       wb[0] ? "written back" : "NOT written back",
		       wb[1] ? "written back" : "NOT written back");
		if (e && !refused(e))
			die(2, "\n%s failed: %s", op->what, strerror(e));
		if (!wb[0] || !wb[1])
			nlost++;
		if (e)
			nref++;
		else
			nrun++;
		printf("%s\n", !wb[0] || !wb[1] ? ": LOST" : e ? ": refused (not run)" : "");
		munmap(base, size), munmap(r, size + PMD);
		close(fd), unlink(fpath), fpath[0] = 0;
		if (peer >= 0)
			close(peer), unlink(ppath), ppath[0] = 0;
	}
	if (n_lost || n_bad)
		die(2, "the trace lost events or printed lines not understood (%lu, %lu): "
		    "cannot tell", n_lost, n_bad);
	if (nlost) {
		printf("FAIL: after %d of %d operation(s) the fsync did not write back pages stored "
		       "before them, outside their range: the kernel lost their dirty state\n",
		       nlost, nrun + nref);
		return 1;
	}
	if (!nrun) {
		printf("SKIP: the file system refused every operation selected\n");
		return 2;
	}
	printf("PASS: every page stored before an operation was written back by the fsync after it"
	       " (%d operation(s) run, %d refused)\n", nrun, nref);
	return 0;
}

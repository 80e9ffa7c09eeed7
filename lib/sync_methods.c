// SPDX-License-Identifier: GPL-2.0
/* The sync methods of `daxbench sync` (see sync_methods.h): ops tables over
 * the workload layer's calls (workload.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libpmem.h>

#include "sync_methods.h"
#include "workload.h"

/* fsync, fdatasync, sfr: one call on the file, whatever the ranges. */
static int fd_call(struct sync_ctx *c, enum wl_call k,
		   const struct sync_range *r, size_t n)
{
	(void)r;
	(void)n;
	c->syscalls++;
	return wl_call(k, c->fd, NULL, 0);
}

static int do_fsync(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	return fd_call(c, WL_FSYNC, r, n);
}

static int do_fdatasync(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	return fd_call(c, WL_FDATASYNC, r, n);
}

static int do_sfr(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	return fd_call(c, WL_SFR, r, n);
}

static int do_msync(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	(void)r;
	(void)n;
	for (size_t i = 0; i < c->nmaps; i++) {
		c->syscalls++;
		if (wl_call(WL_MSYNC, c->fd, c->maps[i].addr, c->maps[i].len) < 0)
			return -1;
	}
	return 0;
}

/* msync [off, off + len) of the file, piece by piece over the mappings. */
static int msync_file_range(struct sync_ctx *c, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	size_t lo = 0, hi = c->nmaps;

	/* the first map ending after off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->maps[mid].off + c->maps[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->nmaps && c->maps[i].off < end; i++) {
		const struct sync_map *m = &c->maps[i];
		uint64_t a = off > m->off ? off : m->off;
		uint64_t b = end < m->off + m->len ? end : m->off + m->len;

		if (a >= b)
			continue;
		c->syscalls++;
		if (wl_call(WL_MSYNC, c->fd, m->addr + (a - m->off), b - a) < 0)
			return -1;
	}
	return 0;
}

static int do_msync_range(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (msync_file_range(c, r[i].off, r[i].len) < 0)
			return -1;
	return 0;
}

static int do_mapsync(struct sync_ctx *c, const struct sync_range *r, size_t n)
{
	(void)c;
	(void)r;
	(void)n;
	pmem_drain();
	return 0;
}

static void persist(const void *addr, size_t len)
{
	pmem_persist(addr, len);
}

const struct sync_ops sync_methods[] = {
	{ .name = "fsync", .calls = "fsync(fd)", .whole_file = true,
	  .kernel_call = true, .sync = do_fsync },
	{ .name = "fdatasync", .calls = "fdatasync(fd)", .whole_file = true,
	  .kernel_call = true, .sync = do_fdatasync },
	{ .name = "msync", .calls = "msync(MS_SYNC) over the whole mapping",
	  .whole_file = true, .kernel_call = true, .sync = do_msync },
	{ .name = "msync-range",
	  .calls = "msync(MS_SYNC) over the page ranges this syncer's writers dirtied",
	  .uses_ranges = true, .kernel_call = true, .sync = do_msync_range },
	{ .name = "sfr",
	  .calls = "sync_file_range(fd, 0, 0, WAIT_BEFORE|WRITE|WAIT_AFTER)",
	  .whole_file = true, .kernel_call = true, .sync = do_sfr },
	{ .name = "mapsync",
	  .calls = "MAP_SYNC mapping, pmem_persist after every store; the syncer calls pmem_drain only",
	  .needs_dax = true, .map_sync = true, .kernel_call = false,
	  .sync = do_mapsync, .persist = persist },
	{ .name = NULL },
};

const char *const sync_method_names[] = {
	"fsync", "fdatasync", "msync", "msync-range", "sfr", "mapsync", NULL,
};

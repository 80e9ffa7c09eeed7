/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sync methods of `daxbench sync`, as a table of operations (in the
 * manner of fio's ioengine_ops) over the calls of the workload layer
 * (workload.h): the driver in bench/ (cmd_sync.c, sync_threads.c) owns threads,
 * timing, attribution and output; a method only knows how to make one call.
 *
 *   fsync        fsync(fd)
 *   fdatasync    fdatasync(fd)
 *   msync        msync(MS_SYNC) over the whole mapping (every piece of it,
 *                in mixed mode)
 *   msync-range  msync(MS_SYNC) over only the page ranges the calling
 *                syncer's writers dirtied since its previous call
 *   sfr          sync_file_range(fd, 0, 0, WAIT_BEFORE|WRITE|WAIT_AFTER)
 *                (WB_SYNC_ALL since Linux 5.2)
 *   mapsync      the file is mapped MAP_SYNC and every store is followed by
 *                libpmem's pmem_persist (the user-space path); the syncer's
 *                "call" is pmem_drain (a fence): no system call, so the
 *                kernel must flush nothing during it.  DAX only.
 */
#ifndef DAXBENCH_SYNC_METHODS_H
#define DAXBENCH_SYNC_METHODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One mapped piece of the file: [off, off + len) of the file at addr. */
struct sync_map {
	uint64_t off, len;
	char *addr;
};

/* A byte range of the file (page-aligned). */
struct sync_range {
	uint64_t off, len;
};

/* Per syncer thread. */
struct sync_ctx {
	int fd;
	const struct sync_map *maps;	/* sorted by off, not overlapping */
	size_t nmaps;
	uint64_t file_size;
	uint64_t syscalls;		/* system calls made so far */
	void *priv;
};

struct sync_ops {
	const char *name;
	const char *calls;	/* what one call does, for reports */
	bool needs_dax;		/* refused on a file that is not DAX */
	bool map_sync;		/* the file must be mapped MAP_SYNC */
	bool whole_file;	/* every call covers the whole file */
	bool uses_ranges;	/* sync() is given the ranges dirtied since the
				 * syncer's previous call */
	bool kernel_call;	/* false: persistence is done in user space */
	int (*init)(struct sync_ctx *ctx);		/* may be NULL */
	/* One call.  0, or -1 with errno.  r/n: see uses_ranges (else NULL, 0). */
	int (*sync)(struct sync_ctx *ctx, const struct sync_range *r, size_t n);
	/* Called by a writer after each store, or NULL. */
	void (*persist)(const void *addr, size_t len);
	void (*fini)(struct sync_ctx *ctx);		/* may be NULL */
};

extern const struct sync_ops sync_methods[];
extern const char *const sync_method_names[];	/* NULL-terminated */

#endif

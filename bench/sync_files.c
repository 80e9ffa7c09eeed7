// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: the file's mappings (--page pte, pmd, or mixed: 2 MiB
 * chunks mapped alternately through PMD and PTE mappings) and the prefill
 * that leaves the file allocated and clean before a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daxfile.h"
#include "progress.h"
#include "sync_methods.h"
#include "timing.h"
#include "workload.h"
#include "sync.h"

/* ------------------------------------------------------------------ */
/* file, mappings                                                       */

static bool chunk_is_pmd(const struct params *p, size_t k)
{
	return p->page == SP_PMD || (p->page == SP_MIXED && k % 2 == 0);
}

void sync_fileset_map(const struct params *p, struct fileset *fs, bool map_sync)
{
	char err[512];

	fs->nchunks = (p->size + CHUNK - 1) / CHUNK;
	fs->chunk = xcalloc(fs->nchunks, sizeof(*fs->chunk));
	fs->pmd_aligned_addr = true;
	if (p->page != SP_MIXED) {
		fs->nmaps = 1;
		fs->maps = xcalloc(1, sizeof(*fs->maps));
		if (mapping_map(&fs->maps[0], &fs->f, 0, p->size,
				p->page == SP_PMD ? PAGE_PMD : PAGE_PTE, map_sync,
				err, sizeof(err)))
			fatal("%s", err);
		for (size_t k = 0; k < fs->nchunks; k++)
			fs->chunk[k] = fs->maps[0].addr + k * CHUNK;
		if (p->page == SP_PMD && (uintptr_t)fs->maps[0].addr % CHUNK)
			fs->pmd_aligned_addr = false;
	} else {
		fs->nmaps = fs->nchunks;
		fs->maps = xcalloc(fs->nmaps, sizeof(*fs->maps));
		for (size_t k = 0; k < fs->nchunks; k++) {
			if (mapping_map(&fs->maps[k], &fs->f, k * CHUNK, CHUNK,
					chunk_is_pmd(p, k) ? PAGE_PMD : PAGE_PTE, map_sync,
					err, sizeof(err)))
				fatal("%s", err);
			fs->chunk[k] = fs->maps[k].addr;
			if (chunk_is_pmd(p, k) && (uintptr_t)fs->maps[k].addr % CHUNK)
				fs->pmd_aligned_addr = false;
		}
	}
	fs->nsmaps = fs->nmaps;
	fs->smaps = xcalloc(fs->nsmaps, sizeof(*fs->smaps));
	for (size_t i = 0; i < fs->nmaps; i++)
		fs->smaps[i] = (struct sync_map){
			.off = p->page == SP_MIXED ? i * CHUNK : 0,
			.len = fs->maps[i].len, .addr = fs->maps[i].addr };
}

void sync_fileset_unmap(struct fileset *fs)
{
	for (size_t i = 0; i < fs->nmaps; i++)
		mapping_unmap(&fs->maps[i]);
	free(fs->maps);
	free(fs->chunk);
	free(fs->smaps);
	fs->maps = NULL;
	fs->chunk = NULL;
	fs->smaps = NULL;
}

/* One store to every page, then fsync: allocated and clean before the run.
 * The run's first stores then take write faults on clean entries, as every
 * store after a sync does. */
uint64_t sync_prefill(const struct params *p, struct fileset *fs, bool dax)
{
	uint64_t t0 = now_ns();

	for (uint64_t off = 0; off < p->size; off += PAGE)
		*(volatile uint64_t *)(fs->chunk[off >> CHUNK_SHIFT] + (off & (CHUNK - 1))) =
			p->opt.seed ^ off;
	if (wl_call(WL_FSYNC, fs->f.fd, NULL, 0) < 0)
		fatal("prefill fsync: %s", strerror(errno));
	/* Page cache only: unmap and drop the file's pages, so the run faults
	 * them in as its own pattern touches them (as fio's invalidate=1)
	 * instead of keeping the large folios the sequential prefill's
	 * readahead built (a 4 KiB store would dirty a whole folio). */
	if (!dax) {
		for (size_t i = 0; i < fs->nmaps; i++)
			madvise(fs->maps[i].addr, fs->maps[i].len, MADV_DONTNEED);
		posix_fadvise(fs->f.fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	return now_ns() - t0;
}

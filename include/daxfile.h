/* SPDX-License-Identifier: GPL-2.0 */
/* Test files on the target file system and the ways daxbench maps them. */
#ifndef DAXBENCH_DAXFILE_H
#define DAXBENCH_DAXFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <json-c/json.h>

/* For C libraries older than MAP_SYNC (glibc 2.28). */
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define PMD_SIZE_BYTES (2ull << 20)

enum page_mode {
	PAGE_PMD,		/* 2 MiB-aligned address over a 2 MiB-aligned extent */
	PAGE_PTE,		/* MADV_NOHUGEPAGE: 4 KiB faults only */
	PAGE_AUTO,		/* wherever mmap(NULL, ...) puts it */
	PAGE_MISALIGNED,	/* 4 KiB off a 2 MiB boundary: PMD faults fall back */
};
extern const char *const page_mode_names[];	/* NULL-terminated */

struct daxfile {
	int fd;
	char path[4096];
	uint64_t size;
	uint64_t st_dev, ino;
};

/* Create (or truncate) dir/name and allocate size bytes with fallocate.
 * Returns 0, or -1 with a one-line reason in err. */
int daxfile_create(struct daxfile *f, const char *dir, const char *name,
		   uint64_t size, char *err, size_t errlen);
void daxfile_remove(struct daxfile *f);

/* FIEMAP view: {"extents": N, "pmd_aligned": bool (every extent starts on a
 * 2 MiB boundary, logical and physical, and spans whole 2 MiB units),
 * "first": [[logical, physical, length], ...up to 8]}; null when FIEMAP is
 * not supported. */
json_object *daxfile_extents_json(const struct daxfile *f);

struct mapping {
	char *addr;		/* start of the file mapping */
	uint64_t len;
	enum page_mode mode;
	bool map_sync;
	/* PMD and misaligned modes: the PROT_NONE reservation around the
	 * mapping is kept for its lifetime, so that no other mapping (a thread
	 * stack, malloc) shares a 2 MiB region with it: a page table there
	 * would turn the first fault of an edge region into a PTE fault and
	 * change the event counts. */
	char *reserve;
	uint64_t reserve_len;
};

/* Map [off, off+len) of f shared and writable as mode says (MAP_SYNC with
 * MAP_SHARED_VALIDATE when map_sync).  Returns 0, or -1 with err. */
int mapping_map(struct mapping *m, const struct daxfile *f, uint64_t off,
		uint64_t len, enum page_mode mode, bool map_sync, char *err,
		size_t errlen);
void mapping_unmap(struct mapping *m);

#endif

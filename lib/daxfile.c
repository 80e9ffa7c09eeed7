// SPDX-License-Identifier: GPL-2.0
/* Test files and mappings: creation, extent inspection, PMD/PTE placement. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daxfile.h"
#include "json_build.h"

const char *const page_mode_names[] = { "pmd", "pte", "auto", "misaligned",
					NULL };

int daxfile_create(struct daxfile *f, const char *dir, const char *name,
		   uint64_t size, char *err, size_t errlen)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (snprintf(f->path, sizeof(f->path), "%s/%s", dir, name) >=
	    (int)sizeof(f->path)) {
		snprintf(err, errlen, "path too long: %s/%s", dir, name);
		return -1;
	}
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", f->path,
			 strerror(errno));
		return -1;
	}
	/* fallocate, not posix_fallocate: never fall back to writing zeroes
	 * through the page cache, which would not be the allocation a real
	 * DAX user gets. */
	if (fallocate(f->fd, 0, 0, (off_t)size) < 0 &&
	    (errno != EOPNOTSUPP || ftruncate(f->fd, (off_t)size) < 0)) {
		snprintf(err, errlen, "cannot allocate %llu bytes in %s: %s",
			 (unsigned long long)size, f->path, strerror(errno));
		daxfile_remove(f);
		return -1;
	}
	if (fstat(f->fd, &st) < 0) {
		snprintf(err, errlen, "stat %s: %s", f->path, strerror(errno));
		daxfile_remove(f);
		return -1;
	}
	f->size = size;
	f->st_dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

void daxfile_remove(struct daxfile *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->path);
	}
	f->fd = -1;
}

json_object *daxfile_extents_json(const struct daxfile *f)
{
	enum { MAXEXT = 512 };
	struct fiemap *fm;
	json_object *o, *first;
	bool aligned = true;
	int err = 0;

	fm = calloc(1, sizeof(*fm) + MAXEXT * sizeof(struct fiemap_extent));
	if (!fm)
		return NULL;
	fm->fm_start = 0;
	fm->fm_length = f->size;
	fm->fm_flags = FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = MAXEXT;
	if (ioctl(f->fd, FS_IOC_FIEMAP, fm) < 0) {
		free(fm);
		return NULL;
	}
	o = json_object_new_object();
	first = json_object_new_array();
	for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
		const struct fiemap_extent *e = &fm->fm_extents[i];
		uint64_t end = e->fe_logical + e->fe_length;

		/* The last extent may end at EOF rather than a 2 MiB unit. */
		if (e->fe_logical % PMD_SIZE_BYTES ||
		    e->fe_physical % PMD_SIZE_BYTES ||
		    (end % PMD_SIZE_BYTES && end < f->size))
			aligned = false;
		if (i < 8) {
			json_object *x = json_object_new_array();

			err |= jpush_u64(x, e->fe_logical);
			err |= jpush_u64(x, e->fe_physical);
			err |= jpush_u64(x, e->fe_length);
			err |= jpush(first, x);
		}
	}
	err |= jadd_i64(o, "extents", fm->fm_mapped_extents);
	err |= jadd_bool(o, "pmd_aligned", aligned && fm->fm_mapped_extents);
	err |= jadd(o, "first", first);
	free(fm);
	return jdone(o, err);
}

int mapping_map(struct mapping *m, const struct daxfile *f, uint64_t off,
		uint64_t len, enum page_mode mode, bool map_sync, char *err,
		size_t errlen)
{
	int flags = map_sync ? MAP_SHARED_VALIDATE | MAP_SYNC : MAP_SHARED;
	int prot = PROT_READ | PROT_WRITE;
	uint64_t shift = mode == PAGE_MISALIGNED ? 4096 : 0;
	char *res = NULL, *want = NULL, *p;
	uint64_t reslen = 0;

	memset(m, 0, sizeof(*m));
	if (mode == PAGE_PMD || mode == PAGE_MISALIGNED) {
		/* Reserve address space, then place the file mapping at a
		 * 2 MiB boundary (plus 4 KiB when misaligned on purpose).  The
		 * reservation covers every 2 MiB region the mapping touches,
		 * whole, so no neighbour shares a PMD with it. */
		reslen = ((len + shift + PMD_SIZE_BYTES - 1) &
			  ~(PMD_SIZE_BYTES - 1)) + PMD_SIZE_BYTES;
		res = mmap(NULL, reslen, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (res == MAP_FAILED) {
			snprintf(err, errlen, "cannot reserve %llu bytes: %s",
				 (unsigned long long)reslen, strerror(errno));
			return -1;
		}
		want = (char *)(((uintptr_t)res + PMD_SIZE_BYTES - 1) &
				~(uintptr_t)(PMD_SIZE_BYTES - 1)) + shift;
		flags |= MAP_FIXED;
	}
	p = mmap(want, len, prot, flags, f->fd, (off_t)off);
	if (p == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mmap of %s failed%s: %s", f->path,
			 map_sync && e == EOPNOTSUPP ?
			 " (MAP_SYNC needs a DAX file)" : "", strerror(e));
		if (res)
			munmap(res, reslen);
		return -1;
	}
	if (mode == PAGE_PTE && madvise(p, len, MADV_NOHUGEPAGE) < 0) {
		snprintf(err, errlen, "madvise(MADV_NOHUGEPAGE): %s",
			 strerror(errno));
		munmap(res ? res : p, res ? reslen : len);
		return -1;
	}
	m->reserve = res;
	m->reserve_len = reslen;
	m->addr = p;
	m->len = len;
	m->mode = mode;
	m->map_sync = map_sync;
	return 0;
}

void mapping_unmap(struct mapping *m)
{
	if (m->reserve)
		munmap(m->reserve, m->reserve_len);	/* covers the mapping */
	else if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
	m->reserve = NULL;
}

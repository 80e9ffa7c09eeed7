// SPDX-License-Identifier: GPL-2.0
/*
 * dax-invalidate-race: a write(2) into a hole of a DAX file racing with read
 * faults of the same page through a shared mapping.  On 7.2 (stock Debian
 * 7.2.13 too) the kernel logs
 *   WARNING: fs/dax.c:452 at dax_disassociate_entry
 * (dax_folio_put(): a folio whose entry is deleted still has references):
 * dax_iomap_iter() allocates the block (IOMAP_F_NEW), a reader's fault maps
 * it (a real, clean entry replaces the zero-page one), then the write's
 * invalidate_inode_pages2_range() deletes that entry while the page is
 * mapped; nothing unmaps it first.  Unrelated to dax_break_layout().
 *
 *   cc -O2 -pthread -o dax-invalidate-race dax-invalidate-race.c
 *   ./dax-invalidate-race /mnt/pmem/race 40; dmesg | grep fs/dax.c
 * Two threads read pages 0..15 through the mapping while the main thread
 * punches each page and writes 8 bytes into it with pwrite, for SECONDS.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PG 4096L
#define NPG 64

static volatile char *map;
static volatile int stop;

static void *reader(void *arg)
{
	uint64_t sum = 0;

	(void)arg;
	while (!stop)
		for (int i = 0; i < 16; i++)
			sum += *(volatile uint64_t *)(map + i * PG);
	return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/mnt/pmem/race";
	int secs = argc > 2 ? atoi(argv[2]) : 20;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint64_t v = 1;
	pthread_t t[2];
	long n = 0;
	time_t end;

	if (fd < 0 || fallocate(fd, 0, 0, NPG * PG)) {
		perror(path);
		return 2;
	}
	map = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	madvise((void *)map, NPG * PG, MADV_NOHUGEPAGE);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (end = time(NULL) + secs; time(NULL) < end;) {
		for (int i = 0; i < 16; i++, n++) {
			if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      i * PG, PG) ||
			    pwrite(fd, &v, sizeof(v), i * PG + 16) != sizeof(v)) {
				perror("punch or pwrite");
				return 2;
			}
		}
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("dax-invalidate-race: %ld punch + pwrite pairs; see the kernel log\n", n);
	unlink(path);
	return 0;
}

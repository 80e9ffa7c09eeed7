// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kmsg watch (see kmsg.h).  Each read(2) of /dev/kmsg returns one
 * record "PRIO,SEQ,USEC,FLAGS;TEXT\n" followed by optional " KEY=VALUE"
 * lines; EAGAIN once everything logged so far is read (O_NONBLOCK); EPIPE
 * when the record at our position was overwritten (the position then moves
 * to the oldest one left, and the sequence numbers tell how many were lost).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

#define KMSG_PATH "/dev/kmsg"

struct kmsg_watch {
	int fd;
	uint64_t next_seq;	/* expected next sequence number, 0: unknown */
};

struct kmsg_pattern {
	unsigned cls;
	const char *re;		/* POSIX extended */
};

/* kmsg_patterns[]: the table, generated from scripts/lib/kmsg-patterns.txt */
#include "kmsg_patterns.h"

#define NPATTERNS (sizeof(kmsg_patterns) / sizeof(kmsg_patterns[0]))

static regex_t compiled[NPATTERNS];
static bool compiled_ok[NPATTERNS];
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static void compile_patterns(void)
{
	for (size_t i = 0; i < NPATTERNS; i++) {
		compiled_ok[i] = regcomp(&compiled[i], kmsg_patterns[i].re,
					 REG_EXTENDED | REG_NOSUB) == 0;
		if (!compiled_ok[i])
			fprintf(stderr, "kmsg: pattern '%s' does not compile\n",
				kmsg_patterns[i].re);
	}
}

unsigned kmsg_classes(const char *text)
{
	unsigned m = 0;

	pthread_once(&compile_once, compile_patterns);
	for (size_t i = 0; i < NPATTERNS; i++)
		if (compiled_ok[i] && !(m & kmsg_patterns[i].cls) &&
		    regexec(&compiled[i], text, 0, NULL, 0) == 0)
			m |= kmsg_patterns[i].cls;
	return m;
}

bool kmsg_is_bad(const char *text)
{
	return kmsg_classes(text) & KMSG_WARNING;
}

struct kmsg_watch *kmsg_open(char *why, size_t whylen)
{
	struct kmsg_watch *w;
	int fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", KMSG_PATH,
			 strerror(errno));
		return NULL;
	}
	if (lseek(fd, 0, SEEK_END) < 0) {
		snprintf(why, whylen, "cannot seek to the end of %s: %s",
			 KMSG_PATH, strerror(errno));
		close(fd);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(why, whylen, "out of memory");
		close(fd);
		return NULL;
	}
	w->fd = fd;
	return w;
}

/* "PRIO,SEQ,USEC,FLAGS;" -> seq, usec; returns the text or NULL. */
static char *parse_record(char *rec, uint64_t *seq, uint64_t *usec)
{
	char *semi = strchr(rec, ';'), *p = rec, *end;
	unsigned long long v[3];

	if (!semi)
		return NULL;
	*semi = '\0';
	for (int i = 0; i < 3; i++) {
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (end == p || errno)
			return NULL;
		p = *end == ',' ? end + 1 : end;
	}
	*seq = v[1];
	*usec = v[2];
	p = semi + 1;
	end = strchr(p, '\n');	/* the dictionary follows */
	if (end)
		*end = '\0';
	return p;
}

int kmsg_scan(struct kmsg_watch *w, char (*lines)[KMSG_LINE_MAX], size_t max,
	      struct kmsg_scan_result *res)
{
	char buf[8192];

	memset(res, 0, sizeof(*res));
	if (!w) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf) - 1);
		uint64_t seq, usec;
		char *text;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == EPIPE) {
				/* overwritten: counted from the next seq */
				continue;
			}
			return -1;
		}
		if (n == 0)
			return 0;
		buf[n] = '\0';
		text = parse_record(buf, &seq, &usec);
		if (!text)
			continue;
		if (w->next_seq && seq > w->next_seq)
			res->lost += seq - w->next_seq;
		w->next_seq = seq + 1;
		res->records++;
		if (!kmsg_is_bad(text))
			continue;
		res->hits++;
		if (lines && res->nlines < max) {
			snprintf(lines[res->nlines], KMSG_LINE_MAX,
				 "[%5" PRIu64 ".%06" PRIu64 "] %s",
				 usec / 1000000, usec % 1000000, text);
			res->nlines++;
		}
	}
}

int kmsg_write(const char *text)
{
	char buf[1024];
	int fd = open(KMSG_PATH, O_WRONLY | O_CLOEXEC), n, saved;
	ssize_t w;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "<4>%s\n", text);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	w = write(fd, buf, (size_t)n);
	saved = errno;
	close(fd);
	errno = saved;
	return w == n ? 0 : -1;
}

void kmsg_close(struct kmsg_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to lib/trace_*.c: the trace handle, the event table, the cleanup
 * registry, and the helpers one file of the trace uses from another.
 *
 *   trace_instance.c  the private instance: open, close, stale instances,
 *                     event enabling, the file filter, description
 *   trace_cleanup.c   registry of open traces; the atexit and
 *                     fatal-signal cleanups that remove them
 *   trace_kprobe.c    the dax_flush kretprobe and entry kprobe
 *   trace_decode.c    event table, field lookup, decoding of one raw record
 *   trace_drain.c     per-cpu raw drain and merge, trace_vec, lost, mark
 *   trace_pairing.c   writebacks paired with their dax_flush
 */
#ifndef DAXBENCH_TRACE_PRIV_H
#define DAXBENCH_TRACE_PRIV_H

#include "trace.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#define MARKER_PREFIX "daxbench "
#define MAX_TRACES 16
#define FLUSH_GROUP "daxbench"
#define FLUSH_PREFIX "flush_"
#define FLUSHIN_PREFIX "flushin_"
#define FLUSH_FUNC "dax_flush"
#define KPROBE_EVENTS "kprobe_events"

/* ------------------------------------------------------------------ */
/* Event table (trace_decode.c)                                         */

struct evdef {
	const char *canon;	/* dax_ev_name() */
	const char *sys;
	const char *names[2];	/* kernel names, first that exists wins */
	bool pagecache;		/* only with opts->pagecache */
};

extern const struct evdef trace_evdefs[EV__COUNT];

typedef struct tep_format_field field_t;

struct evinfo {
	struct tep_event *e;
	char kname[96];		/* "sys/name" as found */
	field_t *pid, *ino, *pgoff, *pglen, *address, *flags, *result, *dev;
	field_t *bdi;		/* writeback_dirty_*: "name" (no dev field) */
	field_t *buf;		/* ftrace/print */
	field_t *size;		/* the flush entry probe's size argument */
	unsigned minsize;	/* record must hold every field used */
};

struct cpu_rd {
	int cpu;
	int fd;
	struct tracefs_cpu *tcpu;
	struct trace_vec tmp;	/* decoded records of one drain */
	size_t pos;		/* merge cursor */
};

struct dax_trace {
	struct tracefs_instance *inst;
	char name[64];
	char dir[PATH_MAX];	/* tracing dir */
	char path[PATH_MAX];	/* instance dir */
	unsigned buffer_kb;
	bool pagecache;

	struct tep_handle *tep;
	struct evinfo ev[EV__COUNT];
	bool has[EV__COUNT];
	uint8_t *idmap;		/* event id -> ev + 1 (0: not ours) */
	int max_id;
	field_t *type_field;

	int marker_fd;
	int ncpu;
	struct cpu_rd *cpus;
	int *fds;		/* marker + per-cpu fds, for the signal handler */
	int nfds;
	void *page;
	int page_size;
	struct kbuffer *kbuf;
	unsigned max_reads;	/* per cpu per drain: bounds a drain racing writers */

	uint64_t lost0;

	bool filter;
	uint32_t f_dev;		/* kernel encoding */
	uint64_t f_ino;
	char f_bdi[32];		/* bdi name of the file's device, "" unknown */

	/* flush time (opts.flush_time): both probes or neither */
	char flush_name[64];	/* FLUSH_PREFIX<pid>: kretprobe */
	char flushin_name[64];	/* FLUSHIN_PREFIX<pid>: kprobe, size */
	char flushin_fetch[32];	/* how it fetches the size ("$arg3") */
	char flush_why[320];	/* why there is no probe, "" when there is */
	struct tracefs_dynevent *flush_dev;	/* created by us */
	struct tracefs_dynevent *flushin_dev;	/* created by us */

	int slot;
};

/* ------------------------------------------------------------------ */
/* Cleanup registry (trace_cleanup.c; read by the atexit and signal     */
/* handlers)                                                            */

struct slot {
	int used;		/* __atomic */
	pid_t owner;
	char path[PATH_MAX];
	int *fds;
	int nfds;
	struct dax_trace *t;
	/* the flush probes (return, entry), for the signal handler */
	int probe;		/* __atomic: 1 while they may exist */
	char probe_enable[2][PATH_MAX + 160];	/* instance's enable files */
	char probe_file[PATH_MAX + 32];		/* <tracing>/kprobe_events */
	char probe_del[2][128];		/* "-:group/event\n" */
};

extern struct slot trace_slots[MAX_TRACES];
extern pthread_mutex_t trace_reg_lock;

void trace_sleep_ms(long ms);
/* These three with trace_reg_lock held. */
void trace_install_handlers(void);
struct slot *trace_slot_of(struct dax_trace *t);
bool trace_name_registered(const char *path);

/* ------------------------------------------------------------------ */
/* Flush probes (trace_kprobe.c)                                        */

void trace_remove_stale_probes(const char *mine, const char *mine_in);
void trace_create_probe(struct dax_trace *t, struct slot *s);
void trace_destroy_probe(struct dax_trace *t, struct slot *s);
void trace_disable_probes(struct dax_trace *t);
void trace_flush_off(struct dax_trace *t, struct slot *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool trace_probe_profile(const struct dax_trace *t, const char *pname,
			 uint64_t *hits, uint64_t *missed);

/* ------------------------------------------------------------------ */
/* Event lookup and decoding (trace_decode.c)                           */

int trace_load_event(struct dax_trace *t, enum dax_ev ev);
int trace_header_setup(struct dax_trace *t);
bool trace_decode(struct dax_trace *t, const void *data, unsigned size,
		  uint64_t ts, int cpu, struct trace_rec *r);

/* ------------------------------------------------------------------ */
/* Drain (trace_drain.c)                                                */

uint64_t trace_read_lost(const struct dax_trace *t);

#endif

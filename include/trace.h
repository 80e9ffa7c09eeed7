/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel event capture for daxbench/daxstress through libtracefs and
 * libtraceevent.
 *
 * A private ftrace instance "<prefix>-<pid>" is created (never the top-level
 * buffer, which someone else may be using), its trace_clock is set to "mono"
 * so timestamps are CLOCK_MONOTONIC ns (comparable with now_ns()), and every
 * event of interest that exists on the running kernel is enabled: names are
 * looked up, not assumed.  Records are read from the raw per-cpu buffers and
 * decoded with libtraceevent.  The instance is removed by dax_trace_close(),
 * at exit, and on SIGINT/SIGTERM/SIGHUP; instances of the same prefixes left
 * by dead processes are removed when a new one is opened.
 */
#ifndef DAXBENCH_TRACE_H
#define DAXBENCH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

enum dax_ev {
	/* fs_dax */
	EV_PTE_FAULT,
	EV_PTE_FAULT_DONE,
	EV_PMD_FAULT,
	EV_PMD_FAULT_DONE,
	EV_LOAD_HOLE,
	EV_PMD_LOAD_HOLE,
	EV_PMD_LOAD_HOLE_FALLBACK,
	EV_INSERT_PFN_MKWRITE,
	EV_INSERT_PFN_MKWRITE_NO_ENTRY,
	EV_INSERT_MAPPING,	/* dax_insert_mapping, renamed dax_insert_entry */
	EV_WRITEBACK_RANGE,
	EV_WRITEBACK_RANGE_DONE,
	EV_WRITEBACK_ONE,
	/* page-cache writeback (the no-DAX baseline) */
	EV_WB_DIRTY_FOLIO,	/* writeback_dirty_folio, formerly _page */
	EV_EXT4_WRITEPAGES,
	EV_EXT4_WRITEPAGES_RESULT,
	/* user-space markers written through trace_marker */
	EV_MARKER,
	EV__COUNT
};

/* VM_FAULT_* bits as carried in the "result" field of *_fault_done
 * (include/linux/mm_types.h; unchanged since 4.x). */
#define DAX_VM_FAULT_SIGBUS	0x0002
#define DAX_VM_FAULT_MAJOR	0x0004
#define DAX_VM_FAULT_NOPAGE	0x0100
#define DAX_VM_FAULT_FALLBACK	0x0800
#define DAX_VM_FAULT_NEEDDSYNC	0x2000

struct trace_rec {
	uint64_t ts;		/* ns, trace clock "mono" */
	int32_t pid;		/* common_pid (a thread id) */
	int16_t cpu;
	uint16_t ev;		/* enum dax_ev */
	uint32_t dev;		/* kernel dev_t encoding (major << 20 | minor) */
	uint64_t ino;
	uint64_t pgoff;		/* page offset in the file */
	uint64_t pglen;		/* pages: writeback_one pglen, writepages
				 * pages_written, else 0 */
	uint64_t address;	/* fault address, else 0 */
	uint32_t flags;		/* FAULT_FLAG_* of faults */
	int32_t result;		/* VM_FAULT_* of *_fault_done */
	uint64_t arg;		/* EV_MARKER: the number written, else 0 */
};

struct trace_vec {
	struct trace_rec *v;
	size_t n, cap;
};

void trace_vec_free(struct trace_vec *tv);

struct dax_trace_opts {
	const char *prefix;	/* instance name prefix, e.g. "daxbench" */
	unsigned buffer_kb;	/* per-cpu buffer; 0 = 16384 */
	bool pagecache;		/* also enable page-cache writeback events */
};

struct dax_trace;

/* NULL when tracing cannot be had (no tracefs, not permitted, no fs_dax
 * events); then why[] says so in one line and the caller goes on without
 * flush accounting, saying so in its results. */
struct dax_trace *dax_trace_open(const struct dax_trace_opts *o, char *why,
				 size_t whylen);

/* Only keep records of this file (dev as st_dev from stat(2), converted
 * internally to the kernel encoding) when draining.  Markers always kept. */
void dax_trace_filter_file(struct dax_trace *t, uint64_t st_dev, uint64_t ino);

/* Append every record buffered so far (consuming them) to out, in timestamp
 * order.  Returns the number appended, or -1. */
long dax_trace_drain(struct dax_trace *t, struct trace_vec *out);

/* Write "daxbench N" to trace_marker; seen as EV_MARKER with arg N. */
int dax_trace_mark(struct dax_trace *t, uint64_t n);

/* Events lost (overrun or dropped) in this instance since it was opened. */
uint64_t dax_trace_lost(struct dax_trace *t);

bool dax_trace_has(const struct dax_trace *t, enum dax_ev ev);
const char *dax_ev_name(enum dax_ev ev);	/* our canonical name */

/* {"instance", "clock", "buffer_kb", "events": [names enabled]} */
json_object *dax_trace_describe(const struct dax_trace *t);

/* Remove the instance.  Safe to call twice and with NULL. */
void dax_trace_close(struct dax_trace *t);

#endif

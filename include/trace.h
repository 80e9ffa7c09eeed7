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
 * at exit, and on every signal that ends the process by default
 * (fatal_signals.h); instances of the suite (daxbench-PID, daxstress-PID)
 * left by dead processes (SIGKILL) are removed by dax_trace_remove_stale(),
 * which every tool calls at its start, and when a new one is opened.
 *
 * Flush time (dax_trace_opts.flush_time, daxstress only).  The fs_dax
 * tracepoint dax_writeback_one fires at the very end of dax_writeback_one():
 * after the flush, after the entry is marked clean and after the waiters are
 * woken (a cross-cpu wakeup can take tens of us under emulation), so a racing
 * fsync that sees the entry clean may return before the tracepoint although
 * the flush is done.  With flush_time, two dynamic events on dax_flush()
 * (exported from drivers/dax, never inlined into fs/dax.c;
 * dax_writeback_one() calls it once, just before clearing DIRTY, as
 * dax_flush(dax_dev, addr, count * PAGE_SIZE)) are created and enabled in
 * the private instance only: a kretprobe "daxbench/flush_<pid>" (its
 * return: EV_FLUSH_RET, pid and ts) and a kprobe "daxbench/flushin_<pid>"
 * on its entry fetching the size argument ($arg3, or %dx on x86_64 where
 * $argN is not supported: EV_FLUSH_ENTRY, pid, ts and flush_size; a
 * kretprobe of 6.1 cannot fetch arguments).  dax_trace_drain() returns
 * their records whatever the file.  Both or neither: when one cannot be
 * had, neither is used.  Once the caller holds every record of a run,
 * dax_trace_pair_flushes() gives each dax_writeback_one record its flush:
 * flush_ts, the time of the latest dax_flush return of the same thread
 * after that thread's previous dax_writeback_one, and flush_size, the size
 * that flush was called with (from its entry record).  Not drain by drain:
 * per-cpu buffers are read one after the other, so a later drain can bring
 * records older than ones already returned.  Without the probes (no
 * CONFIG_KPROBE_EVENTS, no permission) the trace works as before and
 * dax_trace_flush_timed() says why.  The dynamic events are removed with
 * the instance (close, exit, default-fatal signals), and ones of dead
 * processes are removed at open and by dax_trace_remove_stale().
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
	/* kretprobe on dax_flush() returning (opts.flush_time): pid and ts
	 * only, never filtered by file */
	EV_FLUSH_RET,
	/* kprobe on dax_flush() entry (opts.flush_time): pid, ts and the
	 * size argument (flush_size), never filtered by file */
	EV_FLUSH_ENTRY,
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
	uint64_t flush_ts;	/* EV_WRITEBACK_ONE: when its dax_flush()
				 * returned (the EV_FLUSH_RET record paired
				 * with it by dax_trace_pair_flushes()), 0
				 * when not paired: then ts is the best flush
				 * time known */
	uint64_t flush_size;	/* EV_FLUSH_ENTRY: the size argument of
				 * dax_flush() (bytes); EV_WRITEBACK_ONE: that
				 * of its paired flush, 0 when not paired or
				 * when the flush's entry record is missing */
};

/* The time a writeback_one record's flush completed: flush_ts when paired,
 * else the tracepoint's ts. */
static inline uint64_t trace_rec_flush_time(const struct trace_rec *r)
{
	return r->flush_ts ? r->flush_ts : r->ts;
}

struct trace_vec {
	struct trace_rec *v;
	size_t n, cap;
};

void trace_vec_free(struct trace_vec *tv);
/* Append *r (the array grows by doubling).  0, or -1 when out of memory. */
int trace_vec_push(struct trace_vec *tv, const struct trace_rec *r);

struct dax_trace_opts {
	const char *prefix;	/* instance name prefix, e.g. "daxbench" */
	unsigned buffer_kb;	/* per-cpu buffer; 0 = 16384 */
	bool pagecache;		/* also enable page-cache writeback events */
	bool flush_time;	/* time writebacks by their dax_flush return
				 * (kretprobe); see the top of this file */
};

struct dax_trace;

/* NULL when tracing cannot be had (no tracefs, not permitted, no fs_dax
 * events); then why[] says so in one line and the caller goes on without
 * flush accounting, saying so in its results. */
struct dax_trace *dax_trace_open(const struct dax_trace_opts *o, char *why,
				 size_t whylen);

/* Remove every instance of the suite (daxbench-PID, daxstress-PID) and
 * every dax_flush probe whose process is dead.  Silent; nothing when
 * tracefs is not mounted (it is not mounted for this) or not writable
 * (not root). */
void dax_trace_remove_stale(void);

/* Only keep records of this file (dev as st_dev from stat(2), converted
 * internally to the kernel encoding) when draining.  Markers and
 * EV_FLUSH_RET records (no file in them) always kept. */
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

/* Whether the dax_flush probes (entry and return) are on: writeback_one
 * records can then carry flush_ts and flush_size.  When not, and why is not
 * NULL, *why says why in one line ("not requested" when opts.flush_time was
 * false). */
bool dax_trace_flush_timed(const struct dax_trace *t, const char **why);

/* Hits the dax_flush probes missed so far (kprobe_profile, both probes
 * summed: a kretprobe out of instances, a kprobe hit recursively): each is a
 * dax_flush whose record does not exist.  0 without the probes or when the
 * profile cannot be read. */
uint64_t dax_trace_flush_missed(const struct dax_trace *t);

/* {"instance", "clock", "buffer_kb", "events": [names enabled],
 *  "flush_time": "dax_flush return" | "tracepoint", "flush_probe": the
 *  return probe or null, "flush_entry_probe": the entry probe (with the
 *  argument it fetches) or null, "flush_probe_why" (when null),
 *  "flush_probe_hits", "flush_probe_missed", "flush_entry_probe_hits",
 *  "flush_entry_probe_missed" (kprobe_profile, when known)} */
json_object *dax_trace_describe(const struct dax_trace *t);

/* Remove the instance (and the flush probes).  Safe to call twice and with
 * NULL. */
void dax_trace_close(struct dax_trace *t);

/* ---- pairing of writebacks with their flush (pure; unit-tested) ----
 *
 * One pass over the records in timestamp order (flush_pair_records()).
 * Records of one thread are in program order,
 * and dax_writeback_one() calls dax_flush() exactly once before its
 * tracepoint, so for a writeback_one record of thread P the flush is the
 * latest EV_FLUSH_RET record of P after P's previous writeback_one record.
 * That record's ts becomes flush_ts (paired), and the size of the latest
 * EV_FLUSH_ENTRY record of P before that return (and after P's previous
 * return) becomes flush_size (0 when there is none); when there is no such
 * return (no flush made, kprobe missed or lost, probe absent), flush_ts and
 * flush_size are 0 (unpaired).  Whether the flush covered the writeback's
 * range is for the oracle to say (oracle_set_flush_rule()), not the
 * pairing.  Other records are left alone.
 * Writebacks of other files are filtered out at drain time: a thread that
 * flushes another DAX file in between and whose own flush record is then
 * lost would get the other file's (earlier) flush; records are lost only
 * when the buffer overflows (dax_trace_lost()) or a probe misses
 * (dax_trace_flush_missed()). */
struct flush_pairing_stats {
	uint64_t paired, unpaired;	/* writeback_one records */
	uint64_t flushes;		/* EV_FLUSH_RET records */
	uint64_t flushes_unused;	/* superseded (another return of the
					 * thread before its next writeback),
					 * never paired */
	uint64_t entries;		/* EV_FLUSH_ENTRY records */
	uint64_t entries_unused;	/* never followed by their return
					 * (another entry of the thread came
					 * first) */
	uint64_t flushes_no_entry;	/* returns without an entry record */
};	/* a return or an entry still waiting at the end is not "unused" */

/* Pair v[0..n), already sorted by ts, in place, in one pass.  0, or -1
 * (ENOMEM: records from the failing one on are left unpaired, and
 * counted); *st (may be NULL) gets the counts. */
int flush_pair_records(struct trace_rec *v, size_t n,
		       struct flush_pairing_stats *st);

/* Sort tv by ts (stable: records of one cpu keep their order), then
 * flush_pair_records(): for all the records of a run, drained in any
 * number of drains, whatever the order the drains brought them in.  0, or
 * -1 (ENOMEM); *st (may be NULL) gets the counts. */
int dax_trace_pair_flushes(struct trace_vec *tv, struct flush_pairing_stats *st);

#endif

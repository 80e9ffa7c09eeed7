/* SPDX-License-Identifier: GPL-2.0 */
/* Exact event accounting: faults by kind and bytes flushed, from records. */
#ifndef DAXBENCH_DAX_COUNTS_H
#define DAXBENCH_DAX_COUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "trace.h"

struct dax_counts {
	uint64_t pte_nopage;	/* dax_pte_fault_done with NOPAGE */
	uint64_t pte_major;	/* ... of which MAJOR (first touch) */
	uint64_t pte_other;	/* any other PTE result (SIGBUS, RETRY...) */
	uint64_t pmd_nopage;
	uint64_t pmd_fallback;
	uint64_t pmd_needdsync;	/* MAP_SYNC: fsync'd inside the fault */
	uint64_t pmd_other;
	uint64_t pfn_mkwrite;	/* dax_insert_pfn_mkwrite */
	uint64_t load_hole;	/* dax_load_hole + dax_pmd_load_hole */
	uint64_t wb_ranges;	/* dax_writeback_range calls */
	uint64_t wb_entries;	/* dax_writeback_one */
	uint64_t wb_entries_pte;	/* ... with pglen 1 */
	uint64_t wb_entries_pmd;	/* ... with pglen 512 */
	uint64_t wb_pages;	/* sum of pglen */
	/* page cache (no DAX) */
	uint64_t pc_dirty_folios;
	uint64_t pc_writepages;
	uint64_t pc_pages_written;
};

void dax_counts_add(struct dax_counts *c, const struct trace_rec *r);
void dax_counts_add_all(struct dax_counts *c, const struct trace_vec *tv);
/* Add every count of src to c (src: counts of another set of records). */
void dax_counts_merge(struct dax_counts *c, const struct dax_counts *src);

/* Bytes the kernel flushed: dax_writeback_one pages on DAX, pages written
 * by ext4_writepages off DAX. */
uint64_t dax_counts_flushed_bytes(const struct dax_counts *c, bool dax);

/* {"faults": {...}, "flush": {...}} (page-cache keys only when !dax) */
json_object *dax_counts_json(const struct dax_counts *c, bool dax);

#endif

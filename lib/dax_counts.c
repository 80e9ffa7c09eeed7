// SPDX-License-Identifier: GPL-2.0
/* Classification of fs_dax and writeback records into exact counts. */
#include <unistd.h>

#include "dax_counts.h"
#include "json_build.h"

#define PAGE_BYTES 4096ull

void dax_counts_add(struct dax_counts *c, const struct trace_rec *r)
{
	switch (r->ev) {
	case EV_PTE_FAULT_DONE:
		if (r->result & DAX_VM_FAULT_NOPAGE) {
			c->pte_nopage++;
			if (r->result & DAX_VM_FAULT_MAJOR)
				c->pte_major++;
		} else {
			c->pte_other++;
		}
		break;
	case EV_PMD_FAULT_DONE:
		if (r->result & DAX_VM_FAULT_FALLBACK)
			c->pmd_fallback++;
		else if (r->result & DAX_VM_FAULT_NEEDDSYNC)
			c->pmd_needdsync++;
		else if (r->result & DAX_VM_FAULT_NOPAGE)
			c->pmd_nopage++;
		else
			c->pmd_other++;
		break;
	case EV_INSERT_PFN_MKWRITE:
		c->pfn_mkwrite++;
		break;
	case EV_LOAD_HOLE:
	case EV_PMD_LOAD_HOLE:
		c->load_hole++;
		break;
	case EV_WRITEBACK_RANGE:
		c->wb_ranges++;
		break;
	case EV_WRITEBACK_ONE:
		c->wb_entries++;
		c->wb_pages += r->pglen;
		if (r->pglen == 1)
			c->wb_entries_pte++;
		else if (r->pglen == 512)
			c->wb_entries_pmd++;
		break;
	case EV_WB_DIRTY_FOLIO:
		c->pc_dirty_folios++;
		break;
	case EV_EXT4_WRITEPAGES:
		c->pc_writepages++;
		break;
	case EV_EXT4_WRITEPAGES_RESULT:
		c->pc_pages_written += r->pglen;
		break;
	default:
		break;
	}
}

void dax_counts_add_all(struct dax_counts *c, const struct trace_vec *tv)
{
	for (size_t i = 0; i < tv->n; i++)
		dax_counts_add(c, &tv->v[i]);
}

void dax_counts_merge(struct dax_counts *c, const struct dax_counts *src)
{
	uint64_t *d = (uint64_t *)c;
	const uint64_t *a = (const uint64_t *)src;

	_Static_assert(sizeof(*c) % sizeof(uint64_t) == 0,
		       "struct dax_counts holds uint64_t counts only");
	for (size_t i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		d[i] += a[i];
}

uint64_t dax_counts_flushed_bytes(const struct dax_counts *c, bool dax)
{
	return (dax ? c->wb_pages : c->pc_pages_written) * PAGE_BYTES;
}

json_object *dax_counts_json(const struct dax_counts *c, bool dax)
{
	json_object *o = json_object_new_object();
	json_object *f = json_object_new_object();
	json_object *w = json_object_new_object();
	int err = 0;

	if (dax) {
		err |= jadd_u64(f, "pte_nopage", c->pte_nopage);
		err |= jadd_u64(f, "pte_major", c->pte_major);
		err |= jadd_u64(f, "pte_other", c->pte_other);
		err |= jadd_u64(f, "pmd_nopage", c->pmd_nopage);
		err |= jadd_u64(f, "pmd_fallback", c->pmd_fallback);
		err |= jadd_u64(f, "pmd_needdsync", c->pmd_needdsync);
		err |= jadd_u64(f, "pmd_other", c->pmd_other);
		err |= jadd_u64(f, "pfn_mkwrite", c->pfn_mkwrite);
		err |= jadd_u64(f, "load_hole", c->load_hole);
		err |= jadd_u64(w, "ranges", c->wb_ranges);
		err |= jadd_u64(w, "entries", c->wb_entries);
		err |= jadd_u64(w, "entries_pte", c->wb_entries_pte);
		err |= jadd_u64(w, "entries_pmd", c->wb_entries_pmd);
		err |= jadd_u64(w, "pages", c->wb_pages);
	} else {
		err |= jadd_u64(f, "dirty_folios", c->pc_dirty_folios);
		err |= jadd_u64(w, "writepages_calls", c->pc_writepages);
		err |= jadd_u64(w, "pages", c->pc_pages_written);
	}
	err |= jadd_u64(w, "bytes", dax_counts_flushed_bytes(c, dax));
	err |= jadd(o, "faults", f);
	err |= jadd(o, "flush", w);
	return jdone(o, err);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Events (see trace.h): the table of the events used and their kernel
 * names; at open, their formats parsed and the fields used looked up once
 * (tep_find_field); at drain, one raw record decoded into a trace_rec with
 * those field handles (tep_read_number_field) and the file filter applied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Event table                                                          */

const struct evdef trace_evdefs[EV__COUNT] = {
	[EV_PTE_FAULT] = { "dax_pte_fault", "fs_dax", { "dax_pte_fault" }, false },
	[EV_PTE_FAULT_DONE] = { "dax_pte_fault_done", "fs_dax", { "dax_pte_fault_done" }, false },
	[EV_PMD_FAULT] = { "dax_pmd_fault", "fs_dax", { "dax_pmd_fault" }, false },
	[EV_PMD_FAULT_DONE] = { "dax_pmd_fault_done", "fs_dax", { "dax_pmd_fault_done" }, false },
	[EV_LOAD_HOLE] = { "dax_load_hole", "fs_dax", { "dax_load_hole" }, false },
	[EV_PMD_LOAD_HOLE] = { "dax_pmd_load_hole", "fs_dax", { "dax_pmd_load_hole" }, false },
	[EV_PMD_LOAD_HOLE_FALLBACK] = { "dax_pmd_load_hole_fallback", "fs_dax",
					{ "dax_pmd_load_hole_fallback" }, false },
	[EV_INSERT_PFN_MKWRITE] = { "dax_insert_pfn_mkwrite", "fs_dax",
				    { "dax_insert_pfn_mkwrite" }, false },
	[EV_INSERT_PFN_MKWRITE_NO_ENTRY] = { "dax_insert_pfn_mkwrite_no_entry", "fs_dax",
					     { "dax_insert_pfn_mkwrite_no_entry" }, false },
	[EV_INSERT_MAPPING] = { "dax_insert_mapping", "fs_dax",
				{ "dax_insert_mapping", "dax_insert_entry" }, false },
	[EV_WRITEBACK_RANGE] = { "dax_writeback_range", "fs_dax", { "dax_writeback_range" }, false },
	[EV_WRITEBACK_RANGE_DONE] = { "dax_writeback_range_done", "fs_dax",
				      { "dax_writeback_range_done" }, false },
	[EV_WRITEBACK_ONE] = { "dax_writeback_one", "fs_dax", { "dax_writeback_one" }, false },
	[EV_WB_DIRTY_FOLIO] = { "writeback_dirty_folio", "writeback",
				{ "writeback_dirty_folio", "writeback_dirty_page" }, true },
	[EV_EXT4_WRITEPAGES] = { "ext4_writepages", "ext4", { "ext4_writepages" }, true },
	[EV_EXT4_WRITEPAGES_RESULT] = { "ext4_writepages_result", "ext4",
					{ "ext4_writepages_result" }, true },
	[EV_MARKER] = { "marker", "ftrace", { "print" }, false },
	/* name: FLUSH_PREFIX<pid>, made at open (dax_trace.flush_name) */
	[EV_FLUSH_RET] = { "dax_flush_return", FLUSH_GROUP, { NULL }, false },
	/* name: FLUSHIN_PREFIX<pid> (dax_trace.flushin_name) */
	[EV_FLUSH_ENTRY] = { "dax_flush_entry", FLUSH_GROUP, { NULL }, false },
};

const char *dax_ev_name(enum dax_ev ev)
{
	if ((unsigned)ev >= EV__COUNT)
		return "unknown";
	return trace_evdefs[ev].canon;
}

/* ------------------------------------------------------------------ */
/* Event lookup                                                         */

static field_t *fld(struct evinfo *ei, const char *name)
{
	field_t *f = tep_find_field(ei->e, name);

	if (f && (f->flags & TEP_FIELD_IS_ARRAY) && !(f->flags & TEP_FIELD_IS_STRING))
		return NULL;
	if (f && (unsigned)(f->offset + f->size) > ei->minsize)
		ei->minsize = f->offset + f->size;
	return f;
}

int trace_load_event(struct dax_trace *t, enum dax_ev ev)
{
	const struct evdef *d = &trace_evdefs[ev];
	struct evinfo *ei = &t->ev[ev];

	const char *names[2] = { d->names[0], d->names[1] };

	if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY) {
		names[0] = ev == EV_FLUSH_RET ? t->flush_name : t->flushin_name;
		names[1] = NULL;
	}
	for (int k = 0; k < 2 && names[k]; k++) {
		const char *name = names[k];
		char *fmt;
		int len = 0;

		/* ftrace/print has no enable file; the others must be
		 * enable-able in our instance */
		if (ev != EV_MARKER &&
		    !tracefs_event_file_exists(t->inst, d->sys, name, "enable"))
			continue;
		fmt = tracefs_event_file_read(NULL, d->sys, name, "format", &len);
		if (!fmt)
			continue;
		if (tep_parse_event(t->tep, fmt, len, d->sys) != 0) {
			free(fmt);
			continue;
		}
		free(fmt);
		ei->e = tep_find_event_by_name(t->tep, d->sys, name);
		if (!ei->e)
			continue;
		snprintf(ei->kname, sizeof(ei->kname), "%s/%s", d->sys, name);
		break;
	}
	if (!ei->e)
		return -1;

	ei->minsize = 0;
	ei->pid = tep_find_common_field(ei->e, "common_pid");
	if (ei->pid && (unsigned)(ei->pid->offset + ei->pid->size) > ei->minsize)
		ei->minsize = ei->pid->offset + ei->pid->size;
	if (!t->type_field)
		t->type_field = tep_find_common_field(ei->e, "common_type");

	switch (ev) {
	case EV_FLUSH_RET:	/* the pid and the time are all we use */
		return t->type_field ? 0 : -1;
	case EV_FLUSH_ENTRY:	/* and the size */
		ei->size = fld(ei, "size");
		return t->type_field && ei->size ? 0 : -1;
	case EV_MARKER:
		ei->buf = tep_find_field(ei->e, "buf");
		if (!ei->buf)
			return -1;
		if ((unsigned)ei->buf->offset > ei->minsize)
			ei->minsize = ei->buf->offset;
		break;
	case EV_WB_DIRTY_FOLIO:
		ei->ino = fld(ei, "ino");
		ei->pgoff = fld(ei, "index");
		ei->dev = fld(ei, "dev");	/* none today */
		ei->bdi = tep_find_field(ei->e, "name");
		if (ei->bdi && (unsigned)(ei->bdi->offset + ei->bdi->size) > ei->minsize)
			ei->minsize = ei->bdi->offset + ei->bdi->size;
		break;
	case EV_EXT4_WRITEPAGES:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		break;
	case EV_EXT4_WRITEPAGES_RESULT:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pglen = fld(ei, "pages_written");
		break;
	case EV_WRITEBACK_RANGE:
	case EV_WRITEBACK_RANGE_DONE:
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pgoff = fld(ei, "start_index");
		break;
	default:	/* fs_dax faults, holes, mkwrite, insert, writeback_one */
		ei->ino = fld(ei, "ino");
		ei->dev = fld(ei, "dev");
		ei->pgoff = fld(ei, "pgoff");
		ei->pglen = fld(ei, "pglen");
		ei->address = fld(ei, "address");
		ei->flags = fld(ei, "flags");
		ei->result = fld(ei, "result");
		break;
	}
	if (!ei->ino || !t->type_field)
		return ev == EV_MARKER && t->type_field ? 0 : -1;
	return 0;
}

int trace_header_setup(struct dax_trace *t)
{
	char *buf;
	int len = 0, ret;

	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!buf)
		return -1;
	ret = tep_parse_header_page(t->tep, buf, len, sizeof(long));
	free(buf);
	if (ret < 0)
		return -1;
	tep_set_long_size(t->tep, tep_get_header_page_size(t->tep));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */

static inline uint64_t rdf(field_t *f, const void *data)
{
	unsigned long long v = 0;

	if (f)
		tep_read_number_field(f, data, &v);
	return v;
}

static bool parse_marker(const char *s, size_t len, uint64_t *arg)
{
	size_t pl = sizeof(MARKER_PREFIX) - 1, i;
	uint64_t v = 0;

	if (len < pl + 1 || memcmp(s, MARKER_PREFIX, pl))
		return false;
	for (i = pl; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == pl)
		return false;
	*arg = v;
	return true;
}

/* Decode one record into r; false when it is not ours or filtered out. */
bool trace_decode(struct dax_trace *t, const void *data, unsigned size,
		  uint64_t ts, int cpu, struct trace_rec *r)
{
	unsigned long long type;
	struct evinfo *ei;
	int ev;

	if (size < 2 || tep_read_number_field(t->type_field, data, &type) < 0 ||
	    type > (unsigned long long)t->max_id || !t->idmap[type])
		return false;
	ev = t->idmap[type] - 1;
	ei = &t->ev[ev];
	if (size < ei->minsize)
		return false;

	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->cpu = (int16_t)cpu;
	r->ev = (uint16_t)ev;
	r->pid = (int32_t)rdf(ei->pid, data);

	if (ev == EV_MARKER) {
		const char *s = (const char *)data + ei->buf->offset;
		size_t len = size - ei->buf->offset;

		return parse_marker(s, strnlen(s, len), &r->arg);
	}
	if (ev == EV_FLUSH_RET)
		return true;	/* any file: no file in it */
	if (ev == EV_FLUSH_ENTRY) {
		r->flush_size = rdf(ei->size, data);
		return true;
	}
	r->ino = rdf(ei->ino, data);
	r->dev = (uint32_t)rdf(ei->dev, data);
	r->pgoff = rdf(ei->pgoff, data);
	r->pglen = rdf(ei->pglen, data);
	r->address = rdf(ei->address, data);
	r->flags = (uint32_t)rdf(ei->flags, data);
	r->result = (int32_t)rdf(ei->result, data);

	if (!t->filter)
		return true;
	if (r->ino != t->f_ino)
		return false;
	if (ei->dev)
		return r->dev == t->f_dev;
	/* no dev field (writeback_dirty_folio): match the bdi name when the
	 * file's bdi is known, else the inode number alone */
	if (ei->bdi && t->f_bdi[0]) {
		const char *name = (const char *)data + ei->bdi->offset;

		if (strncmp(name, t->f_bdi, ei->bdi->size))
			return false;
	}
	r->dev = t->f_dev;
	return true;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON of the oracle's report and samples (the keys: include/oracle.h).
 */
#include <stdint.h>

#include "oracle_priv.h"

static int jadd(json_object *o, const char *k, json_object *v)
{
	if (!v)
		return -1;
	if (json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int jint(json_object *o, const char *k, uint64_t v)
{
	return jadd(o, k, json_object_new_int64((int64_t)v));
}

static int jtime(json_object *o, const char *k, uint64_t v)
{
	if (v == ORACLE_NONE)
		return json_object_object_add(o, k, NULL) ? -1 : 0;
	return jint(o, k, v);
}

json_object *oracle_violation_json(const struct oracle_violation *v)
{
	json_object *j = json_object_new_object(), *s, *n;
	int err = 0;

	if (!j)
		return NULL;
	err |= jint(j, "pgoff", v->pgoff);
	err |= jint(j, "store_t_before_ns", v->store_t_before);
	err |= jint(j, "store_t_after_ns", v->store_t_after);
	s = json_object_new_object();
	err |= jadd(j, "sync", s);
	if (!err) {
		err |= jint(s, "index", v->sync_idx);
		err |= jadd(s, "kind", json_object_new_string(
				    oracle_sync_kind_name(v->sync_kind)));
		err |= jadd(s, "tid", json_object_new_int(v->sync_tid));
		err |= jint(s, "t_start_ns", v->sync_t_start);
		err |= jint(s, "t_end_ns", v->sync_t_end);
		err |= jint(s, "first", v->sync_first);
		err |= jint(s, "npages", v->sync_npages);
		err |= jint(s, "pages_missed", v->sync_pages_missed);
	}
	if (v->cover_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "first_cover_ns", NULL);
	else
		err |= jint(j, "first_cover_ns", v->cover_ts);
	if (v->cover_tp_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "first_cover_tracepoint_ns", NULL);
	else
		err |= jint(j, "first_cover_tracepoint_ns", v->cover_tp_ts);
	n = json_object_new_array();
	err |= jadd(j, "nearby", n);
	for (unsigned i = 0; !err && i < v->nnearby; i++) {
		json_object *e = json_object_new_object();

		if (!e || json_object_array_add(n, e)) {
			json_object_put(e);
			err = 1;
			break;
		}
		err |= jint(e, "ts_ns", v->nearby[i].ts);
		err |= jint(e, "tracepoint_ts_ns", v->nearby[i].tp_ts);
		err |= jadd(e, "pid", json_object_new_int(v->nearby[i].pid));
		err |= jint(e, "pgoff", v->nearby[i].pgoff);
		err |= jint(e, "pglen", v->nearby[i].pglen);
	}
	err |= jadd(j, "class", json_object_new_string(oracle_class_name(v->cls)));
	if (v->cover_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "cover_pid", NULL);
	else
		err |= jadd(j, "cover_pid", json_object_new_int(v->cover_pid));
	if (v->cover_call_idx == SIZE_MAX) {
		err |= json_object_object_add(j, "cover_call", NULL);
	} else {
		json_object *cc = json_object_new_object();

		err |= jadd(j, "cover_call", cc);
		if (!err) {
			err |= jint(cc, "index", v->cover_call_idx);
			err |= jadd(cc, "tid", json_object_new_int(v->cover_pid));
			err |= jint(cc, "t_start_ns", v->cover_call_t_start);
			err |= jint(cc, "t_end_ns", v->cover_call_t_end);
		}
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

json_object *oracle_unflushed_json(const struct oracle_unflushed *u)
{
	json_object *j = json_object_new_object(), *n;
	int err = 0;

	if (!j)
		return NULL;
	err |= jadd(j, "class", json_object_new_string(
			    oracle_class_name(ORACLE_UNFLUSHED)));
	err |= jadd(j, "why", json_object_new_string(
			    oracle_unflushed_why_name(u->why)));
	err |= jint(j, "ts_ns", u->ts);
	err |= jadd(j, "pid", json_object_new_int(u->pid));
	err |= jint(j, "pgoff", u->pgoff);
	err |= jint(j, "pglen", u->pglen);
	err |= jint(j, "needed_bytes", u->pglen * ORACLE_PAGE);
	err |= jtime(j, "flush_return_ns", u->flush_ts ? u->flush_ts : ORACLE_NONE);
	err |= jtime(j, "flush_size", u->flush_size ? u->flush_size : ORACLE_NONE);
	err |= jtime(j, "previous_writeback_ns", u->prev_wb_ts);
	err |= jtime(j, "own_flush_after_ns", u->own_after_ts);
	n = json_object_new_array();
	err |= jadd(j, "nearby_flushes", n);
	for (unsigned i = 0; !err && i < u->nnearby; i++) {
		json_object *e = json_object_new_object();

		if (!e || json_object_array_add(n, e)) {
			json_object_put(e);
			err = 1;
			break;
		}
		err |= jint(e, "ts_ns", u->nearby[i].ts);
		err |= jadd(e, "pid", json_object_new_int(u->nearby[i].pid));
		err |= jadd(e, "kind", json_object_new_string(
				    u->nearby[i].entry ? "entry" : "return"));
		if (u->nearby[i].entry)
			err |= jint(e, "size", u->nearby[i].size);
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

json_object *oracle_report_json(const struct oracle_report *r)
{
	return oracle_report_json_n(r, SIZE_MAX);
}

json_object *oracle_report_json_n(const struct oracle_report *r,
				  size_t max_samples)
{
	json_object *j = json_object_new_object(), *a, *k;
	int err = 0;

	if (!j)
		return NULL;
	err |= jint(j, "stores", r->stores);
	err |= jint(j, "writeback_events", r->events);
	err |= jint(j, "events_ignored", r->events_ignored);
	err |= jint(j, "syncs", r->syncs);
	err |= jint(j, "syncs_checked", r->syncs_checked);
	err |= jint(j, "syncs_failed", r->syncs_failed);
	err |= jint(j, "pairs_checked", r->pairs_checked);
	err |= jint(j, "violations", r->violations);
	if (r->t0 == ORACLE_NONE)
		err |= json_object_object_add(j, "t0_ns", NULL);
	else
		err |= jint(j, "t0_ns", r->t0);
	err |= jint(j, "pages_failed", r->pages_failed);
	err |= jint(j, "failed_page_ranges", r->nfailed);
	if (r->first_failed_sync == SIZE_MAX) {
		err |= json_object_object_add(j, "first_failed_sync", NULL);
	} else {
		json_object *f = json_object_new_object();

		err |= jadd(j, "first_failed_sync", f);
		if (!err) {
			err |= jint(f, "index", r->first_failed_sync);
			err |= jint(f, "t_start_ns", r->first_failed_t_start);
			err |= jint(f, "t_end_ns", r->first_failed_t_end);
		}
	}
	a = json_object_new_array();
	err |= jadd(j, "samples", a);
	for (size_t i = 0; !err && i < r->nviol && i < max_samples; i++) {
		json_object *v = oracle_violation_json(&r->viol[i]);

		if (!v || json_object_array_add(a, v)) {
			json_object_put(v);
			err = 1;
		}
	}
	k = json_object_new_object();
	err |= jadd(j, "violations_by_class", k);
	for (int c = 0; !err && c < ORACLE_CLASS__COUNT; c++)
		err |= jint(k, oracle_class_name(c), r->by_class[c]);
	k = json_object_new_object();
	err |= jadd(j, "flush_rule", k);
	if (!err) {
		err |= jadd(k, "checked", json_object_new_boolean(r->flush_rule));
		err |= jint(k, "writebacks_checked", r->flush_checked);
		err |= jint(k, "flush_records", r->flush_records);
	}
	a = json_object_new_array();
	err |= jadd(j, "unflushed_samples", a);
	for (size_t i = 0; !err && i < r->nunfl && i < max_samples; i++) {
		json_object *v = oracle_unflushed_json(&r->unfl[i]);

		if (!v || json_object_array_add(a, v)) {
			json_object_put(v);
			err = 1;
		}
	}
	k = json_object_new_object();
	err |= jadd(j, "first_by_class", k);
	for (int c = 0; !err && c < ORACLE_CLASS__COUNT; c++) {
		size_t f = r->first[c];
		json_object *v = NULL;

		if (c == ORACLE_UNFLUSHED ? f < r->nunfl : f < r->nviol) {
			v = c == ORACLE_UNFLUSHED ? oracle_unflushed_json(&r->unfl[f]) :
			    oracle_violation_json(&r->viol[f]);
			if (!v) {
				err = 1;
				break;
			}
		}
		if (json_object_object_add(k, oracle_class_name(c), v)) {
			json_object_put(v);
			err = 1;
		}
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

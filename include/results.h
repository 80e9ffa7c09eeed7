/* SPDX-License-Identifier: GPL-2.0 */
/* JSON results: written to a temporary file beside the target, fsync'd and
 * renamed (output_target.h), so a results file is either complete or absent. */
#ifndef DAXBENCH_RESULTS_H
#define DAXBENCH_RESULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "output_target.h"

struct dax_trace;

#define DAXBENCH_VERSION "0.1.0"

/* A new top-level result object: {"suite": "daxbench", "version", "command",
 * "argv": [...], "started": ISO-8601 UTC}. */
json_object *results_new(const char *command, int argc, char **argv);

/* Write root to the target out (output_target.h: a temporary renamed over
 * the file, or stdout); nothing when out is NULL or names nothing.  0, or 1
 * after one line on stderr naming the option and the reason. */
int results_save(struct out_target *out, json_object *root);

/* Lost trace events, not allowed (no --allow-lost-events): one line on
 * stderr saying so, what is incomplete ("counts are incomplete") and that
 * no results are written, and true.  False when none were lost or they are allowed. */
bool results_lost_refused(uint64_t lost, bool allow_lost,
			  const char *incomplete);

/* A run's "trace" object: dax_trace_describe(tr) (tr may be NULL) with
 * "available" (traced), "reason" (why, when not traced), "lost_events"
 * (*lost, also set: dax_trace_lost(tr), 0 without tr) and "flush_source"
 * (the event flushes are counted from: dax's or, on the page cache,
 * ext4's). */
json_object *results_trace(struct dax_trace *tr, bool traced, const char *why,
			   bool dax, uint64_t *lost);

#endif

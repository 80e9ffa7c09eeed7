// SPDX-License-Identifier: GPL-2.0
/* JSON results: the top-level object, the trace description, and their
 * writing to an output target (output_target.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_build.h"
#include "opts.h"
#include "results.h"
#include "trace.h"

json_object *results_new(const char *command, int argc, char **argv)
{
	json_object *root = json_object_new_object();
	json_object *args = json_object_new_array();
	char stamp[64];
	struct tm tm;
	time_t now = time(NULL);
	int err = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < argc; i++)
		err |= jpush_str(args, argv[i]);
	err |= jadd_str(root, "suite", "daxbench");
	err |= jadd_str(root, "version", DAXBENCH_VERSION);
	err |= jadd_str(root, "command", command);
	err |= jadd(root, "argv", args);
	err |= jadd_str(root, "started", stamp);
	return jdone(root, err);
}

json_object *results_trace(struct dax_trace *tr, bool traced, const char *why,
			   bool dax, uint64_t *lost)
{
	json_object *tj = tr ? dax_trace_describe(tr) : json_object_new_object();
	int err = 0;

	*lost = tr ? dax_trace_lost(tr) : 0;
	err |= jadd_bool(tj, "available", traced);
	err |= jadd_str(tj, "reason", traced ? NULL : why);
	err |= jadd_u64(tj, "lost_events", *lost);
	err |= jadd_str(tj, "flush_source", !traced ? NULL : dax ?
			"fs_dax:dax_writeback_one" : "ext4:ext4_writepages_result");
	return jdone(tj, err);
}

int results_save(struct out_target *out, json_object *root)
{
	const char *text;
	FILE *f;

	if (!out || !out->opt)
		return 0;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	f = out_begin(out);
	if (f && fputs(text, f) != EOF && fputc('\n', f) != EOF &&
	    out_end(out) == 0)
		return 0;
	out_abandon(out);
	out_target_report(out);
	return 1;
}

bool results_lost_refused(uint64_t lost, bool allow_lost,
			  const char *incomplete)
{
	if (!lost || allow_lost)
		return false;
	fprintf(stderr, "%s: %llu trace events were lost: %s; "
		"raise --trace-buffer or pass --allow-lost-events (no results written)\n",
		opt_progname(), (unsigned long long)lost, incomplete);
	return true;
}

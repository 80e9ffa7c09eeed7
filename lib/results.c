// SPDX-License-Identifier: GPL-2.0
/* JSON results: the top-level object, the trace description, and their
 * writing to an output target (output_target.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	json_object_object_add(root, "suite", json_object_new_string("daxbench"));
	json_object_object_add(root, "version",
			       json_object_new_string(DAXBENCH_VERSION));
	json_object_object_add(root, "command", json_object_new_string(command));
	json_object_object_add(root, "argv", args);
	json_object_object_add(root, "started", json_object_new_string(stamp));
	return root;
}

json_object *results_trace(struct dax_trace *tr, bool traced, const char *why,
			   bool dax, uint64_t *lost)
{
	json_object *tj = tr ? dax_trace_describe(tr) : json_object_new_object();

	*lost = tr ? dax_trace_lost(tr) : 0;
	json_object_object_add(tj, "available", json_object_new_boolean(traced));
	json_object_object_add(tj, "reason", traced ? NULL : json_object_new_string(why));
	json_object_object_add(tj, "lost_events", json_object_new_uint64(*lost));
	json_object_object_add(tj, "flush_source", !traced ? NULL :
		json_object_new_string(dax ? "fs_dax:dax_writeback_one" :
				       "ext4:ext4_writepages_result"));
	return tj;
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

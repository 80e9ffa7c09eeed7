// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: the kinds of result it knows (see compare.h).  For each
 * compared kind, the rules of what is pulled from every phase (or run):
 *   timing metrics  one value per repeat (a sync time, a store-latency
 *                   percentile of that repeat's histogram)
 *   exact counts    faults by kind, flush entries, bytes flushed
 * the checks that raise alerts, what every phase holds, and the members of
 * a count group that are words.  compare_input.c validates every file
 * against the same table, so that what compare reads is what a result of
 * its kind must hold.  A new kind is one more entry in kinds[].
 */
#include <string.h>

#include "compare.h"

/* The usual count groups and exact counts. */
#define USUAL_COUNT_RULES \
	{ "faults", R_COUNTS_IN, NULL, NULL }, \
	{ "flush", R_COUNTS_IN, NULL, NULL }, \
	{ "bytes_flushed", R_COUNT, NULL, NULL }, \
	{ "bytes_dirtied", R_COUNT, NULL, NULL }, \
	{ "pages_stored", R_COUNT, NULL, NULL }

static const struct rule fault_rules[] = {
	{ "store_latency", R_HIST, "store", NULL },
	{ "sync_ns", R_TIME, "sync", NULL },
	{ "duration_ns", R_TIME, "pass", "sync_ns" },
	USUAL_COUNT_RULES,
	{ NULL, 0, NULL, NULL },
};

static const struct rule sync_rules[] = {
	{ "store_latency", R_HIST, "store", NULL },
	{ "sync.overall.sync_latency", R_HIST, "sync", NULL },
	{ "write_fault_latency.pte", R_HIST, "fault pte", NULL },
	{ "write_fault_latency.pmd", R_HIST, "fault pmd", NULL },
	{ "write_fault_latency.pmd_fallback", R_HIST, "fault fallback", NULL },
	{ "duration_ns", R_TIME, "run", NULL },
	{ "faults", R_COUNTS_IN, NULL, NULL },
	{ "flush", R_COUNTS_IN, NULL, NULL },
	{ "sync.overall", R_COUNTS_IN, "sync", NULL },
	{ "stores", R_COUNT, NULL, NULL },
	{ "sync_calls_made", R_COUNT, NULL, NULL },
	{ "idle_sync_bytes_flushed", R_COUNT, NULL, NULL },
	{ "attribution.unattributed_bytes", R_COUNT, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};

/* daxbench punch: phases dirty (store_latency, duration_ns), the
 * operation and fsync (latency); the check's unflushed pages are in the
 * fsync phase's flush group, its verdict at the top. */
static const struct rule punch_rules[] = {
	{ "store_latency", R_HIST, "store", NULL },
	{ "latency", R_HIST, "latency", NULL },
	{ "duration_ns", R_TIME, "pass", NULL },
	USUAL_COUNT_RULES,
	{ NULL, 0, NULL, NULL },
};

static const struct check fault_checks[] = {
	{ "fsync-idle", "bytes_flushed", C_ZERO,
	  "an fsync with no stores since the last one flushed" },
	{ NULL, NULL, 0, NULL },
};

static const struct check sync_checks[] = {
	{ NULL, "idle_sync_bytes_flushed", C_ZERO,
	  "an idle sync call (no store since every syncer's last call) flushed" },
	{ NULL, "pte_then_pmd.every_page_flushed", C_NOT_FALSE,
	  "pte-then-pmd: a page dirtied through the PTE mapping was not flushed" },
	{ NULL, NULL, 0, NULL },
};

static const struct check no_checks[] = {
	{ NULL, NULL, 0, NULL },
};

/* What daxbench fault and sync write in every phase (run), traced or not. */
static const char *const fault_required[] = {
	"name", "duration_ns", "pages_stored", "bytes_dirtied", NULL,
};
static const char *const sync_required[] = {
	"duration_ns", "stores", "sync_calls_made", "sync.overall", NULL,
};
static const char *const punch_required[] = { "name", NULL };
static const char *const sync_text[] = { "method", NULL };
static const char *const none[] = { NULL };

static const struct kind kinds[] = {
	{ "fault", true, NULL, RUN_PHASES, fault_rules, fault_checks,
	  fault_required, none },
	{ "sync", true, NULL, RUN_OBJECT, sync_rules, sync_checks,
	  sync_required, sync_text },
	{ "punch", true, NULL, RUN_PHASES, punch_rules, no_checks,
	  punch_required, none },
	/* known, not compared: their figures are not per-repeat runs */
	{ "flush", false, "points", RUN_OBJECT, NULL, no_checks, none, none },
	{ "stress", false, "scenarios", RUN_OBJECT, NULL, no_checks, none, none },
};

const struct kind *compare_kind(const char *command)
{
	for (size_t i = 0; command && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].command, command))
			return &kinds[i];
	return NULL;
}

const char *compare_kinds_compared(void)
{
	return "fault, sync and punch";
}

bool compare_count_key(const char *k)
{
	static const char *const not_counts[] = { "_per_s", "_ns", "amplification",
		"ratio", "fraction", "mean", NULL };

	for (const char *const *n = not_counts; *n; n++)
		if (strstr(k, *n))
			return false;
	return true;
}

json_object *compare_path_get(json_object *o, const char *path)
{
	char key[128];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

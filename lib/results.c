// SPDX-License-Identifier: GPL-2.0
/* JSON results, written atomically: temporary file, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
#include "results.h"
#include "trace.h"

int results_write(const char *path, json_object *root)
{
	char tmp[4096];
	const char *text;
	size_t len, off = 0;
	int fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

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

int results_save(const char *output, json_object *root)
{
	if (!output || results_write(output, root) == 0)
		return 0;
	fprintf(stderr, "%s: --output: cannot write %s: %s\n", opt_progname(),
		output, strerror(errno));
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

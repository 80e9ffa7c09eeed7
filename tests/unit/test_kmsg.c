// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/kmsg.c's classes: every line of tests/lib/kmsg-samples.txt
 * (the classes it must fall in, then the text) is classified by the table
 * generated from scripts/lib/kmsg-patterns.txt, as scripts/lib/kmsg.py
 * classifies it (tests/cli/kmsg_patterns.py).  With --classify, prints the
 * classes of each line of stdin instead (that test compares them with
 * Python's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "tap.h"

#define SAMPLES "tests/lib/kmsg-samples.txt"

static const struct {
	unsigned bit;
	const char *name;
} names[] = {
	{ KMSG_WARNING, "warning" }, { KMSG_DIED, "died" }, { KMSG_HUNG, "hung" },
	{ KMSG_STALL, "stall" }, { KMSG_EMULATOR, "emulator" },
};

static void class_text(unsigned m, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (m & names[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "," : "", names[i].name);
	if (!buf[0])
		snprintf(buf, len, "-");
}

static int classify_stdin(void)
{
	char line[4096], cls[128];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		class_text(kmsg_classes(line), cls, sizeof(cls));
		printf("%s\n", cls);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096], cls[128];
	int samples = 0;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--classify") == 0)
		return classify_stdin();
	tap_timeout(TAP_TIMEOUT);
	f = fopen(SAMPLES, "r");
	ok(f != NULL, "%s opens (run from the top of the tree)", SAMPLES);
	while (f && fgets(line, sizeof(line), f)) {
		char *tab;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			ok(0, "sample line '%s' has a TAB", line);
			continue;
		}
		*tab = '\0';
		class_text(kmsg_classes(tab + 1), cls, sizeof(cls));
		is_str(cls, line, "'%s' is %s", tab + 1, line);
		samples++;
	}
	if (f)
		fclose(f);
	cmp_ok(samples, >=, 20, "the samples file holds every class and lines of none");
	ok(kmsg_is_bad("WARNING: CPU: 0 PID: 1 at fake") &&
	   !kmsg_is_bad("rcu: INFO: rcu_preempt self-detected stall on CPU"),
	   "kmsg_is_bad is the warning class: a WARNING, not a stall");
	return done_testing();
}

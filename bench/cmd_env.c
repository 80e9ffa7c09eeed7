// SPDX-License-Identifier: GPL-2.0
/* daxbench env --dir DIR: the environment capture, as JSON on stdout. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "builtin.h"
#include "env.h"
#include "opts.h"

int cmd_env(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ { "dir", required_argument, NULL, 'd' }, "dir", NULL },
		{ { "help", no_argument, NULL, 'h' }, "flag", NULL },
		OPT_DEF_END,
	};
	const char *dir = ".";
	json_object *env;
	int c, fd;

	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("usage: daxbench env [--dir DIR]\n");
			return 0;
		default:
			opt_getopt_fail(c, argv);
		}
	}
	opt_no_operands(argc, argv);
	opt_writable_dir("--dir", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	env = env_capture(dir, fd);
	printf("%s\n", json_object_to_json_string_ext(env, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(env);
	if (fd >= 0)
		close(fd);
	return 0;
}

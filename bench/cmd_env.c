// SPDX-License-Identifier: GPL-2.0
/* daxbench env --dir DIR: the environment capture, as JSON on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
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
		{ { "dev", required_argument, NULL, 'D' }, "target", NULL },
		{ { "help", no_argument, NULL, 'h' }, "flag", NULL },
		OPT_DEF_END,
	};
	const char *dir = ".", *dev = NULL;
	json_object *env;
	int c, fd;

	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'D':
			dev = optarg;
			break;
		case 'h':
			printf("usage: daxbench env [--dir DIR | --dev /dev/daxN.M]\n"
			       "  --dir DIR   the file system holding DIR (default .)\n"
			       "  --dev PATH  a device-dax instance instead (libdaxctl, libndctl, libcxl)\n");
			return 0;
		default:
			opt_getopt_fail(c, argv);
		}
	}
	opt_no_operands(argc, argv);
	if (dev) {
		struct stat st;
		char name[64];

		if (!*dev)
			opt_die("--dev", "empty (a device-dax instance, /dev/daxN.M)");
		if (stat(dev, &st) < 0)
			opt_die("--dev", "%s: %s", dev, strerror(errno));
		if (!S_ISCHR(st.st_mode) || !env_is_devdax(&st, name, sizeof(name)))
			opt_die("--dev", "%s is not a device-dax instance (/dev/daxN.M)", dev);
		env = env_capture_devdax(name);
		printf("%s\n", json_object_to_json_string_ext(env, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(env);
		return 0;
	}
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

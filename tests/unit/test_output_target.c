// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/output_target.c and lib/tempfile.c: what an output
 * option may name (a new name, a regular file, a link to one, stdout) and
 * what it may not (a directory, a device node, a FIFO, a socket, a broken
 * link: exit 2 with one line naming the option, nothing touched); writing
 * replaces a file whole and writes through a link (the link stays); a
 * write error keeps its reason (ENOSPC on a full tmpfs) and leaves
 * nothing; a temporary is removed on exit and on a fatal signal; stale
 * temporaries of dead processes are removed, a live one is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fatal_signals.h"
#include "opts.h"
#include "output_target.h"
#include "tap.h"
#include "tempfile.h"

static char dir[] = "/tmp/daxbench-outtest.XXXXXX";

static char *in(const char *name)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ & 3];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* out_target_check(arg) in a child: its exit status and stderr. */
static int check_in_child(const char *arg, const char *no_stdout, char *err,
			  size_t len)
{
	int p[2], st = 0;
	ssize_t n, o = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct out_target t;

		close(p[0]);
		dup2(p[1], 2);
		out_target_check(&t, "--output", arg, no_stdout);
		_exit(0);
	}
	close(p[1]);
	while (o < (ssize_t)len - 1 && (n = read(p[0], err + o, len - 1 - o)) > 0)
		o += n;
	err[o] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return st;
}

static void refused(const char *what, const char *arg, const char *want)
{
	char err[1024];
	int st = check_in_child(arg, NULL, err, sizeof(err));
	char *nl = strchr(err, '\n');

	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == OPT_EXIT_USAGE && nl &&
		!nl[1] && strstr(err, "--output: ") && strstr(err, want),
		"%s is refused: exit 2, one line naming --output (%s)", what, want))
		diag("status %#x, stderr: %s", st, err);
}

/* A child that creates a temporary of target, reports its name, waits. */
static pid_t child_with_temp(const char *target, char *tmp)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char name[TEMPFILE_PATH_MAX];

		close(p[0]);
		for (size_t i = 0; i < fatal_signals_count(); i++)
			signal(fatal_signal(i), SIG_DFL);
		if (tempfile_create(target, name) < 0)
			_exit(100);
		if (write(p[1], name, strlen(name) + 1) < 0)
			_exit(101);
		for (;;)
			pause();
	}
	close(p[1]);
	tmp[0] = '\0';
	if (read(p[0], tmp, TEMPFILE_PATH_MAX) <= 0)
		tmp[0] = '\0';
	close(p[0]);
	return pid;
}

int main(void)
{
	struct out_target t, u;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[1024], tmp[TEMPFILE_PATH_MAX], tmp2[TEMPFILE_PATH_MAX];
	struct stat st;
	FILE *f;
	int fd, s, sock;
	pid_t pid;

	opt_set_progname("daxbench");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	/* ---- what may be named ---- */
	out_target_check(&t, "--output", in("new.json"), NULL);
	ok(!t.to_stdout && !strcmp(t.path, in("new.json")), "a new name is written as itself");
	fd = open(in("old.json"), O_CREAT | O_WRONLY, 0644);
	if (fd >= 0 && write(fd, "old\n", 4) != 4)
		diag("write: %s", strerror(errno));
	close(fd);
	symlink("old.json", in("link.json"));
	out_target_check(&t, "--output", in("link.json"), NULL);
	ok(!t.to_stdout && strstr(t.path, "/old.json") && t.path[0] == '/',
	   "a link to a regular file is written through: %s", t.path);
	out_target_check(&t, "--output", "-", NULL);
	out_target_check(&u, "--output", "/dev/stdout", NULL);
	ok(t.to_stdout && u.to_stdout && out_target_same(&t, &u),
	   "- and /dev/stdout are stdout (and the same target)");
	s = check_in_child("-", "carries the TAP", err, sizeof(err));
	ok(WIFEXITED(s) && WEXITSTATUS(s) == 2 && strstr(err, "carries the TAP"),
	   "- is refused where stdout is taken, saying why: %.*s",
	   (int)strcspn(err, "\n"), err);

	/* ---- what may not ---- */
	mkdir(in("d"), 0755);
	symlink("d", in("dlink"));
	symlink("nowhere", in("broken"));
	mkfifo(in("fifo"), 0644);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", in("sock"));
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		diag("socket: %s", strerror(errno));
	refused("a directory", in("d"), "is a directory");
	refused("a link to a directory", in("dlink"), "link to a directory");
	refused("a broken link", in("broken"), "leads nowhere");
	refused("a FIFO", in("fifo"), "is a FIFO");
	refused("a socket", in("sock"), "is a socket");
	if (mknod(in("null"), S_IFCHR | 0666, makedev(1, 3)) == 0)
		refused("a character device node", in("null"), "is a character device");
	else
		skip("mknod: %s", strerror(errno));
	refused("a name in a missing directory", in("none/x.json"), "does not exist");
	refused("a name ending in /", in("d/"), "not a file name");
	refused("the empty name", "", "empty path");
	ok(lstat(in("null"), &st) != 0 || S_ISCHR(st.st_mode),
	   "the device node is still a device node");

	/* ---- writing ---- */
	out_target_check(&t, "--output", in("link.json"), NULL);
	f = out_begin(&t);
	ok(f && fputs("new\n", f) >= 0 && out_end(&t) == 0 &&
	   lstat(in("link.json"), &st) == 0 && S_ISLNK(st.st_mode) &&
	   !strcmp(slurp(in("old.json")), "new\n"),
	   "writing through the link replaces the file it leads to; the link stays");
	out_target_check(&t, "--output", in("old.json"), NULL);
	f = out_begin(&t);
	ok(f && fputs("partial", f) >= 0 && (out_abandon(&t), 1) &&
	   !strcmp(slurp(in("old.json")), "new\n") && access(t.tmp, F_OK) != 0,
	   "an abandoned write leaves the old file and no temporary");
	if (mkdir(in("small"), 0755) == 0 &&
	    mount("tmpfs", in("small"), "tmpfs", 0, "size=64k") == 0) {
		char big[4096];

		memset(big, 'x', sizeof(big));
		out_target_check(&t, "--output", in("small/r.json"), NULL);
		f = out_begin(&t);
		for (int i = 0; f && i < 64; i++)
			fwrite(big, 1, sizeof(big), f);
		ok(f && out_end(&t) < 0 && t.err == ENOSPC &&
		   access(in("small/r.json"), F_OK) != 0 && access(t.tmp, F_OK) != 0,
		   "a full file system: ENOSPC kept as the reason, no file, no temporary");
		umount(in("small"));
	} else {
		skip("cannot mount a small tmpfs (needs root)");
	}

	/* ---- temporaries ---- */
	pid = child_with_temp(in("sig.json"), tmp);
	ok(tmp[0] && access(tmp, F_OK) == 0, "a child's temporary %s exists", tmp);
	kill(pid, SIGQUIT);
	waitpid(pid, &s, 0);
	ok(WIFSIGNALED(s) && WTERMSIG(s) == SIGQUIT && access(tmp, F_OK) != 0,
	   "SIGQUIT: the child dies by it, its temporary removed");
	pid = child_with_temp(in("sig.json"), tmp);
	kill(pid, SIGRTMIN + 1);
	waitpid(pid, &s, 0);
	ok(WIFSIGNALED(s) && access(tmp, F_OK) != 0,
	   "a real-time signal: the temporary removed");
	pid = child_with_temp(in("kill.json"), tmp);
	kill(pid, SIGKILL);
	waitpid(pid, &s, 0);
	ok(access(tmp, F_OK) == 0, "SIGKILL leaves %s (it cannot be caught)", tmp);
	pid = child_with_temp(in("kill.json"), tmp2);
	out_target_check(&t, "--output", in("kill.json"), NULL);
	ok(access(tmp, F_OK) != 0 && access(tmp2, F_OK) == 0,
	   "the next check of the target removes the dead one's, keeps the live one's");
	kill(pid, SIGTERM);
	waitpid(pid, &s, 0);
	ok(access(tmp2, F_OK) != 0, "... which SIGTERM then removes");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (tempfile_create(in("exit.json"), tmp) < 0)
			_exit(100);
		exit(3);
	}
	waitpid(pid, &s, 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", in("exit.json"), (int)pid);
	ok(WIFEXITED(s) && WEXITSTATUS(s) == 3 && access(tmp, F_OK) != 0,
	   "exit() removes the temporaries still open");
	fd = tempfile_create(in("c.json"), tmp);
	ok(fd >= 0 && write(fd, "c\n", 2) == 2 && tempfile_commit(fd, tmp, in("c.json")) == 0 &&
	   !strcmp(slurp(in("c.json")), "c\n") && access(tmp, F_OK) != 0,
	   "commit renames the temporary over the target");
	out_target_check(&t, "--output", in("c.json"), NULL);
	out_target_check(&u, "--output", in("link.json"), NULL);
	ok(!out_target_same(&t, &u), "two files are not the same target");
	out_target_check(&t, "--output", in("old.json"), NULL);
	ok(out_target_same(&t, &u), "a file and a link to it are the same target");

	if (sock >= 0)
		close(sock);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", dir);
	}
	return done_testing();
}

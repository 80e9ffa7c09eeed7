// SPDX-License-Identifier: GPL-2.0
/* Unit tests of lib/topology.c: counts, placement orders, cpu lists (bad
 * ones exit 2 with one line), NUMA local/remote, and real thread binding. */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hwloc.h>

#include "opts.h"
#include "tap.h"
#include "topology.h"

static struct topology *T;

/* Placements of threads 0..n-1 are usable cpus, all distinct, and thread
 * n + i gets the cpu of thread i. */
static void check_policy(const char *name)
{
	struct placement pl;
	unsigned n = topology_npus(T);
	bool valid = true, distinct = true, wraps = true;
	int *seen = calloc(n, sizeof(int));

	placement_parse(T, "--cpus", name, &pl);
	for (unsigned i = 0; i < n; i++) {
		int c = placement_cpu(T, &pl, i);

		if (!topology_has_cpu(T, c))
			valid = false;
		for (unsigned j = 0; j < i; j++)
			if (seen[j] == c)
				distinct = false;
		seen[i] = c;
	}
	for (unsigned i = 0; i < 3 * n; i++)
		if (placement_cpu(T, &pl, n + i) != seen[i % n])
			wraps = false;
	ok(valid, "%s: the cpus of %u threads are usable cpus", name, n);
	ok(distinct, "%s: %u threads get %u distinct cpus", name, n, n);
	ok(wraps, "%s: threads beyond %u wrap around the same order", name, n);
	placement_free(&pl);
	free(seen);
}

/* scatter: the first min(cores, pus) threads are on distinct cores, and the
 * first `packages` threads on distinct packages (checked with our own hwloc
 * topology). */
static void check_scatter_spread(void)
{
	hwloc_topology_t h;
	struct placement pl;
	unsigned ncores = topology_ncores(T), npk = topology_npackages(T);
	bool cores_ok = true, pk_ok = true;

	hwloc_topology_init(&h);
	hwloc_topology_load(h);
	placement_parse(T, "--cpus", "scatter", &pl);
	for (unsigned i = 0; i < ncores && i < topology_npus(T); i++)
		for (unsigned j = 0; j < i; j++) {
			hwloc_obj_t a = hwloc_get_pu_obj_by_os_index(h, placement_cpu(T, &pl, i));
			hwloc_obj_t b = hwloc_get_pu_obj_by_os_index(h, placement_cpu(T, &pl, j));
			hwloc_obj_t ca = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, a);
			hwloc_obj_t cb = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, b);
			hwloc_obj_t pa = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_PACKAGE, a);
			hwloc_obj_t pb = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_PACKAGE, b);

			if (ca && ca == cb)
				cores_ok = false;
			if (i < npk && pa && pa == pb)
				pk_ok = false;
		}
	ok(cores_ok, "scatter: the first %u threads are on distinct cores", ncores);
	ok(pk_ok, "scatter: the first %u threads are on distinct packages", npk);
	placement_free(&pl);
	hwloc_topology_destroy(h);
}

static void check_list(const char *arg, const int *want, unsigned nwant)
{
	int *v = NULL;
	unsigned n = topology_parse_cpulist("--cpus", arg, &v);
	bool same = n == nwant;

	for (unsigned i = 0; same && i < n; i++)
		same = v[i] == want[i];
	ok(same, "cpu list '%s' parses to %u cpu(s) in the written order", arg, nwant);
	free(v);
}

/* In a child: run the parser (or placement) on arg with stderr into a pipe;
 * the child must exit 2 having written one line that names --cpus. */
static void check_rejected(const char *arg, bool placement)
{
	int fds[2], st = 0;
	char buf[1024];
	ssize_t len = 0, r;
	pid_t pid;
	int lines = 0;
	bool pass;

	if (pipe(fds) < 0) {
		ok(0, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int *v;
		struct placement pl;

		close(fds[0]);
		dup2(fds[1], 2);
		if (placement)
			placement_parse(T, "--cpus", arg, &pl);
		else
			topology_parse_cpulist("--cpus", arg, &v);
		_exit(0);	/* accepted: the test fails */
	}
	close(fds[1]);
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	buf[len] = '\0';
	close(fds[0]);
	waitpid(pid, &st, 0);
	for (ssize_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	pass = WIFEXITED(st) && WEXITSTATUS(st) == 2 && lines == 1 &&
	       len > 0 && buf[len - 1] == '\n' && strstr(buf, "--cpus");
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	ok(pass, "%s '%s' is rejected: exit 2, one line naming --cpus (exit %d: %s)",
	   placement ? "placement" : "cpu list", arg,
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1, len ? buf : "no message");
}

struct bind_arg {
	int cpus[2];
	bool ok;
	char why[160];
};

/* Bind to each cpu in turn (a, b, a, b...) and see the scheduler move us. */
static void *bind_thread(void *p)
{
	struct bind_arg *a = p;

	a->ok = true;
	for (int round = 0; round < 6; round++) {
		int want = a->cpus[round % 2];

		if (topology_bind_thread(T, want) < 0) {
			snprintf(a->why, sizeof(a->why), "bind to %d failed", want);
			a->ok = false;
			return NULL;
		}
		for (int k = 0; k < 5; k++) {
			int got;

			sched_yield();
			got = sched_getcpu();
			if (got != want) {
				snprintf(a->why, sizeof(a->why),
					 "bound to %d, sched_getcpu() says %d", want, got);
				a->ok = false;
				return NULL;
			}
			usleep(200);
		}
	}
	return NULL;
}

int main(void)
{
	char err[256] = "";
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	json_object *j;
	int *v;
	int n;

	opt_set_progname("test_topology");
	T = topology_open(err, sizeof(err));
	if (!ok(T != NULL, "topology_open (%s)", T ? "ok" : err))
		return 1;
	diag("%u package(s), %u NUMA node(s), %u core(s), %u PU(s)",
	     topology_npackages(T), topology_nnodes(T), topology_ncores(T),
	     topology_npus(T));
	is((long)topology_npus(T), online,
	   "PU count %u equals sysconf(_SC_NPROCESSORS_ONLN) = %ld",
	   topology_npus(T), online);

	check_policy("compact");
	check_policy("scatter");
	check_scatter_spread();

	check_list("0", (int[]){ 0 }, 1);
	check_list("0-1", (int[]){ 0, 1 }, 2);
	check_list("1,0", (int[]){ 1, 0 }, 2);
	check_list("0,2-3,1", (int[]){ 0, 2, 3, 1 }, 4);
	check_rejected("5-2", false);
	check_rejected("x", false);
	check_rejected("", false);
	check_rejected("1,,2", false);
	check_rejected("0,0", false);	/* one rule for every list: */
	check_rejected("0-1,1", false);	/* no item twice, by name or by range */
	check_rejected("0,", false);
	check_rejected("4000", true);	/* parses, but no such cpu */

	{
		struct placement pl;

		placement_parse(T, "--cpus", "0", &pl);
		ok(placement_cpu(T, &pl, 0) == 0 && placement_cpu(T, &pl, 5) == 0,
		   "a one-cpu list puts every thread on that cpu");
		placement_free(&pl);
	}

	n = topology_numa_cpus(T, 0, false, &v, err, sizeof(err));
	ok(n > 0 && (topology_nnodes(T) > 1 || (unsigned)n == topology_npus(T)),
	   "local cpus of node 0: %d (%s)", n, n < 0 ? err : "ok");
	if (n > 0)
		free(v);
	n = topology_numa_cpus(T, 0, true, &v, err, sizeof(err));
	if (topology_nnodes(T) == 1)
		ok(n < 0 && strstr(err, "no remote NUMA node"),
		   "remote on a single-node machine is an error: %s", err);
	else
		cmp_ok(n, >, 0, "remote cpus of node 0: %d", n);
	if (n > 0)
		free(v);
	n = topology_numa_cpus(T, 4000, false, &v, err, sizeof(err));
	ok(n < 0 && strstr(err, "does not exist"), "node 4000: %s", err);
	{
		struct placement pl;
		int rc;

		placement_parse(T, "--cpus", "local", &pl);
		rc = placement_resolve_numa(T, &pl, 0, err, sizeof(err));
		ok(rc == 0 && topology_has_cpu(T, placement_cpu(T, &pl, 0)),
		   "placement 'local' resolves to node 0's cpus (%s)", pl.text);
		placement_free(&pl);
	}

	ok(topology_blockdev_numa("no-such-disk") == -1 &&
	   topology_blockdev_numa("../../etc") == -1 &&
	   topology_daxdev_numa("dax99.99") == -1,
	   "NUMA node of absent devices is -1");

	j = topology_json(T);
	ok(j && json_object_get_int(json_object_object_get(j, "pus")) == (int)topology_npus(T) &&
	   json_object_array_length(json_object_object_get(j, "nodes")) == topology_nnodes(T),
	   "summary JSON: pus and one entry per NUMA node");
	diag("%s", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);

	{
		struct bind_arg a = { .cpus = { topology_order(T, PLACE_COMPACT)[0],
				      topology_order(T, PLACE_COMPACT)[topology_npus(T) - 1] } };
		pthread_t th;

		pthread_create(&th, NULL, bind_thread, &a);
		pthread_join(th, NULL);
		ok(a.ok, "binding moves the thread: sched_getcpu() follows cpus %d and %d, 6 rounds x 5 checks%s%s",
		   a.cpus[0], a.cpus[1], a.ok ? "" : ": ", a.why);
	}
	{
		int rc = topology_bind_thread(T, 99999);

		cmp_ok(rc, <, 0, "binding to a cpu that does not exist fails");
	}
	topology_close(T);
	return done_testing();
}

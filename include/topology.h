/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU topology (hwloc) and thread placement.  CPUs are named everywhere by
 * their OS number (what sched_getcpu() returns and what "0,2-3" lists).
 *
 * Placement policies for N threads (thread i of N):
 *   compact   PUs in the order of cores: both hyperthreads of core 0, then
 *             core 1, ... (hwloc's logical order)
 *   scatter   round-robin over packages, then over the cores of a package,
 *             then over the PUs of a core: consecutive threads land as far
 *             apart as the machine allows
 *   LIST      "0,2-3": thread i runs on the i-th cpu of the list, in the
 *             order written
 *   local     (resolved with placement_resolve_numa) the PUs of a NUMA node,
 *   remote    or of every other node, in compact order
 * Beyond the number of PUs (or list entries) placement wraps: thread i takes
 * the slot i % n.
 */
#ifndef DAXBENCH_TOPOLOGY_H
#define DAXBENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

struct topology;

/* Load the topology of this machine (the cpus this process may use).
 * NULL with a one-line reason in err when hwloc fails. */
struct topology *topology_open(char *err, size_t errlen);
void topology_close(struct topology *t);

unsigned topology_npus(const struct topology *t);
unsigned topology_ncores(const struct topology *t);
unsigned topology_npackages(const struct topology *t);
unsigned topology_nnodes(const struct topology *t);
bool topology_has_cpu(const struct topology *t, int cpu);

/* {"packages", "numa_nodes", "cores", "pus", "nodes": [{"node": os index,
 *  "cpus": [..], "cpulist": "0-1"}], "compact": [cpu order],
 *  "scatter": [cpu order]} */
json_object *topology_json(const struct topology *t);

enum place_policy { PLACE_COMPACT, PLACE_SCATTER, PLACE_LIST, PLACE_LOCAL,
		    PLACE_REMOTE };

struct placement {
	enum place_policy policy;
	unsigned n;		/* PLACE_LIST (and resolved local/remote) */
	int *cpus;		/* OS cpu numbers, in order; malloc'd */
	int node;		/* local/remote: the reference NUMA node */
	char text[128];		/* for reports: "scatter", "0,2-3", "local (node 0)" */
};

/* Parse a cpu list "0", "0-3", "1,0", "0,2-3" (OS numbers, order kept).
 * Empty lists or elements, a cpu twice ("0,0", "0-2,1": the rule of every
 * list, opt_list()), junk, reversed ranges ("5-2") and numbers above 65535
 * die through opt_die(opt, ...) (exit 2, one line).
 * Returns the count; *cpus is malloc'd. */
unsigned topology_parse_cpulist(const char *opt, const char *arg, int **cpus);

/* Parse a placement: "compact", "scatter", "local", "remote" or a cpu list.
 * Every cpu of a list must be usable on this machine; otherwise opt_die. */
void placement_parse(const struct topology *t, const char *opt,
		     const char *arg, struct placement *pl);

/* Turn local/remote into a cpu list relative to NUMA node `node`.  No-op for
 * the other policies.  Returns 0, or -1 with a one-line reason in err (the
 * node is unknown or absent, or remote on a machine with a single node:
 * "there is no remote NUMA node"). */
int placement_resolve_numa(const struct topology *t, struct placement *pl,
			   int node, char *err, size_t errlen);
void placement_free(struct placement *pl);

/* The OS cpu number for thread i (of any number of threads): the same i
 * always gets the same cpu, whatever the thread count. */
int placement_cpu(const struct topology *t, const struct placement *pl,
		  unsigned i);

/* The PU order of a policy (PLACE_COMPACT or PLACE_SCATTER), npus long. */
const int *topology_order(const struct topology *t, enum place_policy p);

/* Bind the calling thread to cpu (hwloc_set_cpubind, HWLOC_CPUBIND_THREAD).
 * Returns 0, or -1 with errno (EINVAL: no such cpu). */
int topology_bind_thread(const struct topology *t, int cpu);

/* The cpus of NUMA node `node` (remote=false) or of every other node
 * (remote=true), in compact order.  Returns the count and a malloc'd array,
 * or -1 with a reason in err (unknown node; no remote node). */
int topology_numa_cpus(const struct topology *t, int node, bool remote,
		       int **cpus, char *err, size_t errlen);

/* NUMA node of block device NAME ("pmem0", or a partition "pmem0p1") from
 * /sys/class/block/NAME/device/numa_node, or of a device-dax instance
 * ("dax0.0") from /sys/bus/dax/devices/NAME/numa_node.  -1 when unknown
 * (no such device, or the firmware does not say). */
int topology_blockdev_numa(const char *name);
int topology_daxdev_numa(const char *name);

#endif

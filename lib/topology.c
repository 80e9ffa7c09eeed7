// SPDX-License-Identifier: GPL-2.0
/*
 * CPU topology and thread placement through hwloc.  The topology is loaded
 * once; the compact and scatter orders are computed up front, so placement
 * and binding never walk the tree (and are safe from several threads: hwloc
 * only reads a loaded topology).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hwloc.h>

#include "json_build.h"
#include "opts.h"
#include "topology.h"

struct topology {
	hwloc_topology_t topo;
	unsigned npus, ncores, npackages, nnodes;
	int *compact;		/* OS cpu numbers, compact order */
	int *scatter;		/* OS cpu numbers, scatter order */
};

struct pu_key {
	int cpu;
	unsigned logical;	/* PU logical index (= compact rank) */
	unsigned pkg;		/* package logical index */
	unsigned core_in_pkg;	/* rank of the core among its package's */
	unsigned pu_in_core;	/* rank of the PU among its core's */
};

static int cmp_scatter(const void *a, const void *b)
{
	const struct pu_key *x = a, *y = b;

	if (x->pu_in_core != y->pu_in_core)
		return x->pu_in_core < y->pu_in_core ? -1 : 1;
	if (x->core_in_pkg != y->core_in_pkg)
		return x->core_in_pkg < y->core_in_pkg ? -1 : 1;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return x->logical < y->logical ? -1 : x->logical > y->logical;
}

struct topology *topology_open(char *err, size_t errlen)
{
	struct topology *t = calloc(1, sizeof(*t));
	struct pu_key *k = NULL;
	int n;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (hwloc_topology_init(&t->topo) < 0) {
		snprintf(err, errlen, "hwloc_topology_init: %s", strerror(errno));
		free(t);
		return NULL;
	}
	if (hwloc_topology_load(t->topo) < 0) {
		snprintf(err, errlen, "hwloc_topology_load: %s", strerror(errno));
		hwloc_topology_destroy(t->topo);
		free(t);
		return NULL;
	}
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
	if (n <= 0) {
		snprintf(err, errlen, "hwloc found no processing unit");
		topology_close(t);
		return NULL;
	}
	t->npus = (unsigned)n;
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_CORE);
	t->ncores = n > 0 ? (unsigned)n : t->npus;
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
	t->npackages = n > 0 ? (unsigned)n : 1;
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
	t->nnodes = n > 0 ? (unsigned)n : 1;

	t->compact = calloc(t->npus, sizeof(int));
	t->scatter = calloc(t->npus, sizeof(int));
	k = calloc(t->npus, sizeof(*k));
	if (!t->compact || !t->scatter || !k) {
		snprintf(err, errlen, "out of memory");
		free(k);
		topology_close(t);
		return NULL;
	}
	for (unsigned i = 0; i < t->npus; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, i);
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->topo,
							HWLOC_OBJ_CORE, pu);
		hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t->topo,
							HWLOC_OBJ_PACKAGE, pu);

		k[i].cpu = (int)pu->os_index;
		k[i].logical = i;
		k[i].pkg = pkg ? pkg->logical_index : 0;
		/* Ranks by counting (n is small): earlier PUs of the same core,
		 * earlier cores of the same package.  Without core objects
		 * every PU is its own core. */
		if (core) {
			for (unsigned j = 0; j < core->logical_index; j++) {
				hwloc_obj_t cj = hwloc_get_obj_by_type(t->topo,
							HWLOC_OBJ_CORE, j);

				if (hwloc_get_ancestor_obj_by_type(t->topo,
						HWLOC_OBJ_PACKAGE, cj) == pkg)
					k[i].core_in_pkg++;
			}
			for (unsigned j = 0; j < i; j++) {
				hwloc_obj_t pj = hwloc_get_obj_by_type(t->topo,
							HWLOC_OBJ_PU, j);

				if (hwloc_get_ancestor_obj_by_type(t->topo,
						HWLOC_OBJ_CORE, pj) == core)
					k[i].pu_in_core++;
			}
		} else {
			for (unsigned j = 0; j < i; j++) {
				hwloc_obj_t pj = hwloc_get_obj_by_type(t->topo,
							HWLOC_OBJ_PU, j);

				if (hwloc_get_ancestor_obj_by_type(t->topo,
						HWLOC_OBJ_PACKAGE, pj) == pkg)
					k[i].core_in_pkg++;
			}
		}
		t->compact[i] = k[i].cpu;
	}
	qsort(k, t->npus, sizeof(*k), cmp_scatter);
	for (unsigned i = 0; i < t->npus; i++)
		t->scatter[i] = k[i].cpu;
	free(k);
	return t;
}

void topology_close(struct topology *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->topo);
	free(t->compact);
	free(t->scatter);
	free(t);
}

unsigned topology_npus(const struct topology *t) { return t->npus; }
unsigned topology_ncores(const struct topology *t) { return t->ncores; }
unsigned topology_npackages(const struct topology *t) { return t->npackages; }
unsigned topology_nnodes(const struct topology *t) { return t->nnodes; }

bool topology_has_cpu(const struct topology *t, int cpu)
{
	for (unsigned i = 0; i < t->npus; i++)
		if (t->compact[i] == cpu)
			return true;
	return false;
}

const int *topology_order(const struct topology *t, enum place_policy p)
{
	return p == PLACE_SCATTER ? t->scatter : t->compact;
}

static json_object *int_array(const int *v, unsigned n)
{
	json_object *a = json_object_new_array();
	int err = 0;

	for (unsigned i = 0; i < n; i++)
		err |= jpush_int(a, v[i]);
	return jdone(a, err);
}

json_object *topology_json(const struct topology *t)
{
	json_object *o = json_object_new_object();
	json_object *nodes = json_object_new_array();
	int nn = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
	int err = 0;

	err |= jadd_int(o, "packages", (int)t->npackages);
	err |= jadd_int(o, "numa_nodes", (int)t->nnodes);
	err |= jadd_int(o, "cores", (int)t->ncores);
	err |= jadd_int(o, "pus", (int)t->npus);
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, i);
		json_object *no = json_object_new_object();
		json_object *cpus = json_object_new_array();
		char list[1024] = "";
		unsigned id;

		hwloc_bitmap_foreach_begin(id, node->cpuset)
			err |= jpush_int(cpus, (int)id);
		hwloc_bitmap_foreach_end();
		hwloc_bitmap_list_snprintf(list, sizeof(list), node->cpuset);
		err |= jadd_int(no, "node", (int)node->os_index);
		err |= jadd(no, "cpus", cpus);
		err |= jadd_str(no, "cpulist", list);
		err |= jpush(nodes, no);
	}
	err |= jadd(o, "nodes", nodes);
	err |= jadd(o, "compact", int_array(t->compact, t->npus));
	err |= jadd(o, "scatter", int_array(t->scatter, t->npus));
	return jdone(o, err);
}

/* A decimal cpu number at *p (no sign, no blanks), advancing *p; dies when
 * there is none or it is above 65535. */
static int cpu_number(const char *opt, const char *arg, const char **p,
		      const char *what)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		opt_die(opt, "'%.64s' is not a cpu list (expected e.g. 0,2-3): bad %s at '%.16s'",
			arg, what, *p);
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > 65535)
			opt_die(opt, "'%.64s': cpu number too large", arg);
		s++;
	}
	*p = s;
	return (int)v;
}

unsigned topology_parse_cpulist(const char *opt, const char *arg, int **cpus)
{
	char buf[1024], *tok[256];
	unsigned nt, n = 0, cap = 16;
	uint8_t seen[65536 / 8] = { 0 };	/* cpu_number() caps at 65535 */
	int *v;

	if (!arg || !*arg)
		opt_die(opt, "empty cpu list (expected e.g. 0,2-3)");
	nt = opt_list(opt, arg, buf, sizeof(buf), tok, 256);
	v = malloc(cap * sizeof(*v));
	if (!v)
		opt_die(opt, "out of memory");
	for (unsigned t = 0; t < nt; t++) {
		const char *p = tok[t];
		int lo, hi;

		lo = hi = cpu_number(opt, arg, &p, "element");
		if (*p == '-') {
			p++;
			hi = cpu_number(opt, arg, &p, "range end");
			if (hi < lo)
				opt_die(opt, "'%.64s': range %d-%d is reversed", arg, lo, hi);
		}
		if (*p)
			opt_die(opt, "'%.64s' is not a cpu list (expected e.g. 0,2-3): unexpected '%c'",
				arg, *p);
		for (int c = lo; c <= hi; c++) {
			if (seen[c / 8] & (1u << (c % 8))) {
				char item[16];

				snprintf(item, sizeof(item), "%d", c);
				opt_list_twice(opt, item);
			}
			seen[c / 8] |= (uint8_t)(1u << (c % 8));
			if (n == cap) {
				int *nv;

				cap *= 2;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					opt_die(opt, "out of memory");
				v = nv;
			}
			v[n++] = c;
		}
	}
	*cpus = v;
	return n;
}

void placement_parse(const struct topology *t, const char *opt,
		     const char *arg, struct placement *pl)
{
	*pl = (struct placement){ .node = -1 };
	snprintf(pl->text, sizeof(pl->text), "%s", arg ? arg : "");
	if (arg && !strcmp(arg, "compact")) {
		pl->policy = PLACE_COMPACT;
	} else if (arg && !strcmp(arg, "scatter")) {
		pl->policy = PLACE_SCATTER;
	} else if (arg && !strcmp(arg, "local")) {
		pl->policy = PLACE_LOCAL;
	} else if (arg && !strcmp(arg, "remote")) {
		pl->policy = PLACE_REMOTE;
	} else {
		pl->policy = PLACE_LIST;
		pl->n = topology_parse_cpulist(opt, arg, &pl->cpus);
		for (unsigned i = 0; i < pl->n; i++)
			if (!topology_has_cpu(t, pl->cpus[i])) {
				char list[256];
				size_t o = 0;

				for (unsigned j = 0; j < t->npus && o < sizeof(list) - 8; j++)
					o += snprintf(list + o, sizeof(list) - o, "%s%d",
						      j ? "," : "", t->compact[j]);
				opt_die(opt, "cpu %d is not available on this machine (usable cpus: %s)",
					pl->cpus[i], list);
			}
	}
}

int topology_numa_cpus(const struct topology *t, int node, bool remote,
		       int **cpus, char *err, size_t errlen)
{
	int nn = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
	hwloc_bitmap_t set;
	hwloc_obj_t self = NULL;
	int n = 0;

	for (int i = 0; i < nn; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, i);

		if ((int)o->os_index == node)
			self = o;
	}
	if (remote && nn <= 1) {
		snprintf(err, errlen, "there is no remote NUMA node: this machine has a single node (node %d)",
			 nn == 1 ? (int)hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, 0)->os_index : 0);
		return -1;
	}
	if (node < 0) {
		snprintf(err, errlen, "the NUMA node of the target is unknown");
		return -1;
	}
	if (!self) {
		snprintf(err, errlen, "NUMA node %d does not exist on this machine (%d node%s)",
			 node, nn, nn == 1 ? "" : "s");
		return -1;
	}
	set = hwloc_bitmap_alloc();
	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (remote) {
		for (int i = 0; i < nn; i++) {
			hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, i);

			if (o != self)
				hwloc_bitmap_or(set, set, o->cpuset);
		}
		hwloc_bitmap_andnot(set, set, self->cpuset);
	} else {
		hwloc_bitmap_copy(set, self->cpuset);
	}
	*cpus = calloc(t->npus, sizeof(int));
	if (!*cpus) {
		hwloc_bitmap_free(set);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < t->npus; i++)
		if (hwloc_bitmap_isset(set, (unsigned)t->compact[i]))
			(*cpus)[n++] = t->compact[i];
	hwloc_bitmap_free(set);
	if (n == 0) {
		free(*cpus);
		*cpus = NULL;
		snprintf(err, errlen, remote ?
			 "no cpu is remote to NUMA node %d: the other nodes have no cpus" :
			 "NUMA node %d has no cpus (a memory-only node)", node);
		return -1;
	}
	return n;
}

int placement_resolve_numa(const struct topology *t, struct placement *pl,
			   int node, char *err, size_t errlen)
{
	bool remote = pl->policy == PLACE_REMOTE;
	int n;

	if (pl->policy != PLACE_LOCAL && pl->policy != PLACE_REMOTE)
		return 0;
	n = topology_numa_cpus(t, node, remote, &pl->cpus, err, errlen);
	if (n < 0)
		return -1;
	pl->n = (unsigned)n;
	pl->node = node;
	snprintf(pl->text, sizeof(pl->text), "%s (node %d)",
		 remote ? "remote" : "local", node);
	return 0;
}

void placement_free(struct placement *pl)
{
	free(pl->cpus);
	pl->cpus = NULL;
	pl->n = 0;
}

int placement_cpu(const struct topology *t, const struct placement *pl,
		  unsigned i)
{
	switch (pl->policy) {
	case PLACE_COMPACT:
		return t->compact[i % t->npus];
	case PLACE_SCATTER:
		return t->scatter[i % t->npus];
	default:
		/* lists, and local/remote once resolved */
		if (!pl->n)
			abort();	/* local/remote used unresolved */
		return pl->cpus[i % pl->n];
	}
}

int topology_bind_thread(const struct topology *t, int cpu)
{
	hwloc_obj_t pu;

	if (cpu < 0) {
		errno = EINVAL;
		return -1;
	}
	pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)cpu);
	if (!pu) {
		errno = EINVAL;
		return -1;
	}
	return hwloc_set_cpubind(t->topo, pu->cpuset, HWLOC_CPUBIND_THREAD) < 0 ? -1 : 0;
}

static int read_node(const char *path)
{
	FILE *f = fopen(path, "r");
	int node;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &node) != 1)
		node = -1;
	fclose(f);
	return node < 0 ? -1 : node;
}

static bool plain_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

int topology_blockdev_numa(const char *name)
{
	char path[PATH_MAX], real[PATH_MAX];
	int node;

	if (!plain_name(name))
		return -1;
	snprintf(path, sizeof(path), "/sys/class/block/%s/device/numa_node", name);
	node = read_node(path);
	if (node >= 0)
		return node;
	/* A partition: its disk is the parent directory. */
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	if (!realpath(path, real))
		return -1;
	snprintf(path, sizeof(path), "%.*s/../device/numa_node",
		 (int)(sizeof(path) - 32), real);
	return read_node(path);
}

int topology_daxdev_numa(const char *name)
{
	char path[PATH_MAX];

	if (!plain_name(name))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/numa_node", name);
	return read_node(path);
}

// SPDX-License-Identifier: GPL-2.0
/* The libndctl view of the namespace behind a pmem block device. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>

#include "env.h"
#include "json_build.h"

static void ndctl_quiet(struct ndctl_ctx *ctx, int prio, const char *file,
			int line, const char *fn, const char *fmt, va_list ap)
{
	(void)ctx; (void)prio; (void)file; (void)line; (void)fn; (void)fmt;
	(void)ap;
}

static void daxctl_quiet(struct daxctl_ctx *ctx, int prio, const char *file,
			 int line, const char *fn, const char *fmt, va_list ap)
{
	(void)ctx; (void)prio; (void)file; (void)line; (void)fn; (void)fmt;
	(void)ap;
}

/* Any nvdimm bus at all?  Spares the libndctl set-up on machines without. */
static bool have_nd_bus(void)
{
	DIR *d = opendir("/sys/bus/nd/devices");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "ndbus", 5);
	closedir(d);
	return found;
}

/* "pmem0p1" -> "pmem0": a partition's whole disk, else name itself. */
static void whole_disk(const char *name, char *out, size_t n)
{
	char path[PATH_MAX], real[PATH_MAX], *b;

	snprintf(out, n, "%s", name);
	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
	if (access(path, F_OK) != 0)
		return;
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	if (!realpath(path, real))
		return;
	b = strrchr(real, '/');
	if (!b)
		return;
	*b = '\0';
	b = strrchr(real, '/');
	if (b && b[1])
		snprintf(out, n, "%s", b + 1);
}

static const char *mode_name(enum ndctl_namespace_mode m)
{
	switch (m) {
	case NDCTL_NS_MODE_FSDAX:
		return "fsdax";
	case NDCTL_NS_MODE_SECTOR:
		return "sector";
	case NDCTL_NS_MODE_RAW:
		return "raw";
	case NDCTL_NS_MODE_DEVDAX:
		return "devdax";
	default:
		return "unknown";
	}
}

static const char *domain_name(enum ndctl_persistence_domain d)
{
	switch (d) {
	case PERSISTENCE_CPU_CACHE:
		return "cpu_cache";
	case PERSISTENCE_MEM_CTRL:
		return "memory_controller";
	case PERSISTENCE_NONE:
		return "none";
	default:
		return NULL;
	}
}

/*
 * The region's size, physical start and persistence domain, as the kernel
 * reports them (ndctl list -R): "cpu_cache" is a platform whose caches are
 * flushed on power loss (eADR), so stores need no flush; "memory_controller"
 * (ADR) needs the cache lines flushed; "none" or null (unknown: e820 and
 * many emulated regions say nothing) are treated as needing the flush, as
 * libpmem does.
 */
static int region_facts(json_object *o, struct ndctl_region *region)
{
	unsigned long long size = region ? ndctl_region_get_size(region) : 0;
	unsigned long long res = region ? ndctl_region_get_resource(region) : ULLONG_MAX;
	const char *dom = region ?
		domain_name(ndctl_region_get_persistence_domain(region)) : NULL;
	char hex[32];
	int err = 0;

	err |= size && size != ULLONG_MAX ? jadd_i64(o, "region_size", (int64_t)size) :
	       jadd_null(o, "region_size");
	snprintf(hex, sizeof(hex), "0x%llx", res);
	err |= jadd_str(o, "region_resource", res != ULLONG_MAX ? hex : NULL);
	err |= jadd_str(o, "persistence_domain", dom);
	err |= jadd_bool(o, "flush_needed", !dom || strcmp(dom, "cpu_cache"));
	return err;
}

static json_object *describe(struct ndctl_namespace *ndns,
			     struct ndctl_pfn *pfn, struct ndctl_btt *btt,
			     struct ndctl_dax *dax)
{
	json_object *o = json_object_new_object();
	enum ndctl_namespace_mode mode = ndctl_namespace_get_mode(ndns);
	struct ndctl_region *region = ndctl_namespace_get_region(ndns);
	struct ndctl_bus *bus = ndctl_namespace_get_bus(ndns);
	unsigned long long size = 0;
	unsigned long align = 0;
	int node = ndctl_namespace_get_numa_node(ndns);
	const char *prov = bus ? ndctl_bus_get_provider(bus) : NULL;
	uuid_t uu;
	char ustr[40];
	bool zero = true;
	size_t i;
	int err = 0;

	/* The claiming device decides the usable size, as ndctl list does. */
	if (pfn) {
		size = ndctl_pfn_get_size(pfn);
		align = ndctl_pfn_get_align(pfn);
	} else if (dax) {
		size = ndctl_dax_get_size(dax);
		align = ndctl_dax_get_align(dax);
	} else if (btt) {
		size = ndctl_btt_get_size(btt);
	} else {
		size = ndctl_namespace_get_size(ndns);
	}
	err |= jadd_str(o, "dev", ndctl_namespace_get_devname(ndns));
	err |= jadd_str(o, "mode", mode_name(mode));
	err |= size && size != ULLONG_MAX ?
	       jadd_i64(o, "size", (int64_t)size) : jadd_null(o, "size");
	err |= (mode == NDCTL_NS_MODE_FSDAX || mode == NDCTL_NS_MODE_DEVDAX) &&
	       align && align != ULONG_MAX ?
	       jadd_i64(o, "align", (int64_t)align) : jadd_null(o, "align");
	err |= node >= 0 ? jadd_int(o, "numa_node", node) :
	       jadd_null(o, "numa_node");
	err |= jadd_str(o, "region", region ? ndctl_region_get_devname(region) :
			NULL);
	err |= jadd_str(o, "bus_provider", prov && *prov ? prov : NULL);
	err |= region_facts(o, region);

	memset(uu, 0, sizeof(uu));
	ndctl_namespace_get_uuid(ndns, uu);
	for (i = 0; i < sizeof(uu); i++)
		zero = zero && !uu[i];
	if (!zero) {
		snprintf(ustr, sizeof(ustr),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x",
			 uu[0], uu[1], uu[2], uu[3], uu[4], uu[5], uu[6], uu[7],
			 uu[8], uu[9], uu[10], uu[11], uu[12], uu[13], uu[14],
			 uu[15]);
		err |= jadd_str(o, "uuid", ustr);
	} else {
		err |= jadd_null(o, "uuid");
	}
	return jdone(o, err);
}

/* Does this namespace own the device-dax instance named daxdev ("dax0.0")? */
static bool owns_daxdev(struct ndctl_dax *dax, const char *daxdev)
{
	struct daxctl_region *dr = dax ? ndctl_dax_get_daxctl_region(dax) : NULL;
	struct daxctl_dev *dev;

	if (!dr)
		return false;
	daxctl_dev_foreach(dr, dev)
		if (!strcmp(daxctl_dev_get_devname(dev), daxdev))
			return true;
	return false;
}

/* The namespace behind block device disk, or (disk NULL) behind the
 * device-dax instance daxdev, described; NULL when none is. */
static json_object *find_namespace(const char *disk, const char *daxdev)
{
	struct ndctl_ctx *ctx;
	struct ndctl_bus *bus;
	struct ndctl_region *region;
	struct ndctl_namespace *ndns;
	json_object *ret = NULL;

	if (!have_nd_bus())
		return NULL;
	if (ndctl_new(&ctx) < 0)
		return NULL;
	if (!getenv("DAXBENCH_DEBUG")) {
		struct daxctl_ctx *dctx = ndctl_get_daxctl_ctx(ctx);

		ndctl_set_log_fn(ctx, ndctl_quiet);
		ndctl_set_log_priority(ctx, LOG_EMERG);
		if (dctx) {
			daxctl_set_log_fn(dctx, daxctl_quiet);
			daxctl_set_log_priority(dctx, LOG_EMERG);
		}
	} else {
		ndctl_set_log_priority(ctx, LOG_DEBUG);
	}

	ndctl_bus_foreach(ctx, bus) {
		ndctl_region_foreach(bus, region) {
			ndctl_namespace_foreach(region, ndns) {
				struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
				struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
				struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
				const char *bdev;

				if (!disk) {
					if (!owns_daxdev(dax, daxdev))
						continue;
				} else {
					if (btt)
						bdev = ndctl_btt_get_block_device(btt);
					else if (pfn)
						bdev = ndctl_pfn_get_block_device(pfn);
					else
						bdev = ndctl_namespace_get_block_device(ndns);
					if ((!bdev || strcmp(bdev, disk)) &&
					    strcmp(ndctl_namespace_get_devname(ndns), disk))
						continue;
				}
				ret = describe(ndns, pfn, btt, dax);
				goto out;
			}
		}
	}
out:
	ndctl_unref(ctx);
	return ret;
}

json_object *env_ndctl_namespace(const char *blockdev)
{
	char disk[64];

	if (!blockdev || !*blockdev)
		return NULL;
	whole_disk(blockdev, disk, sizeof(disk));
	return find_namespace(disk, NULL);
}

json_object *env_ndctl_namespace_daxdev(const char *daxdev)
{
	if (!daxdev || !*daxdev)
		return NULL;
	return find_namespace(NULL, daxdev);
}

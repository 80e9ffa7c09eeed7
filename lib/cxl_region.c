// SPDX-License-Identifier: GPL-2.0
/* The libcxl view of the CXL region behind a libnvdimm region. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cxl/libcxl.h>

#include "env.h"
#include "json_build.h"

static void cxl_quiet(struct cxl_ctx *ctx, int prio, const char *file, int line,
		      const char *fn, const char *fmt, va_list ap)
{
	(void)ctx; (void)prio; (void)file; (void)line; (void)fn; (void)fmt;
	(void)ap;
}

/* Any CXL device at all?  Spares the libcxl set-up on machines without. */
static bool have_cxl_bus(void)
{
	DIR *d = opendir("/sys/bus/cxl/devices");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "root", 4);
	closedir(d);
	return found;
}

/* The region, its root decoder, its interleave and each memdev it maps. */
static json_object *describe(struct cxl_region *region)
{
	json_object *o = json_object_new_object();
	json_object *mems = json_object_new_array();
	struct cxl_decoder *root = cxl_region_get_decoder(region);
	struct cxl_memdev_mapping *m;
	struct cxl_decoder *d0;
	char hex[32];
	int err = 0;

	snprintf(hex, sizeof(hex), "0x%llx", cxl_region_get_resource(region));
	err |= jadd_str(o, "region", cxl_region_get_devname(region));
	err |= jadd_str(o, "root_decoder", root ? cxl_decoder_get_devname(root) : NULL);
	/* the mode is the endpoint decoders' (a root decoder has none) */
	m = cxl_mapping_get_first(region);
	d0 = m ? cxl_mapping_get_decoder(m) : NULL;
	err |= jadd_str(o, "mode", d0 ?
			cxl_decoder_mode_name(cxl_decoder_get_mode(d0)) : NULL);
	err |= jadd_i64(o, "size", (int64_t)cxl_region_get_size(region));
	err |= jadd_str(o, "resource", hex);
	err |= jadd_int(o, "interleave_ways", (int)cxl_region_get_interleave_ways(region));
	err |= jadd_int(o, "interleave_granularity",
			(int)cxl_region_get_interleave_granularity(region));
	err |= jadd_bool(o, "committed", cxl_region_decode_is_committed(region) == 1);
	err |= jadd_bool(o, "enabled", cxl_region_is_enabled(region) == 1);
	cxl_mapping_foreach(region, m) {
		struct cxl_decoder *d = cxl_mapping_get_decoder(m);
		struct cxl_memdev *md = d ? cxl_decoder_get_memdev(d) : NULL;
		json_object *e = json_object_new_object();

		err |= jadd_int(e, "position", (int)cxl_mapping_get_position(m));
		err |= jadd_str(e, "decoder", d ? cxl_decoder_get_devname(d) : NULL);
		err |= jadd_str(e, "memdev", md ? cxl_memdev_get_devname(md) : NULL);
		err |= jadd_str(e, "host", md ? cxl_memdev_get_host(md) : NULL);
		err |= md ? jadd_i64(e, "serial", (int64_t)cxl_memdev_get_serial(md)) :
		       jadd_null(e, "serial");
		err |= md ? jadd_i64(e, "pmem_size", (int64_t)cxl_memdev_get_pmem_size(md)) :
		       jadd_null(e, "pmem_size");
		err |= md && cxl_memdev_get_numa_node(md) >= 0 ?
		       jadd_int(e, "numa_node", cxl_memdev_get_numa_node(md)) :
		       jadd_null(e, "numa_node");
		err |= jpush(mems, e);
	}
	err |= jadd(o, "memdevs", mems);
	return jdone(o, err);
}

json_object *env_cxl_region(unsigned long long start, unsigned long long size)
{
	struct cxl_ctx *ctx;
	struct cxl_bus *bus;
	json_object *ret = NULL;

	if (!size || !have_cxl_bus() || cxl_new(&ctx) < 0)
		return NULL;
	if (!getenv("DAXBENCH_DEBUG")) {
		cxl_set_log_fn(ctx, cxl_quiet);
		cxl_set_log_priority(ctx, LOG_EMERG);
	}
	cxl_bus_foreach(ctx, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *dec;

		cxl_decoder_foreach(port, dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r) {
				unsigned long long rs = cxl_region_get_resource(r);
				unsigned long long rz = cxl_region_get_size(r);

				if (rs == ULLONG_MAX || !rz || start < rs ||
				    start + size > rs + rz)
					continue;
				ret = describe(r);
				goto out;
			}
		}
	}
out:
	cxl_unref(ctx);
	return ret;
}

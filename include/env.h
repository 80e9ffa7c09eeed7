/* SPDX-License-Identifier: GPL-2.0 */
/* Environment capture: everything a result needs to be interpreted later. */
#ifndef DAXBENCH_ENV_H
#define DAXBENCH_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

enum pmem_kind {
	PMEM_NONE,	/* not on a pmem device */
	PMEM_E820,	/* legacy memmap=SIZE!OFFSET (nd_e820 bus) */
	PMEM_NVDIMM,	/* ACPI NFIT namespace (real or a QEMU NVDIMM) */
	PMEM_VIRTIO,	/* virtio-pmem */
	PMEM_CXL,	/* a CXL pmem region (libnvdimm bus "CXL", real or QEMU's cxl-type3) */
	PMEM_UNKNOWN,	/* /dev/pmem* we could not place */
};

struct env_target {
	char mountpoint[512];
	char fstype[32];
	char source[256];		/* e.g. /dev/pmem0 */
	char mount_opts[512];		/* per-mount options */
	char super_opts[512];		/* superblock options (dax=always...) */
	unsigned dev_major, dev_minor;
	char blockdev[64];		/* "pmem0", or "" */
	int dax;			/* statx STATX_ATTR_DAX: 1, 0, or -1 unknown */
	enum pmem_kind kind;
	bool emulated;			/* e820, or under a hypervisor */
	int numa_node;			/* of the block device, -1 unknown */
};

const char *pmem_kind_name(enum pmem_kind k);

struct stat;
/* Is the character device st a device-dax instance (its sysfs node in the
 * "dax" subsystem)?  Then its name ("dax0.0", at most len - 1 bytes) is
 * copied to name. */
bool env_is_devdax(const struct stat *st, char *name, size_t len);

/* Fill t for the file system holding dir; fd (or -1) is a file on it whose
 * DAX state is asked with statx.  Returns 0 or -1 with errno. */
int env_target(const char *dir, int fd, struct env_target *t);

/* Full environment: {"kernel": {release, version, cmdline}, "host",
 * "cpu": {model, ncpus, clwb, clflushopt, clflush, hypervisor, avx512f}
 *        (the flush instructions and avx512f by CPUID, cpu_flush.h),
 * "target": {...env_target..., dax_mount_option},
 * "pmem": {kind, emulated, numa_node, "namespace": {libndctl view, see
 *          env_ndctl_namespace} or null, "cxl_region": {libcxl view, see
 *          env_cxl_region} or null (kind cxl only)}}.
 * Never fails: unknown values are null. */
json_object *env_capture(const char *dir, int fd);

/* The environment of a device-dax instance (daxdev "dax0.0"): as
 * env_capture, with "target": {devdax, path, size, align, numa_node} from
 * libdaxctl in place of the file system.  Never fails. */
json_object *env_capture_devdax(const char *daxdev);

/* The libndctl description of the namespace behind block device name (e.g.
 * "pmem0"), or NULL when there is none: dev, mode, size, align, numa_node,
 * region, bus_provider, region_size, region_resource ("0x..."),
 * persistence_domain (cpu_cache, memory_controller, none or null) and
 * flush_needed (false only for cpu_cache), uuid. */
json_object *env_ndctl_namespace(const char *blockdev);

/* The same for the namespace that owns device-dax instance daxdev. */
json_object *env_ndctl_namespace_daxdev(const char *daxdev);

/* The libcxl description of the CXL region holding the physical range
 * [start, start + size) (a libnvdimm region on the CXL bus), or NULL:
 * region, root_decoder, mode, size, resource, interleave_ways,
 * interleave_granularity, committed, enabled, memdevs [{position, decoder,
 * memdev, host, serial, pmem_size, numa_node}]. */
json_object *env_cxl_region(unsigned long long start, unsigned long long size);

#endif

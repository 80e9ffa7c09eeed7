/* SPDX-License-Identifier: GPL-2.0 */
/* Environment capture: everything a result needs to be interpreted later. */
#ifndef DAXBENCH_ENV_H
#define DAXBENCH_ENV_H

#include <stdbool.h>
#include <json-c/json.h>

enum pmem_kind {
	PMEM_NONE,	/* not on a pmem device */
	PMEM_E820,	/* legacy memmap=SIZE!OFFSET (nd_e820 bus) */
	PMEM_NVDIMM,	/* ACPI NFIT namespace (real or a QEMU NVDIMM) */
	PMEM_VIRTIO,	/* virtio-pmem */
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

/* Fill t for the file system holding dir; fd (or -1) is a file on it whose
 * DAX state is asked with statx.  Returns 0 or -1 with errno. */
int env_target(const char *dir, int fd, struct env_target *t);

/* Full environment: {"kernel": {release, version, cmdline}, "host",
 * "cpu": {model, ncpus, clwb, clflushopt, clflush, hypervisor, avx512f}
 *        (the flush instructions and avx512f by CPUID, cpu_flush.h),
 * "target": {...env_target..., dax_mount_option},
 * "pmem": {kind, emulated, numa_node, "namespace": {libndctl view: dev,
 *          mode, size, align, numa_node, region, bus provider} or null}}.
 * Never fails: unknown values are null. */
json_object *env_capture(const char *dir, int fd);

/* The libndctl description of the namespace behind block device name (e.g.
 * "pmem0"), or NULL when there is none. */
json_object *env_ndctl_namespace(const char *blockdev);

#endif

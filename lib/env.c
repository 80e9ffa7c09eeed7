// SPDX-License-Identifier: GPL-2.0
/* Environment capture: kernel, cpu, the target file system and its pmem. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cpu_flush.h"
#include "env.h"
#include "json_build.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

const char *pmem_kind_name(enum pmem_kind k)
{
	switch (k) {
	case PMEM_NONE:
		return "none";
	case PMEM_E820:
		return "e820";
	case PMEM_NVDIMM:
		return "nvdimm";
	case PMEM_VIRTIO:
		return "virtio";
	case PMEM_CXL:
		return "cxl";
	case PMEM_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

/* Copy src into dst (size n), truncating; always NUL-terminated. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Decode the octal escapes (\040 space, \011, \012, \134) of mountinfo in
 * place. */
static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* Is mountpoint mp a path-component prefix of path p? */
static size_t mount_prefix(const char *mp, const char *p)
{
	size_t n = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return 1;
	if (strncmp(mp, p, n) != 0)
		return 0;
	return (p[n] == '\0' || p[n] == '/') ? n : 0;
}

/* Read a small file into buf, trailing newline stripped; -1 on error. */
static int read_small(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t len;

	if (!f)
		return -1;
	len = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return 0;
}

/* Does the comma-separated list opts hold a DAX option (dax, dax=always,
 * dax=inode)? */
static bool opts_say_dax(const char *opts)
{
	const char *p = opts;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if ((n == 3 && !strncmp(p, "dax", 3)) ||
		    (n == 10 && !strncmp(p, "dax=always", 10)) ||
		    (n == 9 && !strncmp(p, "dax=inode", 9)))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool cpu_has_flag(const char *flag);

/* The pmem kind libndctl's namespace description ns says (its bus). */
static void classify_namespace(json_object *ns, struct env_target *t)
{
	json_object *prov;

	if (!ns || !json_object_object_get_ex(ns, "bus_provider", &prov) ||
	    !json_object_is_type(prov, json_type_string))
		return;
	const char *p = json_object_get_string(prov);

	if (!strcmp(p, "e820")) {
		t->kind = PMEM_E820;
		t->emulated = true;
	} else if (!strcmp(p, "ACPI.NFIT")) {
		t->kind = PMEM_NVDIMM;
		t->emulated = cpu_has_flag("hypervisor");
	} else if (!strncasecmp(p, "cxl", 3)) {
		t->kind = PMEM_CXL;
		t->emulated = cpu_has_flag("hypervisor");
	} else if (strstr(p, "virtio")) {
		t->kind = PMEM_VIRTIO;
		t->emulated = true;
	}
}

/*
 * The pmem kind and NUMA node of disk (a whole-disk sysfs name).  The
 * namespace view comes from libndctl (lib/pmem_namespace.c).
 */
static void classify_pmem(const char *disk, struct env_target *t)
{
	char path[PATH_MAX], real[PATH_MAX], buf[32];
	json_object *ns;

	t->kind = PMEM_NONE;
	t->emulated = false;
	t->numa_node = -1;
	if (!disk[0])
		return;
	snprintf(path, sizeof(path), "/sys/block/%s/device/numa_node", disk);
	if (read_small(path, buf, sizeof(buf)) == 0 && buf[0])
		t->numa_node = atoi(buf);
	if (strncmp(disk, "pmem", 4) != 0)
		return;

	snprintf(path, sizeof(path), "/sys/block/%s/device", disk);
	if (realpath(path, real) && strstr(real, "virtio")) {
		t->kind = PMEM_VIRTIO;
		t->emulated = true;
		return;
	}
	t->kind = PMEM_UNKNOWN;
	ns = env_ndctl_namespace(disk);
	classify_namespace(ns, t);
	json_object_put(ns);
}

/* Fill blockdev from /sys/dev/block/M:m; disk gets the whole-disk name
 * (the parent for a partition). */
static void find_blockdev(struct env_target *t, char *disk, size_t n)
{
	char path[128], real[PATH_MAX], *b;

	t->blockdev[0] = '\0';
	disk[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", t->dev_major,
		 t->dev_minor);
	if (!realpath(path, real))
		return;
	b = strrchr(real, '/');
	if (!b || !b[1])
		return;
	copy_str(t->blockdev, sizeof(t->blockdev), b + 1);
	copy_str(disk, n, b + 1);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition",
		 t->dev_major, t->dev_minor);
	if (access(path, F_OK) == 0) {
		*b = '\0';
		b = strrchr(real, '/');
		if (b && b[1])
			copy_str(disk, n, b + 1);
	}
}

/* statx DAX state of fd: 1, 0, or -1 when unknown. */
static int fd_dax(int fd)
{
	struct statx stx;

	if (fd < 0)
		return -1;
	memset(&stx, 0, sizeof(stx));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
		return -1;
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX))
		return -1;
	return (stx.stx_attributes & STATX_ATTR_DAX) ? 1 : 0;
}

int env_target(const char *dir, int fd, struct env_target *t)
{
	char real[PATH_MAX], disk[64];
	char *line = NULL;
	size_t cap = 0, best = 0;
	bool found = false;
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->dax = -1;
	t->numa_node = -1;
	if (!dir) {
		errno = EINVAL;
		return -1;
	}
	if (!realpath(dir, real))
		return -1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	/* ID PARENT M:m ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	while (getline(&line, &cap, f) > 0) {
		char *fld[6], *sep, *save = NULL, *fs, *src, *sup, *tok;
		unsigned ma, mi;
		size_t len;
		int i;

		line[strcspn(line, "\n")] = '\0';
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		tok = strtok_r(line, " ", &save);
		for (i = 0; i < 6 && tok; i++) {
			fld[i] = tok;
			tok = strtok_r(NULL, " ", &save);
		}
		if (i < 6 || sscanf(fld[2], "%u:%u", &ma, &mi) != 2)
			continue;
		save = NULL;
		fs = strtok_r(sep + 3, " ", &save);
		src = strtok_r(NULL, " ", &save);
		sup = strtok_r(NULL, " ", &save);
		if (!fs)
			continue;
		unescape(fld[4]);
		len = mount_prefix(fld[4], real);
		/* ">=": of mounts stacked on one point, the last one is seen. */
		if (!len || len < best)
			continue;
		best = len;
		found = true;
		copy_str(t->mountpoint, sizeof(t->mountpoint), fld[4]);
		copy_str(t->mount_opts, sizeof(t->mount_opts), fld[5]);
		unescape(fs);
		copy_str(t->fstype, sizeof(t->fstype), fs);
		if (src)
			unescape(src);
		copy_str(t->source, sizeof(t->source), src ? src : "");
		copy_str(t->super_opts, sizeof(t->super_opts), sup ? sup : "");
		t->dev_major = ma;
		t->dev_minor = mi;
	}
	free(line);
	fclose(f);
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	find_blockdev(t, disk, sizeof(disk));
	classify_pmem(disk, t);
	t->dax = fd_dax(fd);
	return 0;
}

/* Is this character device a device-dax instance?  Its sysfs node belongs
 * to the "dax" subsystem (bus or class). */
bool env_is_devdax(const struct stat *st, char *name, size_t len)
{
	char link[PATH_MAX], real[PATH_MAX], *base;

	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/subsystem",
		 major(st->st_rdev), minor(st->st_rdev));
	if (!realpath(link, real))
		return false;
	base = strrchr(real, '/');
	if (!base || strcmp(base + 1, "dax"))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u",
		 major(st->st_rdev), minor(st->st_rdev));
	if (!realpath(link, real))
		return false;
	base = strrchr(real, '/');
	base = base ? base + 1 : real;
	if (strlen(base) >= len)
		return false;
	memcpy(name, base, strlen(base) + 1);
	return true;
}

/* ---- cpu ---------------------------------------------------------------- */

/* The value of the first "key" line of /proc/cpuinfo, or NULL (caller
 * frees). */
static char *cpuinfo_field(const char *key)
{
	char *line = NULL, *ret = NULL;
	size_t cap = 0, klen = strlen(key);
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *c;

		if (strncmp(line, key, klen) != 0 ||
		    (line[klen] != ' ' && line[klen] != '\t' && line[klen] != ':'))
			continue;
		c = strchr(line, ':');
		if (!c)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		c[strcspn(c, "\n")] = '\0';
		ret = strdup(c);
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

static bool flag_in(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = flags;

	while (p && (p = strstr(p, flag))) {
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static bool cpu_has_flag(const char *flag)
{
	char *flags = cpuinfo_field("flags");
	bool r = flags && flag_in(flags, flag);

	free(flags);
	return r;
}

/* ---- JSON ---------------------------------------------------------------- */

/* s, or NULL (a JSON null) when it is empty. */
static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The file's text, or NULL when it cannot be read. */
static json_object *file_json(const char *path)
{
	char buf[4096];

	if (read_small(path, buf, sizeof(buf)) < 0)
		return NULL;
	return json_object_new_string(buf);
}

static json_object *kernel_json(void)
{
	json_object *o = json_object_new_object();
	struct utsname u;
	bool have = uname(&u) == 0;
	int err = 0;

	err |= jadd_str(o, "release", have ? u.release : NULL);
	err |= jadd_str(o, "version", have ? u.version : NULL);
	err |= jadd_nullable(o, "cmdline", file_json("/proc/cmdline"));
	return jdone(o, err);
}

/* A capability of cpu_flush.h: true, false, or null off x86. */
static json_object *jcap(const struct cpu_flush_caps *c, bool has)
{
	return c->known ? json_object_new_boolean(has) : NULL;
}

/* The model from /proc/cpuinfo, the flush instructions (and avx512f) by
 * CPUID, as daxbench flush reads them; hypervisor from the kernel's
 * flags. */
static json_object *cpu_json(void)
{
	json_object *o = json_object_new_object();
	char *model = cpuinfo_field("model name");
	char *flags = cpuinfo_field("flags");
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	struct cpu_flush_caps c;
	int err = 0;

	cpu_flush_detect(&c);
	err |= jadd_str(o, "model", nonempty(model));
	err |= n > 0 ? jadd_i64(o, "ncpus", n) : jadd_null(o, "ncpus");
	err |= jadd_nullable(o, "clwb", jcap(&c, c.clwb));
	err |= jadd_nullable(o, "clflushopt", jcap(&c, c.clflushopt));
	err |= jadd_nullable(o, "clflush", jcap(&c, c.clflush));
	err |= flags ? jadd_bool(o, "hypervisor", flag_in(flags, "hypervisor")) :
	       jadd_null(o, "hypervisor");
	err |= jadd_nullable(o, "avx512f", jcap(&c, c.avx512f));
	free(model);
	free(flags);
	return jdone(o, err);
}

/* The libcxl view of the CXL region behind namespace ns, or NULL. */
static json_object *cxl_region_of(json_object *ns)
{
	json_object *res, *size;

	if (!ns || !json_object_object_get_ex(ns, "region_resource", &res) ||
	    !json_object_is_type(res, json_type_string) ||
	    !json_object_object_get_ex(ns, "region_size", &size) ||
	    !json_object_is_type(size, json_type_int))
		return NULL;
	return env_cxl_region(strtoull(json_object_get_string(res), NULL, 16),
			      (unsigned long long)json_object_get_int64(size));
}

/* "pmem": kind, emulated, numa_node, the namespace ns (owned) and, on CXL,
 * the region. */
static json_object *pmem_json(bool have, const struct env_target *t, json_object *ns)
{
	json_object *pm = json_object_new_object();
	int err = 0;

	err |= jadd_str(pm, "kind", have ? pmem_kind_name(t->kind) : NULL);
	err |= have ? jadd_bool(pm, "emulated", t->emulated) :
	       jadd_null(pm, "emulated");
	err |= have && t->numa_node >= 0 ? jadd_int(pm, "numa_node", t->numa_node) :
	       jadd_null(pm, "numa_node");
	/* null: no libndctl namespace behind it */
	err |= jadd_nullable(pm, "cxl_region", have && t->kind == PMEM_CXL ?
			     cxl_region_of(ns) : NULL);
	err |= jadd_nullable(pm, "namespace", ns);
	return jdone(pm, err);
}

json_object *env_capture(const char *dir, int fd)
{
	json_object *root = json_object_new_object();
	json_object *tgt = json_object_new_object();
	struct env_target t;
	struct utsname u;
	bool have = env_target(dir, fd, &t) == 0;
	char dev[32];
	int err = 0;

	err |= jadd(root, "kernel", kernel_json());
	err |= jadd_str(root, "host", uname(&u) == 0 ? u.nodename : NULL);
	err |= jadd(root, "cpu", cpu_json());

	snprintf(dev, sizeof(dev), "%u:%u", t.dev_major, t.dev_minor);
	err |= jadd_str(tgt, "mountpoint", have ? nonempty(t.mountpoint) : NULL);
	err |= jadd_str(tgt, "fstype", have ? nonempty(t.fstype) : NULL);
	err |= jadd_str(tgt, "source", have ? nonempty(t.source) : NULL);
	err |= jadd_str(tgt, "mount_options", have ? nonempty(t.mount_opts) : NULL);
	err |= jadd_str(tgt, "super_options", have ? nonempty(t.super_opts) : NULL);
	err |= jadd_str(tgt, "dev", have ? dev : NULL);
	err |= jadd_str(tgt, "blockdev", have ? nonempty(t.blockdev) : NULL);
	err |= have && t.dax >= 0 ? jadd_bool(tgt, "dax", t.dax) :
	       jadd_null(tgt, "dax");
	err |= have ? jadd_bool(tgt, "dax_mount_option",
				opts_say_dax(t.mount_opts) ||
				opts_say_dax(t.super_opts)) :
	       jadd_null(tgt, "dax_mount_option");
	err |= jadd(root, "target", tgt);
	err |= jadd(root, "pmem", pmem_json(have, &t, have && t.blockdev[0] &&
					     t.kind != PMEM_NONE ?
					     env_ndctl_namespace(t.blockdev) : NULL));
	return jdone(root, err);
}

json_object *env_capture_devdax(const char *daxdev)
{
	json_object *root = json_object_new_object();
	json_object *tgt = json_object_new_object();
	json_object *ns = env_ndctl_namespace_daxdev(daxdev);
	struct env_target t = { .kind = PMEM_UNKNOWN, .numa_node = -1, .dax = 1 };
	char path[PATH_MAX], buf[64];
	struct utsname u;
	int err = 0;

	err |= jadd(root, "kernel", kernel_json());
	err |= jadd_str(root, "host", uname(&u) == 0 ? u.nodename : NULL);
	err |= jadd(root, "cpu", cpu_json());

	err |= jadd_str(tgt, "devdax", daxdev);
	snprintf(path, sizeof(path), "/dev/%s", daxdev);
	err |= jadd_str(tgt, "path", path);
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size", daxdev);
	err |= read_small(path, buf, sizeof(buf)) == 0 && buf[0] ?
	       jadd_i64(tgt, "size", strtoll(buf, NULL, 0)) : jadd_null(tgt, "size");
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/align", daxdev);
	err |= read_small(path, buf, sizeof(buf)) == 0 && buf[0] ?
	       jadd_i64(tgt, "align", strtoll(buf, NULL, 0)) : jadd_null(tgt, "align");
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/numa_node", daxdev);
	if (read_small(path, buf, sizeof(buf)) == 0 && buf[0])
		t.numa_node = atoi(buf);
	err |= t.numa_node >= 0 ? jadd_int(tgt, "numa_node", t.numa_node) :
	       jadd_null(tgt, "numa_node");
	err |= jadd_bool(tgt, "dax", true);
	err |= jadd(root, "target", tgt);
	classify_namespace(ns, &t);
	err |= jadd(root, "pmem", pmem_json(true, &t, ns));
	return jdone(root, err);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/env.c and lib/pmem_namespace.c.  They hold on the host
 * (no pmem) and in the emulated-pmem guest: nothing assumes which one.  With
 * DAXBENCH_PMEM_DIR set to a directory on a DAX-mounted pmem file system, the
 * pmem points are checked too (skipped otherwise).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "env.h"
#include "tap.h"

/* statfs f_type -> name, for the file systems we expect to meet. */
static const char *magic_name(long t)
{
	switch ((unsigned long)t) {
	case 0xEF53: return "ext4";	/* ext2/3/4 share it */
	case 0x01021994: return "tmpfs";
	case 0x858458f6: return "ramfs";
	case 0x794c7630: return "overlay";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	default: return NULL;
	}
}

/* Independent check: /proc/mounts through getmntent(3) (which undoes the
 * octal escapes itself), the last entry with the longest matching
 * mountpoint. */
static int mntent_fstype(const char *real, char *out, size_t n)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	size_t best = 0;

	if (!f)
		return -1;
	out[0] = '\0';
	while ((m = getmntent(f))) {
		size_t l = strlen(m->mnt_dir);

		if (strcmp(m->mnt_dir, "/") == 0)
			l = 1;
		else if (strncmp(m->mnt_dir, real, l) != 0 ||
			 (real[l] != '\0' && real[l] != '/'))
			continue;
		if (l >= best) {
			best = l;
			snprintf(out, n, "%s", m->mnt_type);
		}
	}
	endmntent(f);
	return out[0] ? 0 : -1;
}

static bool has(json_object *o, const char *k, json_object **v)
{
	json_object *tmp;

	return json_object_object_get_ex(o, k, v ? v : &tmp);
}

/* Every documented key of env_capture(); returns the number missing. */
static int missing_keys(json_object *root)
{
	static const char *const top[] = { "kernel", "host", "cpu", "target",
					   "pmem" };
	static const char *const kernel[] = { "release", "version", "cmdline" };
	static const char *const cpu[] = { "model", "ncpus", "clwb",
		"clflushopt", "clflush", "hypervisor", "avx512f" };
	static const char *const target[] = { "mountpoint", "fstype", "source",
		"mount_options", "super_options", "dev", "blockdev", "dax",
		"dax_mount_option" };
	static const char *const pmem[] = { "kind", "emulated", "numa_node",
					    "namespace" };
	struct { const char *obj; const char *const *k; size_t n; } g[] = {
		{ NULL, top, 5 }, { "kernel", kernel, 3 }, { "cpu", cpu, 7 },
		{ "target", target, 9 }, { "pmem", pmem, 4 },
	};
	int miss = 0;
	size_t i, j;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		json_object *o = root;

		if (g[i].obj && (!has(root, g[i].obj, &o) ||
				 !json_object_is_type(o, json_type_object))) {
			diag("missing object %s", g[i].obj);
			miss++;
			continue;
		}
		for (j = 0; j < g[i].n; j++)
			if (!has(o, g[i].k[j], NULL)) {
				diag("missing key %s.%s", g[i].obj ? g[i].obj : "",
				     g[i].k[j]);
				miss++;
			}
	}
	return miss;
}

static int missing_ns_keys(json_object *ns)
{
	static const char *const k[] = { "dev", "mode", "size", "align",
		"numa_node", "region", "bus_provider", "uuid" };
	int miss = 0;
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!has(ns, k[i], NULL)) {
			diag("namespace lacks %s", k[i]);
			miss++;
		}
	return miss;
}

/* Run env_ndctl_namespace(name) with stderr sent to a temporary file;
 * *noise is the number of bytes it printed. */
static json_object *ns_quiet(const char *name, long *noise)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	json_object *ns;

	fflush(stderr);
	if (tmp)
		dup2(fileno(tmp), 2);
	ns = env_ndctl_namespace(name);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*noise = tmp ? ftell(tmp) : 0;
	if (tmp) {
		struct stat st;

		if (fstat(fileno(tmp), &st) == 0)
			*noise = st.st_size;
		fclose(tmp);
	}
	return ns;
}

static void test_host_dir(void)
{
	struct env_target t;
	char real[PATH_MAX], path[PATH_MAX + 32], fst[64];
	struct statfs sfs;
	struct stat st;
	const char *want;
	int fd, r;

	memset(&sfs, 0, sizeof(sfs));
	if (!realpath("/tmp", real)) {
		ok(0, "realpath(/tmp): %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/daxbench-env.XXXXXX", real);
	fd = mkstemp(path);
	r = env_target("/tmp", fd, &t);
	is(r, 0, "env_target(/tmp) returns 0%s%s", r ? ": " : "",
	   r ? strerror(errno) : "");

	/* (a) file system type, two independent ways. */
	if (statfs("/tmp", &sfs) == 0 && (want = magic_name(sfs.f_type)))
		ok(!strcmp(t.fstype, want) ||
		   (!strcmp(want, "ext4") && !strncmp(t.fstype, "ext", 3)) ||
		   /* an initramfs root is "rootfs" in mountinfo */
		   (!strcmp(t.fstype, "rootfs") &&
		    (!strcmp(want, "tmpfs") || !strcmp(want, "ramfs"))),
		   "fstype %s matches statfs magic (%s)", t.fstype, want);
	else
		skip("statfs magic %#lx not in the table",
		     (unsigned long)sfs.f_type);
	ok(mntent_fstype(real, fst, sizeof(fst)) == 0 && !strcmp(fst, t.fstype),
	   "fstype %s matches getmntent(/proc/mounts) (%s)", t.fstype, fst);
	ok(strncmp(t.mountpoint, real, strlen(t.mountpoint)) == 0 &&
	   (!strcmp(t.mountpoint, "/") || real[strlen(t.mountpoint)] == '\0' ||
	    real[strlen(t.mountpoint)] == '/'),
	   "mountpoint %s is a path prefix of %s", t.mountpoint, real);

	/* (b) major:minor against stat(2). */
	memset(&st, 0, sizeof(st));
	r = stat("/tmp", &st);
	ok(r == 0 && major(st.st_dev) == t.dev_major &&
	   minor(st.st_dev) == t.dev_minor,
	   "dev %u:%u equals st_dev %u:%u", t.dev_major, t.dev_minor,
	   major(st.st_dev), minor(st.st_dev));

	/* (c) no DAX, no pmem (unless /tmp sits on pmem, as it may in a guest). */
	if (strncmp(t.blockdev, "pmem", 4) != 0) {
		ok(fd >= 0 && (t.dax == 0 || t.dax == -1),
		   "dax of a file in /tmp is 0 or -1 (got %d)", t.dax);
		ok(t.kind == PMEM_NONE && !t.emulated,
		   "kind of /tmp is none (got %s)", pmem_kind_name(t.kind));
	} else {
		skip("/tmp is on %s", t.blockdev);
		skip("/tmp is on %s", t.blockdev);
	}
	diag("/tmp: %s %s on %s (%s) dev %u:%u blockdev '%s' dax %d",
	     t.fstype, t.source, t.mountpoint, t.super_opts, t.dev_major,
	     t.dev_minor, t.blockdev, t.dax);

	r = env_target("/tmp", -1, &t);
	ok(r == 0 && t.dax == -1, "fd -1 gives dax -1 (got %d)", t.dax);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}

	errno = 0;
	r = env_target("/nonexistent/daxbench", -1, &t);
	ok(r == -1 && errno == ENOENT, "missing directory: -1, ENOENT");
}

/* A tmpfs mounted on a directory whose name holds a space and a backslash:
 * the mountinfo escapes \040 and \134 must be undone. */
static void test_space_mount(void)
{
	char base[] = "/tmp/daxbench env\\test.XXXXXX";
	char sub[64], sib[64];
	struct env_target t;
	int r;

	if (!mkdtemp(base)) {
		skip("mkdtemp: %s", strerror(errno));
		skip("no space mount");
		skip("no space mount");
		return;
	}
	snprintf(sib, sizeof(sib), "%s sib", base);
	if (mount("none", base, "tmpfs", 0, "size=1m") < 0) {
		skip("mount tmpfs on '%s': %s", base, strerror(errno));
		skip("no space mount");
		skip("no space mount");
		rmdir(base);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/a b", base);
	mkdir(sub, 0755);
	mkdir(sib, 0755);
	r = env_target(sub, -1, &t);
	ok(r == 0 && !strcmp(t.mountpoint, base) && !strcmp(t.fstype, "tmpfs") &&
	   !strcmp(t.source, "none") && t.blockdev[0] == '\0' &&
	   t.kind == PMEM_NONE,
	   "mount point with space and backslash: '%s' %s %s", t.mountpoint,
	   t.fstype, t.source);
	r = env_target(sib, -1, &t);
	ok(r == 0 && strcmp(t.mountpoint, base) != 0,
	   "a sibling sharing the name prefix is not on that mount ('%s')",
	   t.mountpoint);
	{
		json_object *j = env_capture(sub, -1), *tg, *v;

		ok(j && has(j, "target", &tg) && has(tg, "dax_mount_option", &v) &&
		   json_object_is_type(v, json_type_boolean) &&
		   !json_object_get_boolean(v) && has(tg, "blockdev", &v) && !v,
		   "tmpfs: dax_mount_option false, blockdev null");
		json_object_put(j);
	}
	rmdir(sib);
	rmdir(sub);
	if (umount(base) < 0)
		diag("umount '%s': %s", base, strerror(errno));
	rmdir(base);
}

static void test_kernel_cpu(json_object *root)
{
	struct utsname u;
	json_object *k, *c, *v;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* (d) */
	ok(uname(&u) == 0 && has(root, "kernel", &k) && has(k, "release", &v) &&
	   !strcmp(json_object_get_string(v), u.release),
	   "kernel.release equals uname (%s)", u.release);
	/* (e) */
	ok(has(root, "cpu", &c) && has(c, "ncpus", &v) &&
	   json_object_get_int64(v) == n, "cpu.ncpus equals sysconf (%ld)", n);
#if defined(__x86_64__) || defined(__i386__)
	ok(has(c, "clflush", &v) && json_object_is_type(v, json_type_boolean) &&
	   json_object_get_boolean(v), "cpu.clflush is true on x86");
#else
	skip("clflush: not x86");
#endif
}

/* (f) */
static void test_ndctl(void)
{
	struct stat st;
	long noise;
	json_object *ns = ns_quiet("pmem0", &noise);

	if (stat("/sys/block/pmem0", &st) < 0) {
		ok(ns == NULL, "no pmem0: env_ndctl_namespace(pmem0) is NULL");
	} else {
		json_object *v;

		ok(ns && !missing_ns_keys(ns) && has(ns, "dev", &v) &&
		   !strncmp(json_object_get_string(v), "namespace", 9),
		   "pmem0 exists: namespace %s",
		   ns ? json_object_to_json_string(ns) : "NULL");
	}
	is(noise, 0, "libndctl printed nothing to stderr (%ld bytes)", noise);
	json_object_put(ns);
	ns = ns_quiet("nosuchdev0", &noise);
	ok(ns == NULL && noise == 0, "unknown device: NULL, silent");
	json_object_put(ns);
	ok(env_ndctl_namespace(NULL) == NULL && env_ndctl_namespace("") == NULL,
	   "NULL and empty names give NULL");
}

/* (g) */
static void test_json(json_object *root)
{
	const char *s;
	json_object *back;

	is(missing_keys(root), 0, "env_capture has every documented key");
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	back = s ? json_tokener_parse(s) : NULL;
	ok(back && json_object_equal(root, back),
	   "env_capture serializes and parses back equal");
	json_object_put(back);

	/* Never fails: a bad directory still gives every key. */
	back = env_capture("/nonexistent/daxbench", -1);
	ok(back && missing_keys(back) == 0,
	   "env_capture(nonexistent) still has every key");
	json_object_put(back);
	back = env_capture(NULL, -1);
	ok(back && missing_keys(back) == 0, "env_capture(NULL) has every key");
	json_object_put(back);
}

/* Optional: DAXBENCH_PMEM_DIR on a DAX-mounted pmem fs (guest runs). */
static void test_pmem_dir(void)
{
	const char *dir = getenv("DAXBENCH_PMEM_DIR");
	char path[PATH_MAX + 32];
	struct env_target t;
	json_object *root, *pm = NULL, *ns = NULL;
	bool pass;
	int fd, r;

	if (!dir || !*dir) {
		skip("DAXBENCH_PMEM_DIR not set");
		skip("DAXBENCH_PMEM_DIR not set");
		skip("DAXBENCH_PMEM_DIR not set");
		return;
	}
	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), "%s/daxbench-env.XXXXXX", dir);
	fd = mkstemp(path);
	/* Fill t first: ok()'s arguments are evaluated in no set order. */
	r = fd >= 0 ? env_target(dir, fd, &t) : -1;
	ok(r == 0 && !strncmp(t.blockdev, "pmem", 4) && t.kind != PMEM_NONE,
	   "%s: blockdev %s kind %s", dir, t.blockdev, pmem_kind_name(t.kind));
	ok(t.dax == 1 || t.dax == -1,
	   "file on a DAX mount: statx dax %d", t.dax);
	root = env_capture(dir, fd);
	pass = root && has(root, "pmem", &pm) && has(pm, "namespace", &ns) &&
	       (t.kind == PMEM_UNKNOWN || (ns && !missing_ns_keys(ns)));
	ok(pass, "pmem.namespace present: %s",
	   pm ? json_object_to_json_string(pm) : "NULL");
	diag("%s", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

int main(void)
{
	json_object *root;

	test_host_dir();
	test_space_mount();
	root = env_capture("/tmp", -1);
	test_kernel_cpu(root);
	test_ndctl();
	test_json(root);
	if (getenv("TEST_ENV_VERBOSE"))
		diag("%s", json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	test_pmem_dir();
	return done_testing();
}

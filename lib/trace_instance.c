// SPDX-License-Identifier: GPL-2.0
/*
 * The private ftrace instance "<prefix>-<pid>" (see trace.h): tracefs found
 * (or mounted), instances left by dead processes removed, the instance
 * created and set up (mono clock, buffer size, no overwrite), every event
 * of interest that exists enabled, the per-cpu readers opened; its removal
 * at close; the file filter; its description.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "json_build.h"

#define TRACEFS_STD_DIR "/sys/kernel/tracing"
#define DEFAULT_BUFFER_KB 16384u

static void set_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

bool dax_trace_has(const struct dax_trace *t, enum dax_ev ev)
{
	if (!t || (unsigned)ev >= EV__COUNT)
		return false;
	return t->has[ev];
}

/* ------------------------------------------------------------------ */
/* tracefs discovery, stale instances                                   */

static const char *tracing_dir(char *why, size_t whylen)
{
	const char *dir = NULL;
	int m = tracefs_tracing_dir_is_mounted(false, &dir);

	if (m == 1 && dir)
		return tracefs_tracing_dir();
	/* Not mounted.  Mount it at its standard place ourselves rather than
	 * letting libtracefs fall back to mounting debugfs. */
	if (mount("nodev", TRACEFS_STD_DIR, "tracefs", 0, NULL) < 0) {
		set_why(why, whylen,
			"tracefs is not mounted and mounting it at %s failed: %s",
			TRACEFS_STD_DIR, strerror(errno));
		return NULL;
	}
	dir = tracefs_tracing_dir();
	if (!dir)
		set_why(why, whylen, "tracefs mounted at %s but libtracefs cannot find it",
			TRACEFS_STD_DIR);
	return dir;
}

/* An instance of the suite (daxbench-PID, daxstress-PID) or of prefix
 * (may be NULL): its pid. */
static bool stale_name(const char *name, const char *prefix, pid_t *pid)
{
	const char *pfx[3] = { "daxbench", "daxstress", prefix };

	for (int i = 0; i < 3; i++) {
		size_t l;

		if (!pfx[i])
			continue;
		l = strlen(pfx[i]);
		char *end;
		long v;

		if (strncmp(name, pfx[i], l) || name[l] != '-' ||
		    name[l + 1] < '0' || name[l + 1] > '9')
			continue;
		errno = 0;
		v = strtol(name + l + 1, &end, 10);
		if (*end || errno || v <= 0 || v > INT_MAX)
			continue;
		*pid = (pid_t)v;
		return true;
	}
	return false;
}

static void remove_stale(const char *dir, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[PATH_MAX + 256];
		pid_t pid;

		if (!stale_name(de->d_name, prefix, &pid) || pid == getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/instances/%s", dir, de->d_name);
		rmdir(p);
	}
	closedir(d);
}

void dax_trace_remove_stale(void)
{
	const char *dir = NULL;
	char ipath[PATH_MAX];

	/* never mount tracefs for this: where it is not mounted, no
	 * instance can be left */
	if (tracefs_tracing_dir_is_mounted(false, &dir) != 1 || !dir)
		return;
	snprintf(ipath, sizeof(ipath), "%s/instances", dir);
	if (access(ipath, W_OK) < 0)
		return;		/* not root: nothing we could remove */
	remove_stale(dir, NULL);
	trace_remove_stale_probes(NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* open / close                                                         */

static int ifile_write(struct dax_trace *t, const char *file, const char *val)
{
	return tracefs_instance_file_write(t->inst, file, val) < 0 ? -1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int list_cpus(const char *inst_path, int **out)
{
	char path[PATH_MAX + 16];
	struct dirent *de;
	int *v = NULL, n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/per_cpu", inst_path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int c, *nv;
		char extra;

		if (sscanf(de->d_name, "cpu%d%c", &c, &extra) != 1)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			closedir(d);
			return -1;
		}
		v = nv;
		v[n++] = c;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_int);
	*out = v;
	return n;
}

static void free_trace(struct dax_trace *t)
{
	if (!t)
		return;
	for (int c = 0; c < t->ncpu; c++) {
		if (t->cpus[c].tcpu)
			tracefs_cpu_free_fd(t->cpus[c].tcpu);
		trace_vec_free(&t->cpus[c].tmp);
	}
	free(t->cpus);
	free(t->fds);
	free(t->page);
	if (t->kbuf)
		kbuffer_free(t->kbuf);
	free(t->idmap);
	if (t->flush_dev)
		tracefs_dynevent_free(t->flush_dev);
	if (t->flushin_dev)
		tracefs_dynevent_free(t->flushin_dev);
	if (t->tep)
		tep_free(t->tep);
	if (t->inst)
		tracefs_instance_free(t->inst);
	free(t);
}

static void close_fds(struct dax_trace *t)
{
	for (int k = 0; k < t->nfds; k++) {
		if (t->fds[k] >= 0)
			close(t->fds[k]);
		t->fds[k] = -1;
	}
	if (t->marker_fd >= 0)
		t->marker_fd = -1;
	for (int c = 0; c < t->ncpu; c++)
		t->cpus[c].fd = -1;
}

static int destroy_instance(struct dax_trace *t)
{
	for (int tries = 0; tries < 100; tries++) {
		if (rmdir(t->path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		/* a forked child may still hold an fd of ours */
		trace_sleep_ms(10);
	}
	return -1;
}

void dax_trace_close(struct dax_trace *t)
{
	struct slot *s;

	if (!t)
		return;
	pthread_mutex_lock(&trace_reg_lock);
	s = trace_slot_of(t);
	if (!s) {
		pthread_mutex_unlock(&trace_reg_lock);
		return;		/* closed already */
	}
	close_fds(t);
	trace_disable_probes(t);
	/* tracefs_instance_destroy() is a single rmdir; do it ourselves so
	 * that EBUSY (a child still holding an inherited fd) is retried. */
	destroy_instance(t);
	trace_destroy_probe(t, s);
	__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&trace_reg_lock);
	free_trace(t);
}

static int open_cpus(struct dax_trace *t, char *why, size_t whylen)
{
	int *ids = NULL, n;

	n = list_cpus(t->path, &ids);
	if (n <= 0) {
		set_why(why, whylen, "no per_cpu buffers in %s", t->path);
		free(ids);
		return -1;
	}
	t->cpus = calloc(n, sizeof(*t->cpus));
	t->fds = malloc((n + 1) * sizeof(int));
	if (!t->cpus || !t->fds) {
		free(ids);
		set_why(why, whylen, "out of memory");
		return -1;
	}
	t->fds[t->nfds++] = t->marker_fd;
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX + 64];
		struct cpu_rd *cr = &t->cpus[i];

		cr->cpu = ids[i];
		snprintf(p, sizeof(p), "%s/per_cpu/cpu%d/trace_pipe_raw", t->path, ids[i]);
		cr->fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (cr->fd < 0) {
			set_why(why, whylen, "open %s: %s", p, strerror(errno));
			free(ids);
			return -1;
		}
		t->fds[t->nfds++] = cr->fd;
		t->ncpu = i + 1;
		cr->tcpu = tracefs_cpu_alloc_fd(cr->fd, t->page_size, true);
		if (!cr->tcpu) {
			set_why(why, whylen, "tracefs_cpu_alloc_fd failed");
			free(ids);
			return -1;
		}
	}
	free(ids);
	return 0;
}

/* Where the instance goes: tracefs (mounted if need be), its instances/
 * writable; NULL and why if not. */
static const char *instances_dir(const char *prefix, char *why, size_t whylen)
{
	char ipath[PATH_MAX + 64];
	const char *dir;

	if (strchr(prefix, '/') || strlen(prefix) > 40) {
		set_why(why, whylen, "bad instance prefix \"%s\"", prefix);
		return NULL;
	}
	dir = tracing_dir(why, whylen);
	if (!dir)
		return NULL;
	snprintf(ipath, sizeof(ipath), "%s/instances", dir);
	if (access(ipath, W_OK) < 0) {
		set_why(why, whylen, "cannot create trace instances in %s: %s (needs root)",
			ipath, strerror(errno));
		return NULL;
	}
	return dir;
}

/* The instance created and registered in a free slot: from then on a
 * signal or exit removes it.  NULL and why if not (t is then freed). */
static struct slot *create_instance(struct dax_trace *t, char *why, size_t whylen)
{
	struct slot *s = NULL;

	pthread_mutex_lock(&trace_reg_lock);
	if (trace_name_registered(t->path)) {
		pthread_mutex_unlock(&trace_reg_lock);
		set_why(why, whylen, "trace instance %s is already open in this process",
			t->name);
		free(t);
		return NULL;
	}
	/* An instance of our name not ours: left by an earlier process that
	 * had our pid.  Start afresh. */
	rmdir(t->path);
	for (int i = 0; i < MAX_TRACES; i++)
		if (!__atomic_load_n(&trace_slots[i].used, __ATOMIC_ACQUIRE)) {
			s = &trace_slots[i];
			t->slot = i;
			break;
		}
	if (!s) {
		pthread_mutex_unlock(&trace_reg_lock);
		set_why(why, whylen, "too many traces open (%d)", MAX_TRACES);
		free(t);
		return NULL;
	}
	t->inst = tracefs_instance_create(t->name);
	if (!t->inst) {
		pthread_mutex_unlock(&trace_reg_lock);
		set_why(why, whylen, "cannot create trace instance %s: %s", t->path,
			strerror(errno));
		free(t);
		return NULL;
	}
	/* Registered from now on: a signal or exit removes the instance. */
	s->owner = getpid();
	snprintf(s->path, sizeof(s->path), "%s", t->path);
	s->fds = NULL;
	s->nfds = 0;
	s->t = t;
	s->probe = 0;
	__atomic_store_n(&s->used, 1, __ATOMIC_RELEASE);
	trace_install_handlers();
	pthread_mutex_unlock(&trace_reg_lock);
	return s;
}

/* Tracing off while it is set up, the mono clock, the buffer, and no
 * overwrite (a loss is counted, never hidden). */
static int set_instance(struct dax_trace *t, char *why, size_t whylen)
{
	char val[64];

	if (ifile_write(t, "tracing_on", "0") < 0 ||
	    ifile_write(t, "trace_clock", "mono") < 0) {
		set_why(why, whylen, "cannot set trace_clock mono in %s: %s", t->path,
			strerror(errno));
		return -1;
	}
	snprintf(val, sizeof(val), "%u", t->buffer_kb);
	if (ifile_write(t, "buffer_size_kb", val) < 0) {
		set_why(why, whylen, "cannot set buffer_size_kb %u: %s", t->buffer_kb,
			strerror(errno));
		return -1;
	}
	if (ifile_write(t, "options/overwrite", "0") < 0) {
		set_why(why, whylen, "cannot clear options/overwrite: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Every event of interest that exists, parsed and enabled (the flush
 * probes, when asked for, created first; either failing turns the flush
 * timing off, not the trace); the map from kernel event ids to ours.  -1
 * and why when the kernel has none of the events, or no markers; 1 when out
 * of memory. */
static int enable_events(struct dax_trace *t, struct slot *s, bool flush_time,
			 char *why, size_t whylen)
{
	bool any_dax = false, any_pc = false;
	int max_id = 0;

	t->tep = tep_alloc();
	if (!t->tep || trace_header_setup(t) < 0) {
		set_why(why, whylen, "cannot parse events/header_page");
		return -1;
	}
	if (flush_time)
		trace_create_probe(t, s);
	for (int ev = 0; ev < EV__COUNT; ev++) {
		if (trace_evdefs[ev].pagecache && !t->pagecache)
			continue;
		if ((ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY) && !t->flush_dev)
			continue;
		if (trace_load_event(t, ev) < 0) {
			memset(&t->ev[ev], 0, sizeof(t->ev[ev]));
			if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY)
				trace_flush_off(t, s, "cannot parse the format of %s/%s",
						FLUSH_GROUP, ev == EV_FLUSH_RET ?
						t->flush_name : t->flushin_name);
			continue;
		}
		if (ev != EV_MARKER &&
		    tracefs_event_file_write(t->inst, trace_evdefs[ev].sys,
					     t->ev[ev].kname +
					     strlen(trace_evdefs[ev].sys) + 1,
					     "enable", "1") < 0) {
			memset(&t->ev[ev], 0, sizeof(t->ev[ev]));
			if (ev == EV_FLUSH_RET || ev == EV_FLUSH_ENTRY)
				trace_flush_off(t, s, "cannot enable %s/%s in %s: %s",
						FLUSH_GROUP, ev == EV_FLUSH_RET ?
						t->flush_name : t->flushin_name, t->name,
						strerror(errno));
			continue;
		}
		t->has[ev] = true;
		if (t->ev[ev].e->id > max_id)
			max_id = t->ev[ev].e->id;
		if (trace_evdefs[ev].pagecache)
			any_pc = true;
		else if (ev != EV_MARKER && ev != EV_FLUSH_RET && ev != EV_FLUSH_ENTRY)
			any_dax = true;
	}
	if (t->has[EV_FLUSH_RET] != t->has[EV_FLUSH_ENTRY])
		trace_flush_off(t, s, "only one of the two dax_flush probes could be enabled");
	if (t->has[EV_FLUSH_RET] && !t->has[EV_WRITEBACK_ONE])
		trace_flush_off(t, s, "no dax_writeback_one tracepoint to pair with");
	if (!any_dax && !(t->pagecache && any_pc)) {
		set_why(why, whylen, t->pagecache ?
			"kernel has no fs_dax nor page-cache writeback tracepoints" :
			"kernel has no fs_dax tracepoints");
		return -1;
	}
	if (!t->has[EV_MARKER]) {
		set_why(why, whylen, "cannot decode ftrace/print (trace_marker) records");
		return -1;
	}
	t->max_id = max_id;
	t->idmap = calloc(max_id + 1, 1);
	if (!t->idmap)
		return 1;
	for (int ev = 0; ev < EV__COUNT; ev++)
		if (t->has[ev])
			t->idmap[t->ev[ev].e->id] = (uint8_t)(ev + 1);
	return 0;
}

/* What a drain reads with: a page of a whole sub-buffer, the kbuffer, the
 * bound on reads per drain; then the marker and the per-cpu readers.  -1
 * and why if not; 1 when out of memory. */
static int open_readers(struct dax_trace *t, char *why, size_t whylen)
{
	char ipath[PATH_MAX + 64];
	long long subbuf_kb = 0;
	unsigned npages;

	/* a read of trace_pipe_raw must hold a whole sub-buffer */
	t->page_size = tep_get_sub_buffer_size(t->tep);
	if (tracefs_instance_file_read_number(t->inst, "buffer_subbuf_size_kb",
					      &subbuf_kb) == 0 &&
	    subbuf_kb * 1024 > t->page_size)
		t->page_size = (int)(subbuf_kb * 1024);
	if (t->page_size < 4096)
		t->page_size = 4096;
	t->page = malloc(t->page_size);
	t->kbuf = kbuffer_alloc(tep_get_header_page_size(t->tep) == 8 ?
				KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
				tep_is_file_bigendian(t->tep) ?
				KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE);
	if (!t->page || !t->kbuf)
		return 1;
	npages = (unsigned)((uint64_t)t->buffer_kb * 1024 / (unsigned)t->page_size);
	t->max_reads = 2 * npages + 64;

	snprintf(ipath, sizeof(ipath), "%s/trace_marker", t->path);
	t->marker_fd = open(ipath, O_WRONLY | O_CLOEXEC);
	if (t->marker_fd < 0) {
		set_why(why, whylen, "open %s: %s", ipath, strerror(errno));
		return -1;
	}
	return open_cpus(t, why, whylen) < 0 ? -1 : 0;
}

struct dax_trace *dax_trace_open(const struct dax_trace_opts *o, char *why,
				 size_t whylen)
{
	const char *prefix = o && o->prefix && *o->prefix ? o->prefix : "daxbench";
	const char *dir;
	struct dax_trace *t;
	struct slot *s;
	int rc;

	set_why(why, whylen, "%s", "");
	dir = instances_dir(prefix, why, whylen);
	if (!dir)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		set_why(why, whylen, "out of memory");
		return NULL;
	}
	snprintf(t->flush_why, sizeof(t->flush_why), "not requested");
	t->marker_fd = -1;
	t->slot = -1;
	t->buffer_kb = o && o->buffer_kb ? o->buffer_kb : DEFAULT_BUFFER_KB;
	t->pagecache = o && o->pagecache;
	snprintf(t->name, sizeof(t->name), "%s-%d", prefix, (int)getpid());
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	snprintf(t->path, sizeof(t->path), "%s/instances/%s", dir, t->name);

	remove_stale(dir, prefix);
	trace_remove_stale_probes(NULL, NULL);
	s = create_instance(t, why, whylen);
	if (!s)
		return NULL;
	rc = set_instance(t, why, whylen);
	if (!rc)
		rc = enable_events(t, s, o && o->flush_time, why, whylen);
	if (!rc)
		rc = open_readers(t, why, whylen);
	if (!rc) {
		s->fds = t->fds;
		__atomic_store_n(&s->nfds, t->nfds, __ATOMIC_RELEASE);
		t->lost0 = trace_read_lost(t);
		if (ifile_write(t, "tracing_on", "1") < 0) {
			set_why(why, whylen, "cannot turn tracing on: %s", strerror(errno));
			rc = -1;
		}
	}
	if (!rc)
		return t;
	if (rc > 0)
		set_why(why, whylen, "out of memory");
	if (t->marker_fd >= 0 && t->nfds == 0)
		close(t->marker_fd);
	dax_trace_close(t);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* filter                                                               */

/* The bdi of a block device is named after the whole disk ("254:0"). */
static void find_bdi(unsigned maj, unsigned min, char *out, size_t outlen)
{
	char p[PATH_MAX + 64], real[PATH_MAX], buf[64];
	struct stat st;
	FILE *f;

	out[0] = 0;
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", maj, min);
	if (!realpath(p, real))
		return;
	snprintf(p, sizeof(p), "%s/partition", real);
	if (stat(p, &st) == 0) {
		snprintf(p, sizeof(p), "%s/../dev", real);
	} else {
		snprintf(p, sizeof(p), "%s/dev", real);
	}
	f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(p, sizeof(p), "/sys/class/bdi/%s", buf);
		if (stat(p, &st) == 0 && strlen(buf) < outlen)
			memcpy(out, buf, strlen(buf) + 1);
	}
	fclose(f);
}

void dax_trace_filter_file(struct dax_trace *t, uint64_t st_dev, uint64_t ino)
{
	if (!t)
		return;
	t->f_dev = (uint32_t)((major(st_dev) << 20) | (minor(st_dev) & 0xfffff));
	t->f_ino = ino;
	find_bdi(major(st_dev), minor(st_dev), t->f_bdi, sizeof(t->f_bdi));
	t->filter = true;
}

/* ------------------------------------------------------------------ */
/* description                                                          */

json_object *dax_trace_describe(const struct dax_trace *t)
{
	json_object *o, *evs;
	uint64_t hits, missed;
	int err = 0;

	if (!t)
		return NULL;
	o = json_object_new_object();
	evs = json_object_new_array();
	err |= jadd_str(o, "instance", t->name);
	err |= jadd_str(o, "clock", "mono");
	err |= jadd_i64(o, "buffer_kb", t->buffer_kb);
	for (int ev = 0; ev < EV__COUNT; ev++)
		if (t->has[ev] && ev != EV_MARKER)
			err |= jpush_str(evs, t->ev[ev].kname);
	err |= jadd(o, "events", evs);
	err |= jadd_str(o, "flush_time", dax_trace_flush_timed(t, NULL) ?
			"dax_flush return" : "tracepoint");
	if (dax_trace_flush_timed(t, NULL)) {
		char name[200];

		snprintf(name, sizeof(name), "%s/%s (kretprobe on %s)", FLUSH_GROUP,
			 t->flush_name, FLUSH_FUNC);
		err |= jadd_str(o, "flush_probe", name);
		snprintf(name, sizeof(name), "%s/%s (kprobe on %s, size=%s)",
			 FLUSH_GROUP, t->flushin_name, FLUSH_FUNC, t->flushin_fetch);
		err |= jadd_str(o, "flush_entry_probe", name);
		if (t->flush_dev && trace_probe_profile(t, t->flush_name, &hits, &missed)) {
			err |= jadd_u64(o, "flush_probe_hits", hits);
			err |= jadd_u64(o, "flush_probe_missed", missed);
		}
		if (t->flushin_dev &&
		    trace_probe_profile(t, t->flushin_name, &hits, &missed)) {
			err |= jadd_u64(o, "flush_entry_probe_hits", hits);
			err |= jadd_u64(o, "flush_entry_probe_missed", missed);
		}
	} else {
		err |= jadd_null(o, "flush_probe");
		err |= jadd_null(o, "flush_entry_probe");
		err |= jadd_str(o, "flush_probe_why", t->flush_why);
	}
	return jdone(o, err);
}

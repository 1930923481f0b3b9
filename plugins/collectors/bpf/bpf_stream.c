// SPDX-License-Identifier: MIT
/* bpf_stream: ring-buffer consumer, drop counting, clocks, tracefs and cgroups (see
 * bpf_stream.h). */
#include "bpf_stream.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf_common.h"
#include "bpf_stream_counters.h"

#define CGROUP2_MAGIC 0x63677270
#define FILEID_KERNFS 0xfe

int bpfc_ringbuf_size_check(uint64_t size, uint64_t *wakeup, char *msg, size_t cap)
{
	if (size < BPFC_RINGBUF_MIN || size > BPFC_RINGBUF_MAX || (size & (size - 1))) {
		snprintf(msg, cap, "ringbuf_size: expected a power of two from 64k to 1G, got %llu",
			 (unsigned long long)size);
		return -EINVAL;
	}
	/* Wake the reader at an eighth full: the poll timer covers anything below that. */
	*wakeup = size / 8;
	return 0;
}

int bpfc_percpu_sum(int map_fd, uint32_t key, uint64_t *sum)
{
	int n = libbpf_num_possible_cpus();
	uint64_t *vals;

	*sum = 0;
	if (n <= 0)
		return n ? n : -EINVAL;
	vals = calloc((size_t)n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, vals)) {
		int err = -errno;
		free(vals);
		return err;
	}
	for (int i = 0; i < n; i++)
		*sum += vals[i];
	free(vals);
	return 0;
}

static void stream_sync_drops(struct bpfc_stream *st)
{
	uint64_t seen, dropped;

	if (st->counters_fd < 0 || bpfc_percpu_sum(st->counters_fd, BPFC_CNT_SEEN, &seen) ||
	    bpfc_percpu_sum(st->counters_fd, BPFC_CNT_DROPPED, &dropped))
		return;
	st->seen = seen;
	st->dropped = dropped;
	if (st->verdicts_fd >= 0 &&
	    bpfc_percpu_sum(st->counters_fd, BPFC_CNT_FILTERED, &st->filtered) == 0 &&
	    st->filtered > st->filtered_reported) {
		st->host->add_filtered(st->s, st->filtered - st->filtered_reported);
		st->filtered_reported = st->filtered;
	}
	if (dropped > st->dropped_reported) {
		st->host->add_drops(st->s, dropped - st->dropped_reported);
		st->dropped_reported = dropped;
	}
}

static int stream_consume(struct bpfc_stream *st)
{
	int n = ring_buffer__consume(st->rb);

	if (n > 0)
		st->delivered += (uint64_t)n;
	else if (n < 0 && n != -EINTR)
		st->host->log(st->s, ANOMON_LOG_WARN, "reading the ring buffer: %s", strerror(-n));
	return n;
}

void bpfc_stream_drain(struct bpfc_stream *st)
{
	if (!st->rb)
		return;
	stream_consume(st);
	stream_sync_drops(st);
}

static void stream_fd_cb(void *arg, int fd, int events)
{
	struct bpfc_stream *st = arg;

	(void)fd;
	(void)events;
	/* The epoll fd is level-triggered: consuming clears it. Drops are read right after what
	 * the ring held, so the windows those records opened are the ones marked incomplete:
	 * events lost while the ring was full came after them. */
	stream_consume(st);
	stream_sync_drops(st);
}

static void stream_timer_cb(void *arg)
{
	bpfc_stream_drain(arg);
}

int bpfc_stream_open(struct bpfc_stream *st, const struct anomon_host *host, anomon_stage *s,
		     struct bpf_map *ringbuf, struct bpf_map *counters, ring_buffer_sample_fn cb,
		     void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->host = host;
	st->s = s;
	st->counters_fd = bpf_map__fd(counters);
	st->verdicts_fd = -1;
	st->rb = ring_buffer__new(bpf_map__fd(ringbuf), cb, ctx, NULL);
	if (!st->rb) {
		int err = -errno;
		host->error(s, "creating the ring-buffer reader: %s", bpfc_explain(err));
		return err;
	}
	return 0;
}

int bpfc_stream_start(struct bpfc_stream *st, uint64_t poll_ms)
{
	int err = st->host->watch_fd(st->s, ring_buffer__epoll_fd(st->rb), ANOMON_FD_READ,
				     stream_fd_cb, st, &st->watch);
	if (err < 0) {
		st->host->error(st->s, "watching the ring buffer: %s", strerror(-err));
		return err;
	}
	err = st->host->timer_start(st->s, poll_ms, poll_ms, stream_timer_cb, st, &st->timer);
	if (err < 0) {
		st->host->error(st->s, "starting the poll timer: %s", strerror(-err));
		return err;
	}
	return 0;
}

void bpfc_stream_stop(struct bpfc_stream *st)
{
	bpfc_stream_drain(st);
	if (st->timer) {
		st->host->timer_stop(st->timer);
		st->timer = NULL;
	}
	if (st->watch) {
		st->host->unwatch_fd(st->watch);
		st->watch = NULL;
	}
}

void bpfc_stream_close(struct bpfc_stream *st)
{
	ring_buffer__free(st->rb);
	st->rb = NULL;
}

int64_t bpfc_boot_to_epoch_ns(void)
{
	int64_t best = 0, best_gap = INT64_MAX;

	/* Bracket the boot-time read by two wall-clock reads and keep the tightest pair. */
	for (int i = 0; i < 5; i++) {
		struct timespec r0, b, r1;
		clock_gettime(CLOCK_REALTIME, &r0);
		clock_gettime(CLOCK_BOOTTIME, &b);
		clock_gettime(CLOCK_REALTIME, &r1);
		int64_t t0 = (int64_t)r0.tv_sec * 1000000000 + r0.tv_nsec;
		int64_t t1 = (int64_t)r1.tv_sec * 1000000000 + r1.tv_nsec;
		int64_t tb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
		if (t1 - t0 < best_gap) {
			best_gap = t1 - t0;
			best = t0 + (t1 - t0) / 2 - tb;
		}
	}
	return best;
}

static const char *const tracefs_roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

bool bpfc_tracefs_has_event(const char *group, const char *name)
{
	char path[256];

	for (size_t i = 0; i < sizeof(tracefs_roots) / sizeof(*tracefs_roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs_roots[i], group, name);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

int bpfc_tracefs_ensure(char *msg, size_t cap)
{
	char path[128];

	for (size_t i = 0; i < sizeof(tracefs_roots) / sizeof(*tracefs_roots); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_roots[i]);
		if (access(path, F_OK) == 0)
			return 0;
	}
	if (mount("tracefs", tracefs_roots[0], "tracefs", 0, NULL) == 0)
		return 0;
	int err = errno;
	snprintf(msg, cap, "tracefs not mounted and mounting it at %s failed: %s (mount it: "
		 "mount -t tracefs tracefs %s)", tracefs_roots[0], strerror(err), tracefs_roots[0]);
	return -err;
}

/* The cgroup2 mount point from /proc/self/mountinfo (field 5; fs type after " - "). */
static void cgroup2_root(char *out, size_t cap)
{
	char line[1024];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	snprintf(out, cap, "/sys/fs/cgroup");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[512];
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1) {
			snprintf(out, cap, "%s", mnt);
			break;
		}
	}
	fclose(f);
}

int bpfc_cgroup_open(const char *spec, uint64_t *id, char *msg, size_t cap)
{
	char root[512], path[1024];
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh.handle_bytes = sizeof(uint64_t)};
	int fd, mnt_id, err;
	const char *p = spec;

	cgroup2_root(root, sizeof(root));
	while (isdigit((unsigned char)*p))
		p++;
	if (*spec && !*p) {
		/* An id: open it by handle, as kernfs exports cgroup ids as file handles. */
		int mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (mfd < 0) {
			err = errno;
			snprintf(msg, cap, "cgroup: cannot open the cgroup2 mount %s: %s", root,
				 strerror(err));
			return -err;
		}
		h.fh.handle_type = FILEID_KERNFS;
		h.id = strtoull(spec, NULL, 10);
		fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = errno;
		close(mfd);
		if (fd < 0) {
			snprintf(msg, cap, "cgroup: no cgroup v2 with id %s under %s: %s", spec, root,
				 strerror(err));
			return -err;
		}
		*id = h.id;
		return fd;
	}
	if (spec[0] == '/')
		snprintf(path, sizeof(path), "%s", spec);
	else
		snprintf(path, sizeof(path), "%s/%s", root, spec);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		snprintf(msg, cap, "cgroup: cannot open %s: %s", path, strerror(err));
		return -err;
	}
	struct statfs sfs;
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_MAGIC) {
		close(fd);
		snprintf(msg, cap, "cgroup: %s is not a cgroup v2 directory", path);
		return -EINVAL;
	}
	if (name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH)) {
		err = errno;
		close(fd);
		snprintf(msg, cap, "cgroup: cannot read the id of %s: %s", path, strerror(err));
		return -err;
	}
	*id = h.id;
	return fd;
}

/* ---- Container filters in the kernel ---------------------------------------------------- */

bool bpfc_stream_filters_cgroups(const struct anomon_host *host, anomon_stage *s)
{
	const char *const *items;

	return host->param_bool(s, "containers_only") || host->param_list(s, "include", &items) ||
	       host->param_list(s, "exclude", &items);
}

void bpfc_stream_cgroup_filter(struct bpfc_stream *st, struct bpf_map *verdicts)
{
	st->verdicts_fd = bpf_map__fd(verdicts);
}

/* Store `id` as unwanted if the stage does not want it. Returns 1 if stored, else 0. */
static int cgroup_store(struct bpfc_stream *st, uint64_t id)
{
	uint8_t drop = 0;

	if (st->host->cgroup_wanted(st->s, id))
		return 0;
	return bpf_map_update_elem(st->verdicts_fd, &id, &drop, BPF_ANY) == 0;
}

void bpfc_stream_cgroup_seen(struct bpfc_stream *st, uint64_t cgroup_id)
{
	if (st->verdicts_fd >= 0 && cgroup_store(st, cgroup_id))
		st->cgroups_learned++;
}

/* Deeper than any real hierarchy (systemd and Kubernetes nest a handful of levels); bounds
 * the directories open at once. */
#define CGROUP_WALK_DEPTH 64

/* Every cgroup below the directory dfd (closed here): a directory's inode number on the
 * cgroup2 file system is its cgroup id. Cgroups removed during the walk are skipped. */
static void cgroup_walk(struct bpfc_stream *st, int dfd, unsigned depth, uint64_t *n,
			uint64_t *stored)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat sb;
		int cfd;

		if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		if (fstat(cfd, &sb)) {
			close(cfd);
			continue;
		}
		(*n)++;
		*stored += (uint64_t)cgroup_store(st, (uint64_t)sb.st_ino);
		if (depth < CGROUP_WALK_DEPTH)
			cgroup_walk(st, cfd, depth + 1, n, stored);
		else
			close(cfd);
	}
	closedir(d);
}

int bpfc_stream_cgroups_prefill(struct bpfc_stream *st)
{
	char root[512];
	struct stat sb;
	uint64_t n = 1, stored;
	int fd;

	if (st->verdicts_fd < 0)
		return 0;
	cgroup2_root(root, sizeof(root));
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;
	if (fd < 0 || fstat(fd, &sb) || fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_MAGIC) {
		/* Not fatal: the filter still learns each cgroup from its first event. */
		st->host->log(st->s, ANOMON_LOG_WARN, "container filter: no cgroup v2 hierarchy "
			      "at %s to read: each cgroup reaches user space until its first "
			      "events are read", root);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* Id 0: events without a cgroup (a block request whose issuer was not seen). */
	(void)cgroup_store(st, 0);
	stored = (uint64_t)cgroup_store(st, (uint64_t)sb.st_ino);
	cgroup_walk(st, fd, 0, &n, &stored);
	st->host->log(st->s, ANOMON_LOG_INFO, "container filter in the kernel: %llu of %llu "
		      "cgroups under %s unwanted%s", (unsigned long long)stored,
		      (unsigned long long)n, root,
		      stored > BPFC_CGROUP_VERDICTS_MAX ? " (more than the map holds: those it "
		      "forgets are stored again from their first event)" : "");
	return 0;
}

void bpfc_stream_summary(const struct bpfc_stream *st, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "events seen %llu, filtered in kernel %llu, delivered %llu, "
			 "dropped %llu", (unsigned long long)(st->seen + st->filtered),
			 (unsigned long long)st->filtered, (unsigned long long)st->delivered,
			 (unsigned long long)st->dropped);
	if (st->verdicts_fd >= 0 && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, "; cgroups found unwanted while running %llu",
			 (unsigned long long)st->cgroups_learned);
}

int bpfc_stream_attach(struct bpfc_stream *st, int (*attach)(void *skel), void *skel,
		       const char *what, uint64_t poll_ms)
{
	int err = bpfc_stream_cgroups_prefill(st);

	if (err)
		return err;
	bpfc_log_begin(st->host, st->s);
	err = attach(skel);
	bpfc_log_end();
	if (err) {
		st->host->error(st->s, "attaching to %s: %s", what, bpfc_explain(err));
		return err;
	}
	return bpfc_stream_start(st, poll_ms);
}

/* file sink: NDJSON (the objects of `stdout` with format json), appended to a file by a
 * writer thread so that a slow or full disk never blocks the loop. Rotation by size with a
 * number of kept files; reopen on SIGUSR1 (external logrotate) and whenever the path no longer
 * names the open file (deleted, moved, its directory removed); fsync never, per window or per
 * line. A write that fails is reported once, retried, and counted as dropped when the queue
 * is full. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "sink_json.h"
#include "sink_worker.h"

enum fsync_policy { FSYNC_NEVER, FSYNC_WINDOW, FSYNC_LINE };

struct fsink {
	const struct anomon_host *host;
	anomon_stage *stage;
	struct sink_worker *worker;
	struct sink_json json;
	char *path;
	uint64_t max_size;
	int keep;
	enum fsync_policy fsync;
	bool started;

	/* Worker thread only. */
	int fd;
	uint64_t size;           /* bytes in the open file */
	unsigned seen_usr1;
	bool failing;            /* an error was reported and not yet recovered from */
	bool dirty;              /* written since the last fsync */
};

/* SIGUSR1 only bumps a counter; each writer compares it on its next tick (at most 200 ms). */
static atomic_uint usr1_count;
static int usr1_users;
static struct sigaction usr1_old;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&usr1_count, 1);
}

static int usr1_hook(void)
{
	if (usr1_users++)
		return 0;
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, &usr1_old) < 0 ? -errno : 0;
}

static void usr1_unhook(void)
{
	if (--usr1_users == 0)
		sigaction(SIGUSR1, &usr1_old, NULL);
}

static void fail(struct fsink *f, const char *what, int err)
{
	if (f->failing)
		return;
	f->failing = true;
	sink_worker_log(f->worker, ANOMON_LOG_WARN, "%s %s: %s; records stay queued and are "
			"retried, and are counted as dropped when the queue is full", what, f->path,
			strerror(err));
}

static void recovered(struct fsink *f)
{
	if (!f->failing)
		return;
	f->failing = false;
	sink_worker_log(f->worker, ANOMON_LOG_WARN, "writing to %s again", f->path);
}

static void close_file(struct fsink *f)
{
	if (f->fd >= 0) {
		if (f->dirty && f->fsync != FSYNC_NEVER)
			fdatasync(f->fd);
		close(f->fd);
	}
	f->fd = -1;
	f->dirty = false;
}

static int open_file(struct fsink *f)
{
	close_file(f);
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;
		fail(f, "cannot open", err);
		return -err;
	}
	struct stat st;
	f->size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	f->fd = fd;
	return 0;
}

/* path.N-1 -> path.N, ..., path -> path.1; the oldest beyond keep is removed. */
static int rotate(struct fsink *f)
{
	close_file(f);
	char from[PATH_MAX], to[PATH_MAX];
	if (f->keep <= 0) {
		unlink(f->path);
		return open_file(f);
	}
	snprintf(to, sizeof(to), "%s.%d", f->path, f->keep);
	unlink(to);
	for (int i = f->keep - 1; i >= 1; i--) {
		snprintf(from, sizeof(from), "%s.%d", f->path, i);
		snprintf(to, sizeof(to), "%s.%d", f->path, i + 1);
		rename(from, to);
	}
	snprintf(to, sizeof(to), "%s.1", f->path);
	if (rename(f->path, to) < 0 && errno != ENOENT) {
		int err = errno;
		fail(f, "cannot rotate", err);
		return -err;
	}
	return open_file(f);
}

static void tick(void *ctx)
{
	struct fsink *f = ctx;
	unsigned n = atomic_load(&usr1_count);
	bool reopen = n != f->seen_usr1;
	f->seen_usr1 = n;
	/* The path no longer names our file: moved by logrotate, deleted, its directory gone. */
	struct stat a, b;
	if (!reopen && f->fd >= 0 && fstat(f->fd, &a) == 0 && S_ISREG(a.st_mode) &&
	    (stat(f->path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev))
		reopen = true;
	if (reopen)
		open_file(f);
}

static int deliver(void *ctx, struct sink_msg *const *msgs, size_t n, size_t *done)
{
	struct fsink *f = ctx;
	*done = 0;
	if (f->fd < 0) {
		int rc = open_file(f);
		if (rc < 0)
			return rc;
	}
	while (*done < n) {
		/* Lines up to the next rotation point (at least one), or one per fsync. */
		struct iovec iov[64];
		size_t k = 0;
		uint64_t bytes = 0;
		while (*done + k < n && k < 64) {
			const struct sink_msg *m = msgs[*done + k];
			if (f->max_size && f->size + bytes + m->len > f->max_size && (f->size || bytes || k)) {
				if (k)
					break;
				if (f->size) {
					int rc = rotate(f);
					if (rc < 0)
						return rc;
				}
			}
			iov[k].iov_base = (void *)sink_msg_payload(m);
			iov[k].iov_len = m->len;
			bytes += m->len;
			k++;
			if (f->fsync == FSYNC_LINE)
				break;
		}
		off_t before = (off_t)f->size;
		ssize_t w = writev(f->fd, iov, (int)k);
		if (w < 0 || (uint64_t)w < bytes) {
			int err = w < 0 ? errno : ENOSPC;
			/* Never leave half a line behind: the retry rewrites it whole. */
			if (w > 0 && ftruncate(f->fd, before) < 0) {
				/* A device such as /dev/full cannot be truncated; nothing was kept. */
			}
			fail(f, "cannot write to", err);
			return -err;
		}
		f->size += bytes;
		f->dirty = true;
		*done += k;
		if (f->fsync == FSYNC_LINE) {
			fdatasync(f->fd);
			f->dirty = false;
		}
	}
	recovered(f);
	return 0;
}

static void idle(void *ctx)
{
	struct fsink *f = ctx;
	if (f->fsync == FSYNC_WINDOW && f->dirty && f->fd >= 0) {
		fdatasync(f->fd);
		f->dirty = false;
	}
}

static void thread_start(void *ctx)
{
	open_file(ctx);
}

static void thread_stop(void *ctx)
{
	close_file(ctx);
}

static const struct sink_worker_ops ops = {
	.deliver = deliver,
	.tick = tick,
	.idle = idle,
	.thread_start = thread_start,
	.thread_stop = thread_stop,
};

static int push(struct fsink *f, enum anomon_record_kind kind, const void *rec)
{
	const char *line;
	size_t len;
	int rc = sink_json_format(&f->json, f->host, f->stage, kind, rec, true, &line, &len);
	if (rc < 0)
		return rc;
	rc = sink_worker_push(f->worker, NULL, 0, line, len);
	/* A full queue is already counted as a drop by the worker. */
	return rc == -ENOBUFS ? 0 : rc;
}

static int on_event(void *state, const struct anomon_event *ev)
{
	return push(state, ANOMON_RECORD_EVENT, ev);
}

static int on_vector(void *state, const struct anomon_vector *v)
{
	return push(state, ANOMON_RECORD_VECTOR, v);
}

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	return push(state, ANOMON_RECORD_VERDICT, v);
}

static void destroy(void *state);

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	const char *path = host->param_string(s, "path");
	const char *pol = host->param_string(s, "fsync");
	int64_t keep = host->param_int(s, "keep");
	int64_t queue = host->param_int(s, "queue");
	enum fsync_policy fs;
	if (!strcmp(pol, "never"))
		fs = FSYNC_NEVER;
	else if (!strcmp(pol, "window"))
		fs = FSYNC_WINDOW;
	else if (!strcmp(pol, "line"))
		fs = FSYNC_LINE;
	else {
		host->error(s, "fsync: expected \"never\", \"window\" or \"line\", got \"%s\"", pol);
		return -EINVAL;
	}
	if (!*path || !strcmp(path, "-")) {
		host->error(s, "path: expected a file name (use the stdout sink for standard output)");
		return -EINVAL;
	}
	if (keep < 0 || keep > 1000) {
		host->error(s, "keep: expected 0..1000, got %lld", (long long)keep);
		return -EINVAL;
	}
	if (queue < 1) {
		host->error(s, "queue: expected at least 1, got %lld", (long long)queue);
		return -EINVAL;
	}
	struct fsink *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->host = host;
	f->stage = s;
	f->fd = -1;
	f->keep = (int)keep;
	f->fsync = fs;
	f->max_size = host->param_size(s, "max_size");
	f->path = strdup(path);
	struct sink_worker_config cfg = {.max_msgs = (size_t)queue};
	int rc = f->path ? sink_worker_new(host, s, &ops, f, &cfg, &f->worker) : -ENOMEM;
	if (rc < 0) {
		destroy(f);
		return rc;
	}
	*state = f;
	return 0;
}

static int start(void *state)
{
	struct fsink *f = state;
	f->seen_usr1 = atomic_load(&usr1_count);
	int rc = usr1_hook();
	if (rc < 0) {
		f->host->error(f->stage, "cannot handle SIGUSR1: %s", strerror(-rc));
		return rc;
	}
	f->started = true;
	rc = sink_worker_start(f->worker);
	if (rc < 0)
		f->host->error(f->stage, "cannot start the writer thread: %s", strerror(-rc));
	return rc;
}

static void stop(void *state)
{
	struct fsink *f = state;
	sink_worker_stop(f->worker);
}

static void destroy(void *state)
{
	struct fsink *f = state;
	sink_worker_free(f->worker);
	if (f->started)
		usr1_unhook();
	sink_json_free(&f->json);
	free(f->path);
	free(f);
}

static const struct anomon_param params[] = {
	{"path", ANOMON_PARAM_PATH, NULL, true, "the NDJSON file to append to"},
	{"max_size", ANOMON_PARAM_SIZE, "0", false, "rotate when the file would grow past this size (\"100M\"); 0 never rotates"},
	{"keep", ANOMON_PARAM_INT, "5", false, "rotated files kept: path.1 (newest) .. path.N"},
	{"fsync", ANOMON_PARAM_STRING, "window", false, "when to fsync: \"never\", \"window\" (after each burst of records) or \"line\""},
	{"queue", ANOMON_PARAM_INT, "10000", false, "records held while the disk is slow or failing; beyond that they are dropped and counted"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "file",
	.version = "1.0.0",
	.description = "Append events, feature vectors and verdicts to a file as NDJSON, with rotation, reopen on SIGUSR1 and an fsync policy",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_event = on_event,
	.on_vector = on_vector,
	.on_verdict = on_verdict,
};

/* A bounded queue of messages in front of a worker thread, for sinks whose delivery can
 * block (disk writes and fsync, sockets, a message bus). The loop thread formats records and
 * pushes them; when the queue is full the message is dropped and counted, so a slow or
 * failing destination never holds back the loop, the collectors or the other sinks. The
 * worker delivers in batches and retries with backoff what could not be delivered. What the
 * worker has to say (errors, recoveries, drops) reaches the host on the loop thread through
 * an eventfd the worker signals, because host functions are loop-thread only. */
#ifndef SINK_WORKER_H
#define SINK_WORKER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"

/* One queued message: `hdr_len` bytes of sink-specific header (a subject, an id) followed by
 * `len` bytes of payload, both in data. */
struct sink_msg {
	struct sink_msg *next;
	size_t hdr_len, len;
	char data[];
};

static inline const char *sink_msg_payload(const struct sink_msg *m)
{
	return m->data + m->hdr_len;
}

struct sink_worker;

struct sink_worker_ops {
	/* Worker thread. Deliver msgs[0..n); set *done to how many were delivered (or given up
	 * on, after counting them with sink_worker_drop) and return 0 when all were, else a
	 * negative errno: the worker waits (backoff) and calls again from msgs[*done]. */
	int (*deliver)(void *ctx, struct sink_msg *const *msgs, size_t n, size_t *done);
	/* Worker thread, optional: called whenever the worker wakes up (at least every
	 * tick_ms), before delivering; for reopen requests and keep-alives. */
	void (*tick)(void *ctx);
	/* Worker thread, optional: the queue is empty after a batch (fsync per burst). */
	void (*idle)(void *ctx);
	/* Worker thread, optional: first and last thing the thread does (connect, close). */
	void (*thread_start)(void *ctx);
	void (*thread_stop)(void *ctx);
};

struct sink_worker_config {
	size_t max_msgs;      /* queue bound in messages (0: 10000) */
	size_t max_bytes;     /* queue bound in bytes (0: 64 MiB) */
	size_t batch;         /* messages per deliver call (0: 256) */
	uint64_t tick_ms;     /* 0: 200 */
	uint64_t retry_min_ms, retry_max_ms; /* backoff after a failed deliver (0: 100, 5000) */
	uint64_t drain_ms;    /* at stop, how long to keep delivering what is queued (0: 5000) */
};

/* Loop thread. Create (in init: no thread yet), start (in start), stop (drain, join; count
 * what is left as drops), free. */
int sink_worker_new(const struct anomon_host *host, anomon_stage *s,
		    const struct sink_worker_ops *ops, void *ctx,
		    const struct sink_worker_config *cfg, struct sink_worker **out);
int sink_worker_start(struct sink_worker *w);
void sink_worker_stop(struct sink_worker *w);
void sink_worker_free(struct sink_worker *w);

/* Loop thread: queue a copy of hdr + payload. Returns 0, or -ENOBUFS when the queue is full
 * (the message is dropped and counted here: the sink returns 0), or -ENOMEM (not counted
 * here: the sink returns it from its callback, which the host counts as a drop). */
int sink_worker_push(struct sink_worker *w, const void *hdr, size_t hdr_len, const void *data,
		     size_t len);
/* Loop thread: wake the worker now (after setting a flag its tick reads). */
void sink_worker_wake(struct sink_worker *w);
/* Messages queued now (any thread). */
size_t sink_worker_queued(struct sink_worker *w);

/* Worker thread: count messages given up on; log a line through the host (delivered on the
 * loop thread; a burst beyond a small bound is summarised as a count). */
void sink_worker_drop(struct sink_worker *w, uint64_t n);
void sink_worker_log(struct sink_worker *w, enum anomon_log_level level, const char *fmt, ...)
	ANOMON_PRINTF(3, 4);
/* Worker thread: whether stop was asked (a deliver that waits should give up then). */
bool sink_worker_stopping(struct sink_worker *w);

#endif

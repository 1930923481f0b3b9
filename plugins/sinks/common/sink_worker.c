#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "sink_worker.h"

#define LOG_SLOTS 16

struct log_line {
	enum anomon_log_level level;
	char text[256];
};

struct sink_worker {
	const struct anomon_host *host;
	anomon_stage *stage;
	struct sink_worker_ops ops;
	void *ctx;
	struct sink_worker_config cfg;

	pthread_mutex_t mu;
	pthread_cond_t cond;      /* the worker waits on it: new messages, wake, stop */
	struct sink_msg *head, *tail;
	size_t count, bytes;
	bool woken, stopping, running;
	uint64_t deadline_ms;     /* while stopping: when to give up draining */
	uint64_t drops;           /* counted by the worker, not yet handed to the host */
	struct log_line logs[LOG_SLOTS];
	size_t n_logs, logs_lost;

	pthread_t thread;
	int efd;
	anomon_watch *watch;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait on cond until ms (CLOCK_MONOTONIC) at most; mu held. */
static void wait_until(struct sink_worker *w, uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};
	pthread_cond_timedwait(&w->cond, &w->mu, &ts);
}

static void signal_loop(struct sink_worker *w)
{
	uint64_t one = 1;
	if (w->efd >= 0 && write(w->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated only if the loop is gone; nothing to do. */
	}
}

/* Hand drops and log lines to the host; loop thread. */
static void report(struct sink_worker *w)
{
	struct log_line logs[LOG_SLOTS];
	pthread_mutex_lock(&w->mu);
	uint64_t drops = w->drops;
	size_t n = w->n_logs, lost = w->logs_lost;
	memcpy(logs, w->logs, n * sizeof(logs[0]));
	w->drops = 0;
	w->n_logs = w->logs_lost = 0;
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < n; i++)
		w->host->log(w->stage, logs[i].level, "%s", logs[i].text);
	if (lost)
		w->host->log(w->stage, ANOMON_LOG_WARN, "%zu further messages not shown", lost);
	if (drops)
		w->host->add_drops(w->stage, drops);
}

static void on_efd(void *arg, int fd, int events)
{
	struct sink_worker *w = arg;
	uint64_t v;
	if (events > 0 && read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another wake-up already consumed it. */
	}
	report(w);
}

static void free_list(struct sink_msg *m)
{
	while (m) {
		struct sink_msg *n = m->next;
		free(m);
		m = n;
	}
}

static void *worker_main(void *arg)
{
	struct sink_worker *w = arg;
	struct sink_msg **batch = calloc(w->cfg.batch, sizeof(*batch));
	if (w->ops.thread_start)
		w->ops.thread_start(w->ctx);
	uint64_t backoff = 0, next_tick = 0;
	bool lingered = false;
	pthread_mutex_lock(&w->mu);
	while (batch) {
		uint64_t now = mono_ms();
		if (w->stopping && (!w->head || now >= w->deadline_ms))
			break;
		if (w->ops.tick && (now >= next_tick || w->woken)) {
			w->woken = false;
			next_tick = now + w->cfg.tick_ms;
			pthread_mutex_unlock(&w->mu);
			w->ops.tick(w->ctx);
			pthread_mutex_lock(&w->mu);
			continue;
		}
		if (!w->head) {
			wait_until(w, next_tick ? next_tick : now + w->cfg.tick_ms);
			continue;
		}
		/* Woken for less than a batch: linger a millisecond for more (as Kafka producers
		 * do), so a steady trickle of records costs a thread wake-up per batch, not per
		 * record. A wake or a stop cuts it short. */
		if (!lingered && !w->stopping && !w->woken && w->count < w->cfg.batch) {
			lingered = true;
			wait_until(w, now + 1);
			continue;
		}
		lingered = false;
		/* Only the worker removes from the head and the loop only appends, so the first
		 * nodes can be read without the lock. */
		size_t n = 0;
		for (struct sink_msg *m = w->head; m && n < w->cfg.batch; m = m->next)
			batch[n++] = m;
		pthread_mutex_unlock(&w->mu);
		size_t done = 0;
		int rc = w->ops.deliver(w->ctx, batch, n, &done);
		if (done > n)
			done = n;
		pthread_mutex_lock(&w->mu);
		size_t freed = 0;
		for (size_t i = 0; i < done; i++) {
			struct sink_msg *m = w->head;
			w->head = m->next;
			w->count--;
			w->bytes -= m->hdr_len + m->len;
			free(m);
			freed++;
		}
		if (!w->head)
			w->tail = NULL;
		if (rc < 0) {
			backoff = backoff ? backoff * 2 : w->cfg.retry_min_ms;
			if (backoff > w->cfg.retry_max_ms)
				backoff = w->cfg.retry_max_ms;
			uint64_t until = mono_ms() + backoff;
			if (w->stopping && until > w->deadline_ms)
				until = w->deadline_ms;
			/* A wake (reopen request) or a stop cuts the wait short. */
			while (!w->woken && mono_ms() < until) {
				bool was_stopping = w->stopping;
				wait_until(w, until);
				if (w->stopping != was_stopping)
					break;
			}
		} else {
			backoff = 0;
			if (!w->head && w->ops.idle) {
				pthread_mutex_unlock(&w->mu);
				w->ops.idle(w->ctx);
				pthread_mutex_lock(&w->mu);
			}
		}
	}
	pthread_mutex_unlock(&w->mu);
	free(batch);
	if (w->ops.thread_stop)
		w->ops.thread_stop(w->ctx);
	return NULL;
}

int sink_worker_new(const struct anomon_host *host, anomon_stage *s,
		    const struct sink_worker_ops *ops, void *ctx,
		    const struct sink_worker_config *cfg, struct sink_worker **out)
{
	struct sink_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->host = host;
	w->stage = s;
	w->ops = *ops;
	w->ctx = ctx;
	if (cfg)
		w->cfg = *cfg;
	if (!w->cfg.max_msgs)
		w->cfg.max_msgs = 10000;
	if (!w->cfg.max_bytes)
		w->cfg.max_bytes = 64u << 20;
	if (!w->cfg.batch)
		w->cfg.batch = 256;
	if (!w->cfg.tick_ms)
		w->cfg.tick_ms = 200;
	if (!w->cfg.retry_min_ms)
		w->cfg.retry_min_ms = 100;
	if (!w->cfg.retry_max_ms)
		w->cfg.retry_max_ms = 5000;
	if (!w->cfg.drain_ms)
		w->cfg.drain_ms = 5000;
	w->efd = -1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->mu, NULL);
	*out = w;
	return 0;
}

int sink_worker_start(struct sink_worker *w)
{
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0)
		return -errno;
	int rc = w->host->watch_fd(w->stage, w->efd, ANOMON_FD_READ, on_efd, w, &w->watch);
	if (rc < 0)
		return rc;
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc)
		return -rc;
	w->running = true;
	return 0;
}

void sink_worker_stop(struct sink_worker *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	w->deadline_ms = mono_ms() + w->cfg.drain_ms;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->running = false;
	pthread_mutex_lock(&w->mu);
	size_t left = w->count;
	free_list(w->head);
	w->head = w->tail = NULL;
	w->count = w->bytes = 0;
	w->drops += left;
	pthread_mutex_unlock(&w->mu);
	if (left)
		w->host->log(w->stage, ANOMON_LOG_WARN,
			     "%zu queued messages not delivered before stopping", left);
	report(w);
}

void sink_worker_free(struct sink_worker *w)
{
	if (!w)
		return;
	sink_worker_stop(w);
	if (w->watch)
		w->host->unwatch_fd(w->watch);
	if (w->efd >= 0)
		close(w->efd);
	free_list(w->head);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int sink_worker_push(struct sink_worker *w, const void *hdr, size_t hdr_len, const void *data,
		     size_t len)
{
	size_t size = hdr_len + len;
	pthread_mutex_lock(&w->mu);
	bool full = w->count >= w->cfg.max_msgs || w->bytes + size > w->cfg.max_bytes;
	pthread_mutex_unlock(&w->mu);
	if (full) {
		w->host->add_drops(w->stage, 1);
		return -ENOBUFS;
	}
	struct sink_msg *m = malloc(sizeof(*m) + size + 1);
	if (!m)
		return -ENOMEM; /* the sink returns it, and the host counts the drop */
	m->next = NULL;
	m->hdr_len = hdr_len;
	m->len = len;
	if (hdr_len)
		memcpy(m->data, hdr, hdr_len);
	memcpy(m->data + hdr_len, data, len);
	m->data[size] = '\0';
	pthread_mutex_lock(&w->mu);
	/* The worker waits for messages only on an empty queue. */
	bool was_empty = !w->head;
	if (w->tail)
		w->tail->next = m;
	else
		w->head = m;
	w->tail = m;
	w->count++;
	w->bytes += size;
	if (was_empty)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void sink_worker_wake(struct sink_worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->woken = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

size_t sink_worker_queued(struct sink_worker *w)
{
	pthread_mutex_lock(&w->mu);
	size_t n = w->count;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void sink_worker_drop(struct sink_worker *w, uint64_t n)
{
	pthread_mutex_lock(&w->mu);
	w->drops += n;
	pthread_mutex_unlock(&w->mu);
	signal_loop(w);
}

void sink_worker_log(struct sink_worker *w, enum anomon_log_level level, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&w->mu);
	if (w->n_logs < LOG_SLOTS) {
		w->logs[w->n_logs].level = level;
		memcpy(w->logs[w->n_logs].text, text, sizeof(text));
		w->n_logs++;
	} else {
		w->logs_lost++;
	}
	pthread_mutex_unlock(&w->mu);
	signal_loop(w);
}

bool sink_worker_stopping(struct sink_worker *w)
{
	pthread_mutex_lock(&w->mu);
	bool s = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return s;
}

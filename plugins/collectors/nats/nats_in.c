/* nats_in collector: subscribes to the subjects the nats sink publishes on and re-emits the
 * events it receives, so a central anomon runs features, models and sinks over the events of
 * many hosts. With `stream` set it reads a JetStream durable consumer (nothing published
 * while it was down is missed; messages are acknowledged once emitted), else a plain
 * subscription. libnats delivers on its own thread: messages cross to the loop through a
 * bounded queue and an eventfd; a full queue makes that thread wait (back-pressure), and
 * what libnats itself drops (slow consumer) is counted. */
#include <errno.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "nats_in_parse.h"

struct nin {
	const struct anomon_host *host;
	anomon_stage *stage;
	const char **urls;
	size_t n_urls;
	const char *subject, *stream, *durable, *group;
	size_t max;

	natsConnection *nc;
	jsCtx *js;
	natsSubscription *sub;
	int efd;

	pthread_mutex_t mu;
	pthread_cond_t space;
	natsMsg **ring;          /* max entries */
	size_t head, count;
	bool stopping;

	int64_t lib_dropped;     /* libnats's own count, as last added */
	uint64_t bad, skipped;
	bool warned_bad, warned_kind;
};

/* libnats thread. */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
	(void)nc;
	(void)sub;
	struct nin *n = closure;
	pthread_mutex_lock(&n->mu);
	while (n->count == n->max && !n->stopping)
		pthread_cond_wait(&n->space, &n->mu);
	if (n->stopping) {
		pthread_mutex_unlock(&n->mu);
		natsMsg_Destroy(msg); /* not acknowledged: JetStream delivers it again */
		return;
	}
	n->ring[(n->head + n->count) % n->max] = msg;
	bool was_empty = n->count++ == 0;
	pthread_mutex_unlock(&n->mu);
	if (was_empty) {
		uint64_t one = 1;
		if (write(n->efd, &one, sizeof(one)) < 0) {
			/* Saturated counter: the loop is already due to read. */
		}
	}
}

static void handle(struct nin *n, natsMsg *msg)
{
	struct nats_in_event e;
	char err[256];
	int rc = nats_in_parse(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), &e, err,
			       sizeof(err));
	if (rc == NATS_IN_EVENT) {
		n->host->emit_event(n->stage, &e.ev);
		nats_in_event_free(&e);
	} else if (rc == NATS_IN_NOT_EVENT) {
		n->skipped++;
		if (!n->warned_kind)
			n->host->log(n->stage, ANOMON_LOG_WARN, "%s: only events are re-emitted; "
				     "vectors and verdicts are skipped (subscribe to event subjects)",
				     natsMsg_GetSubject(msg));
		n->warned_kind = true;
	} else {
		n->bad++;
		n->host->add_drops(n->stage, 1);
		if (!n->warned_bad)
			n->host->log(n->stage, ANOMON_LOG_WARN, "%s: %s (further bad messages are "
				     "counted as drops)", natsMsg_GetSubject(msg), err);
		n->warned_bad = true;
	}
	/* Acknowledged once handled, bad ones too: redelivering them would not help. */
	if (n->js)
		natsMsg_Ack(msg, NULL);
	natsMsg_Destroy(msg);
}

static void on_ready(void *arg, int fd, int events)
{
	struct nin *n = arg;
	uint64_t v;
	if (events > 0 && read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new. */
	}
	natsMsg *batch[256];
	for (;;) {
		size_t k = 0;
		pthread_mutex_lock(&n->mu);
		while (k < 256 && n->count) {
			batch[k++] = n->ring[n->head];
			n->head = (n->head + 1) % n->max;
			n->count--;
		}
		pthread_cond_broadcast(&n->space);
		pthread_mutex_unlock(&n->mu);
		if (!k)
			break;
		for (size_t i = 0; i < k; i++)
			handle(n, batch[i]);
	}
}

static void count_lib_drops(void *arg)
{
	struct nin *n = arg;
	int64_t d = 0;
	if (n->sub && natsSubscription_GetDropped(n->sub, &d) == NATS_OK && d > n->lib_dropped) {
		n->host->add_drops(n->stage, (uint64_t)(d - n->lib_dropped));
		n->host->log(n->stage, ANOMON_LOG_WARN, "%lld messages dropped by the NATS client "
			     "(slow consumer)", (long long)(d - n->lib_dropped));
		n->lib_dropped = d;
	}
}

static void destroy(void *state)
{
	struct nin *n = state;
	pthread_mutex_lock(&n->mu);
	n->stopping = true;
	pthread_cond_broadcast(&n->space);
	pthread_mutex_unlock(&n->mu);
	if (n->sub) {
		/* Unsubscribing would delete the durable consumer libnats created: a JetStream
		 * subscription is only destroyed, so the next run resumes where this one stopped. */
		if (!n->js)
			natsSubscription_Unsubscribe(n->sub);
		natsSubscription_Destroy(n->sub);
	}
	if (n->js)
		jsCtx_Destroy(n->js);
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
	}
	for (; n->count; n->count--, n->head = (n->head + 1) % n->max)
		natsMsg_Destroy(n->ring[n->head]);
	if (n->efd >= 0)
		close(n->efd);
	free(n->ring);
	pthread_cond_destroy(&n->space);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct nin *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->host = host;
	n->stage = s;
	n->efd = -1;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->space, NULL);
	const char *const *items;
	n->n_urls = host->param_list(s, "url", &items);
	n->urls = (const char **)items;
	n->subject = host->param_string(s, "subject");
	n->stream = host->param_string(s, "stream");
	n->durable = host->param_string(s, "durable");
	n->group = host->param_string(s, "queue_group");
	int64_t q = host->param_int(s, "queue");
	int rc = -EINVAL;
	if (!n->n_urls) {
		host->error(s, "url: expected at least one server URL");
		goto fail;
	}
	if (!*n->subject) {
		host->error(s, "subject: expected a subject such as anomon.*.*.event.>");
		goto fail;
	}
	if (*n->stream && !*n->durable) {
		host->error(s, "durable: expected a consumer name with stream set");
		goto fail;
	}
	if (q < 1 || q > 10000000) {
		host->error(s, "queue: expected 1..10000000, got %lld", (long long)q);
		goto fail;
	}
	n->max = (size_t)q;
	n->ring = calloc(n->max, sizeof(*n->ring));
	if (!n->ring) {
		rc = -ENOMEM;
		goto fail;
	}
	*state = n;
	return 0;
fail:
	destroy(n);
	return rc;
}

/* With a callback, a first connect that fails returns at once and libnats keeps trying in
 * the background; without one it would retry synchronously, for ever. */
static void on_connected(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)closure;
}

static int start(void *state)
{
	struct nin *n = state;
	n->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n->efd < 0)
		return -errno;
	int rc = n->host->watch_fd(n->stage, n->efd, ANOMON_FD_READ, on_ready, n, NULL);
	if (!rc)
		rc = n->host->timer_start(n->stage, 1000, 1000, count_lib_drops, n, NULL);
	if (rc < 0) {
		n->host->error(n->stage, "cannot watch the message queue: %s", strerror(-rc));
		return rc;
	}
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, n->urls, (int)n->n_urls);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "anomon-collector");
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 200);
	/* A plain subscription can wait for the server; a JetStream consumer is created now,
	 * so the server must answer at start. */
	if (s == NATS_OK && !*n->stream)
		s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, NULL);
	if (s == NATS_OK) {
		s = natsConnection_Connect(&n->nc, o);
		if (s == NATS_NOT_YET_CONNECTED)
			s = NATS_OK;
	}
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		n->host->error(n->stage, "cannot connect to %s: %s", n->urls[0], natsStatus_GetText(s));
		return -ENOTCONN;
	}
	jsErrCode jerr = 0;
	if (*n->stream) {
		s = natsConnection_JetStream(&n->js, n->nc, NULL);
		jsSubOptions so;
		jsSubOptions_Init(&so);
		so.Stream = n->stream;
		so.Config.Durable = n->durable;
		so.Config.DeliverPolicy = js_DeliverAll;
		so.Config.AckPolicy = js_AckExplicit;
		so.Config.MaxAckPending = (int64_t)n->max;
		so.ManualAck = true;
		if (*n->group)
			so.Queue = n->group;
		if (s == NATS_OK)
			s = js_Subscribe(&n->sub, n->js, n->subject, on_msg, n, NULL, &so, &jerr);
	} else if (*n->group) {
		s = natsConnection_QueueSubscribe(&n->sub, n->nc, n->subject, n->group, on_msg, n);
	} else {
		s = natsConnection_Subscribe(&n->sub, n->nc, n->subject, on_msg, n);
	}
	if (s != NATS_OK) {
		n->host->error(n->stage, "cannot subscribe to %s%s%s: %s%s", n->subject,
			       *n->stream ? " in stream " : "", n->stream, natsStatus_GetText(s),
			       jerr ? " (JetStream error; does the stream exist?)" : "");
		return -ENOTCONN;
	}
	n->host->log(n->stage, ANOMON_LOG_INFO, "subscribed to %s%s%s", n->subject,
		     *n->stream ? " in stream " : "", n->stream);
	return 0;
}

static void stop(void *state)
{
	struct nin *n = state;
	/* Stop taking messages (later ones are not acknowledged, so JetStream keeps them),
	 * deliver what is queued, and make sure the acknowledgements reached the server. */
	pthread_mutex_lock(&n->mu);
	n->stopping = true;
	pthread_cond_broadcast(&n->space);
	pthread_mutex_unlock(&n->mu);
	on_ready(n, n->efd, 0);
	if (n->nc)
		natsConnection_FlushTimeout(n->nc, 2000);
	count_lib_drops(n);
	if (n->bad || n->skipped)
		n->host->log(n->stage, ANOMON_LOG_INFO, "%llu malformed messages, %llu vectors or "
			     "verdicts skipped", (unsigned long long)n->bad,
			     (unsigned long long)n->skipped);
}

static const char *const produces[] = {ANOMON_EV_RUNQ_HIST, ANOMON_EV_OPEN, ANOMON_EV_BIO,
				       ANOMON_EV_PROC, NULL};

static const struct anomon_param params[] = {
	{"url", ANOMON_PARAM_LIST, "nats://127.0.0.1:4222", false, "NATS server URLs (a cluster: several)"},
	{"subject", ANOMON_PARAM_STRING, "anomon.*.*.event.>", false, "subject to subscribe to (wildcards allowed)"},
	{"stream", ANOMON_PARAM_STRING, "", false, "JetStream stream to read with a durable consumer; empty: a plain subscription"},
	{"durable", ANOMON_PARAM_STRING, "anomon-central", false, "durable consumer name (with stream): a restarted collector resumes where it stopped"},
	{"queue_group", ANOMON_PARAM_STRING, "", false, "share the messages among the collectors of this group"},
	{"queue", ANOMON_PARAM_INT, "10000", false, "messages held between the NATS client and the pipeline; when full, the client waits"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "nats_in",
	.version = "1.1.0",
	.description = "Events published by other anomon hosts (nats sink with records events), from NATS or a JetStream stream",
	.params = params,
	.produces = produces,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
};

/* nats sink: publishes verdicts (and, if asked, vectors and events) as their JSON form on
 * anomon.<host>.<pipeline>.<kind>, with the C client libnats. Where a JetStream stream
 * captures a subject, messages are published with acknowledgements and a Nats-Msg-Id, so a
 * batch that was not acknowledged is published again without duplicates. While the server is
 * away, messages wait in a bounded queue; past the bound they are dropped and counted.
 * libnats blocks (connect, flush, acks), so publishing runs on a worker thread. */
#include <errno.h>
#include <inttypes.h>
#include <nats/nats.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "nats_subject.h"
#include "sink_json.h"
#include "sink_worker.h"

#define CACHE 16

struct nsink {
	const struct anomon_host *host;
	anomon_stage *stage;
	struct sink_worker *worker;
	struct sink_json json;
	char *tmpl;
	char hostname[256];
	bool want_events, want_vectors, want_verdicts;
	enum { JS_AUTO, JS_ALWAYS, JS_NEVER } jetstream;
	int64_t ack_wait_ms;
	const char **urls;
	size_t n_urls;
	uint64_t seq;
	char id_prefix[96];

	/* Worker thread only. */
	natsConnection *nc;
	jsCtx *js;
	bool failing;
	struct {
		char *subject;
		bool js;
	} cache[CACHE];
	size_t n_cache;
	atomic_int pub_err;       /* natsStatus of the last failed acknowledgement */
};

static void clear_cache(struct nsink *n)
{
	for (size_t i = 0; i < n->n_cache; i++)
		free(n->cache[i].subject);
	n->n_cache = 0;
}

static void on_pub_err(jsCtx *js, jsPubAckErr *pae, void *closure)
{
	(void)js;
	struct nsink *n = closure;
	atomic_store(&n->pub_err, pae->Err ? (int)pae->Err : (int)NATS_ERR);
}

static void fail(struct nsink *n, const char *what)
{
	if (n->failing)
		return;
	n->failing = true;
	sink_worker_log(n->worker, ANOMON_LOG_WARN, "%s; messages stay queued and are retried, "
			"and are counted as dropped when the queue is full", what);
}

static void nats_close(struct nsink *n)
{
	if (n->js)
		jsCtx_Destroy(n->js);
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
	}
	n->js = NULL;
	n->nc = NULL;
	clear_cache(n);
}

/* With a callback, a first connect that fails returns at once and libnats keeps trying in
 * the background; without one it would retry synchronously, for ever. */
static void on_connected(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)closure;
}

static int nats_open(struct nsink *n)
{
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, n->urls, (int)n->n_urls);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "anomon");
	/* Reconnect for ever, quickly: the queue in front of us holds what waits. */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 200);
	if (s == NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, NULL);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 2000);
	if (s == NATS_OK) {
		s = natsConnection_Connect(&n->nc, o);
		if (s == NATS_NOT_YET_CONNECTED)
			s = NATS_OK;
	}
	natsOptions_Destroy(o);
	if (s == NATS_OK) {
		jsOptions jo;
		jsOptions_Init(&jo);
		jo.Wait = n->ack_wait_ms;
		jo.PublishAsync.MaxPending = 4096;
		jo.PublishAsync.ErrHandler = on_pub_err;
		jo.PublishAsync.ErrHandlerClosure = n;
		s = natsConnection_JetStream(&n->js, n->nc, &jo);
	}
	if (s != NATS_OK) {
		char what[256];
		snprintf(what, sizeof(what), "cannot connect to %s: %s", n->urls[0],
			 natsStatus_GetText(s));
		fail(n, what);
		nats_close(n);
		return -ENOTCONN;
	}
	return 0;
}

/* Whether a JetStream stream captures subj (asked once per subject and connection). */
static bool use_js(struct nsink *n, const char *subj)
{
	if (n->jetstream != JS_AUTO)
		return n->jetstream == JS_ALWAYS;
	for (size_t i = 0; i < n->n_cache; i++)
		if (!strcmp(n->cache[i].subject, subj))
			return n->cache[i].js;
	char req[512];
	snprintf(req, sizeof(req), "{\"subject\":\"%s\"}", subj);
	natsMsg *reply = NULL;
	natsStatus s = natsConnection_RequestString(&reply, n->nc, "$JS.API.STREAM.NAMES", req,
						    n->ack_wait_ms);
	bool js = false;
	if (s == NATS_OK) {
		const char *d = natsMsg_GetData(reply);
		js = d && strstr(d, "\"streams\":[\"");
		natsMsg_Destroy(reply);
	} else if (s != NATS_NO_RESPONDERS) {
		return true; /* Unknown yet: the acknowledged path is the safe one; asked again later. */
	}
	if (n->n_cache == CACHE)
		clear_cache(n);
	n->cache[n->n_cache].subject = strdup(subj);
	if (n->cache[n->n_cache].subject) {
		n->cache[n->n_cache].js = js;
		n->n_cache++;
	}
	sink_worker_log(n->worker, ANOMON_LOG_INFO, "%s: %s", subj,
			js ? "captured by a JetStream stream: publishing with acknowledgements"
			   : "no JetStream stream: plain publish");
	return js;
}

static int deliver(void *ctx, struct sink_msg *const *msgs, size_t count, size_t *done)
{
	struct nsink *n = ctx;
	*done = 0;
	if (!n->nc && nats_open(n) < 0)
		return -ENOTCONN;
	if (natsConnection_Status(n->nc) != NATS_CONN_STATUS_CONNECTED) {
		char what[256];
		snprintf(what, sizeof(what), "NATS server %s unreachable", n->urls[0]);
		fail(n, what);
		return -ENOTCONN;
	}
	atomic_store(&n->pub_err, 0);
	bool any_js = false, any_core = false;
	natsStatus s = NATS_OK;
	for (size_t i = 0; i < count && s == NATS_OK; i++) {
		const struct sink_msg *m = msgs[i];
		const char *subj = m->data, *id = subj + strlen(subj) + 1;
		if (use_js(n, subj)) {
			jsPubOptions po;
			jsPubOptions_Init(&po);
			po.MsgId = id;
			s = js_PublishAsync(n->js, subj, sink_msg_payload(m), (int)m->len, &po);
			any_js = true;
		} else {
			s = natsConnection_Publish(n->nc, subj, sink_msg_payload(m), (int)m->len);
			any_core = true;
		}
	}
	if (s == NATS_OK && any_js) {
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MaxWait = n->ack_wait_ms;
		s = js_PublishAsyncComplete(n->js, &po);
		if (s == NATS_OK && atomic_load(&n->pub_err))
			s = (natsStatus)atomic_load(&n->pub_err);
	}
	if (s == NATS_OK && any_core)
		s = natsConnection_FlushTimeout(n->nc, n->ack_wait_ms);
	if (s != NATS_OK) {
		/* Take back what is still waiting for an acknowledgement: the whole batch is
		 * published again, and the server drops duplicates by Nats-Msg-Id. */
		natsMsgList pending = {0};
		if (js_PublishAsyncGetPendingList(&pending, n->js) == NATS_OK)
			natsMsgList_Destroy(&pending);
		char what[256];
		snprintf(what, sizeof(what), "cannot publish to %s: %s", n->urls[0], natsStatus_GetText(s));
		fail(n, what);
		clear_cache(n);
		return -EAGAIN;
	}
	*done = count;
	if (n->failing) {
		n->failing = false;
		sink_worker_log(n->worker, ANOMON_LOG_WARN, "publishing to %s again", n->urls[0]);
	}
	return 0;
}

static void thread_start(void *ctx)
{
	nats_open(ctx);
}

static void thread_stop(void *ctx)
{
	nats_close(ctx);
	/* libnats keeps per-thread state for threads that call into it. */
	nats_ReleaseThreadMemory();
}

static const struct sink_worker_ops ops = {
	.deliver = deliver,
	.thread_start = thread_start,
	.thread_stop = thread_stop,
};

static int publish(struct nsink *n, enum anomon_record_kind kind, const void *rec,
		   const char *what)
{
	char hdr[1024];
	int sl = nats_subject(hdr, sizeof(hdr) - 128, n->tmpl, n->hostname,
			      n->host->pipeline_name(n->stage), what);
	if (sl < 0 || sl >= (int)sizeof(hdr) - 128)
		return -ENAMETOOLONG;
	int il = snprintf(hdr + sl + 1, sizeof(hdr) - (size_t)sl - 1, "%s-%" PRIu64, n->id_prefix,
			  ++n->seq);
	const char *line;
	size_t len;
	int rc = sink_json_format(&n->json, n->host, n->stage, kind, rec, false, &line, &len);
	if (rc < 0)
		return rc;
	rc = sink_worker_push(n->worker, hdr, (size_t)sl + 1 + (size_t)il + 1, line, len);
	return rc == -ENOBUFS ? 0 : rc;
}

static int on_event(void *state, const struct anomon_event *ev)
{
	struct nsink *n = state;
	if (!n->want_events)
		return 0;
	char kind[96];
	snprintf(kind, sizeof(kind), "event.%s", ev->type);
	/* The type is one subject token even if a plugin named it with dots. */
	for (char *p = kind + 6; *p; p++)
		if (*p == '.')
			*p = '_';
	return publish(n, ANOMON_RECORD_EVENT, ev, kind);
}

static int on_vector(void *state, const struct anomon_vector *v)
{
	struct nsink *n = state;
	return n->want_vectors ? publish(n, ANOMON_RECORD_VECTOR, v, "vector") : 0;
}

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	struct nsink *n = state;
	return n->want_verdicts ? publish(n, ANOMON_RECORD_VERDICT, v, "verdict") : 0;
}

static void destroy(void *state)
{
	struct nsink *n = state;
	sink_worker_free(n->worker);
	nats_close(n);
	sink_json_free(&n->json);
	free(n->tmpl);
	free(n);
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct nsink *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->host = host;
	n->stage = s;
	int rc = -EINVAL;
	const char *const *items;
	size_t k = host->param_list(s, "records", &items);
	for (size_t i = 0; i < k; i++) {
		if (!strcmp(items[i], "verdicts"))
			n->want_verdicts = true;
		else if (!strcmp(items[i], "vectors"))
			n->want_vectors = true;
		else if (!strcmp(items[i], "events"))
			n->want_events = true;
		else {
			host->error(s, "records: expected verdicts, vectors or events, got \"%s\"", items[i]);
			goto fail;
		}
	}
	n->n_urls = host->param_list(s, "url", &items);
	n->urls = (const char **)items;
	if (!n->n_urls) {
		host->error(s, "url: expected at least one server URL");
		goto fail;
	}
	const char *js = host->param_string(s, "jetstream");
	if (!strcmp(js, "auto"))
		n->jetstream = JS_AUTO;
	else if (!strcmp(js, "always"))
		n->jetstream = JS_ALWAYS;
	else if (!strcmp(js, "never"))
		n->jetstream = JS_NEVER;
	else {
		host->error(s, "jetstream: expected auto, always or never, got \"%s\"", js);
		goto fail;
	}
	const char *tmpl = host->param_string(s, "subject");
	char probe[512];
	if (nats_subject(probe, sizeof(probe), tmpl, "h", "p", "verdict") < 0 || !strstr(tmpl, "{kind}")) {
		host->error(s, "subject: expected a subject with {kind} and optionally {host} and "
			    "{pipeline}, got \"%s\"", tmpl);
		goto fail;
	}
	int64_t buffer = host->param_int(s, "buffer");
	if (buffer < 1) {
		host->error(s, "buffer: expected at least 1, got %lld", (long long)buffer);
		goto fail;
	}
	n->ack_wait_ms = (int64_t)(host->param_duration_ns(s, "ack_wait") / 1000000u);
	if (n->ack_wait_ms < 1)
		n->ack_wait_ms = 1;
	const char *hn = host->param_string(s, "hostname");
	if (*hn)
		snprintf(n->hostname, sizeof(n->hostname), "%s", hn);
	else if (gethostname(n->hostname, sizeof(n->hostname) - 1) < 0)
		strcpy(n->hostname, "unknown");
	/* Message ids unique across hosts, processes and runs: JetStream drops a republished
	 * batch's duplicates by them. */
	snprintf(n->id_prefix, sizeof(n->id_prefix), "%.40s-%d-%" PRIu64, n->hostname, (int)getpid(),
		 host->now_ns(s));
	n->tmpl = strdup(tmpl);
	struct sink_worker_config cfg = {
		.max_msgs = (size_t)buffer,
		.retry_max_ms = 1000,
		.drain_ms = (uint64_t)n->ack_wait_ms + 2000,
	};
	rc = n->tmpl ? sink_worker_new(host, s, &ops, n, &cfg, &n->worker) : -ENOMEM;
	if (rc < 0)
		goto fail;
	*state = n;
	return 0;
fail:
	destroy(n);
	return rc;
}

static int start(void *state)
{
	struct nsink *n = state;
	int rc = sink_worker_start(n->worker);
	if (rc < 0)
		n->host->error(n->stage, "cannot start the publisher thread: %s", strerror(-rc));
	return rc;
}

static void stop(void *state)
{
	struct nsink *n = state;
	sink_worker_stop(n->worker);
}

static const struct anomon_param params[] = {
	{"url", ANOMON_PARAM_LIST, "nats://127.0.0.1:4222", false, "NATS server URLs (a cluster: several)"},
	{"subject", ANOMON_PARAM_STRING, "anomon.{host}.{pipeline}.{kind}", false, "subject template; {kind} is verdict, vector or event.<type>"},
	{"records", ANOMON_PARAM_LIST, "verdicts", false, "what to publish: verdicts, vectors, events"},
	{"jetstream", ANOMON_PARAM_STRING, "auto", false, "auto: acknowledged JetStream publish where a stream captures the subject, else plain; always; never"},
	{"ack_wait", ANOMON_PARAM_DURATION, "5s", false, "how long to wait for the server's acknowledgements before publishing a batch again"},
	{"buffer", ANOMON_PARAM_INT, "10000", false, "messages held while the server is away; beyond that they are dropped and counted"},
	{"hostname", ANOMON_PARAM_STRING, "", false, "the {host} of the subject (default: this host's name)"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "nats",
	.version = "1.0.0",
	.description = "Publish verdicts (and vectors or events) as JSON to NATS subjects, with JetStream acknowledgements where a stream exists",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_event = on_event,
	.on_vector = on_vector,
	.on_verdict = on_verdict,
};

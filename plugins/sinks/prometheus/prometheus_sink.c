/* prometheus sink: an HTTP /metrics endpoint in the text exposition format, served by
 * libmicrohttpd driven from the host's loop (its epoll fd is watched; no thread of its own),
 * so every scrape reads the counters of the moment without locks. Per key and model: the
 * last score, abnormal windows, verdicts (bounded by max_series and series_ttl, see
 * prom_series.h); and anomon's own metrics from host->stats and host->reloads. */
#include <errno.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"
#include "prom_series.h"
#include "prom_text.h"

struct psink {
	const struct anomon_host *host;
	anomon_stage *stage;
	char *listen;
	struct sockaddr_storage addr;
	bool ipv6;
	struct prom_store store;
	bool told_full, told_no_room, starting, started;
	char mhd_msg[256];   /* libmicrohttpd's last message while starting */
	struct MHD_Daemon *mhd;
	anomon_watch *watch;
	anomon_timer *timer;
	uint64_t scrapes;
};

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	struct psink *p = state;
	const char *key = v->key ? v->key : "", *model = v->model ? v->model : "";
	uint64_t now = p->host->now_ns(p->stage);
	prom_store_expire(&p->store, now);
	int err = 0;
	struct prom_series *s = prom_store_update(&p->store, key, model, now, &err);
	if (p->store.evicted && !p->told_full) {
		p->host->log(p->stage, ANOMON_LOG_INFO, "max_series %zu reached: the least recently "
			     "updated keys are evicted with all their series", p->store.max_series);
		p->told_full = true;
	}
	if (!s) {
		/* Only a key with more models than max_series gets here. */
		if (err == -ENOSPC && !p->told_no_room)
			p->host->log(p->stage, ANOMON_LOG_WARN, "max_series %zu: key \"%s\" has more "
				     "models than that; verdicts of the others are counted as dropped",
				     p->store.max_series, key);
		p->told_no_room |= err == -ENOSPC;
		return err;
	}
	s->score = v->score;
	s->label = v->label;
	s->end_ns = v->end_ns;
	s->verdicts[v->label == 1 ? 2 : v->label == 0 ? 1 : 0]++;
	return 0;
}

static const char *kind_name(enum anomon_kind k)
{
	switch (k) {
	case ANOMON_KIND_COLLECTOR: return "collector";
	case ANOMON_KIND_FEATURE: return "feature";
	case ANOMON_KIND_MODEL: return "model";
	case ANOMON_KIND_SINK: return "sink";
	}
	return "?";
}

static void render_series(struct psink *p, struct prom_text *t)
{
	static const char *const label_names[] = {"unjudged", "normal", "abnormal"};
	prom_family(t, "anomon_score", "gauge", "Score (probability of abnormal) of the last verdict per key and model");
	for (const struct prom_key *k = p->store.newest; k; k = k->older)
		for (const struct prom_series *s = k->series; s; s = s->next) {
			const struct anomon_container *c = p->host->container_of_key(p->stage, k->key);
			const char *l[] = {"key", k->key, "container", c ? c->name : NULL, "model", s->model, NULL};
			prom_sample(t, "anomon_score", l, s->score);
		}
	prom_family(t, "anomon_abnormal", "gauge", "1 when the last verdict per key and model was abnormal");
	for (const struct prom_key *k = p->store.newest; k; k = k->older)
		for (const struct prom_series *s = k->series; s; s = s->next) {
			const char *l[] = {"key", k->key, "model", s->model, NULL};
			prom_sample(t, "anomon_abnormal", l, s->label == 1);
		}
	prom_family(t, "anomon_abnormal_windows_total", "counter", "Windows judged abnormal per key and model");
	for (const struct prom_key *k = p->store.newest; k; k = k->older)
		for (const struct prom_series *s = k->series; s; s = s->next) {
			const char *l[] = {"key", k->key, "model", s->model, NULL};
			prom_sample(t, "anomon_abnormal_windows_total", l, (double)s->verdicts[2]);
		}
	prom_family(t, "anomon_verdict_end_seconds", "gauge", "End of the window of the last verdict per key and model, Unix seconds");
	for (const struct prom_key *k = p->store.newest; k; k = k->older)
		for (const struct prom_series *s = k->series; s; s = s->next) {
			const char *l[] = {"key", k->key, "model", s->model, NULL};
			prom_sample(t, "anomon_verdict_end_seconds", l, (double)s->end_ns / 1e9);
		}
	prom_family(t, "anomon_verdicts_total", "counter", "Verdicts that reached this sink, by key, model and label");
	for (const struct prom_key *k = p->store.newest; k; k = k->older)
		for (const struct prom_series *s = k->series; s; s = s->next)
			for (int i = 0; i < 3; i++) {
				if (!s->verdicts[i] && i != 2)
					continue;
				const char *l[] = {"key", k->key, "model", s->model, "label", label_names[i], NULL};
				prom_sample(t, "anomon_verdicts_total", l, (double)s->verdicts[i]);
			}
}

static void render_stats(struct psink *p, struct prom_text *t)
{
	size_t n = p->host->stats(p->stage, NULL, 0);
	struct anomon_stage_stats *st = calloc(n ? n : 1, sizeof(*st));
	if (!st) {
		t->err = -ENOMEM;
		return;
	}
	n = p->host->stats(p->stage, st, n);
	static const struct {
		const char *name, *help;
		size_t off;
	} counters[] = {
		{"anomon_stage_in_total", "Records delivered to the stage", offsetof(struct anomon_stage_stats, in)},
		{"anomon_stage_out_total", "Records the stage emitted", offsetof(struct anomon_stage_stats, out)},
		{"anomon_stage_drops_total", "Records the stage lost or failed on (collectors: events dropped)", offsetof(struct anomon_stage_stats, drops)},
		{"anomon_stage_filtered_total", "Events held back by containers_only/include/exclude", offsetof(struct anomon_stage_stats, filtered)},
		{"anomon_stage_suppressed_total", "Verdicts a sink held back (min_score, only_abnormal, rate_limit)", offsetof(struct anomon_stage_stats, suppressed)},
	};
	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
		prom_family(t, counters[c].name, "counter", counters[c].help);
		for (size_t i = 0; i < n; i++) {
			const char *l[] = {"stage", st[i].name, "plugin", st[i].plugin, "kind", kind_name(st[i].kind), NULL};
			uint64_t v = *(const uint64_t *)((const char *)&st[i] + counters[c].off);
			prom_sample(t, counters[c].name, l, (double)v);
		}
	}
	prom_family(t, "anomon_windows_total", "counter", "Windows (feature vectors) the feature stages emitted");
	for (size_t i = 0; i < n; i++)
		if (st[i].kind == ANOMON_KIND_FEATURE) {
			const char *l[] = {"stage", st[i].name, NULL};
			prom_sample(t, "anomon_windows_total", l, (double)st[i].out);
		}
	prom_family(t, "anomon_model_verdicts_total", "counter", "Verdicts the model stages emitted");
	for (size_t i = 0; i < n; i++)
		if (st[i].kind == ANOMON_KIND_MODEL) {
			const char *l[] = {"stage", st[i].name, NULL};
			prom_sample(t, "anomon_model_verdicts_total", l, (double)st[i].out);
		}
	prom_family(t, "anomon_scoring_latency_seconds", "histogram", "Time a model stage spent scoring one feature vector");
	for (size_t i = 0; i < n; i++) {
		if (st[i].kind != ANOMON_KIND_MODEL || !st[i].latency_le_ns)
			continue;
		for (size_t b = 0; b < ANOMON_LATENCY_BUCKETS; b++) {
			char le[32];
			if (st[i].latency_le_ns[b] == UINT64_MAX)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%g", (double)st[i].latency_le_ns[b] / 1e9);
			const char *l[] = {"stage", st[i].name, "le", le, NULL};
			prom_sample(t, "anomon_scoring_latency_seconds_bucket", l, (double)st[i].latency_count[b]);
		}
		const char *l[] = {"stage", st[i].name, NULL};
		prom_sample(t, "anomon_scoring_latency_seconds_sum", l, (double)st[i].latency_sum_ns / 1e9);
		prom_sample(t, "anomon_scoring_latency_seconds_count", l, (double)st[i].calls);
	}
	free(st);
}

/* No pipeline label: the counters go on when a reload renames the pipeline. */
static void render_reloads(struct psink *p, struct prom_text *t)
{
	/* A host older than ABI 1.1 has no reloads (and no SIGHUP reload). */
	if (p->host->struct_size < offsetof(struct anomon_host, reloads) + sizeof(p->host->reloads))
		return;
	uint64_t failed = 0, reloads = p->host->reloads(p->stage, &failed);
	prom_family(t, "anomon_reloads_total", "counter", "Reloads of the pipeline file on SIGHUP, successful or not");
	prom_sample(t, "anomon_reloads_total", NULL, (double)reloads);
	prom_family(t, "anomon_reload_failures_total", "counter", "Reloads that failed: the new file was refused and the old pipeline went on, or a new stage did not start");
	prom_sample(t, "anomon_reload_failures_total", NULL, (double)failed);
}

static char *render(struct psink *p, size_t *len)
{
	struct prom_text t = {0};
	uint64_t now = p->host->now_ns(p->stage), started = p->host->started_ns(p->stage);
	/* A scrape never shows a series past its time to live, verdicts or not. */
	prom_store_expire(&p->store, now);
	render_series(p, &t);
	render_stats(p, &t);
	const char *l[] = {"pipeline", p->host->pipeline_name(p->stage), NULL};
	prom_family(&t, "anomon_start_time_seconds", "gauge", "When the pipeline started, Unix seconds");
	prom_sample(&t, "anomon_start_time_seconds", l, (double)started / 1e9);
	prom_family(&t, "anomon_uptime_seconds", "gauge", "Seconds since the pipeline started");
	prom_sample(&t, "anomon_uptime_seconds", l, (double)(now - started) / 1e9);
	prom_family(&t, "anomon_series", "gauge", "Key and model pairs this sink keeps (bounded by max_series)");
	prom_sample(&t, "anomon_series", NULL, (double)p->store.n_series);
	prom_family(&t, "anomon_prometheus_series_evicted_total", "counter", "Series removed to stay within max_series: the least recently updated key's, all together");
	prom_sample(&t, "anomon_prometheus_series_evicted_total", NULL, (double)p->store.evicted);
	prom_family(&t, "anomon_prometheus_series_expired_total", "counter", "Series removed because no verdict updated their key within series_ttl");
	prom_sample(&t, "anomon_prometheus_series_expired_total", NULL, (double)p->store.expired);
	render_reloads(p, &t);
	if (t.err) {
		prom_text_free(&t);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	struct psink *p = cls;
	struct MHD_Response *r;
	unsigned status;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static const char msg[] = "only GET\n";
		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") && strcmp(url, "/")) {
		static const char msg[] = "anomon: metrics are at /metrics\n";
		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_FOUND;
	} else {
		size_t len;
		char *body = render(p, &len);
		if (!body)
			return MHD_NO;
		r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!r)
			free(body);
		status = MHD_HTTP_OK;
		p->scrapes++;
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", status == MHD_HTTP_OK ?
				"text/plain; version=0.0.4; charset=utf-8" : "text/plain");
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static void run_mhd(void *arg)
{
	struct psink *p = arg;
	if (p->mhd)
		MHD_run(p->mhd);
}

static void on_ready(void *arg, int fd, int events)
{
	(void)fd;
	(void)events;
	run_mhd(arg);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces). */
static int parse_listen(struct psink *p, const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || !colon[1] || port < 0 || port > 65535)
		return -EINVAL;
	char host[128];
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(&p->addr, 0, sizeof(p->addr));
	if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&p->addr;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		p->ipv6 = true;
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)&p->addr;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (!hl)
		return 0;
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -EINVAL;
}

static void stop(void *state);

static void destroy(void *state)
{
	struct psink *p = state;
	stop(p);
	prom_store_free(&p->store);
	free(p->listen);
	free(p);
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct psink *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->host = host;
	p->stage = s;
	const char *listen = host->param_string(s, "listen");
	int64_t max_series = host->param_int(s, "max_series");
	p->listen = strdup(listen);
	if (!p->listen) {
		destroy(p);
		return -ENOMEM;
	}
	if (parse_listen(p, listen) < 0) {
		host->error(s, "listen: expected HOST:PORT, [IPV6]:PORT or :PORT, got \"%s\"", listen);
		destroy(p);
		return -EINVAL;
	}
	if (max_series < 1) {
		host->error(s, "max_series: expected at least 1, got %lld", (long long)max_series);
		destroy(p);
		return -EINVAL;
	}
	if (prom_store_init(&p->store, (uint64_t)max_series > SIZE_MAX ? SIZE_MAX : (size_t)max_series,
			    host->param_duration_ns(s, "series_ttl")) < 0) {
		destroy(p);
		return -ENOMEM;
	}
	*state = p;
	return 0;
}

/* libmicrohttpd's own messages, through the host's log rather than raw on stderr. While the
 * daemon starts, a failure is reported by start() in one line, so they are kept for it and
 * shown only at -vv. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct psink *p = cls;
	int err = errno;  /* start() reports the errno of the failure, not of the logging */
	char msg[sizeof(p->mhd_msg)];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (p->starting)
		memcpy(p->mhd_msg, msg, sizeof(msg));
	p->host->log(p->stage, p->starting ? ANOMON_LOG_DEBUG : ANOMON_LOG_WARN, "libmicrohttpd: %s", msg);
	errno = err;
}

static int start(void *state)
{
	struct psink *p = state;
	/* No internal thread: the host's loop watches MHD's epoll fd and calls MHD_run. */
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (p->ipv6 ? MHD_USE_IPv6 : 0);
	p->starting = true;
	p->mhd_msg[0] = '\0';
	errno = 0;
	p->mhd = MHD_start_daemon(flags, 0, NULL, NULL, answer, p,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, p,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&p->addr,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				  MHD_OPTION_END);
	int err = errno;
	p->starting = false;
	if (!p->mhd) {
		p->host->error(p->stage, "cannot listen on %s: %s", p->listen,
			       err ? strerror(err) : p->mhd_msg[0] ? p->mhd_msg : "libmicrohttpd failed");
		return err ? -err : -EADDRINUSE;
	}
	p->started = true;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(p->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		p->host->error(p->stage, "libmicrohttpd gives no epoll fd");
		return -ENOTSUP;
	}
	int rc = p->host->watch_fd(p->stage, info->epoll_fd, ANOMON_FD_READ, on_ready, p, &p->watch);
	/* Connection timeouts and responses queued while idle. */
	if (!rc)
		rc = p->host->timer_start(p->stage, 250, 250, run_mhd, p, &p->timer);
	if (rc < 0)
		p->host->error(p->stage, "cannot watch the HTTP server: %s", strerror(-rc));
	else
		p->host->log(p->stage, ANOMON_LOG_INFO, "metrics at http://%s/metrics", p->listen);
	return rc;
}

static void stop(void *state)
{
	struct psink *p = state;
	/* Stop watching MHD's epoll fd before MHD closes it. */
	if (p->watch)
		p->host->unwatch_fd(p->watch);
	if (p->timer)
		p->host->timer_stop(p->timer);
	p->watch = NULL;
	p->timer = NULL;
	if (p->mhd) {
		MHD_stop_daemon(p->mhd);
		p->mhd = NULL;
	}
	if (p->started)
		p->host->log(p->stage, ANOMON_LOG_INFO, "series: %zu kept, of %zu keys (max_series %zu); "
			     "%" PRIu64 " evicted, %" PRIu64 " expired", p->store.n_series,
			     p->store.n_keys, p->store.max_series, p->store.evicted, p->store.expired);
	p->started = false;
}

static const struct anomon_param params[] = {
	{"listen", ANOMON_PARAM_STRING, "127.0.0.1:9464", false, "address and port of the /metrics endpoint: HOST:PORT, [IPV6]:PORT, or :PORT for all interfaces"},
	{"max_series", ANOMON_PARAM_INT, "10000", false, "key and model pairs kept; a new one evicts the least recently updated key with all its series"},
	{"series_ttl", ANOMON_PARAM_DURATION, "10m", false, "a key no verdict updated for this long is removed with all its series; 0 keeps them until evicted"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "prometheus",
	.version = "1.1.0",
	.description = "Serve the last score per key and model, abnormal windows and anomon's own metrics at an HTTP /metrics endpoint",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_verdict = on_verdict,
};

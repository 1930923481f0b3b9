/* syslog sink: one RFC 5424 message per verdict, with structured data (key, container,
 * label, score, model), to the local socket (datagrams), or to a server over UDP, or over TCP
 * with octet-counting framing (RFC 6587). Messages are built on the loop thread and sent by a
 * worker thread that reconnects with backoff; a bounded queue counts what it cannot hold. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "sink_json.h"
#include "sink_worker.h"
#include "syslog_format.h"

enum transport { T_UNIX, T_UDP, T_TCP };

struct ssink {
	const struct anomon_host *host;
	anomon_stage *stage;
	struct sink_worker *worker;
	struct sink_json json;
	enum transport transport;
	char *where;       /* socket path, or host */
	char *port;
	int facility;
	double crit_score;
	bool json_msg;
	char hostname[256];
	char *app;
	char *buf;         /* message being built */
	size_t cap;

	/* Worker thread only. */
	int fd;
	bool failing;
};

static void disconnect(struct ssink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void fail(struct ssink *s, const char *what, int err)
{
	if (s->failing)
		return;
	s->failing = true;
	sink_worker_log(s->worker, ANOMON_LOG_WARN, "%s %s%s%s: %s; messages stay queued and are "
			"retried, and are counted as dropped when the queue is full", what, s->where,
			s->port ? ":" : "", s->port ? s->port : "", strerror(err));
}

static int connect_unix(struct ssink *s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(s->where) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, s->where);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	s->fd = fd;
	return 0;
}

static int connect_inet(struct ssink *s)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = s->transport == T_TCP ? SOCK_STREAM : SOCK_DGRAM};
	struct addrinfo *res;
	int rc = getaddrinfo(s->where, s->port, &hints, &res);
	if (rc)
		return rc == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	int err = ECONNREFUSED;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		/* A server that stops reading must not hold the worker forever. */
		struct timeval tv = {.tv_sec = 5};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			s->fd = fd;
			freeaddrinfo(res);
			return 0;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	return -err;
}

static int ensure_connected(struct ssink *s)
{
	if (s->fd >= 0)
		return 0;
	int rc = s->transport == T_UNIX ? connect_unix(s) : connect_inet(s);
	if (rc < 0)
		fail(s, "cannot connect to", -rc);
	return rc;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int deliver(void *ctx, struct sink_msg *const *msgs, size_t n, size_t *done)
{
	struct ssink *s = ctx;
	*done = 0;
	int rc = ensure_connected(s);
	if (rc < 0)
		return rc;
	for (; *done < n; (*done)++) {
		const struct sink_msg *m = msgs[*done];
		if (s->transport == T_TCP) {
			/* RFC 6587 3.4.1: MSG-LEN SP SYSLOG-MSG. A frame cut by a broken connection
			 * is discarded by the receiver and resent whole after reconnecting. */
			char len[24];
			int l = snprintf(len, sizeof(len), "%zu ", m->len);
			rc = send_all(s->fd, len, (size_t)l);
			if (!rc)
				rc = send_all(s->fd, sink_msg_payload(m), m->len);
		} else {
			ssize_t w = send(s->fd, sink_msg_payload(m), m->len, MSG_NOSIGNAL);
			rc = w < 0 ? -errno : 0;
			/* A datagram too large for the socket can never be sent: give it up. */
			if (rc == -EMSGSIZE) {
				sink_worker_drop(s->worker, 1);
				continue;
			}
		}
		if (rc < 0) {
			fail(s, "cannot send to", -rc);
			disconnect(s);
			return rc;
		}
	}
	if (s->failing) {
		s->failing = false;
		sink_worker_log(s->worker, ANOMON_LOG_WARN, "sending to %s%s%s again", s->where,
				s->port ? ":" : "", s->port ? s->port : "");
	}
	return 0;
}

static void thread_stop(void *ctx)
{
	disconnect(ctx);
}

static const struct sink_worker_ops ops = {
	.deliver = deliver,
	.thread_stop = thread_stop,
};

/* Make sure buf holds need bytes. */
static int reserve(struct ssink *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	char *b = realloc(s->buf, need);
	if (!b)
		return -ENOMEM;
	s->buf = b;
	s->cap = need;
	return 0;
}

/* " (normally 0.01-0.04)": where a feature normally lies; "to" when a bound is negative. */
static int range_text(char *buf, size_t cap, const struct anomon_range *r)
{
	if (r->low == r->high)
		return snprintf(buf, cap, " (normally %.3g)", r->low);
	return snprintf(buf, cap, " (normally %.3g%s%.3g)", r->low,
			r->low < 0 || r->high < 0 ? " to " : "-", r->high);
}

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	struct ssink *s = state;
	const struct anomon_container *c = v->key ? s->host->container_of_key(s->stage, v->key) : NULL;
	struct syslog_verdict sv = {
		.key = v->key,
		.container = c && c->name ? c->name : NULL,
		.label = v->label == 1 ? "abnormal" : v->label == 0 ? "normal" : "unjudged",
		.model = v->model,
		.model_version = v->model_version,
		.pipeline = s->host->pipeline_name(s->stage),
		.score = v->score,
		.start_ns = v->start_ns,
		.end_ns = v->end_ns,
	};
	char sd[2048];
	if (syslog_sd(sd, sizeof(sd), &sv) >= (int)sizeof(sd))
		return -EMSGSIZE;
	/* The text says who, what and why in one line; json puts the record's JSON form. */
	char text[1024];
	const char *msg = text;
	if (s->json_msg) {
		size_t len;
		int rc = sink_json_format(&s->json, s->host, s->stage, ANOMON_RECORD_VERDICT, v,
					  false, &msg, &len);
		if (rc < 0)
			return rc;
	} else {
		int n = snprintf(text, sizeof(text), "%s%s%s: %s, score %.3f (model %s)",
				 sv.container ? sv.container : "", sv.container ? " " : "",
				 v->key ? v->key : "-", sv.label, v->score, v->model ? v->model : "-");
		for (size_t i = 0; i < v->n_top && n > 0 && (size_t)n < sizeof(text); i++) {
			n += snprintf(text + n, sizeof(text) - (size_t)n, "%s%s=%.3g",
				      i ? ", " : "; top: ", v->top[i].feature, v->top[i].value);
			if (v->normal && (size_t)n < sizeof(text))
				n += range_text(text + n, sizeof(text) - (size_t)n, &v->normal[i]);
		}
		if (v->basis && n > 0 && (size_t)n < sizeof(text))
			n += snprintf(text + n, sizeof(text) - (size_t)n, " [%s]", v->basis);
		if (v->flags & ANOMON_WINDOW_INCOMPLETE && n > 0 && (size_t)n < sizeof(text))
			snprintf(text + n, sizeof(text) - (size_t)n, " [incomplete window]");
	}
	int sev = syslog_severity(v->label, v->score, s->crit_score);
	uint64_t now = s->host->now_ns(s->stage);
	int need = syslog_message(s->buf, s->cap, s->facility, sev, now, s->hostname, s->app,
				  (int)getpid(), "verdict", sd, msg);
	if (need >= (int)s->cap) {
		if (reserve(s, (size_t)need + 1) < 0)
			return -ENOMEM;
		need = syslog_message(s->buf, s->cap, s->facility, sev, now, s->hostname, s->app,
				      (int)getpid(), "verdict", sd, msg);
	}
	int rc = sink_worker_push(s->worker, NULL, 0, s->buf, (size_t)need);
	return rc == -ENOBUFS ? 0 : rc;
}

static void destroy(void *state)
{
	struct ssink *s = state;
	sink_worker_free(s->worker);
	sink_json_free(&s->json);
	free(s->where);
	free(s->port);
	free(s->app);
	free(s->buf);
	free(s);
}

/* "unix:/dev/log", "udp:HOST:PORT", "tcp:HOST:PORT", "tcp:[::1]:PORT". */
static int parse_address(struct ssink *s, const char *addr)
{
	const char *rest;
	if (!strncmp(addr, "unix:", 5)) {
		s->transport = T_UNIX;
		s->where = strdup(addr + 5);
		return s->where && *s->where ? 0 : -EINVAL;
	}
	if (!strncmp(addr, "udp:", 4))
		s->transport = T_UDP;
	else if (!strncmp(addr, "tcp:", 4))
		s->transport = T_TCP;
	else
		return -EINVAL;
	rest = addr + 4;
	const char *colon = strrchr(rest, ':');
	if (!colon || colon == rest || !colon[1])
		return -EINVAL;
	size_t hl = (size_t)(colon - rest);
	if (rest[0] == '[' && hl >= 2 && rest[hl - 1] == ']') {
		rest++;
		hl -= 2;
	}
	s->where = strndup(rest, hl);
	s->port = strdup(colon + 1);
	char *end;
	long p = strtol(s->port ? s->port : "", &end, 10);
	if (!s->where || !s->port || *end || p < 1 || p > 65535)
		return -EINVAL;
	return 0;
}

static int init(const struct anomon_host *host, anomon_stage *st, void **state)
{
	struct ssink *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->stage = st;
	s->fd = -1;
	const char *addr = host->param_string(st, "address");
	const char *fac = host->param_string(st, "facility");
	const char *msg = host->param_string(st, "message");
	int rc = -EINVAL;
	if (parse_address(s, addr) < 0) {
		host->error(st, "address: expected unix:PATH, udp:HOST:PORT or tcp:HOST:PORT, got \"%s\"", addr);
		goto fail;
	}
	s->facility = syslog_facility(fac);
	if (s->facility < 0) {
		host->error(st, "facility: expected user, daemon, local0..local7, ..., got \"%s\"", fac);
		goto fail;
	}
	if (strcmp(msg, "text") && strcmp(msg, "json")) {
		host->error(st, "message: expected \"text\" or \"json\", got \"%s\"", msg);
		goto fail;
	}
	s->json_msg = !strcmp(msg, "json");
	s->crit_score = host->param_number(st, "crit_score");
	int64_t queue = host->param_int(st, "queue");
	if (queue < 1) {
		host->error(st, "queue: expected at least 1, got %lld", (long long)queue);
		goto fail;
	}
	const char *hn = host->param_string(st, "hostname");
	if (*hn)
		snprintf(s->hostname, sizeof(s->hostname), "%s", hn);
	else if (gethostname(s->hostname, sizeof(s->hostname) - 1) < 0)
		strcpy(s->hostname, "-");
	s->app = strdup(host->param_string(st, "app_name"));
	struct sink_worker_config cfg = {.max_msgs = (size_t)queue};
	rc = s->app ? reserve(s, 4096) : -ENOMEM;
	if (!rc)
		rc = sink_worker_new(host, st, &ops, s, &cfg, &s->worker);
	if (rc < 0)
		goto fail;
	*state = s;
	return 0;
fail:
	destroy(s);
	return rc;
}

static int start(void *state)
{
	struct ssink *s = state;
	int rc = sink_worker_start(s->worker);
	if (rc < 0)
		s->host->error(s->stage, "cannot start the sender thread: %s", strerror(-rc));
	return rc;
}

static void stop(void *state)
{
	struct ssink *s = state;
	sink_worker_stop(s->worker);
}

static const struct anomon_param params[] = {
	{"address", ANOMON_PARAM_STRING, "unix:/dev/log", false, "where to send: unix:PATH (datagrams), udp:HOST:PORT, or tcp:HOST:PORT (octet-counted frames, RFC 6587)"},
	{"facility", ANOMON_PARAM_STRING, "daemon", false, "syslog facility: user, daemon, local0..local7, ..."},
	{"app_name", ANOMON_PARAM_STRING, "anomon", false, "APP-NAME of the messages"},
	{"hostname", ANOMON_PARAM_STRING, "", false, "HOSTNAME of the messages (default: this host's name)"},
	{"crit_score", ANOMON_PARAM_NUMBER, "0.9", false, "abnormal verdicts scoring at least this are crit, below it warning; normal is info, unjudged notice"},
	{"message", ANOMON_PARAM_STRING, "text", false, "MSG part: \"text\" (one readable line) or \"json\" (the record's JSON form)"},
	{"queue", ANOMON_PARAM_INT, "10000", false, "messages held while the server is slow or away; beyond that they are dropped and counted"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "syslog",
	.version = "1.0.0",
	.description = "Send verdicts as RFC 5424 syslog messages with structured data, locally or over UDP/TCP",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_verdict = on_verdict,
};

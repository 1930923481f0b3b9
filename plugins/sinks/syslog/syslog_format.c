#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "syslog_format.h"

int syslog_severity(int label, double score, double crit_score)
{
	if (label == 1)
		return score >= crit_score ? SYSLOG_CRIT : SYSLOG_WARNING;
	return label == 0 ? SYSLOG_INFO : SYSLOG_NOTICE;
}

int syslog_facility(const char *name)
{
	static const char *const names[] = {"kern", "user", "mail", "daemon", "auth", "syslog",
					    "lpr", "news", "uucp", "cron", "authpriv", "ftp"};
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(name, names[i]))
			return i;
	if (!strncmp(name, "local", 5) && name[5] >= '0' && name[5] <= '7' && !name[6])
		return 16 + name[5] - '0';
	return -1;
}

struct w {
	char *buf;
	size_t cap, len;  /* cap: the room for characters, one less than the buffer */
	bool terminate;   /* the buffer has room for the '\0' at least */
};

static void put(struct w *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct w *o, const char *s)
{
	put(o, s, strlen(s));
}

/* PARAM-VALUE: '"', '\' and ']' are escaped with a backslash. */
static void param(struct w *o, const char *name, const char *value)
{
	if (!value)
		return;
	put(o, " ", 1);
	puts_(o, name);
	put(o, "=\"", 2);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == ']')
			put(o, "\\", 1);
		put(o, p, 1);
	}
	put(o, "\"", 1);
}

static void rfc3339(uint64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%06" PRIu64 "Z", date, ns % 1000000000u / 1000u);
}

static int finish(struct w *o)
{
	if (o->terminate)
		o->buf[o->len < o->cap ? o->len : o->cap] = '\0';
	return (int)o->len;
}

int syslog_sd(char *buf, size_t cap, const struct syslog_verdict *v)
{
	struct w o = {.buf = buf, .cap = cap ? cap - 1 : 0, .terminate = cap > 0};
	char score[32], start[40], end[40];
	snprintf(score, sizeof(score), "%.4f", v->score);
	rfc3339(v->start_ns, start, sizeof(start));
	rfc3339(v->end_ns, end, sizeof(end));
	puts_(&o, "[" SYSLOG_SD_ID);
	param(&o, "key", v->key);
	param(&o, "container", v->container);
	param(&o, "label", v->label);
	param(&o, "score", score);
	param(&o, "model", v->model);
	param(&o, "model_version", v->model_version);
	param(&o, "pipeline", v->pipeline);
	param(&o, "start", start);
	param(&o, "end", end);
	puts_(&o, "]");
	return finish(&o);
}

/* Header fields are PRINTUSASCII without spaces, "-" when empty (RFC 5424 6.2). */
static void field(struct w *o, const char *s, size_t max)
{
	put(o, " ", 1);
	size_t n = 0;
	for (const char *p = s ? s : ""; *p && n < max; p++)
		if (*p > 32 && *p < 127) {
			put(o, p, 1);
			n++;
		}
	if (!n)
		put(o, "-", 1);
}

int syslog_message(char *buf, size_t cap, int facility, int severity, uint64_t now_ns,
		   const char *hostname, const char *app, int pid, const char *msgid,
		   const char *sd, const char *msg)
{
	struct w o = {.buf = buf, .cap = cap ? cap - 1 : 0, .terminate = cap > 0};
	char head[64], t[40], procid[16];
	snprintf(head, sizeof(head), "<%d>1 ", facility * 8 + severity);
	puts_(&o, head);
	rfc3339(now_ns, t, sizeof(t));
	puts_(&o, t);
	snprintf(procid, sizeof(procid), "%d", pid);
	field(&o, hostname, 255);
	field(&o, app, 48);
	field(&o, procid, 128);
	field(&o, msgid, 32);
	put(&o, " ", 1);
	puts_(&o, sd && *sd ? sd : "-");
	if (msg && *msg) {
		put(&o, " ", 1);
		puts_(&o, msg);
	}
	return finish(&o);
}

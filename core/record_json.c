#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record_json.h"

/* A bounded writer that keeps counting past the end, for snprintf semantics. Hand-written
 * rather than jansson: sinks serialise every event on the hot path, and building a jansson
 * tree per record costs several allocations each. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) ANOMON_PRINTF(2, 3);
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(o, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string. Bytes that are not valid UTF-8 (paths are bytes, not text) are written as
 * the six characters \\xNN so the line stays valid JSON and the byte stays visible. */
static void put_str(struct out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t l = c >= 0x20 && c != '"' && c != '\\' ? utf8_len(p + i, n - i) : 0;
		if (l) {
			i += l;
			run += l;
			continue;
		}
		put(o, (const char *)p + i - run, run);
		run = 0;
		switch (c) {
		case '"': puts_(o, "\\\""); break;
		case '\\': puts_(o, "\\\\"); break;
		case '\n': puts_(o, "\\n"); break;
		case '\t': puts_(o, "\\t"); break;
		case '\r': puts_(o, "\\r"); break;
		default:
			if (c < 0x20)
				putf(o, "\\u%04x", c);
			else
				putf(o, "\\\\x%02x", c);
		}
		i++;
	}
	put(o, (const char *)p + n - run, run);
	put(o, "\"", 1);
}

static void put_cstr(struct out *o, const char *s)
{
	put_str(o, s, strlen(s));
}

static void put_comm(struct out *o, const char comm[ANOMON_COMM_LEN])
{
	put_str(o, comm, strnlen(comm, ANOMON_COMM_LEN));
}

/* JSON has no NaN or infinity. */
static void put_num(struct out *o, double v)
{
	if (isfinite(v))
		putf(o, "%.10g", v);
	else
		puts_(o, "null");
}

static const struct anomon_container *(*resolve_id)(uint64_t id);
static const struct anomon_container *(*resolve_key)(const char *key);

void record_json_set_resolvers(const struct anomon_container *(*by_id)(uint64_t id),
			       const struct anomon_container *(*by_key)(const char *key))
{
	resolve_id = by_id;
	resolve_key = by_key;
}

static void put_opt(struct out *o, const char *key, const char *v)
{
	if (!v)
		return;
	putf(o, ",\"%s\":", key);
	put_cstr(o, v);
}

/* ,"cgroup":"/x","container":{"runtime":..,"id":..,"short_id":..,"pod_uid":..,"name":..} */
static void put_container(struct out *o, const struct anomon_container *c)
{
	if (!c)
		return;
	put_opt(o, "cgroup", c->cgroup);
	if (!c->runtime)
		return;
	puts_(o, ",\"container\":{\"runtime\":");
	put_cstr(o, c->runtime);
	put_opt(o, "id", c->id);
	put_opt(o, "short_id", c->short_id);
	put_opt(o, "pod_uid", c->pod_uid);
	put_opt(o, "name", c->name);
	puts_(o, "}");
}

/* "2026-11-25T08:00:00.123456789Z" into out (at least 32 bytes). */
static void record_time_rfc3339(uint64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%s.%09" PRIu64 "Z", date, ns % 1000000000u);
}

static void put_time(struct out *o, const char *key, uint64_t ns)
{
	char t[48];
	record_time_rfc3339(ns, t, sizeof(t));
	putf(o, ",\"%s\":\"", key);
	puts_(o, t);
	puts_(o, "\"");
}

static void event_json(struct out *o, const struct anomon_event *ev)
{
	puts_(o, "{\"record\":\"event\",\"type\":");
	put_cstr(o, ev->type);
	put_time(o, "time", ev->ts_ns);
	putf(o, ",\"ts_ns\":%" PRIu64, ev->ts_ns);
	if (strcmp(ev->type, ANOMON_EV_OPEN) == 0 && ev->size >= sizeof(struct anomon_open)) {
		const struct anomon_open *e = ev->data;
		putf(o, ",\"pid\":%" PRIu32, e->pid);
		if (e->present & ANOMON_OPEN_TID)
			putf(o, ",\"tid\":%" PRIu32, e->tid);
		if (e->present & ANOMON_OPEN_UID)
			putf(o, ",\"uid\":%" PRIu32, e->uid);
		if (e->present & ANOMON_OPEN_CGROUP) {
			putf(o, ",\"cgroup_id\":%" PRIu64, e->cgroup_id);
			if (resolve_id)
				put_container(o, resolve_id(e->cgroup_id));
		}
		puts_(o, ",\"comm\":");
		put_comm(o, e->comm);
		if (e->present & ANOMON_OPEN_FLAGS)
			putf(o, ",\"flags\":%" PRId32, e->flags);
		if (e->present & ANOMON_OPEN_MODE)
			putf(o, ",\"mode\":%" PRIu32, e->mode);
		putf(o, ",\"fd\":%" PRId32 ",\"err\":%" PRId32 ",\"path\":", e->fd, e->err);
		put_str(o, e->path ? e->path : "", e->path ? e->path_len : 0);
	} else if (strcmp(ev->type, ANOMON_EV_BIO) == 0 && ev->size >= sizeof(struct anomon_bio)) {
		const struct anomon_bio *e = ev->data;
		if (e->present & ANOMON_BIO_PID)
			putf(o, ",\"pid\":%" PRIu32, e->pid);
		puts_(o, ",\"comm\":");
		put_comm(o, e->comm);
		if (e->present & ANOMON_BIO_CGROUP) {
			putf(o, ",\"cgroup_id\":%" PRIu64, e->cgroup_id);
			if (resolve_id)
				put_container(o, resolve_id(e->cgroup_id));
		}
		if (e->present & ANOMON_BIO_DISK) {
			puts_(o, ",\"disk\":");
			put_str(o, e->disk, strnlen(e->disk, sizeof(e->disk)));
		}
		if (e->present & ANOMON_BIO_RWBS) {
			puts_(o, ",\"rwbs\":");
			put_str(o, e->rwbs, strnlen(e->rwbs, sizeof(e->rwbs)));
		}
		if (e->present & ANOMON_BIO_SECTOR)
			putf(o, ",\"sector\":%" PRIu64, e->sector);
		if (e->present & ANOMON_BIO_BYTES)
			putf(o, ",\"bytes\":%" PRIu64, e->bytes);
		if (e->present & ANOMON_BIO_QUEUE)
			putf(o, ",\"queue_ns\":%" PRIu64, e->queue_ns);
		if (e->present & ANOMON_BIO_SERVICE)
			putf(o, ",\"service_ns\":%" PRIu64, e->service_ns);
	} else if (strcmp(ev->type, ANOMON_EV_PROC) == 0 && ev->size >= sizeof(struct anomon_proc)) {
		const struct anomon_proc *e = ev->data;
		static const char *const kinds[] = {"?", "fork", "exec", "exit"};
		putf(o, ",\"kind\":\"%s\"", e->kind <= ANOMON_PROC_EXIT ? kinds[e->kind] : "?");
		putf(o, ",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",\"ppid\":%" PRIu32, e->pid,
		     e->tid, e->ppid);
		if (e->present & ANOMON_PROC_F_UID)
			putf(o, ",\"uid\":%" PRIu32, e->uid);
		if (e->present & ANOMON_PROC_F_CGROUP) {
			putf(o, ",\"cgroup_id\":%" PRIu64, e->cgroup_id);
			if (resolve_id)
				put_container(o, resolve_id(e->cgroup_id));
		}
		puts_(o, ",\"comm\":");
		put_comm(o, e->comm);
		putf(o, ",\"thread\":%s", (e->flags & ANOMON_PROC_THREAD) ? "true" : "false");
		if (e->kind == ANOMON_PROC_EXIT)
			putf(o, ",\"exit_code\":%" PRId32 ",\"signaled\":%s", e->exit_code,
			     (e->flags & ANOMON_PROC_SIGNALED) ? "true" : "false");
		if (e->present & ANOMON_PROC_F_AGE)
			putf(o, ",\"age_ns\":%" PRIu64, e->age_ns);
		if ((e->present & ANOMON_PROC_F_FILENAME) && e->filename) {
			puts_(o, ",\"filename\":");
			put_cstr(o, e->filename);
		}
	} else if (strcmp(ev->type, ANOMON_EV_RUNQ_HIST) == 0 &&
		   ev->size >= ANOMON_RUNQ_HIST_SIZE_1_1) {
		const struct anomon_runq_hist *h = ev->data;
		static const char *const src[] = {"host", "cpu", "cgroup"};
		put_time(o, "start", h->start_ns);
		put_time(o, "end", h->end_ns);
		putf(o, ",\"source\":\"%s\"", h->source <= ANOMON_RUNQ_CGROUP ? src[h->source] : "?");
		if (h->source == ANOMON_RUNQ_CPU)
			putf(o, ",\"cpu\":%" PRId32, h->cpu);
		if (h->source == ANOMON_RUNQ_CGROUP) {
			putf(o, ",\"cgroup_id\":%" PRIu64, h->cgroup_id);
			if (resolve_id)
				put_container(o, resolve_id(h->cgroup_id));
		}
		putf(o, ",\"samples\":%" PRIu64 ",\"overflow\":%" PRIu64 ",\"bins\":[", h->samples,
		     h->overflow);
		for (uint32_t i = 0; i < h->nbins; i++)
			putf(o, "%s%" PRIu64, i ? "," : "", h->bins[i]);
		puts_(o, "]");
		if (ev->size >= sizeof(*h) && h->cpu_samples)
			putf(o, ",\"runnable\":%" PRIu64 ",\"crowded\":%" PRIu64
			     ",\"cpu_samples\":%" PRIu64, h->runnable, h->crowded, h->cpu_samples);
	} else {
		putf(o, ",\"size\":%zu", ev->size);
	}
	puts_(o, "}");
}

static void window_json(struct out *o, const char *kind, const char *stage, uint64_t start,
			uint64_t end, const char *key, uint32_t flags)
{
	puts_(o, "{\"record\":\"");
	puts_(o, kind);
	puts_(o, "\",\"stage\":");
	put_cstr(o, stage ? stage : "");
	put_time(o, "start", start);
	put_time(o, "end", end);
	puts_(o, ",\"key\":");
	put_cstr(o, key ? key : "");
	if (key && resolve_key)
		put_container(o, resolve_key(key));
	putf(o, ",\"incomplete\":%s", (flags & ANOMON_WINDOW_INCOMPLETE) ? "true" : "false");
}

static void vector_json(struct out *o, const struct anomon_vector *v, const char *stage)
{
	window_json(o, "vector", stage, v->start_ns, v->end_ns, v->key, v->flags);
	putf(o, ",\"events\":%" PRIu64 ",\"features\":{", v->events);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			puts_(o, ",");
		put_cstr(o, v->names[i]);
		puts_(o, ":");
		put_num(o, v->values[i]);
	}
	puts_(o, "}}");
}

static void verdict_json(struct out *o, const struct anomon_verdict *v, const char *stage)
{
	window_json(o, "verdict", stage, v->start_ns, v->end_ns, v->key, v->flags);
	puts_(o, ",\"label\":");
	puts_(o, v->label == 1 ? "\"abnormal\"" : v->label == 0 ? "\"normal\"" : "\"unjudged\"");
	puts_(o, ",\"score\":");
	put_num(o, v->score);
	puts_(o, ",\"model\":");
	put_cstr(o, v->model ? v->model : "");
	puts_(o, ",\"model_version\":");
	put_cstr(o, v->model_version ? v->model_version : "");
	puts_(o, ",\"top\":[");
	for (size_t i = 0; i < v->n_top; i++) {
		puts_(o, i ? ",{\"feature\":" : "{\"feature\":");
		put_cstr(o, v->top[i].feature ? v->top[i].feature : "");
		puts_(o, ",\"value\":");
		put_num(o, v->top[i].value);
		puts_(o, ",\"weight\":");
		put_num(o, v->top[i].weight);
		if (v->normal) {
			puts_(o, ",\"normal\":[");
			put_num(o, v->normal[i].low);
			puts_(o, ",");
			put_num(o, v->normal[i].high);
			puts_(o, "]");
		}
		puts_(o, "}");
	}
	puts_(o, "]");
	if (v->basis) {
		puts_(o, ",\"basis\":");
		put_cstr(o, v->basis);
	}
	puts_(o, "}");
}

int record_json(enum anomon_record_kind kind, const void *record, const char *stage, char *buf,
		size_t cap)
{
	struct out o = {.buf = buf, .cap = cap ? cap - 1 : 0};
	switch (kind) {
	case ANOMON_RECORD_EVENT: event_json(&o, record); break;
	case ANOMON_RECORD_VECTOR: vector_json(&o, record, stage); break;
	case ANOMON_RECORD_VERDICT: verdict_json(&o, record, stage); break;
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return (int)o.len;
}

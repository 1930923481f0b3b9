#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nats_in_parse.h"

int nats_in_parse_time(const char *s, uint64_t *ns)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	const char *p = s + used;
	uint64_t frac = 0;
	int digits = 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				digits++;
			}
	for (; digits < 9; digits++)
		frac *= 10;
	if (strcmp(p, "Z"))
		return -EINVAL;
	time_t t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*ns = (uint64_t)t * 1000000000u + frac;
	return 0;
}

/* Optional unsigned field: sets *v and returns 1 if present, 0 if absent, -1 if not a
 * non-negative integer. */
static int u64(json_t *o, const char *k, uint64_t *v)
{
	json_t *j = json_object_get(o, k);
	if (!j)
		return 0;
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 1;
}

static int i64(json_t *o, const char *k, int64_t *v)
{
	json_t *j = json_object_get(o, k);
	if (!j)
		return 0;
	if (!json_is_integer(j))
		return -1;
	*v = json_integer_value(j);
	return 1;
}

static int boolean(json_t *o, const char *k, bool *v)
{
	json_t *j = json_object_get(o, k);
	if (!j)
		return 0;
	if (!json_is_boolean(j))
		return -1;
	*v = json_is_true(j);
	return 1;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The byte the four characters \xNN at s (n left) stand for, or -1. Only 80..ff: the JSON
 * form spells so only bytes that are not valid UTF-8, all above 7f (control characters are
 * \u00NN, ASCII is itself), so a path's own text "\x41" stays text. Its own text "\xff"
 * is spelt like the byte and comes back as the byte. */
static int escaped_byte(const char *s, size_t n)
{
	if (n < 4 || s[0] != '\\' || s[1] != 'x' || hex(s[2]) < 0 || hex(s[3]) < 0)
		return -1;
	int b = hex(s[2]) << 4 | hex(s[3]);
	return b >= 0x80 ? b : -1;
}

/* s (n bytes) into dst with every \xNN as its byte: at most cap - 1 bytes and a NUL.
 * Returns the decoded length. */
static size_t unescape(const char *s, size_t n, char *dst, size_t cap)
{
	size_t len = 0;
	for (size_t i = 0; i < n; len++) {
		int b = escaped_byte(s + i, n - i);
		char c = b < 0 ? s[i] : (char)b;
		i += b < 0 ? 1 : 4;
		if (len + 1 < cap)
			dst[len] = c;
	}
	if (cap)
		dst[len < cap ? len : cap - 1] = '\0';
	return len;
}

/* A fixed-size text field (comm, disk, rwbs): decoded and truncated to fit. */
static void str(json_t *o, const char *k, char *dst, size_t cap)
{
	json_t *j = json_object_get(o, k);
	if (json_is_string(j))
		unescape(json_string_value(j), json_string_length(j), dst, cap);
}

/* A path's bytes: the string itself when it has no \xNN, else a decoded copy the event
 * owns. NULL when out of memory. */
static const char *bytes(struct nats_in_event *e, json_t *j, size_t *len)
{
	const char *s = json_string_value(j);
	size_t n = json_string_length(j);
	if (!memmem(s, n, "\\x", 2)) {
		*len = n;
		return s;
	}
	free(e->text);
	e->text = malloc(n + 1);
	if (!e->text)
		return NULL;
	*len = unescape(s, n, e->text, n + 1);
	return e->text;
}

#define BAD(...) do { snprintf(err, cap, __VA_ARGS__); goto fail; } while (0)

int nats_in_parse(const char *data, size_t len, struct nats_in_event *e, char *err, size_t cap)
{
	memset(e, 0, sizeof(*e));
	json_error_t je;
	e->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!e->root || !json_is_object(e->root)) {
		snprintf(err, cap, "position %d: %s", je.position, e->root ? "expected an object" : je.text);
		json_decref(e->root);
		e->root = NULL;
		return -EINVAL;
	}
	json_t *o = e->root;
	const char *record = json_string_value(json_object_get(o, "record"));
	if (!record)
		BAD("\"record\": expected a string");
	if (strcmp(record, "event")) {
		nats_in_event_free(e);
		return NATS_IN_NOT_EVENT;
	}
	const char *type = json_string_value(json_object_get(o, "type"));
	if (!type || strlen(type) >= sizeof(e->type))
		BAD("\"type\": expected an event type name");
	snprintf(e->type, sizeof(e->type), "%s", type);
	e->ev.type = e->type;
	if (u64(o, "ts_ns", &e->ev.ts_ns) != 1)
		BAD("\"ts_ns\": expected a non-negative integer");
	uint64_t u;
	int64_t s;
	if (!strcmp(type, ANOMON_EV_OPEN)) {
		struct anomon_open *p = &e->u.open;
		if (u64(o, "pid", &u) != 1)
			BAD("\"pid\": expected a non-negative integer");
		p->pid = (uint32_t)u;
		if (u64(o, "tid", &u) == 1) { p->tid = (uint32_t)u; p->present |= ANOMON_OPEN_TID; }
		if (u64(o, "uid", &u) == 1) { p->uid = (uint32_t)u; p->present |= ANOMON_OPEN_UID; }
		if (u64(o, "cgroup_id", &p->cgroup_id) == 1)
			p->present |= ANOMON_OPEN_CGROUP;
		if (i64(o, "flags", &s) == 1) { p->flags = (int32_t)s; p->present |= ANOMON_OPEN_FLAGS; }
		if (u64(o, "mode", &u) == 1) { p->mode = (uint32_t)u; p->present |= ANOMON_OPEN_MODE; }
		if (i64(o, "fd", &s) != 1)
			BAD("\"fd\": expected an integer");
		p->fd = (int32_t)s;
		if (i64(o, "err", &s) != 1)
			BAD("\"err\": expected an integer");
		p->err = (int32_t)s;
		str(o, "comm", p->comm, sizeof(p->comm));
		json_t *path = json_object_get(o, "path");
		if (!json_is_string(path))
			BAD("\"path\": expected a string");
		if (!(p->path = bytes(e, path, &p->path_len)))
			BAD("out of memory");
		e->ev.data = p;
		e->ev.size = sizeof(*p);
	} else if (!strcmp(type, ANOMON_EV_BIO)) {
		struct anomon_bio *b = &e->u.bio;
		if (u64(o, "pid", &u) == 1) { b->pid = (uint32_t)u; b->present |= ANOMON_BIO_PID; }
		if (u64(o, "cgroup_id", &b->cgroup_id) == 1) b->present |= ANOMON_BIO_CGROUP;
		if (json_object_get(o, "disk")) { str(o, "disk", b->disk, sizeof(b->disk)); b->present |= ANOMON_BIO_DISK; }
		if (json_object_get(o, "rwbs")) { str(o, "rwbs", b->rwbs, sizeof(b->rwbs)); b->present |= ANOMON_BIO_RWBS; }
		if (u64(o, "sector", &b->sector) == 1) b->present |= ANOMON_BIO_SECTOR;
		if (u64(o, "bytes", &b->bytes) == 1) b->present |= ANOMON_BIO_BYTES;
		if (u64(o, "queue_ns", &b->queue_ns) == 1) b->present |= ANOMON_BIO_QUEUE;
		if (u64(o, "service_ns", &b->service_ns) == 1) b->present |= ANOMON_BIO_SERVICE;
		str(o, "comm", b->comm, sizeof(b->comm));
		e->ev.data = b;
		e->ev.size = sizeof(*b);
	} else if (!strcmp(type, ANOMON_EV_RUNQ_HIST)) {
		struct anomon_runq_hist *h = &e->u.runq;
		const char *start = json_string_value(json_object_get(o, "start"));
		const char *end = json_string_value(json_object_get(o, "end"));
		if (!start || nats_in_parse_time(start, &h->start_ns) < 0)
			BAD("\"start\": expected an RFC 3339 UTC time");
		if (!end || nats_in_parse_time(end, &h->end_ns) < 0)
			BAD("\"end\": expected an RFC 3339 UTC time");
		const char *src = json_string_value(json_object_get(o, "source"));
		h->cpu = -1;
		if (src && !strcmp(src, "host")) {
			h->source = ANOMON_RUNQ_HOST;
		} else if (src && !strcmp(src, "cpu")) {
			h->source = ANOMON_RUNQ_CPU;
			if (i64(o, "cpu", &s) != 1)
				BAD("\"cpu\": expected an integer");
			h->cpu = (int32_t)s;
		} else if (src && !strcmp(src, "cgroup")) {
			h->source = ANOMON_RUNQ_CGROUP;
			if (u64(o, "cgroup_id", &h->cgroup_id) != 1)
				BAD("\"cgroup_id\": expected a non-negative integer");
		} else {
			BAD("\"source\": expected \"host\", \"cpu\" or \"cgroup\"");
		}
		json_t *bins = json_object_get(o, "bins");
		if (!json_is_array(bins) || json_array_size(bins) > 65536)
			BAD("\"bins\": expected an array of counts");
		h->nbins = (uint32_t)json_array_size(bins);
		e->bins = calloc(h->nbins ? h->nbins : 1, sizeof(*e->bins));
		if (!e->bins)
			BAD("out of memory");
		for (uint32_t i = 0; i < h->nbins; i++) {
			json_t *c = json_array_get(bins, i);
			if (!json_is_integer(c) || json_integer_value(c) < 0)
				BAD("\"bins\"[%u]: expected a non-negative integer", i);
			e->bins[i] = (uint64_t)json_integer_value(c);
		}
		h->bins = e->bins;
		if (u64(o, "overflow", &h->overflow) < 0)
			BAD("\"overflow\": expected a non-negative integer");
		if (u64(o, "samples", &h->samples) != 1)
			BAD("\"samples\": expected a non-negative integer");
		/* Demand (ABI 1.2), written only when it was measured: absent, it stays 0. */
		if (u64(o, "runnable", &h->runnable) < 0)
			BAD("\"runnable\": expected a non-negative integer");
		if (u64(o, "crowded", &h->crowded) < 0)
			BAD("\"crowded\": expected a non-negative integer");
		if (u64(o, "cpu_samples", &h->cpu_samples) < 0)
			BAD("\"cpu_samples\": expected a non-negative integer");
		e->ev.data = h;
		e->ev.size = sizeof(*h);
	} else if (!strcmp(type, ANOMON_EV_PROC)) {
		struct anomon_proc *p = &e->u.proc;
		const char *kind = json_string_value(json_object_get(o, "kind"));
		if (kind && !strcmp(kind, "fork"))
			p->kind = ANOMON_PROC_FORK;
		else if (kind && !strcmp(kind, "exec"))
			p->kind = ANOMON_PROC_EXEC;
		else if (kind && !strcmp(kind, "exit"))
			p->kind = ANOMON_PROC_EXIT;
		else
			BAD("\"kind\": expected \"fork\", \"exec\" or \"exit\"");
		if (u64(o, "pid", &u) != 1)
			BAD("\"pid\": expected a non-negative integer");
		p->pid = (uint32_t)u;
		if (u64(o, "tid", &u) != 1)
			BAD("\"tid\": expected a non-negative integer");
		p->tid = (uint32_t)u;
		if (u64(o, "ppid", &u) != 1)
			BAD("\"ppid\": expected a non-negative integer");
		p->ppid = (uint32_t)u;
		if (u64(o, "uid", &u) == 1) { p->uid = (uint32_t)u; p->present |= ANOMON_PROC_F_UID; }
		if (u64(o, "cgroup_id", &p->cgroup_id) == 1)
			p->present |= ANOMON_PROC_F_CGROUP;
		str(o, "comm", p->comm, sizeof(p->comm));
		bool b = false;
		if (boolean(o, "thread", &b) < 0)
			BAD("\"thread\": expected true or false");
		if (b)
			p->flags |= ANOMON_PROC_THREAD;
		/* An exit always says how it ended; other kinds have no status. */
		if (p->kind == ANOMON_PROC_EXIT) {
			if (i64(o, "exit_code", &s) != 1)
				BAD("\"exit_code\": expected an integer");
			p->exit_code = (int32_t)s;
			if (boolean(o, "signaled", &b) != 1)
				BAD("\"signaled\": expected true or false");
			if (b)
				p->flags |= ANOMON_PROC_SIGNALED;
		}
		if (u64(o, "age_ns", &p->age_ns) == 1)
			p->present |= ANOMON_PROC_F_AGE;
		json_t *fn = json_object_get(o, "filename");
		if (fn) {
			size_t n;
			if (!json_is_string(fn))
				BAD("\"filename\": expected a string");
			if (!(p->filename = bytes(e, fn, &n)))
				BAD("out of memory");
			p->present |= ANOMON_PROC_F_FILENAME;
		}
		e->ev.data = p;
		e->ev.size = sizeof(*p);
	} else {
		snprintf(err, cap, "\"type\": event type \"%s\" has no struct to rebuild", type);
		nats_in_event_free(e);
		return -ENOTSUP;
	}
	return NATS_IN_EVENT;
fail:
	nats_in_event_free(e);
	return -EINVAL;
}

void nats_in_event_free(struct nats_in_event *e)
{
	json_decref(e->root);
	free(e->bins);
	free(e->text);
	e->root = NULL;
	e->bins = NULL;
	e->text = NULL;
}

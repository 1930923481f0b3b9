/* The host API handed to plugins: logging, record dispatch, timers, fd watches, parameters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "cgroups.h"
#include "filter.h"
#include "log.h"
#include "pipeline.h"
#include "record_json.h"
#include "sink_gate.h"
#include "stage.h"

/* Timers and watches a stage owns, so that destroying the stage closes them all. */
struct stage_handle {
	struct stage_handle *prev, *next;
	anomon_stage *stage;
	bool closing;
	bool is_timer;
};

struct anomon_timer {
	struct stage_handle h;
	uv_timer_t uv;
	anomon_timer_cb cb;
	void *arg;
	bool self_freeing; /* one-shot, started without an `out` handle */
};

static void host_timer_stop(anomon_timer *t);

struct anomon_watch {
	struct stage_handle h;
	uv_poll_t uv;
	anomon_fd_cb cb;
	void *arg;
	int fd;
};

static uint64_t host_now_ns(anomon_stage *s);

/* The stage whose record is being delivered, so format_json can name it. */
static const anomon_stage *dispatch_source;

static void host_log(anomon_stage *s, enum anomon_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, s ? s->name : NULL, fmt, ap);
	va_end(ap);
}

static void host_error(anomon_stage *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(s->error);
	s->error = strdup(msg);
}

static int host_emit_event(anomon_stage *s, const struct anomon_event *ev)
{
	if (s->desc->kind != ANOMON_KIND_COLLECTOR || !ev || !ev->type)
		return -EINVAL;
	/* The cgroup is looked up only when some stage filters by container. */
	int64_t cg = -2;
	if (filter_active(s)) {
		cg = filter_event_cgroup(ev);
		if (cg >= 0 && !filter_wanted(s, (uint64_t)cg)) {
			s->filtered++;
			return 0;
		}
	}
	s->out++;
	const anomon_stage *prev = dispatch_source;
	dispatch_source = s;
	for (size_t i = 0; i < s->n_outputs; i++) {
		anomon_stage *d = s->outputs[i];
		if (!d->started || !stage_accepts_event(d, ev->type))
			continue;
		if (d->desc->kind == ANOMON_KIND_FEATURE && filter_active(d)) {
			if (cg == -2)
				cg = filter_event_cgroup(ev);
			if (cg >= 0 && !filter_wanted(d, (uint64_t)cg)) {
				d->filtered++;
				continue;
			}
		}
		d->in++;
		if (d->desc->on_event(d->state, ev) < 0)
			d->drops++;
	}
	dispatch_source = prev;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Upper bounds of the latency histogram buckets (models' scoring time). */
static const uint64_t latency_le_ns[ANOMON_LATENCY_BUCKETS] = {
	250, 1000, 4000, 16000, 64000, 256000, 1000000, 4000000, 16000000, UINT64_MAX};

static void record_latency(anomon_stage *d, uint64_t ns)
{
	d->calls++;
	d->latency_sum_ns += ns;
	for (int b = 0; b < ANOMON_LATENCY_BUCKETS; b++)
		if (ns <= latency_le_ns[b])
			d->latency_count[b]++;
}

static int host_emit_vector(anomon_stage *s, const struct anomon_vector *v)
{
	if (s->desc->kind != ANOMON_KIND_FEATURE || !v)
		return -EINVAL;
	s->out++;
	const anomon_stage *prev = dispatch_source;
	dispatch_source = s;
	for (size_t i = 0; i < s->n_outputs; i++) {
		anomon_stage *d = s->outputs[i];
		if (!d->started || !d->desc->on_vector)
			continue;
		d->in++;
		/* Models are timed (scoring latency is a metric); vectors are rare enough. */
		bool timed = d->desc->kind == ANOMON_KIND_MODEL;
		uint64_t t0 = timed ? mono_ns() : 0;
		if (d->desc->on_vector(d->state, v) < 0)
			d->drops++;
		if (timed)
			record_latency(d, mono_ns() - t0);
	}
	dispatch_source = prev;
	return 0;
}

static int host_emit_verdict(anomon_stage *s, const struct anomon_verdict *v)
{
	if (s->desc->kind != ANOMON_KIND_MODEL || !v)
		return -EINVAL;
	/* A model built for ABI 1.0 hands a shorter struct: give sinks its fields and NULLs. */
	struct anomon_verdict old;
	if (s->desc->abi_minor < 1) {
		memset(&old, 0, sizeof(old));
		memcpy(&old, v, offsetof(struct anomon_verdict, basis));
		v = &old;
	}
	s->out++;
	const anomon_stage *prev = dispatch_source;
	dispatch_source = s;
	uint64_t now = host_now_ns(s);
	for (size_t i = 0; i < s->n_outputs; i++) {
		anomon_stage *d = s->outputs[i];
		if (!d->started || !d->desc->on_verdict)
			continue;
		if (!sink_gate_pass(d, v, now))
			continue;
		d->in++;
		if (d->desc->on_verdict(d->state, v) < 0)
			d->drops++;
	}
	dispatch_source = prev;
	return 0;
}

static void host_add_drops(anomon_stage *s, uint64_t n)
{
	s->drops += n;
}

static void handle_link(anomon_stage *s, struct stage_handle *h)
{
	h->stage = s;
	h->prev = NULL;
	h->next = s->handles;
	if (s->handles)
		s->handles->prev = h;
	s->handles = h;
}

static void handle_unlink(struct stage_handle *h)
{
	anomon_stage *s = h->stage;
	if (h->prev)
		h->prev->next = h->next;
	else
		s->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
}

static void free_timer(uv_handle_t *h)
{
	free(h->data);
}

static void on_timer(uv_timer_t *t)
{
	struct anomon_timer *at = t->data;
	at->cb(at->arg);
	/* A one-shot timer nobody holds a handle to is done (unless its callback stopped it). */
	if (at->self_freeing && !at->h.closing)
		host_timer_stop(at);
}

static int host_timer_start(anomon_stage *s, uint64_t first_ms, uint64_t repeat_ms,
			    anomon_timer_cb cb, void *arg, anomon_timer **out)
{
	if (!s->pl || !s->pl->loop || !cb)
		return -ENOTSUP;
	struct anomon_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	int rc = uv_timer_init(s->pl->loop, &t->uv);
	if (rc < 0) {
		free(t);
		return rc;
	}
	t->uv.data = t;
	t->cb = cb;
	t->arg = arg;
	t->h.is_timer = true;
	t->self_freeing = repeat_ms == 0 && !out;
	handle_link(s, &t->h);
	uv_timer_start(&t->uv, on_timer, first_ms, repeat_ms);
	if (out)
		*out = t;
	return 0;
}

static void host_timer_stop(anomon_timer *t)
{
	if (!t || t->h.closing)
		return;
	t->h.closing = true;
	handle_unlink(&t->h);
	uv_timer_stop(&t->uv);
	uv_close((uv_handle_t *)&t->uv, free_timer);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	struct anomon_watch *w = p->data;
	int ev = 0;
	if (status < 0)
		ev = status;
	else {
		if (events & UV_READABLE)
			ev |= ANOMON_FD_READ;
		if (events & UV_WRITABLE)
			ev |= ANOMON_FD_WRITE;
	}
	w->cb(w->arg, w->fd, ev);
}

static int host_watch_fd(anomon_stage *s, int fd, int events, anomon_fd_cb cb, void *arg,
			 anomon_watch **out)
{
	if (!s->pl || !s->pl->loop || !cb || !(events & (ANOMON_FD_READ | ANOMON_FD_WRITE)))
		return -EINVAL;
	struct anomon_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	int rc = uv_poll_init(s->pl->loop, &w->uv, fd);
	if (rc < 0) {
		free(w);
		return rc;
	}
	w->uv.data = w;
	w->cb = cb;
	w->arg = arg;
	w->fd = fd;
	handle_link(s, &w->h);
	int uvev = ((events & ANOMON_FD_READ) ? UV_READABLE : 0) |
		   ((events & ANOMON_FD_WRITE) ? UV_WRITABLE : 0);
	uv_poll_start(&w->uv, uvev, on_poll);
	if (out)
		*out = w;
	return 0;
}

static void host_unwatch_fd(anomon_watch *w)
{
	if (!w || w->h.closing)
		return;
	w->h.closing = true;
	handle_unlink(&w->h);
	uv_poll_stop(&w->uv);
	uv_close((uv_handle_t *)&w->uv, free_timer);
}

/* Close every timer and watch of s (on destroy). */
void stage_close_handles(anomon_stage *s)
{
	while (s->handles) {
		struct stage_handle *h = s->handles;
		/* Both handle kinds start with their stage_handle. */
		if (h->is_timer)
			host_timer_stop((struct anomon_timer *)h);
		else
			host_unwatch_fd((struct anomon_watch *)h);
	}
}

static const struct param_value *param_get(anomon_stage *s, const char *name,
					   enum anomon_param_type t)
{
	const struct param_value *pv = params_cfind(&s->params, name);
	if (!pv) {
		log_msg(ANOMON_LOG_ERROR, "plugin %s asked for parameter \"%s\", which it does not declare",
			s->desc->name, name);
		return NULL;
	}
	/* A path is a string whose relative form the host has already resolved. */
	if (pv->spec->type != t && !(t == ANOMON_PARAM_STRING && pv->spec->type == ANOMON_PARAM_PATH)) {
		log_msg(ANOMON_LOG_ERROR, "plugin %s read parameter \"%s\" (%s) as %s", s->desc->name,
			name, param_type_name(pv->spec->type), param_type_name(t));
		return NULL;
	}
	return pv->has ? pv : NULL;
}

static const char *host_param_string(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_STRING);
	return pv ? pv->text : "";
}

static int64_t host_param_int(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_INT);
	return pv ? pv->i : 0;
}

static double host_param_number(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_NUMBER);
	return pv ? pv->d : 0.0;
}

static bool host_param_bool(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_BOOL);
	return pv ? pv->b : false;
}

static uint64_t host_param_duration_ns(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_DURATION);
	return pv ? pv->u : 0;
}

static uint64_t host_param_size(anomon_stage *s, const char *name)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_SIZE);
	return pv ? pv->u : 0;
}

static size_t host_param_list(anomon_stage *s, const char *name, const char *const **items)
{
	const struct param_value *pv = param_get(s, name, ANOMON_PARAM_LIST);
	*items = pv ? (const char *const *)pv->list : NULL;
	return pv ? pv->n_list : 0;
}

static bool host_param_is_set(anomon_stage *s, const char *name)
{
	const struct param_value *pv = params_cfind(&s->params, name);
	return pv && pv->set;
}

static const char *host_stage_name(anomon_stage *s)
{
	return s->name;
}

static uint64_t host_now_ns(anomon_stage *s)
{
	(void)s;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void host_end_of_stream(anomon_stage *s)
{
	if (s->desc->kind != ANOMON_KIND_COLLECTOR || s->ended)
		return;
	s->ended = true;
	if (s->pl && s->pl->on_all_ended) {
		for (size_t i = 0; i < s->pl->n; i++) {
			anomon_stage *o = s->pl->stages[i];
			if (o->desc->kind == ANOMON_KIND_COLLECTOR && !o->ended)
				return;
		}
		s->pl->on_all_ended(s->pl);
	}
}

static int host_set_schema(anomon_stage *s, size_t n, const char *const *names)
{
	if (s->desc->kind != ANOMON_KIND_FEATURE || (n && !names))
		return -EINVAL;
	char **copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i] = strdup(names[i] ? names[i] : "");
		if (!copy[i]) {
			while (i--)
				free(copy[i]);
			free(copy);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < s->n_schema; i++)
		free(s->schema[i]);
	free(s->schema);
	s->schema = copy;
	s->n_schema = n;
	return 0;
}

static int host_input_schema(anomon_stage *s, size_t *n, const char *const **names)
{
	const anomon_stage *first = NULL;
	for (size_t i = 0; i < s->n_inputs; i++) {
		const anomon_stage *in = s->inputs[i];
		if (!in->schema)
			continue;
		if (!first) {
			first = in;
			continue;
		}
		if (in->n_schema != first->n_schema)
			return -EINVAL;
		for (size_t k = 0; k < in->n_schema; k++)
			if (strcmp(in->schema[k], first->schema[k]) != 0)
				return -EINVAL;
	}
	if (!first)
		return -ENOENT;
	*n = first->n_schema;
	*names = (const char *const *)first->schema;
	return 0;
}

static int host_format_json(anomon_stage *s, enum anomon_record_kind kind, const void *record,
			    char *buf, size_t cap)
{
	(void)s;
	if (kind < ANOMON_RECORD_EVENT || kind > ANOMON_RECORD_VERDICT || !record)
		return -EINVAL;
	return record_json(kind, record, dispatch_source ? dispatch_source->name : NULL, buf, cap);
}

static const struct anomon_container *host_container(anomon_stage *s, uint64_t cgroup_id)
{
	(void)s;
	return &cgroups_lookup(cgroup_id)->pub;
}

static bool host_cgroup_wanted(anomon_stage *s, uint64_t cgroup_id)
{
	return filter_wanted(s, cgroup_id);
}

static const struct anomon_container *host_container_of_key(anomon_stage *s, const char *key)
{
	(void)s;
	const struct cgroup_entry *e = key ? cgroups_by_key(key) : NULL;
	return e ? &e->pub : NULL;
}

static void host_fail(anomon_stage *s, int err)
{
	if (s->pl && s->pl->on_fail)
		s->pl->on_fail(s, err < 0 ? err : -EIO);
}

static void host_add_filtered(anomon_stage *s, uint64_t n)
{
	s->filtered += n;
}

static uint64_t host_input_drops(anomon_stage *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->n_inputs; i++)
		n += s->inputs[i]->drops;
	return n;
}

static size_t host_stats(anomon_stage *s, struct anomon_stage_stats *out, size_t cap)
{
	if (!s->pl)
		return 0;
	for (size_t i = 0; i < s->pl->n && i < cap; i++) {
		const anomon_stage *st = s->pl->stages[i];
		out[i] = (struct anomon_stage_stats){
			.name = st->name, .plugin = st->desc->name, .kind = st->desc->kind,
			.in = st->in, .out = st->out, .drops = st->drops, .filtered = st->filtered,
			.suppressed = st->suppressed, .latency_le_ns = latency_le_ns,
			.latency_sum_ns = st->latency_sum_ns, .calls = st->calls};
		memcpy(out[i].latency_count, st->latency_count, sizeof(st->latency_count));
	}
	return s->pl->n;
}

static const char *host_pipeline_name(anomon_stage *s)
{
	return s->pl && s->pl->name ? s->pl->name : "anomon";
}

static uint64_t host_started_ns(anomon_stage *s)
{
	return s->pl ? s->pl->started_ns : 0;
}

static uint64_t host_reloads(anomon_stage *s, uint64_t *failed)
{
	if (failed)
		*failed = s->pl ? s->pl->reloads_failed : 0;
	return s->pl ? s->pl->reloads : 0;
}

const struct anomon_host host_api = {
	.struct_size = sizeof(struct anomon_host),
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.log = host_log,
	.error = host_error,
	.emit_event = host_emit_event,
	.emit_vector = host_emit_vector,
	.emit_verdict = host_emit_verdict,
	.add_drops = host_add_drops,
	.timer_start = host_timer_start,
	.timer_stop = host_timer_stop,
	.watch_fd = host_watch_fd,
	.unwatch_fd = host_unwatch_fd,
	.param_string = host_param_string,
	.param_int = host_param_int,
	.param_number = host_param_number,
	.param_bool = host_param_bool,
	.param_duration_ns = host_param_duration_ns,
	.param_size = host_param_size,
	.param_list = host_param_list,
	.param_is_set = host_param_is_set,
	.stage_name = host_stage_name,
	.now_ns = host_now_ns,
	.end_of_stream = host_end_of_stream,
	.set_schema = host_set_schema,
	.input_schema = host_input_schema,
	.format_json = host_format_json,
	.container = host_container,
	.cgroup_wanted = host_cgroup_wanted,
	.container_of_key = host_container_of_key,
	.stats = host_stats,
	.pipeline_name = host_pipeline_name,
	.started_ns = host_started_ns,
	.fail = host_fail,
	.input_drops = host_input_drops,
	.add_filtered = host_add_filtered,
	.reloads = host_reloads,
};

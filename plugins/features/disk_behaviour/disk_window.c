// SPDX-License-Identifier: MIT
/* disk_window: tumbling windows per key (see the header). */
#include "disk_window.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"

int dw_init(struct dw_table *t, uint64_t window_ns, uint64_t window_events,
	    const struct dw_ops *ops, void *ctx)
{
	memset(t, 0, sizeof(*t));
	if ((window_ns == 0 && window_events == 0) || !ops->new_acc || !ops->emit)
		return -EINVAL;
	t->window_ns = window_ns;
	t->window_events = window_events;
	t->ops = *ops;
	t->ctx = ctx;
	return 0;
}

void dw_fini(struct dw_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key[0] && t->ops.free_acc)
			t->ops.free_acc(t->ctx, t->slots[i].acc);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->used = 0;
}

static size_t key_hash(const char *key)
{
	size_t h = 14695981039346656037ull;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return h;
}

static struct dw_slot *probe(struct dw_slot *slots, size_t cap, const char *key)
{
	size_t i = key_hash(key) & (cap - 1);
	while (slots[i].key[0] && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct dw_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	struct dw_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key[0])
			*probe(slots, cap, t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

static struct dw_slot *lookup(struct dw_table *t, const char *key)
{
	if (t->cap) {
		struct dw_slot *s = probe(t->slots, t->cap, key);
		if (s->key[0])
			return s;
	}
	/* Keep the load under 3/4 so probing stays short. */
	if ((t->used + 1) * 4 > t->cap * 3 && grow(t))
		return NULL;
	void *acc = t->ops.new_acc(t->ctx);
	if (!acc)
		return NULL;
	struct dw_slot *s = probe(t->slots, t->cap, key);
	memset(s, 0, sizeof(*s));
	strncpy(s->key, key, DW_KEY_LEN - 1);
	s->acc = acc;
	t->used++;
	return s;
}

static int close_window(struct dw_table *t, struct dw_slot *s)
{
	if (t->window_events)
		s->end_ns = s->last_ns > s->start_ns ? s->last_ns : s->start_ns + 1;
	int err = s->events ? t->ops.emit(t->ctx, s) : 0;
	if (t->ops.reset_acc)
		t->ops.reset_acc(t->ctx, s->acc);
	s->open = false;
	s->events = 0;
	s->flags = 0;
	return err;
}

static void start_window(struct dw_table *t, struct dw_slot *s, uint64_t ts)
{
	s->open = true;
	s->events = 0;
	s->flags = 0;
	s->first_ns = s->last_ns = ts;
	if (t->window_events) {
		s->start_ns = ts;
		s->end_ns = 0;
	} else {
		s->start_ns = ts - ts % t->window_ns;
		s->end_ns = s->start_ns + t->window_ns;
	}
}

struct dw_slot *dw_route(struct dw_table *t, const char *key, uint64_t ts, int *err)
{
	struct dw_slot *s = lookup(t, key && *key ? key : "host");

	*err = 0;
	if (!s)
		return NULL;
	/* Time windows close on the first event at or past their end. An event slightly older
	 * than the window (completions from other CPUs arrive out of order) joins the open
	 * window rather than reopening a closed one. */
	if (s->open && !t->window_events && ts >= s->end_ns)
		*err = close_window(t, s);
	if (!s->open)
		start_window(t, s, ts);
	if (ts < s->first_ns)
		s->first_ns = ts;
	if (ts > s->last_ns)
		s->last_ns = ts;
	return s;
}

int dw_count(struct dw_table *t, struct dw_slot *s)
{
	s->events++;
	if (t->window_events && s->events >= t->window_events)
		return close_window(t, s);
	return 0;
}

void dw_mark_open(struct dw_table *t, uint32_t flag)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].open)
			t->slots[i].flags |= flag;
}

int dw_flush(struct dw_table *t)
{
	int first = 0;
	for (size_t i = 0; i < t->cap; i++) {
		struct dw_slot *s = &t->slots[i];
		if (!s->key[0] || !s->open)
			continue;
		int err = close_window(t, s);
		if (err && !first)
			first = err;
	}
	return first;
}

double dw_seconds(const struct dw_table *t, const struct dw_slot *s)
{
	if (!t->window_events)
		return (double)t->window_ns / 1e9;
	uint64_t d = s->last_ns - s->first_ns;
	return (d < 1000000 ? 1000000 : d) / 1e9;
}

// SPDX-License-Identifier: MIT
/* disk_window: tumbling windows per key, bounded (see the header). */
#include "disk_window.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"

/* How long after a key's last event its window may still receive one: block completions
 * and the ring buffers of two collectors arrive out of order by a poll interval or so. */
#define DW_GRACE_NS 1000000000ull
/* Count windows have no end: a key whose count window is closed is forgotten after this. */
#define DW_COUNT_IDLE_NS 10000000000ull
#define DW_SWEEP_NS 500000000ull

int dw_init(struct dw_table *t, uint64_t window_ns, uint64_t window_events, size_t max_keys,
	    const struct dw_ops *ops, void *ctx)
{
	memset(t, 0, sizeof(*t));
	if ((window_ns == 0 && window_events == 0) || !ops->new_acc || !ops->emit ||
	    max_keys == 0 || max_keys > DW_MAX_KEYS_LIMIT)
		return -EINVAL;
	t->window_ns = window_ns;
	t->window_events = window_events;
	t->max_keys = max_keys;
	t->ops = *ops;
	t->ctx = ctx;
	return 0;
}

static void slot_free(struct dw_table *t, struct dw_slot *s)
{
	if (t->ops.free_acc)
		t->ops.free_acc(t->ctx, s->acc);
	free(s);
}

void dw_fini(struct dw_table *t)
{
	for (struct dw_slot *s = t->newest, *next; s; s = next) {
		next = s->older;
		slot_free(t, s);
	}
	free(t->cells);
	t->cells = NULL;
	t->newest = t->oldest = NULL;
	t->cap = t->used = 0;
}

static size_t key_hash(const char *key)
{
	size_t h = 14695981039346656037ull;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return h;
}

/* The cell holding key, or the empty cell where it would go. */
static size_t probe(struct dw_slot *const *cells, size_t cap, const char *key, size_t h)
{
	size_t i = h & (cap - 1);
	while (cells[i] && (cells[i]->hash != h || strcmp(cells[i]->key, key) != 0))
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(struct dw_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	struct dw_slot **cells = calloc(cap, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->cells[i])
			cells[probe(cells, cap, t->cells[i]->key, t->cells[i]->hash)] = t->cells[i];
	free(t->cells);
	t->cells = cells;
	t->cap = cap;
	return 0;
}

/* ---- The recency list ------------------------------------------------------------------ */

static void list_unlink(struct dw_table *t, struct dw_slot *s)
{
	if (s->newer)
		s->newer->older = s->older;
	else
		t->newest = s->older;
	if (s->older)
		s->older->newer = s->newer;
	else
		t->oldest = s->newer;
	s->newer = s->older = NULL;
}

static void list_push_newest(struct dw_table *t, struct dw_slot *s)
{
	s->newer = NULL;
	s->older = t->newest;
	if (t->newest)
		t->newest->newer = s;
	else
		t->oldest = s;
	t->newest = s;
}

/* Take s out of the table and free it; the cells after it are re-seated (linear probing). */
static void remove_slot(struct dw_table *t, struct dw_slot *s)
{
	size_t i = probe(t->cells, t->cap, s->key, s->hash);

	t->cells[i] = NULL;
	for (size_t j = (i + 1) & (t->cap - 1); t->cells[j]; j = (j + 1) & (t->cap - 1)) {
		struct dw_slot *m = t->cells[j];
		t->cells[j] = NULL;
		t->cells[probe(t->cells, t->cap, m->key, m->hash)] = m;
	}
	list_unlink(t, s);
	t->used--;
	slot_free(t, s);
}

/* ---- Windows --------------------------------------------------------------------------- */

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

static void keep_first(int *first, int err)
{
	if (err && !*first)
		*first = err;
}

/* Close the windows of keys that went quiet and forget keys quiet for longer. The list is
 * in arrival order, so the walk stops at the first key that is still recent. */
static void sweep(struct dw_table *t, uint64_t now, int *err)
{
	uint64_t close_after = t->window_events ? UINT64_MAX : t->window_ns + DW_GRACE_NS;
	uint64_t forget_after = t->window_events ? DW_COUNT_IDLE_NS : 2 * t->window_ns + DW_GRACE_NS;
	uint64_t recent = close_after < forget_after ? close_after : forget_after;

	for (struct dw_slot *s = t->oldest, *next; s; s = next) {
		uint64_t quiet = now > s->arrived_ns ? now - s->arrived_ns : 0;
		next = s->newer;
		if (quiet < recent)
			break;
		/* The event clock must agree that the window is over (a replay slower than
		 * real time). */
		if (s->open && quiet >= close_after && t->watermark_ns >= s->end_ns) {
			keep_first(err, close_window(t, s));
			t->stats.closed_quiet++;
		}
		if (!s->open && quiet >= forget_after) {
			remove_slot(t, s);
			t->stats.forgotten++;
		}
	}
}

/* Make room for one more key: emit the least recently seen key's open window and forget it. */
static void evict_oldest(struct dw_table *t, int *err)
{
	struct dw_slot *s = t->oldest;

	if (s->open && s->events) {
		if (t->window_events || t->watermark_ns < s->end_ns) {
			s->flags |= ANOMON_WINDOW_INCOMPLETE;
			t->stats.cut_short++;
		}
		keep_first(err, close_window(t, s));
	}
	remove_slot(t, s);
	t->stats.evicted++;
}

static struct dw_slot *lookup(struct dw_table *t, const char *key, int *err)
{
	size_t h = key_hash(key);

	if (t->cap) {
		struct dw_slot *s = t->cells[probe(t->cells, t->cap, key, h)];
		if (s)
			return s;
	}
	if (t->used >= t->max_keys)
		evict_oldest(t, err);
	/* Keep the load under 3/4 so probing stays short. */
	if ((t->used + 1) * 4 > t->cap * 3 && grow(t))
		return NULL;
	struct dw_slot *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (!(s->acc = t->ops.new_acc(t->ctx))) {
		free(s);
		return NULL;
	}
	memcpy(s->key, key, strlen(key) + 1);
	s->hash = h;
	t->cells[probe(t->cells, t->cap, s->key, s->hash)] = s;
	list_push_newest(t, s);
	if (++t->used > t->stats.held_max)
		t->stats.held_max = t->used;
	return s;
}

struct dw_slot *dw_route(struct dw_table *t, const char *key, uint64_t ts, uint64_t now,
			 int *err)
{
	*err = 0;
	if (ts > t->watermark_ns)
		t->watermark_ns = ts;
	if (now >= t->next_sweep_ns) {
		sweep(t, now, err);
		t->next_sweep_ns = now + DW_SWEEP_NS;
	}
	/* A key longer than a slot holds is known by its first DW_KEY_LEN - 1 bytes. */
	char cut[DW_KEY_LEN];
	if (!key || !*key)
		key = "host";
	else if (strnlen(key, DW_KEY_LEN) == DW_KEY_LEN) {
		memcpy(cut, key, DW_KEY_LEN - 1);
		cut[DW_KEY_LEN - 1] = '\0';
		key = cut;
	}
	struct dw_slot *s = lookup(t, key, err);
	if (!s)
		return NULL;
	s->arrived_ns = now;
	if (s != t->newest) {
		list_unlink(t, s);
		list_push_newest(t, s);
	}
	/* Time windows close on the first event at or past their end. An event slightly older
	 * than the window (completions from other CPUs arrive out of order) joins the open
	 * window rather than reopening a closed one. */
	if (s->open && !t->window_events && ts >= s->end_ns)
		keep_first(err, close_window(t, s));
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
	for (struct dw_slot *s = t->newest; s; s = s->older)
		if (s->open)
			s->flags |= flag;
}

int dw_flush(struct dw_table *t)
{
	int first = 0;
	for (struct dw_slot *s = t->oldest; s; s = s->newer)
		if (s->open)
			keep_first(&first, close_window(t, s));
	return first;
}

double dw_seconds(const struct dw_table *t, const struct dw_slot *s)
{
	if (!t->window_events)
		return (double)t->window_ns / 1e9;
	uint64_t d = s->last_ns - s->first_ns;
	return (d < 1000000 ? 1000000 : d) / 1e9;
}

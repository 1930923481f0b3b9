/* SPDX-License-Identifier: MIT */
/*
 * disk_window — tumbling windows per key, shared by the open_behaviour, bio_behaviour and
 * disk_behaviour features. A window is either a time window (`window_ns`, aligned on
 * multiples of it since the epoch, so that windows of different keys and of a replayed run
 * line up) or a count window (`window_events` events, spanning first to last event).
 *
 * Each key has one slot holding the open window and an accumulator the feature owns; the
 * table creates accumulators through `new_acc`, hands full windows to `emit` and then
 * resets the accumulator with `reset_acc`.
 *
 * Keys come and go with containers, so the table is bounded:
 *  - a key that goes quiet has its time window closed (emitted) once no event of it has
 *    arrived for a window and a grace period, and is forgotten (its accumulator freed) after
 *    two windows and the grace period without events; "arrived" is measured on the caller's
 *    clock (`now_ns`, monotonic), so a replay read faster than real time closes nothing early;
 *  - at most `max_keys` keys are held: a new key evicts the least recently seen one, whose
 *    open window is emitted first (flagged ANOMON_WINDOW_INCOMPLETE when it was cut short).
 */
#ifndef DISK_WINDOW_H
#define DISK_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DW_KEY_LEN 160 /* a container key: "host", a short id, a unit or a cgroup path */
#define DW_MAX_KEYS_LIMIT (1u << 20)

struct dw_slot {
	struct dw_slot *newer, *older; /* the recency list, most recently seen first */
	size_t hash;
	char key[DW_KEY_LEN];
	bool open;         /* a window has started and not been emitted */
	uint64_t start_ns, end_ns;
	uint64_t first_ns, last_ns; /* first and last event time in the window */
	uint64_t events;
	uint32_t flags;    /* ANOMON_WINDOW_* */
	uint64_t arrived_ns; /* caller's clock when the key's latest event arrived */
	void *acc;         /* the feature's accumulator */
};

struct dw_ops {
	void *(*new_acc)(void *ctx);
	void (*reset_acc)(void *ctx, void *acc);
	void (*free_acc)(void *ctx, void *acc);
	/* A window is complete; slot->end_ns is set. Returns 0 or a negative errno. */
	int (*emit)(void *ctx, struct dw_slot *slot);
};

/* What the bound did, for the stage's log. */
struct dw_stats {
	size_t held_max;     /* most keys held at once */
	uint64_t evicted;    /* keys evicted because max_keys were held */
	uint64_t cut_short;  /* of those, open windows emitted before their end */
	uint64_t forgotten;  /* keys forgotten after going quiet */
	uint64_t closed_quiet; /* windows closed because their key went quiet */
};

struct dw_table {
	uint64_t window_ns;     /* time windows when > 0 */
	uint64_t window_events; /* count windows when > 0 (takes precedence) */
	size_t max_keys;
	struct dw_ops ops;
	void *ctx;
	struct dw_slot **cells; /* open addressing on the key, cap a power of two */
	size_t cap, used;
	struct dw_slot *newest, *oldest;
	uint64_t watermark_ns;  /* latest event time seen */
	uint64_t next_sweep_ns; /* caller's clock */
	struct dw_stats stats;
};

/* Set up an empty table. Exactly one of window_ns and window_events should be > 0;
 * max_keys is 1..DW_MAX_KEYS_LIMIT. */
int dw_init(struct dw_table *t, uint64_t window_ns, uint64_t window_events, size_t max_keys,
	    const struct dw_ops *ops, void *ctx);
void dw_fini(struct dw_table *t);

/*
 * The slot of `key` for an event at ts_ns that arrives at now_ns (the caller's monotonic
 * clock), after closing (emitting) its window if the event lies past the window's end. Also
 * closes and forgets quiet keys (at most twice a second of now_ns) and evicts the least
 * recently seen key when a new key would exceed max_keys. The caller adds the event to
 * slot->acc and then calls dw_count. Returns NULL on allocation failure; *err holds the
 * first emit error, if any (the window was emitted or dropped either way, and the slot is
 * ready for the event).
 */
struct dw_slot *dw_route(struct dw_table *t, const char *key, uint64_t ts_ns, uint64_t now_ns,
			 int *err);

/* Count the event just added; closes a count window that is full. Returns emit's result. */
int dw_count(struct dw_table *t, struct dw_slot *slot);

/* Set `flag` (ANOMON_WINDOW_*) on every window open now. */
void dw_mark_open(struct dw_table *t, uint32_t flag);

/* Emit every open window (at stop), least recently seen key first. Returns the first emit
 * error, or 0. */
int dw_flush(struct dw_table *t);

/* Keys held now. */
static inline size_t dw_keys(const struct dw_table *t)
{
	return t->used;
}

/* The window length used for rates, in seconds: the time window, or for a count window the
 * time between its first and last event (at least 1 ms, so one burst has a finite rate). */
double dw_seconds(const struct dw_table *t, const struct dw_slot *slot);

#endif

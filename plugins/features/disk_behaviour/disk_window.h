/* SPDX-License-Identifier: MIT */
/*
 * disk_window — tumbling windows per key, shared by the open_behaviour, bio_behaviour and
 * disk_behaviour features. A window is either a time window (`window_ns`, aligned on
 * multiples of it since the epoch, so that windows of different keys and of a replayed run
 * line up) or a count window (`window_events` events, spanning first to last event).
 *
 * Each key has one slot holding the open window and an accumulator the feature owns; the
 * table creates accumulators through `new_acc`, hands full windows to `emit` and then
 * resets the accumulator with `reset_acc`. Keys are never forgotten: a key that goes quiet
 * keeps its (empty) slot, so a host with few keys (the host, its cgroups) costs little.
 */
#ifndef DISK_WINDOW_H
#define DISK_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DW_KEY_LEN 160 /* a container key: "host", a short id, a unit or a cgroup path */

struct dw_slot {
	char key[DW_KEY_LEN];
	bool open;         /* a window has started and not been emitted */
	uint64_t start_ns, end_ns;
	uint64_t first_ns, last_ns; /* first and last event time in the window */
	uint64_t events;
	uint32_t flags;    /* ANOMON_WINDOW_* */
	void *acc;         /* the feature's accumulator */
};

struct dw_ops {
	void *(*new_acc)(void *ctx);
	void (*reset_acc)(void *ctx, void *acc);
	void (*free_acc)(void *ctx, void *acc);
	/* A window is complete; slot->end_ns is set. Returns 0 or a negative errno. */
	int (*emit)(void *ctx, struct dw_slot *slot);
};

struct dw_table {
	uint64_t window_ns;     /* time windows when > 0 */
	uint64_t window_events; /* count windows when > 0 (takes precedence) */
	struct dw_ops ops;
	void *ctx;
	struct dw_slot *slots;  /* open addressing, cap a power of two */
	size_t cap, used;
};

/* Set up an empty table. Exactly one of window_ns and window_events should be > 0. */
int dw_init(struct dw_table *t, uint64_t window_ns, uint64_t window_events,
	    const struct dw_ops *ops, void *ctx);
void dw_fini(struct dw_table *t);

/*
 * The slot of `key` for an event at ts_ns, after closing (emitting) its window if the event
 * lies past the window's end. The caller adds the event to slot->acc and then calls
 * dw_count. Returns NULL on allocation failure; *err holds the emit error, if any (the
 * window was emitted or dropped either way, and the slot is ready for the event).
 */
struct dw_slot *dw_route(struct dw_table *t, const char *key, uint64_t ts_ns, int *err);

/* Count the event just added; closes a count window that is full. Returns emit's result. */
int dw_count(struct dw_table *t, struct dw_slot *slot);

/* Set `flag` (ANOMON_WINDOW_*) on every window open now. */
void dw_mark_open(struct dw_table *t, uint32_t flag);

/* Emit every open window (at stop). Returns the first emit error, or 0. */
int dw_flush(struct dw_table *t);

/* The window length used for rates, in seconds: the time window, or for a count window the
 * time between its first and last event (at least 1 ms, so one burst has a finite rate). */
double dw_seconds(const struct dw_table *t, const struct dw_slot *slot);

#endif

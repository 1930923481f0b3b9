// SPDX-License-Identifier: MIT
/* window_stage: see the header. */
#include "window_stage.h"

#include <time.h>

int ws_params(struct window_stage *w, const struct anomon_host *host, anomon_stage *s)
{
	w->host = host;
	w->s = s;
	return disk_params_read(host, s, &w->p);
}

int ws_windows(struct window_stage *w, const struct dw_ops *ops, void *ctx)
{
	return dw_init(&w->win, w->p.window_events ? 0 : w->p.window_ns, w->p.window_events,
		       w->p.max_keys, ops, ctx);
}

/* Lost events cannot be told apart by key: every window open when the input collectors
 * report new drops misses some. */
static void note_drops(struct window_stage *w)
{
	uint64_t drops = w->host->input_drops(w->s);

	if (drops != w->drops_seen) {
		w->drops_seen = drops;
		dw_mark_open(&w->win, ANOMON_WINDOW_INCOMPLETE);
	}
}

/* When a key went quiet: arrival time, not event time, so a replay read at full speed
 * closes no window early. */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What the key bound did since the last event: a window cut short by an eviction lost
 * the rest of its events to a second window, so it counts as a drop. */
static void bound_report(struct window_stage *w)
{
	const struct dw_stats *st = &w->win.stats;

	if (st->evicted && !w->bound_logged) {
		w->bound_logged = true;
		w->host->log(w->s, ANOMON_LOG_INFO, "max_keys %zu reached: new keys evict the least "
			     "recently seen", w->p.max_keys);
	}
	if (st->cut_short > w->cut_reported) {
		w->host->add_drops(w->s, st->cut_short - w->cut_reported);
		w->cut_reported = st->cut_short;
	}
}

struct dw_slot *ws_route(struct window_stage *w, bool has_cgroup, uint64_t cgroup_id,
			 uint64_t ts_ns, int *err)
{
	const char *key = w->p.by_cgroup && has_cgroup && cgroup_id
				  ? w->host->container(w->s, cgroup_id)->key
				  : "host";
	note_drops(w);
	struct dw_slot *slot = dw_route(&w->win, key, ts_ns, mono_ns(), err);
	bound_report(w);
	return slot;
}

void ws_stop(struct window_stage *w)
{
	const struct dw_stats *st = &w->win.stats;

	note_drops(w);
	dw_flush(&w->win);
	w->host->log(w->s, ANOMON_LOG_INFO, "keys: at most %zu held at once (max_keys %zu), %zu "
		     "now; %llu windows closed after their key went quiet, %llu keys forgotten "
		     "after going quiet, %llu evicted at the bound (%llu open windows cut short)",
		     st->held_max, w->p.max_keys, dw_keys(&w->win),
		     (unsigned long long)st->closed_quiet, (unsigned long long)st->forgotten,
		     (unsigned long long)st->evicted, (unsigned long long)st->cut_short);
}

void ws_fini(struct window_stage *w)
{
	dw_fini(&w->win);
}

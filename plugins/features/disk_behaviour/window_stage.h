/* SPDX-License-Identifier: MIT */
/*
 * window_stage — the host side of a feature stage built on disk_window, shared by the disk
 * features and proc_behaviour: the window parameters (disk_params), which key an event goes
 * to, the collectors' drops and the key bound reported to the host, and the stop log.
 */
#ifndef WINDOW_STAGE_H
#define WINDOW_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "disk_params.h"
#include "disk_window.h"

struct window_stage {
	const struct anomon_host *host;
	anomon_stage *s;
	struct disk_params p;
	struct dw_table win;
	uint64_t drops_seen;   /* input_drops() when last looked */
	uint64_t cut_reported; /* windows cut short by max_keys, already counted as drops */
	bool bound_logged;
};

/* Note the stage (host, s: the owner's way to the host too) and read its window
 * parameters. Returns 0 or a negative errno after host->error. */
int ws_params(struct window_stage *w, const struct anomon_host *host, anomon_stage *s);
/* Create the windows once the feature's accumulators are known (ctx is theirs). */
int ws_windows(struct window_stage *w, const struct dw_ops *ops, void *ctx);
/* The open window of the event's key: the container's key for its cgroup, "host" without
 * one (or with key "host"). NULL when out of memory; *err as dw_route's. */
struct dw_slot *ws_route(struct window_stage *w, bool has_cgroup, uint64_t cgroup_id,
			 uint64_t ts_ns, int *err);
/* Close every window (the collectors, stopped first, reported their last drops) and log
 * what the key bound did. */
void ws_stop(struct window_stage *w);
void ws_fini(struct window_stage *w);

#endif

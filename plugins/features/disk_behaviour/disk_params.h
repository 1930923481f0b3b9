/* SPDX-License-Identifier: MIT */
/*
 * disk_params — what the disk features share at the plugin level: the window and key
 * parameters (one table fragment, one reader) and the key of an event.
 */
#ifndef DISK_PARAMS_H
#define DISK_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "disk_window.h"

/* The shared entries of every disk feature's parameter table, in this order. */
#define DISK_PARAMS_WINDOW                                                                   \
	{"window", ANOMON_PARAM_DURATION, "2s", false,                                       \
	 "time window length; windows are aligned on multiples of it"},                      \
	{"window_events", ANOMON_PARAM_INT, "0", false,                                      \
	 "when > 0, windows of this many events instead of time windows"},                   \
	{"key", ANOMON_PARAM_STRING, "cgroup", false,                                        \
	 "group windows by `cgroup` (the container's key, `host` for events without a "     \
	 "cgroup) or by `host` (one window for everything)"},                                \
	{"max_keys", ANOMON_PARAM_INT, "4096", false,                                        \
	 "keys (containers, cgroups) held at once; a new key evicts the least recently seen "  \
	 "one, whose open window is emitted first"}

struct disk_params {
	uint64_t window_ns;
	uint64_t window_events;
	bool by_cgroup;
	size_t max_keys;
};

/* Read and check the shared parameters; describes a bad value with host->error. */
int disk_params_read(const struct anomon_host *host, anomon_stage *s, struct disk_params *p);

#endif

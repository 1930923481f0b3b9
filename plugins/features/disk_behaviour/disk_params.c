// SPDX-License-Identifier: MIT
/* disk_params: window and key parameters of the disk features (see the header). */
#include "disk_params.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int disk_params_read(const struct anomon_host *host, anomon_stage *s, struct disk_params *p)
{
	int64_t events = host->param_int(s, "window_events");
	const char *key = host->param_string(s, "key");
	int64_t max_keys = host->param_int(s, "max_keys");

	p->window_ns = host->param_duration_ns(s, "window");
	if (events < 0) {
		host->error(s, "window_events: expected 0 (time windows) or a positive count, "
			    "got %lld", (long long)events);
		return -EINVAL;
	}
	p->window_events = (uint64_t)events;
	if (p->window_events == 0 && p->window_ns == 0) {
		host->error(s, "window: expected a positive duration (or set window_events)");
		return -EINVAL;
	}
	if (max_keys < 1 || max_keys > DW_MAX_KEYS_LIMIT) {
		host->error(s, "max_keys: expected 1..%u, got %lld", DW_MAX_KEYS_LIMIT,
			    (long long)max_keys);
		return -EINVAL;
	}
	p->max_keys = (size_t)max_keys;
	if (strcmp(key, "cgroup") == 0) {
		p->by_cgroup = true;
	} else if (strcmp(key, "host") == 0) {
		p->by_cgroup = false;
	} else {
		host->error(s, "key: expected \"cgroup\" or \"host\", got \"%s\"", key);
		return -EINVAL;
	}
	return 0;
}


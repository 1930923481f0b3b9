/* SPDX-License-Identifier: MIT */
/*
 * disk_feature — the stage behind open_behaviour, bio_behaviour and disk_behaviour: windows
 * per key of open events, bio events or both, emitted as one vector per key and window (the
 * open features, then the bio features). Each plugin is this stage with its parts chosen.
 */
#ifndef DISK_FEATURE_H
#define DISK_FEATURE_H

#include "anomon_plugin.h"
#include "open_features.h"

enum disk_parts {
	DISK_OPEN = 1u << 0,
	DISK_BIO = 1u << 1,
};

/* The open features' own parameters, after DISK_PARAMS_WINDOW in a table. */
#define DISK_PARAMS_OPEN                                                                     \
	{"tokens", ANOMON_PARAM_INT, "64", false,                                            \
	 "buckets of the hashed path tokens (0 disables them)"},                             \
	{"sensitive", ANOMON_PARAM_LIST, OF_DEFAULT_SENSITIVE, false,                        \
	 "fnmatch patterns of sensitive paths (`*` also matches `/`)"}

int disk_feature_init(const struct anomon_host *host, anomon_stage *s, unsigned parts,
		      void **state);
int disk_feature_on_event(void *state, const struct anomon_event *ev);
void disk_feature_stop(void *state);
void disk_feature_destroy(void *state);

#endif

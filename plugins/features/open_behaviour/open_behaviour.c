// SPDX-License-Identifier: MIT
/*
 * open_behaviour feature: open() behaviour per window and key: rates, failures by errno,
 * distinct paths and directories, write/create/truncate flags, sensitive paths and hashed path
 * tokens (open_features.h lists the vector).
 * The stage is disk_feature's (shared with the other disk features); this file is the
 * descriptor.
 */
#include "anomon_plugin.h"
#include "disk_feature.h"
#include "disk_params.h"

static int open_behaviour_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	return disk_feature_init(host, s, DISK_OPEN, state);
}

static const struct anomon_param open_behaviour_params[] = {
	DISK_PARAMS_WINDOW,
	DISK_PARAMS_OPEN,
	{NULL, 0, NULL, false, NULL},
};

static const char *const open_behaviour_consumes[] = {ANOMON_EV_OPEN, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_FEATURE,
	.name = "open_behaviour",
	.version = "1.0.0",
	.description = "Behaviour of open() per window and key: rates, failures, distinct paths, flags, sensitive paths, path tokens",
	.params = open_behaviour_params,
	.consumes = open_behaviour_consumes,
	.init = open_behaviour_init,
	.stop = disk_feature_stop,
	.destroy = disk_feature_destroy,
	.on_event = disk_feature_on_event,
};

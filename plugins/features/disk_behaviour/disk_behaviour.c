// SPDX-License-Identifier: MIT
/*
 * disk_behaviour feature: open_behaviour and bio_behaviour joined: one vector
 * per key and window holding the open features, then the bio features (zeros for a part
 * that saw no events in the window).
 * The stage is disk_feature's (shared with the other disk features); this file is the
 * descriptor.
 */
#include "anomon_plugin.h"
#include "disk_feature.h"
#include "disk_params.h"

static int disk_behaviour_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	return disk_feature_init(host, s, DISK_OPEN | DISK_BIO, state);
}

static const struct anomon_param disk_behaviour_params[] = {
	DISK_PARAMS_WINDOW,
	DISK_PARAMS_OPEN,
	{NULL, 0, NULL, false, NULL},
};

static const char *const disk_behaviour_consumes[] = {ANOMON_EV_OPEN, ANOMON_EV_BIO, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_FEATURE,
	.name = "disk_behaviour",
	.version = "1.0.0",
	.description = "The open_behaviour and bio_behaviour features joined per key and window, for a model of both",
	.params = disk_behaviour_params,
	.consumes = disk_behaviour_consumes,
	.init = disk_behaviour_init,
	.stop = disk_feature_stop,
	.destroy = disk_feature_destroy,
	.on_event = disk_feature_on_event,
};

// SPDX-License-Identifier: MIT
/*
 * bio_behaviour feature: block I/O behaviour per window and key: IOPS, throughput, the
 * read/write/discard/flush mix, sequentiality, latency and queue-time percentiles, issuers
 * (bio_features.h lists the vector).
 * The stage is disk_feature's (shared with the other disk features); this file is the
 * descriptor.
 */
#include "anomon_plugin.h"
#include "disk_feature.h"
#include "disk_params.h"

static int bio_behaviour_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	return disk_feature_init(host, s, DISK_BIO, state);
}

static const struct anomon_param bio_behaviour_params[] = {
	DISK_PARAMS_WINDOW,
	{NULL, 0, NULL, false, NULL},
};

static const char *const bio_behaviour_consumes[] = {ANOMON_EV_BIO, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_FEATURE,
	.name = "bio_behaviour",
	.version = "1.0.0",
	.description = "Block I/O behaviour per window and key: IOPS, bytes/s, request mix, sequentiality, latency percentiles, issuers",
	.params = bio_behaviour_params,
	.consumes = bio_behaviour_consumes,
	.init = bio_behaviour_init,
	.stop = disk_feature_stop,
	.destroy = disk_feature_destroy,
	.on_event = disk_feature_on_event,
};

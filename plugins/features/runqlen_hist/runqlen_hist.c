// SPDX-License-Identifier: MIT
/*
 * runqlen_hist feature: one vector per runq_hist event (a window of run-queue length
 * samples), keyed "host" or by cgroup id; per-CPU histograms are folded into the host one
 * by the collector and are only passed on, keyed "cpuN", when per_cpu is set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"
#include "runqlen_hist_math.h"

struct rqh {
	const struct anomon_host *host;
	anomon_stage *s;
	uint32_t bins;
	bool per_cpu;
	size_t n;
	char **names;
	double *values;
};

static int rqh_setup(struct rqh *f)
{
	const struct anomon_host *host = f->host;
	anomon_stage *s = f->s;
	int64_t bins = host->param_int(s, "bins");
	int err;

	f->per_cpu = host->param_bool(s, "per_cpu");
	if (bins < 1 || bins > RQH_MAX_BINS) {
		host->error(s, "bins: expected 1..%d, got %lld", RQH_MAX_BINS, (long long)bins);
		return -EINVAL;
	}
	f->bins = (uint32_t)bins;
	f->n = rqh_nfeatures(f->bins);
	f->names = calloc(f->n, sizeof(*f->names));
	f->values = calloc(f->n, sizeof(*f->values));
	if (!f->names || !f->values)
		return -ENOMEM;
	err = rqh_names(f->bins, f->names);
	if (err)
		return err;
	err = host->set_schema(s, f->n, (const char *const *)f->names);
	if (err) {
		host->error(s, "declaring the feature names: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void rqh_destroy(void *state);

static int rqh_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct rqh *f = calloc(1, sizeof(*f));
	int err;

	*state = NULL;
	if (!f)
		return -ENOMEM;
	f->host = host;
	f->s = s;
	err = rqh_setup(f);
	if (err) {
		/* destroy is only called after a successful init */
		rqh_destroy(f);
		return err;
	}
	*state = f;
	return 0;
}

static int rqh_on_event(void *state, const struct anomon_event *ev)
{
	struct rqh *f = state;
	const struct anomon_runq_hist *h = ev->data;
	char key[32];

	if (strcmp(ev->type, ANOMON_EV_RUNQ_HIST) != 0 || ev->size < sizeof(*h) || !h)
		return -EINVAL;
	switch (h->source) {
	case ANOMON_RUNQ_HOST:
		snprintf(key, sizeof(key), "host");
		break;
	case ANOMON_RUNQ_CGROUP:
		snprintf(key, sizeof(key), "%" PRIu64, h->cgroup_id);
		break;
	case ANOMON_RUNQ_CPU:
		if (!f->per_cpu)
			return 0;
		snprintf(key, sizeof(key), "cpu%d", (int)h->cpu);
		break;
	default:
		return -EINVAL;
	}
	if (h->samples == 0)
		return 0; /* nothing was sampled: no distribution to describe */
	if (rqh_compute(h->bins, h->nbins, h->overflow, f->bins, f->values) < 0)
		return -EINVAL;

	struct anomon_vector v = {
		.start_ns = h->start_ns,
		.end_ns = h->end_ns,
		.key = key,
		.flags = 0,
		.n = f->n,
		.names = (const char *const *)f->names,
		.values = f->values,
		.events = 1,
	};
	return f->host->emit_vector(f->s, &v);
}

static void rqh_destroy(void *state)
{
	struct rqh *f = state;

	if (!f)
		return;
	if (f->names)
		rqh_names_free(f->bins, f->names);
	free(f->names);
	free(f->values);
	free(f);
}

static const struct anomon_param rqh_params[] = {
	{"bins", ANOMON_PARAM_INT, "16", false,
	 "queue lengths 0..bins-1 get a fraction each; longer ones share a tail bin"},
	{"per_cpu", ANOMON_PARAM_BOOL, "false", false,
	 "also emit a vector per CPU histogram, keyed cpuN"},
	{NULL, 0, NULL, false, NULL},
};

static const char *const rqh_consumes[] = {ANOMON_EV_RUNQ_HIST, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_FEATURE,
	.name = "runqlen_hist",
	.version = "1.0.0",
	.description = "Run-queue length distribution per window: bin fractions, mean, "
		       "percentiles, waiting fraction",
	.params = rqh_params,
	.consumes = rqh_consumes,
	.init = rqh_init,
	.destroy = rqh_destroy,
	.on_event = rqh_on_event,
};

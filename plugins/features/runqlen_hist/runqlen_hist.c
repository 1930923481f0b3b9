// SPDX-License-Identifier: MIT
/*
 * runqlen_hist feature: one vector per runq_hist event (a window of run-queue length
 * samples), keyed "host" or by container (the host's key for the cgroup); per-CPU histograms are folded into the host one
 * by the collector and are only passed on, keyed "cpuN", when per_cpu is set.
 *
 * The vector is made of groups, chosen by the `features` list and always in this order:
 * fractions (frac_0.., frac_geB), tails (log_ge1..), stats (mean p50 p90 p99 max waiting),
 * demand (runnable crowded excess), samples.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"
#include "runqlen_hist_math.h"

enum rqh_group {
	RQH_FRACTIONS = 1u << 0,
	RQH_TAILS = 1u << 1,
	RQH_STATS_GROUP = 1u << 2,
	RQH_SAMPLES = 1u << 3,
	RQH_DEMAND = 1u << 4,
};

/* The demand group: the key's tasks ready to run, from the collector's walk of the run
 * queues (ABI 1.2 fields of the event; 0 when the producer does not measure them). */
#define RQH_NDEMAND 3
static const char *const rqh_demand_names[RQH_NDEMAND] = {"runnable", "crowded", "excess"};

static const struct {
	const char *name;
	unsigned bit;
} rqh_groups[] = {
	{"fractions", RQH_FRACTIONS},
	{"tails", RQH_TAILS},
	{"stats", RQH_STATS_GROUP},
	{"demand", RQH_DEMAND},
	{"samples", RQH_SAMPLES},
};

struct rqh {
	const struct anomon_host *host;
	anomon_stage *s;
	uint32_t bins, ntails;
	unsigned groups;            /* RQH_* */
	bool per_cpu;
	size_t n_hist;              /* rqh_nfeatures(bins): fractions, stats, samples */
	char **hist_names;          /* n_hist */
	char **tail_names;          /* ntails */
	double *hist_values, *tail_values;
	double demand[RQH_NDEMAND];
	size_t n;                   /* features emitted */
	const char **names;         /* n, borrowed from hist_names and tail_names */
	double *values;             /* n */
	uint64_t drops_seen; /* input_drops() at the last window */
};

static int rqh_parse_groups(struct rqh *f)
{
	const char *const *items;
	size_t n = f->host->param_list(f->s, "features", &items);

	for (size_t i = 0; i < n; i++) {
		size_t g = 0;
		while (g < sizeof(rqh_groups) / sizeof(rqh_groups[0]) &&
		       strcmp(items[i], rqh_groups[g].name) != 0)
			g++;
		if (g == sizeof(rqh_groups) / sizeof(rqh_groups[0])) {
			f->host->error(f->s, "features[%zu]: expected fractions, tails, stats, "
				       "demand or samples, got \"%s\"", i, items[i]);
			return -EINVAL;
		}
		f->groups |= rqh_groups[g].bit;
	}
	if (!f->groups) {
		f->host->error(f->s, "features: expected at least one of fractions, tails, "
			       "stats, demand, samples");
		return -EINVAL;
	}
	return 0;
}

/* Lay out the emitted vector: which computed feature goes where. */
static void rqh_layout(struct rqh *f)
{
	size_t k = 0;

	if (f->groups & RQH_FRACTIONS)
		for (uint32_t i = 0; i <= f->bins; i++)
			f->names[k++] = f->hist_names[i];
	if (f->groups & RQH_TAILS)
		for (uint32_t i = 0; i < f->ntails; i++)
			f->names[k++] = f->tail_names[i];
	if (f->groups & RQH_STATS_GROUP)
		for (uint32_t i = 0; i < RQH_STATS - 1; i++)
			f->names[k++] = f->hist_names[f->bins + 1 + i];
	if (f->groups & RQH_DEMAND)
		for (size_t i = 0; i < RQH_NDEMAND; i++)
			f->names[k++] = rqh_demand_names[i];
	if (f->groups & RQH_SAMPLES)
		f->names[k++] = f->hist_names[f->n_hist - 1];
	f->n = k;
}

static void rqh_fill(struct rqh *f)
{
	size_t k = 0;

	if (f->groups & RQH_FRACTIONS)
		for (uint32_t i = 0; i <= f->bins; i++)
			f->values[k++] = f->hist_values[i];
	if (f->groups & RQH_TAILS)
		for (uint32_t i = 0; i < f->ntails; i++)
			f->values[k++] = f->tail_values[i];
	if (f->groups & RQH_STATS_GROUP)
		for (uint32_t i = 0; i < RQH_STATS - 1; i++)
			f->values[k++] = f->hist_values[f->bins + 1 + i];
	if (f->groups & RQH_DEMAND)
		for (size_t i = 0; i < RQH_NDEMAND; i++)
			f->values[k++] = f->demand[i];
	if (f->groups & RQH_SAMPLES)
		f->values[k++] = f->hist_values[f->n_hist - 1];
}

static int rqh_setup(struct rqh *f)
{
	const struct anomon_host *host = f->host;
	anomon_stage *s = f->s;
	int64_t bins = host->param_int(s, "bins");
	int64_t ntails = host->param_int(s, "tails");
	int err;

	f->per_cpu = host->param_bool(s, "per_cpu");
	if (bins < 1 || bins > RQH_MAX_BINS) {
		host->error(s, "bins: expected 1..%d, got %lld", RQH_MAX_BINS, (long long)bins);
		return -EINVAL;
	}
	if (ntails < 1 || ntails > RQH_MAX_BINS) {
		host->error(s, "tails: expected 1..%d, got %lld", RQH_MAX_BINS,
			    (long long)ntails);
		return -EINVAL;
	}
	err = rqh_parse_groups(f);
	if (err)
		return err;
	f->bins = (uint32_t)bins;
	f->ntails = (uint32_t)ntails;
	f->n_hist = rqh_nfeatures(f->bins);
	f->hist_names = calloc(f->n_hist, sizeof(*f->hist_names));
	f->hist_values = calloc(f->n_hist, sizeof(*f->hist_values));
	f->tail_names = calloc(f->ntails, sizeof(*f->tail_names));
	f->tail_values = calloc(f->ntails, sizeof(*f->tail_values));
	f->names = calloc(f->n_hist + f->ntails + RQH_NDEMAND, sizeof(*f->names));
	f->values = calloc(f->n_hist + f->ntails + RQH_NDEMAND, sizeof(*f->values));
	if (!f->hist_names || !f->hist_values || !f->tail_names || !f->tail_values ||
	    !f->names || !f->values)
		return -ENOMEM;
	err = rqh_names(f->bins, f->hist_names);
	if (!err)
		err = rqh_tail_names(f->ntails, f->tail_names);
	if (err)
		return err;
	rqh_layout(f);
	err = host->set_schema(s, f->n, f->names);
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
	const char *k = key;

	/* Producers built against ABI 1.1 send the event without the demand fields. */
	if (strcmp(ev->type, ANOMON_EV_RUNQ_HIST) != 0 || !h ||
	    ev->size < ANOMON_RUNQ_HIST_SIZE_1_1)
		return -EINVAL;
	bool has_demand = ev->size >= sizeof(*h) && h->cpu_samples > 0;
	switch (h->source) {
	case ANOMON_RUNQ_HOST:
		snprintf(key, sizeof(key), "host");
		break;
	case ANOMON_RUNQ_CGROUP:
		/* One vector per container; the root cgroup is the host, whose own vector
		 * (from the CPUs' run queues) already describes it. */
		k = f->host->container(f->s, h->cgroup_id)->key;
		if (!strcmp(k, "host"))
			return 0;
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
	if (rqh_compute(h->bins, h->nbins, h->overflow, f->bins, f->hist_values) < 0 ||
	    rqh_log_tails(h->bins, h->nbins, h->overflow, f->ntails, f->tail_values) < 0)
		return -EINVAL;
	f->demand[0] = has_demand ? (double)h->runnable / (double)h->cpu_samples : 0;
	f->demand[1] = has_demand ? (double)h->crowded / (double)h->cpu_samples : 0;
	/* More tasks ready than CPUs, from this key alone: the contention it brings whatever
	 * the neighbours do (0 for anything that fits in the machine, however busy). */
	f->demand[2] = f->demand[0] > 1 ? f->demand[0] - 1 : 0;
	rqh_fill(f);

	/* Samples the collector lost (a full cgroup map) make this window incomplete. */
	uint64_t drops = f->host->input_drops(f->s);
	uint32_t flags = drops != f->drops_seen ? ANOMON_WINDOW_INCOMPLETE : 0;
	f->drops_seen = drops;
	struct anomon_vector v = {
		.start_ns = h->start_ns,
		.end_ns = h->end_ns,
		.key = k,
		.flags = flags,
		.n = f->n,
		.names = f->names,
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
	if (f->hist_names)
		rqh_names_free(f->bins, f->hist_names);
	if (f->tail_names)
		rqh_tail_names_free(f->ntails, f->tail_names);
	free(f->hist_names);
	free(f->hist_values);
	free(f->tail_names);
	free(f->tail_values);
	free(f->names);
	free(f->values);
	free(f);
}

static const struct anomon_param rqh_params[] = {
	{"bins", ANOMON_PARAM_INT, "16", false,
	 "queue lengths 0..bins-1 get a fraction each; longer ones share a tail bin"},
	{"per_cpu", ANOMON_PARAM_BOOL, "false", false,
	 "also emit a vector per CPU histogram, keyed cpuN"},
	{"features", ANOMON_PARAM_LIST, "fractions,stats,samples", false,
	 "groups of the vector: fractions (frac_0.., frac_geB), tails (log_ge1..), stats (mean "
	 "p50 p90 p99 max waiting), demand (runnable: the key's tasks ready to run per CPU; "
	 "crowded: fraction of samples with two of them on one CPU; excess: runnable beyond 1), "
	 "samples (the count, which grows with rate, window and CPUs)"},
	{"tails", ANOMON_PARAM_INT, "4", false,
	 "log tails log_ge1..log_geN: log10 of the fraction of samples at length >= k, + 0.01"},
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

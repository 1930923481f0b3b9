// SPDX-License-Identifier: MIT
/* runqlen_hist_math: features of one run-queue length histogram (see the header). */
#include "runqlen_hist_math.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int rqh_names(uint32_t bins, char **names)
{
	static const char *const stats[RQH_STATS] = {"mean", "p50", "p90", "p99",
						     "max", "waiting", "samples"};
	size_t n = rqh_nfeatures(bins), i = 0;

	for (size_t k = 0; k < n; k++)
		names[k] = NULL;
	for (; i < bins; i++)
		if (asprintf(&names[i], "frac_%zu", i) < 0)
			goto fail;
	if (asprintf(&names[i++], "frac_ge%u", bins) < 0)
		goto fail;
	for (size_t k = 0; k < RQH_STATS; k++, i++)
		if (asprintf(&names[i], "%s", stats[k]) < 0)
			goto fail;
	return 0;
fail:
	names[i] = NULL; /* asprintf leaves it undefined on failure */
	rqh_names_free(bins, names);
	return -ENOMEM;
}

void rqh_names_free(uint32_t bins, char **names)
{
	size_t n = rqh_nfeatures(bins);

	for (size_t k = 0; k < n; k++) {
		free(names[k]);
		names[k] = NULL;
	}
}

/* Smallest length whose cumulative count reaches rank (1-based); overflow samples count as
 * length nbins, a lower bound of their true length. */
static double percentile(const uint64_t *hist, uint32_t nbins, uint64_t rank)
{
	uint64_t cum = 0;

	for (uint32_t i = 0; i < nbins; i++) {
		cum += hist[i];
		if (cum >= rank)
			return i;
	}
	return nbins;
}

/* ceil(total * pct / 100) without floating point, and at least 1. */
static uint64_t rank_of(uint64_t total, unsigned pct)
{
	uint64_t r = total / 100 * pct + ((total % 100) * pct + 99) / 100;
	return r ? r : 1;
}

int rqh_compute(const uint64_t *hist, uint32_t nbins, uint64_t overflow, uint32_t bins,
		double *out)
{
	uint64_t total = overflow, tail = overflow;
	double sum = (double)overflow * nbins, max = overflow ? nbins : 0;

	if (bins < 1 || bins > RQH_MAX_BINS || nbins == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < nbins; i++) {
		total += hist[i];
		sum += (double)hist[i] * i;
		if (hist[i] && !overflow)
			max = i;
		if (i >= bins)
			tail += hist[i];
	}
	if (total == 0)
		return -EINVAL;

	double t = (double)total;
	size_t k = 0;
	for (uint32_t i = 0; i < bins; i++)
		out[k++] = i < nbins ? hist[i] / t : 0.0;
	out[k++] = tail / t;
	out[k++] = sum / t;
	out[k++] = percentile(hist, nbins, rank_of(total, 50));
	out[k++] = percentile(hist, nbins, rank_of(total, 90));
	out[k++] = percentile(hist, nbins, rank_of(total, 99));
	out[k++] = max;
	out[k++] = (total - hist[0]) / t;
	out[k++] = t;
	return 0;
}

int rqh_tail_names(uint32_t ntails, char **names)
{
	for (uint32_t k = 0; k < ntails; k++)
		names[k] = NULL;
	for (uint32_t k = 0; k < ntails; k++) {
		if (asprintf(&names[k], "log_ge%u", k + 1) < 0) {
			names[k] = NULL;
			rqh_tail_names_free(ntails, names);
			return -ENOMEM;
		}
	}
	return 0;
}

void rqh_tail_names_free(uint32_t ntails, char **names)
{
	for (uint32_t k = 0; k < ntails; k++) {
		free(names[k]);
		names[k] = NULL;
	}
}

int rqh_log_tails(const uint64_t *hist, uint32_t nbins, uint64_t overflow, uint32_t ntails,
		  double *out)
{
	uint64_t total = overflow;

	if (ntails < 1 || ntails > RQH_MAX_BINS || nbins == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < nbins; i++)
		total += hist[i];
	if (total == 0)
		return -EINVAL;
	/* Walk down from the longest lengths: ge holds the samples of length >= k. */
	uint64_t ge = overflow;
	for (uint32_t i = nbins; i-- > ntails + 1;)
		ge += hist[i];
	for (uint32_t k = ntails; k >= 1; k--) {
		if (k < nbins)
			ge += hist[k];
		out[k - 1] = log10((double)ge / (double)total + RQH_TAIL_FLOOR);
	}
	return 0;
}

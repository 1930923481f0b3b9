/* SPDX-License-Identifier: MIT */
/*
 * runqlen_hist_math — the feature vector of one run-queue length histogram. Every feature
 * but `samples` is a property of the distribution, so it does not change with sampling
 * rate, window length or the number of CPUs summed into the histogram.
 *
 * With B = bins, the vector is, in order:
 *   frac_0 .. frac_{B-1}  fraction of samples with queue length i
 *   frac_geB              fraction with length >= B (the tail bin)
 *   mean                  mean length (samples beyond the histogram count as its width)
 *   p50, p90, p99         nearest-rank percentiles of the length
 *   max                   longest length seen
 *   waiting               fraction of samples with at least one task waiting (length >= 1)
 *   samples               number of samples
 */
#ifndef RUNQLEN_HIST_MATH_H
#define RUNQLEN_HIST_MATH_H

#include <stddef.h>
#include <stdint.h>

#define RQH_MAX_BINS 1000
#define RQH_STATS 7 /* mean p50 p90 p99 max waiting samples */
/* Log tails are floored here: a fraction of 1% or less reads about -2 whatever the window's
 * sample count, so a short window's coarse fractions match a long one's. */
#define RQH_TAIL_FLOOR 0.01

/* Number of features for `bins` individual bins. */
static inline size_t rqh_nfeatures(uint32_t bins)
{
	return (size_t)bins + 1 + RQH_STATS;
}

/*
 * Write the rqh_nfeatures(bins) feature names into names, each malloc'ed (free them with
 * rqh_names_free). Returns 0 or -ENOMEM (names then holds NULLs only).
 */
int rqh_names(uint32_t bins, char **names);
void rqh_names_free(uint32_t bins, char **names);

/*
 * Compute the features of a histogram: hist[i] samples had queue length i (i < nbins),
 * `overflow` had a length >= nbins. When nbins < bins, overflow samples fall in the tail
 * bin. Writes rqh_nfeatures(bins) values into out. Returns 0, or -EINVAL for an empty
 * histogram, nbins 0 or bins out of 1..RQH_MAX_BINS (out untouched).
 */
int rqh_compute(const uint64_t *hist, uint32_t nbins, uint64_t overflow, uint32_t bins,
		double *out);

/*
 * Log tails: out[k-1] = log10(P(length >= k) + RQH_TAIL_FLOOR) for k = 1..ntails, named
 * log_ge1..log_ge{ntails}. They spread out what fractions squeeze near 0 and 1: a queue that
 * was empty 1% of the time (log_ge1 about 0) against one that was never empty. names gets
 * malloc'ed strings (free them with rqh_tail_names_free). Return 0, -ENOMEM, or -EINVAL
 * for an empty histogram, nbins 0 or ntails out of 1..RQH_MAX_BINS (out untouched).
 */
int rqh_tail_names(uint32_t ntails, char **names);
void rqh_tail_names_free(uint32_t ntails, char **names);
int rqh_log_tails(const uint64_t *hist, uint32_t nbins, uint64_t overflow, uint32_t ntails,
		  double *out);

#endif

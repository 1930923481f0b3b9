/* SPDX-License-Identifier: MIT */
/*
 * proc_features — the feature vector of the process events (fork, exec, exit) of one window.
 *
 * In order (rates per second of the window; ratios over the window's process exits, 0 when
 * there is none; thread creations and exits, flagged ANOMON_PROC_THREAD, count only in
 * proc_threads_per_s):
 *   proc_forks_per_s        new processes
 *   proc_execs_per_s        programs executed
 *   proc_exits_per_s        processes ended
 *   proc_threads_per_s      new threads (0 when the collector does not report threads)
 *   proc_short_lived_ratio  exits of processes that lived less than PF_SHORT_LIVED_NS, over
 *                           the exits whose age is known
 *   proc_fail_exit_ratio    exits with a non-zero status or by a signal
 *   proc_signal_exit_ratio  exits by a signal
 *   proc_distinct_execs     distinct programs executed (by filename, else by comm)
 *   proc_mean_age_s         geometric mean of the exiting processes' ages in seconds, each
 *                           at least PF_AGE_FLOOR_S; 0 with no exit of known age
 *
 * The mean age is geometric because ages span microseconds (a fork storm) to months (a
 * daemon): a plain mean is the one long-lived exit of the window, whatever the hundreds of
 * short ones did; the geometric mean moves by the same step for every tenfold change of
 * the typical age, and stays in seconds.
 */
#ifndef PROC_FEATURES_H
#define PROC_FEATURES_H

#include <stdint.h>

#include "anomon_plugin.h"
#include "hash_set.h"

#define PF_NFEATURES 9
#define PF_SHORT_LIVED_NS 1000000000ull
#define PF_AGE_FLOOR_S 0.001

struct pf_acc {
	uint64_t forks, execs, exits, threads;
	uint64_t aged;        /* exits whose age is known */
	uint64_t short_lived, failed, signaled;
	double log_age_sum;   /* sum of ln(age in seconds) over the aged exits */
	struct hash_set programs;
};

extern const char *const pf_names[PF_NFEATURES];

void pf_acc_init(struct pf_acc *a);
/* Empty the accumulator for the next window, keeping its memory. */
void pf_acc_reset(struct pf_acc *a);
void pf_acc_fini(struct pf_acc *a);

/* Add one event. Returns 0, -EINVAL for an unknown kind, or -ENOMEM. */
int pf_add(struct pf_acc *a, const struct anomon_proc *p);

/* Write the vector of a window that lasted `seconds` into out[PF_NFEATURES]; every value
 * is finite. */
void pf_compute(const struct pf_acc *a, double seconds, double *out);

#endif

// SPDX-License-Identifier: MIT
/* proc_features: the feature vector of a window of process events (see the header). */
#include "proc_features.h"

#include <errno.h>
#include <math.h>
#include <string.h>

const char *const pf_names[PF_NFEATURES] = {
	"proc_forks_per_s", "proc_execs_per_s", "proc_exits_per_s", "proc_threads_per_s",
	"proc_short_lived_ratio", "proc_fail_exit_ratio", "proc_signal_exit_ratio",
	"proc_distinct_execs", "proc_mean_age_s",
};

void pf_acc_init(struct pf_acc *a)
{
	memset(a, 0, sizeof(*a));
}

void pf_acc_reset(struct pf_acc *a)
{
	struct hash_set programs = a->programs;

	hash_set_clear(&programs);
	memset(a, 0, sizeof(*a));
	a->programs = programs;
}

void pf_acc_fini(struct pf_acc *a)
{
	hash_set_free(&a->programs);
	memset(a, 0, sizeof(*a));
}

static void add_exit(struct pf_acc *a, const struct anomon_proc *p)
{
	a->exits++;
	if (p->flags & ANOMON_PROC_SIGNALED) {
		a->signaled++;
		a->failed++;
	} else if (p->exit_code != 0) {
		a->failed++;
	}
	if (p->present & ANOMON_PROC_F_AGE) {
		double s = (double)p->age_ns / 1e9;
		a->aged++;
		a->short_lived += p->age_ns < PF_SHORT_LIVED_NS;
		a->log_age_sum += log(s > PF_AGE_FLOOR_S ? s : PF_AGE_FLOOR_S);
	}
}

int pf_add(struct pf_acc *a, const struct anomon_proc *p)
{
	bool thread = p->flags & ANOMON_PROC_THREAD;

	switch (p->kind) {
	case ANOMON_PROC_FORK:
		if (thread)
			a->threads++;
		else
			a->forks++;
		return 0;
	case ANOMON_PROC_EXEC: {
		a->execs++;
		/* A replayed log may name the program only by its comm. */
		const char *prog = (p->present & ANOMON_PROC_F_FILENAME) && p->filename
					   ? p->filename : p->comm;
		size_t len = prog == p->comm ? strnlen(p->comm, ANOMON_COMM_LEN) : strlen(prog);
		return hash_set_add(&a->programs, hash_bytes(prog, len)) < 0 ? -ENOMEM : 0;
	}
	case ANOMON_PROC_EXIT:
		/* A thread's end says nothing about the process's outcome. */
		if (!thread)
			add_exit(a, p);
		return 0;
	default:
		return -EINVAL;
	}
}

void pf_compute(const struct pf_acc *a, double seconds, double *out)
{
	double per_s = seconds > 0 ? 1.0 / seconds : 0.0;
	double exits = a->exits ? (double)a->exits : 1.0; /* no exit gives zeros */
	size_t k = 0;

	out[k++] = (double)a->forks * per_s;
	out[k++] = (double)a->execs * per_s;
	out[k++] = (double)a->exits * per_s;
	out[k++] = (double)a->threads * per_s;
	out[k++] = a->aged ? (double)a->short_lived / (double)a->aged : 0.0;
	out[k++] = (double)a->failed / exits;
	out[k++] = (double)a->signaled / exits;
	out[k++] = (double)a->programs.n;
	out[k++] = a->aged ? exp(a->log_age_sum / (double)a->aged) : 0.0;
}

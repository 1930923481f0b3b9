/* SPDX-License-Identifier: MIT */
/* runqlen: the histogram layout shared by the kernel side and the plugin. */
#ifndef RUNQLEN_H
#define RUNQLEN_H

/* Queue lengths 0..RUNQLEN_NBINS-1 get a bin each (the original tool's lhist(0, 100, 1));
 * longer queues share the overflow slot at index RUNQLEN_NBINS. */
#define RUNQLEN_NBINS 100

/* Two buffers: samples go to buffer `active`, user space flips it once per window and
 * drains the other one (see runqlen.c). */
#define RUNQLEN_NBUF 2

/* The demand walk: at most this many tasks of a CPU's queue are looked at per sample. */
#define RUNQLEN_WALK_MAX 32

struct runqlen_hist {
	__u64 slots[RUNQLEN_NBINS + 1];
	/* Demand: over the samples, the key's runnable CFS tasks on the sampled CPU (running
	 * or queued), and the samples in which at least two of them were there. */
	__u64 runnable;
	__u64 crowded;
};

struct runqlen_cg_key {
	__u64 cgroup_id;
	__u32 buf;
	__u32 pad; /* keeps the key free of uninitialised padding */
};

#endif

/* SPDX-License-Identifier: MIT */
/*
 * bpf_stream_counters — indexes of the per-CPU counters every ring-buffer collector keeps
 * next to its ring buffer (see bpf_stream.bpf.h and bpf_stream.h). Shared by the kernel
 * and the user side, so it holds nothing but constants.
 */
#ifndef BPF_STREAM_COUNTERS_H
#define BPF_STREAM_COUNTERS_H

enum bpfc_counter {
	BPFC_CNT_SEEN = 0,    /* events that passed every filter and were offered to the ring */
	BPFC_CNT_DROPPED = 1, /* of those, events the ring buffer could not take */
	BPFC_CNT_FILTERED = 2, /* events of unwanted cgroups, held back in the kernel: counted in
				* neither of the above */
	BPFC_NCOUNTERS = 3,
};

/* Bound of the kernel's map of unwanted cgroups (LRU): a host that creates thousands of
 * short-lived cgroups costs one event each that the map forgot, never unbounded memory. */
#define BPFC_CGROUP_VERDICTS_MAX 16384

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * runqlen kernel side: on each perf-event sample (software cpu-clock, one event per CPU),
 * read the length of the sampled task's CFS run queue minus the running task and count it
 * in a histogram per CPU and per cgroup v2 id.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "runqlen.h"

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;   /* the agent's own process: its samples are skipped */
const volatile bool per_cgroup = true;

/* Buffer the samples go to; flipped by user space through the mmap'ed .bss. */
__u32 active = 0;
/* Per buffer: samples not counted per cgroup because cgroup_hist was full. */
__u64 cgroup_full[RUNQLEN_NBUF];

/* Per-CPU histograms, one element per buffer. Each CPU's event only writes its own copy,
 * so plain increments are safe. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RUNQLEN_NBUF);
	__type(key, __u32);
	__type(value, struct runqlen_hist);
} cpu_hist SEC(".maps");

/* Per-cgroup histograms keyed by (cgroup id, buffer); max_entries is set at load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct runqlen_cg_key);
	__type(value, struct runqlen_hist);
} cgroup_hist SEC(".maps");

static const struct runqlen_hist zero_hist;

/*
 * cfs_rq->nr_running was renamed nr_queued in Linux 6.14 by commit 736c55a02c47
 * ("sched/fair: Rename cfs_rq.nr_running into nr_queued"). Both flavours are declared
 * locally and the one the running kernel has is picked by a CO-RE field check.
 */
struct cfs_rq___old {
	unsigned int nr_running;
} __attribute__((preserve_access_index));

struct cfs_rq___new {
	unsigned int nr_queued;
} __attribute__((preserve_access_index));

static __always_inline __u32 cfs_rq_queued(struct cfs_rq *rq)
{
	if (bpf_core_field_exists(((struct cfs_rq___new *)rq)->nr_queued))
		return BPF_CORE_READ((struct cfs_rq___new *)rq, nr_queued);
	return BPF_CORE_READ((struct cfs_rq___old *)rq, nr_running);
}

SEC("perf_event")
int runqlen_sample(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct runqlen_cg_key key = {};
	struct runqlen_hist *h;
	struct cfs_rq *rq;
	__u64 len = 0; /* 64-bit so the bound checked below is the one the verifier sees */
	__u32 buf;

	if (self_tgid && tgid == self_tgid)
		return 0;

	rq = BPF_CORE_READ(task, se.cfs_rq);
	if (rq)
		len = cfs_rq_queued(rq);
	if (len > 0)
		len--; /* the running task itself */
	if (len > RUNQLEN_NBINS)
		len = RUNQLEN_NBINS;

	buf = *(volatile __u32 *)&active & (RUNQLEN_NBUF - 1);
	h = bpf_map_lookup_elem(&cpu_hist, &buf);
	if (h)
		h->slots[len]++;

	/* The idle task (tgid 0) belongs to no cgroup's workload. */
	if (!per_cgroup || tgid == 0)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.buf = buf;
	h = bpf_map_lookup_elem(&cgroup_hist, &key);
	if (!h) {
		bpf_map_update_elem(&cgroup_hist, &key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&cgroup_hist, &key);
		if (!h) {
			__sync_fetch_and_add(&cgroup_full[buf], 1);
			return 0;
		}
	}
	__sync_fetch_and_add(&h->slots[len], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

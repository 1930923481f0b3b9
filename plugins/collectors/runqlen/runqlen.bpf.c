// SPDX-License-Identifier: GPL-2.0
/*
 * runqlen kernel side: on each perf-event sample (software cpu-clock, one event per CPU),
 * count the tasks waiting for the CPU in a histogram per CPU (summed into the host one by
 * user space) and per cgroup v2 id of the sampled task.
 *
 * Two queues are read. The per-CPU histograms count the CPU's root run queue (every task
 * of every class waiting behind the running one): the sampled task's own cfs_rq only holds
 * its group's entities, so with autogroup or cgroups a CPU with 4 loops of 4 sessions reads
 * "nothing waiting" there. The per-cgroup histograms keep the original tool's measure, the
 * sampled task's own cfs_rq: how crowded the cgroup's own queue is.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "runqlen.h"

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;   /* the agent's own process: its samples are skipped */
const volatile bool per_cgroup = true;
/* Per-CPU histograms from the root run queue (true) or, as the original tool did, from the
 * sampled task's own cfs_rq (false). */
const volatile bool cpu_root_queue = true;

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

/*
 * CFS tasks counted on the root queue but asleep: since delayed dequeue (6.12) a task that
 * blocks with negative lag stays queued until it is picked, and rq->nr_running counts it.
 *  - "sched/fair: Add new cfs_rq.h_nr_runnable" (6.14, backported to 6.12.y) counts the
 *    runnable ones: delayed = h_nr_queued - h_nr_runnable ("sched/fair: Rename h_nr_running
 *    into h_nr_queued", same series);
 *  - "sched/eevdf: More PELT vs DELAYED_DEQUEUE" (6.13, 6.12.7) counted them in h_nr_delayed;
 *  - before that there is no count (and before 6.12 no delayed task): 0.
 */
struct cfs_rq___runnable {
	unsigned int h_nr_queued;
	unsigned int h_nr_runnable;
} __attribute__((preserve_access_index));

struct cfs_rq___delayed {
	unsigned int h_nr_delayed;
} __attribute__((preserve_access_index));

static __always_inline __u32 cfs_rq_delayed(const struct cfs_rq *cfs)
{
	if (bpf_core_field_exists(((struct cfs_rq___runnable *)cfs)->h_nr_runnable)) {
		__u32 q = BPF_CORE_READ((struct cfs_rq___runnable *)cfs, h_nr_queued);
		__u32 r = BPF_CORE_READ((struct cfs_rq___runnable *)cfs, h_nr_runnable);
		return q > r ? q - r : 0;
	}
	if (bpf_core_field_exists(((struct cfs_rq___delayed *)cfs)->h_nr_delayed))
		return BPF_CORE_READ((struct cfs_rq___delayed *)cfs, h_nr_delayed);
	return 0;
}

/*
 * The struct rq of the CPU a cfs_rq belongs to. With group scheduling every cfs_rq points to
 * it; without (no cfs_rq->rq), a task's cfs_rq is the CPU's root one, embedded in struct rq
 * as rq->cfs. (The per-CPU variable `runqueues` would be simpler, but a kernel without
 * CONFIG_KALLSYMS_ALL, like the 6.18 one we run on, cannot resolve a data ksym.)
 */
static __always_inline struct rq *cfs_rq_rq(struct cfs_rq *cfs)
{
	if (bpf_core_field_exists(cfs->rq))
		return BPF_CORE_READ(cfs, rq);
	return (struct rq *)((char *)cfs - bpf_core_field_offset(struct rq, cfs));
}

/* Tasks waiting on this CPU's root run queue: all runnable tasks of every class but the
 * running one (the idle task, pid 0, is not on the queue: then every queued task waits). */
static __always_inline __u64 cpu_waiting(struct task_struct *task, __u32 pid)
{
	struct cfs_rq *cfs = BPF_CORE_READ(task, se.cfs_rq);
	struct rq *rq;
	__u64 n, delayed;

	if (!cfs)
		return 0;
	rq = cfs_rq_rq(cfs);
	n = BPF_CORE_READ(rq, nr_running);
	delayed = cfs_rq_delayed(&rq->cfs);

	n = n > delayed ? n - delayed : 0;
	if (pid != 0 && n > 0)
		n--;
	return n;
}

/* The sampled task's own cfs_rq: its group's entities on this CPU, minus itself. */
static __always_inline __u64 group_waiting(struct task_struct *task)
{
	struct cfs_rq *rq = BPF_CORE_READ(task, se.cfs_rq);
	__u64 len = rq ? cfs_rq_queued(rq) : 0;

	return len > 0 ? len - 1 : 0;
}

SEC("perf_event")
int runqlen_sample(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, pid = (__u32)id;
	struct runqlen_cg_key key = {};
	struct runqlen_hist *h;
	/* 64-bit so the bounds checked below are the ones the verifier sees */
	__u64 len, glen;
	__u32 buf;

	if (self_tgid && tgid == self_tgid)
		return 0;

	glen = group_waiting(task);
	len = cpu_root_queue ? cpu_waiting(task, pid) : glen;
	if (len > RUNQLEN_NBINS)
		len = RUNQLEN_NBINS;
	if (glen > RUNQLEN_NBINS)
		glen = RUNQLEN_NBINS;

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
	__sync_fetch_and_add(&h->slots[glen], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

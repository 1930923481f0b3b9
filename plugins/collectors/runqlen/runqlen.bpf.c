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
 *
 * With `demand`, each sample also walks the CPU's list of runnable CFS tasks (rq->cfs_tasks,
 * which holds every CFS task on the CPU, the running one included, whatever its group) and
 * counts them per cgroup: how many threads each container has ready to run. Unlike the
 * queue lengths this is the container's own doing: other containers' load makes its tasks
 * wait longer, not more numerous. The walk runs without the run queue's lock (a sample may
 * interrupt the scheduler), so it is bounded and a list changing under it may miscount one
 * sample; every read goes through the fault-safe probe helpers.
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
const volatile bool demand = true;

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

/* Since delayed dequeue (6.12) a CFS task that blocked may stay on the queue (and on
 * cfs_tasks) until picked: asleep, it is no demand. */
struct sched_entity___delayed {
	unsigned char sched_delayed;
} __attribute__((preserve_access_index));

static __always_inline bool se_delayed(struct sched_entity *se)
{
	if (bpf_core_field_exists(((struct sched_entity___delayed *)se)->sched_delayed))
		return BPF_CORE_READ((struct sched_entity___delayed *)se, sched_delayed);
	return false;
}

/* The cgroup's histogram of buffer buf, created empty when new; NULL when the map is full
 * (counted in cgroup_full). */
static __always_inline struct runqlen_hist *cgroup_slot(__u64 cgroup_id, __u32 buf)
{
	struct runqlen_cg_key key = {.cgroup_id = cgroup_id, .buf = buf};
	struct runqlen_hist *h = bpf_map_lookup_elem(&cgroup_hist, &key);

	if (!h) {
		bpf_map_update_elem(&cgroup_hist, &key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&cgroup_hist, &key);
		if (!h)
			__sync_fetch_and_add(&cgroup_full[buf & (RUNQLEN_NBUF - 1)], 1);
	}
	return h;
}

/* Per CPU and cgroup: how many of the cgroup's tasks the current walk has met, so that the
 * second one marks the sample crowded. A per-CPU map needs no lock and no search on the
 * stack (which would multiply the verifier's states over a walk of 32 tasks). */
struct walk_tally {
	__u64 sample; /* the walk the count belongs to */
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct walk_tally);
} walk_tallies SEC(".maps");

/* Per CPU: the walks so far (which, with the CPU, names a walk) and the current walk's
 * count of tasks. The count lives here rather than in a register so that the verifier
 * does not tell its values apart, which would multiply its states. */
struct walk_state {
	__u64 seq;
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_state);
} walk_states SEC(".maps");

static const struct walk_tally zero_tally;

/* One runnable task of cgroup cg met by walk seq: into the cgroup's histogram of buffer
 * buf. A global function, so the verifier checks it once rather than on every path of
 * every step of the walk (which costs it seconds on a loaded machine). */
__attribute__((noinline)) int demand_tally(__u64 cg, __u64 seq, __u32 buf)
{
	struct walk_tally *w = bpf_map_lookup_elem(&walk_tallies, &cg);
	struct runqlen_hist *h;

	if (!w) {
		bpf_map_update_elem(&walk_tallies, &cg, &zero_tally, BPF_ANY);
		w = bpf_map_lookup_elem(&walk_tallies, &cg);
		if (!w)
			return 0;
	}
	if (w->sample != seq) {
		w->sample = seq;
		w->count = 0;
	}
	w->count++;
	h = cgroup_slot(cg, buf & (RUNQLEN_NBUF - 1));
	if (!h)
		return 0;
	__sync_fetch_and_add(&h->runnable, 1);
	if (w->count == 2)
		__sync_fetch_and_add(&h->crowded, 1);
	return 0;
}

/* One step of the walk: the task whose entity's group_node is at `node` (an address) is
 * counted when it is runnable. Returns the next node's address. Global, like
 * demand_tally, so that the walk's 32 steps each cost the verifier one call. */
__attribute__((noinline)) __u64 demand_step(__u64 node, __u64 seq, __u32 buf)
{
	struct list_head *n = (struct list_head *)node;
	struct sched_entity *se = (void *)((char *)n -
		bpf_core_field_offset(struct sched_entity, group_node));
	struct task_struct *t = (void *)((char *)se - bpf_core_field_offset(struct task_struct, se));
	__u32 zero = 0;
	struct walk_state *ws = bpf_map_lookup_elem(&walk_states, &zero);

	if (ws && !se_delayed(se)) {
		ws->total++;
		if (per_cgroup)
			demand_tally(BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id), seq, buf);
	}
	return (__u64)BPF_CORE_READ(n, next);
}

/* Count the CPU's runnable CFS tasks into their cgroups' histograms (per_cgroup) and return
 * how many there were. */
static __always_inline __u64 demand_walk(struct task_struct *cur, __u32 buf)
{
	struct cfs_rq *cfs = BPF_CORE_READ(cur, se.cfs_rq);
	__u32 zero = 0;
	struct walk_state *ws = bpf_map_lookup_elem(&walk_states, &zero);
	__u64 seq, head, node;

	if (!cfs || !ws)
		return 0;
	seq = ++ws->seq;
	ws->total = 0;
	head = (__u64)&cfs_rq_rq(cfs)->cfs_tasks;
	node = (__u64)BPF_CORE_READ(cfs_rq_rq(cfs), cfs_tasks.next);
	for (int i = 0; i < RUNQLEN_WALK_MAX && node && node != head; i++)
		node = demand_step(node, seq, buf);
	return ws->total;
}

SEC("perf_event")
int runqlen_sample(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, pid = (__u32)id;
	struct runqlen_hist *h;
	/* 64-bit so the bounds checked below are the ones the verifier sees */
	__u64 len, glen, runnable;
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
	runnable = demand ? demand_walk(task, buf) : 0;
	h = bpf_map_lookup_elem(&cpu_hist, &buf);
	if (h) {
		h->slots[len]++;
		h->runnable += runnable;
		h->crowded += runnable >= 2;
	}
	if (!per_cgroup)
		return 0;
	/* The idle task (tgid 0) belongs to no cgroup's workload. */
	if (tgid == 0)
		return 0;
	h = cgroup_slot(bpf_get_current_cgroup_id(), buf);
	if (h)
		__sync_fetch_and_add(&h->slots[glen], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

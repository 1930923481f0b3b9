/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_stream.bpf.h — the kernel side of a ring-buffer event stream, included once by a
 * collector's NAME.bpf.c after vmlinux.h and bpf_helpers.h. It defines:
 *  - `events`, the ring buffer (user space sets its size before load);
 *  - `stream_counters`, per-CPU counters of events seen and dropped: libbpf-tools loses
 *    events silently when the ring is full; we count every failure so user space can
 *    report it as a drop;
 *  - bpfc_output(), which copies one record into the ring with adaptive wake-ups;
 *  - `cgroup_verdicts` and bpfc_cgroup_pass(), the stage's container filter in the kernel.
 *
 * Waking the reader on every record costs the traced task an irq_work per event. Records
 * are written without a wake-up until the ring holds `bpfc_wakeup_bytes`, after which the
 * reader is woken; user space also polls on a short timer, so a quiet stream still flows.
 */
#ifndef BPF_STREAM_BPF_H
#define BPF_STREAM_BPF_H

#include "bpf_stream_counters.h"

/* Set by user space before load; 0 wakes the reader on every record. */
const volatile __u64 bpfc_wakeup_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFC_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} stream_counters SEC(".maps");

static __always_inline void bpfc_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&stream_counters, &idx);

	/* Per-CPU and not re-entered on one CPU (tracing programs do not nest): a plain add. */
	if (c)
		(*c)++;
}

/* Offer one record of `size` bytes (bounded for the verifier by the caller). */
static __always_inline long bpfc_output(void *data, __u64 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	long err;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= bpfc_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpfc_count(BPFC_CNT_SEEN);
	err = bpf_ringbuf_output(&events, data, size, flags);
	if (err)
		bpfc_count(BPFC_CNT_DROPPED);
	return err;
}

/*
 * The container filter (containers_only / include / exclude) applied in the kernel, so that
 * events of unwanted cgroups never cross into user space. User space decides (the host's
 * cgroup_wanted) and stores here only the cgroups whose events are unwanted, verdict 0:
 * before attaching, every cgroup that exists; later, a new cgroup when its first event
 * reaches user space. An id absent from the map passes, so a cgroup the LRU forgot costs
 * one more event in user space, never a lost one.
 */
const volatile bool bpfc_cgroup_filter = false; /* set before load when the stage filters */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFC_CGROUP_VERDICTS_MAX); /* 1 when the stage does not filter */
	__type(key, __u64);  /* cgroup v2 id */
	__type(value, __u8); /* 0: drop */
} cgroup_verdicts SEC(".maps");

/* Whether events of this cgroup go to user space; counts those held back. */
static __always_inline bool bpfc_cgroup_pass(__u64 cgroup_id)
{
	__u8 *v;

	if (!bpfc_cgroup_filter)
		return true;
	v = bpf_map_lookup_elem(&cgroup_verdicts, &cgroup_id);
	if (!v || *v)
		return true;
	bpfc_count(BPFC_CNT_FILTERED);
	return false;
}

#endif

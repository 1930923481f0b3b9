/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_stream.bpf.h — the kernel side of a ring-buffer event stream, included once by a
 * collector's NAME.bpf.c after vmlinux.h and bpf_helpers.h. It defines:
 *  - `events`, the ring buffer (user space sets its size before load);
 *  - `stream_counters`, per-CPU counters of events seen and dropped: libbpf-tools loses
 *    events silently when the ring is full; we count every failure so user space can
 *    report it as a drop;
 *  - bpfc_output(), which copies one record into the ring with adaptive wake-ups.
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

#endif

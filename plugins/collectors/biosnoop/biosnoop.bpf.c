// SPDX-License-Identifier: GPL-2.0
/*
 * biosnoop kernel side: block requests from entry to completion.
 *
 * The original tool's kprobes on blk_account_io_start/done no longer exist: the functions
 * became inline (Linux 5.17, commit 450b7879e345 "block: move blk_account_io_{start,done}
 * to blk-mq.c"), and Linux 6.5 added tracepoints in their place (commit 5a80bd075f3b
 * "block: introduce block_io_start/block_io_done tracepoints"). Each handler
 * exists twice: as a BTF tracepoint (tp_btf) and as a raw tracepoint (raw_tp) for kernels
 * whose BPF cannot attach tp_btf; user space loads one flavour, and only the tracepoints the
 * running kernel has:
 *   block_io_start   the submitting task: pid, comm, cgroup (6.5+);
 *   block_rq_insert  entry into the I/O scheduler's queue (not every request goes there);
 *   block_rq_issue   dispatch to the driver (issuer taken here when nothing came before);
 *   block_rq_complete completion: one record, unless the stage's container filter does not
 *                     want the issuer's cgroup (bpfc_cgroup_pass).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "biosnoop.h"
#include "bpf_stream.bpf.h"

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;

struct req_info {
	__u64 start_ns;  /* block_io_start */
	__u64 insert_ns; /* block_rq_insert */
	__u64 issue_ns;  /* block_rq_issue */
	__u64 cgroup_id;
	__u32 pid;
	__u32 have_issuer;
	char comm[BIOSNOOP_COMM_LEN];
};

/* Requests in flight, by address. LRU: a request that never completes (driver reset,
 * a requeue path we do not follow) must not fill the map for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct req_info);
} reqs SEC(".maps");

/* Until Linux 5.16 ("block: remove the ->rq_disk field in struct request") the disk hung
 * off the request itself; since then it is the queue's. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___old *)rq)->rq_disk))
		disk = BPF_CORE_READ((struct request___old *)rq, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

/* The kernel's blk_fill_rwbs, as bits. Operation numbers are stable UAPI-like values since
 * Linux 4.10; the flag bit positions move, so they are relocated by name. */
#define REQ_OP_BITS 8
static __always_inline __u32 rq_rw(struct request *rq)
{
	__u32 f = BPF_CORE_READ(rq, cmd_flags), op = f & ((1u << REQ_OP_BITS) - 1), rw = 0;

	switch (op) {
	case 0: rw = BIOSNOOP_OP_READ; break;
	case 1: /* write */
	case 13: rw = BIOSNOOP_OP_WRITE; break; /* zone append */
	case 2: rw = BIOSNOOP_OP_FLUSH; break;
	case 3: rw = BIOSNOOP_OP_DISCARD; break;
	case 5: rw = BIOSNOOP_OP_SECURE_ERASE; break;
	default: rw = BIOSNOOP_OP_OTHER; break;
	}
	if (f & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_PREFLUSH)))
		rw |= BIOSNOOP_PREFLUSH;
	if (f & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_FUA)))
		rw |= BIOSNOOP_FUA;
	if (f & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_RAHEAD)))
		rw |= BIOSNOOP_RAHEAD;
	if (f & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_SYNC)))
		rw |= BIOSNOOP_SYNC;
	if (f & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_META)))
		rw |= BIOSNOOP_META;
	return rw;
}

static __always_inline struct req_info *get_info(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct req_info *ri = bpf_map_lookup_elem(&reqs, &key);
	static const struct req_info zero;

	if (ri)
		return ri;
	bpf_map_update_elem(&reqs, &key, &zero, BPF_ANY);
	return bpf_map_lookup_elem(&reqs, &key);
}

static __always_inline void set_issuer(struct req_info *ri)
{
	if (ri->have_issuer)
		return;
	ri->pid = bpf_get_current_pid_tgid() >> 32;
	ri->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ri->comm, sizeof(ri->comm));
	ri->have_issuer = 1;
}

static __always_inline int on_start(struct request *rq)
{
	struct req_info *ri;
	__u64 key = (__u64)rq;

	/* A fresh request: forget whatever a recycled address left behind. */
	bpf_map_delete_elem(&reqs, &key);
	ri = get_info(rq);
	if (!ri)
		return 0;
	ri->start_ns = bpf_ktime_get_ns();
	set_issuer(ri);
	return 0;
}

static __always_inline int on_insert(struct request *rq)
{
	struct req_info *ri = get_info(rq);

	if (!ri)
		return 0;
	ri->insert_ns = bpf_ktime_get_ns();
	set_issuer(ri);
	return 0;
}

static __always_inline int on_issue(struct request *rq)
{
	struct req_info *ri = get_info(rq);

	if (!ri)
		return 0;
	ri->issue_ns = bpf_ktime_get_ns();
	set_issuer(ri);
	return 0;
}

static __always_inline int on_complete(struct request *rq, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct biosnoop_event e = {};
	struct req_info *ri;
	__u64 entry;

	ri = bpf_map_lookup_elem(&reqs, &key);
	if (!ri)
		return 0;
	/* A partial completion: the request goes on with what is left. */
	if (BPF_CORE_READ(rq, __data_len) > nr_bytes)
		return 0;
	if (!ri->issue_ns || (ri->have_issuer && ri->pid == self_tgid && self_tgid))
		goto out;
	/* The issuer's cgroup, as user space keys it: 0 when no issuer was seen. */
	if (!bpfc_cgroup_pass(ri->have_issuer ? ri->cgroup_id : 0))
		goto out;
	e.ts_ns = bpf_ktime_get_boot_ns();
	e.cgroup_id = ri->cgroup_id;
	e.pid = ri->pid;
	__builtin_memcpy(e.comm, ri->comm, sizeof(e.comm));
	e.sector = BPF_CORE_READ(rq, __sector);
	e.dev = rq_dev(rq);
	e.rw = rq_rw(rq);
	e.service_ns = now - ri->issue_ns;
	entry = ri->insert_ns ? ri->insert_ns : ri->start_ns;
	if (entry && entry <= ri->issue_ns) {
		e.queue_ns = ri->issue_ns - entry;
		e.have |= BIOSNOOP_HAVE_QUEUE;
	}
	if (ri->have_issuer)
		e.have |= BIOSNOOP_HAVE_ISSUER;
	/* The completion's byte count: __data_len is already being consumed by now. */
	e.bytes = nr_bytes;
	bpfc_output(&e, sizeof(e));
out:
	bpf_map_delete_elem(&reqs, &key);
	return 0;
}

/* tp_btf flavour. */
SEC("tp_btf/block_io_start")
int BPF_PROG(btf_io_start, struct request *rq) { return on_start(rq); }
SEC("tp_btf/block_rq_insert")
int BPF_PROG(btf_rq_insert, struct request *rq) { return on_insert(rq); }
SEC("tp_btf/block_rq_issue")
int BPF_PROG(btf_rq_issue, struct request *rq) { return on_issue(rq); }
SEC("tp_btf/block_rq_complete")
int BPF_PROG(btf_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes);
}

/* raw_tp flavour: same arguments, read without BTF typing. */
SEC("raw_tp/block_io_start")
int BPF_PROG(raw_io_start, struct request *rq) { return on_start(rq); }
SEC("raw_tp/block_rq_insert")
int BPF_PROG(raw_rq_insert, struct request *rq) { return on_insert(rq); }
SEC("raw_tp/block_rq_issue")
int BPF_PROG(raw_rq_issue, struct request *rq) { return on_issue(rq); }
SEC("raw_tp/block_rq_complete")
int BPF_PROG(raw_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes);
}

char LICENSE[] SEC("license") = "GPL";

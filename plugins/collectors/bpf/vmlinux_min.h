/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlinux_min.h — the kernel types the live collectors read, for building on a machine
 * without /sys/kernel/btf/vmlinux (meson.build copies it to vmlinux.h then). Every struct
 * is declared with only the fields the BPF programs touch: CO-RE relocates field offsets
 * against the running kernel's BTF at load time, so sizes and layouts here do not matter,
 * only names and types. A collector that reads a new type or field adds it here.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef int pid_t;
typedef unsigned int uid_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

/* Used by bpf_helpers.h and the map definitions (values are the UAPI's). */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};

enum {
	BPF_F_NO_PREALLOC = 1,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct rq;

/* runqlen: task->se.cfs_rq->nr_queued (nr_running before 6.14), and its CPU's rq. */
struct cfs_rq {
	unsigned int nr_queued;
	struct rq *rq;
};

struct list_head {
	struct list_head *next, *prev;
};

/* runqlen's demand walk: group_node links a task's entity into rq->cfs_tasks. */
struct sched_entity {
	struct cfs_rq *cfs_rq;
	struct list_head group_node;
};

/* runqlen: the CPU's root run queue, rq->nr_running and rq->cfs (delayed tasks), and
 * cfs_tasks, every CFS task on the CPU. */
struct rq {
	unsigned int nr_running;
	struct cfs_rq cfs;
	struct list_head cfs_tasks;
};

struct css_set;

struct task_struct {
	struct sched_entity se;
	pid_t pid;
	pid_t tgid;
	struct css_set *cgroups; /* ->dfl_cgrp->kn->id: the cgroup v2 id */
};

#pragma clang attribute pop

/* ---- Appended for procsnoop (and the ring buffer streams of bpf_stream.bpf.h) ---------- */

/* bpf_stream.bpf.h: the map of unwanted cgroups and the ring buffer's flags (UAPI values). */
enum {
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10, /* runqlen's demand walk */
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
};

typedef struct {
	int counter;
} atomic_t;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* procsnoop reads the task's fields through its own flavour, struct task_struct___ps;
 * these are the types it reaches from there. */

/* The exec tracepoint's binprm: the program's path as exec resolved it. */
struct linux_binprm {
	const char *filename;
};

/* The thread group's shared state: threads alive, the group exit code and its flag. */
struct signal_struct {
	atomic_t live;
	int group_exit_code;
	unsigned int flags;
};

/* task->cgroups->dfl_cgrp->kn->id: the task's cgroup v2 id (bpf_get_current_cgroup_id's). */
struct kernfs_node {
	u64 id;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

#pragma clang attribute pop

/* ---- Appended for opensnoop and biosnoop ------------------------------------------------ */

/* opensnoop: the map of the cgroup to trace (bpf_current_task_under_cgroup), UAPI value. */
enum {
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* opensnoop: the context of the syscalls/sys_enter_* and sys_exit_* tracepoints. */
struct trace_event_raw_sys_enter {
	unsigned long args[6];
};

struct trace_event_raw_sys_exit {
	long ret;
};

/* opensnoop with regs_args: a system call's arguments from the task's saved user registers
 * (bpf_task_pt_regs), read by bpf_tracing.h's PT_REGS_PARMn_CORE_SYSCALL for the target
 * architecture: the registers it names are the only fields here. */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r10; /* the fourth argument of a system call (cx for a function) */
	unsigned long dx;
	unsigned long si;
	unsigned long di;
};
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs; /* read as the user_pt_regs it begins with, and as bpf_tracing.h's own
		 * pt_regs___arm64 for orig_x0 */
struct user_pt_regs {
	u64 regs[31];
};
#else
struct pt_regs; /* other architectures: declare the registers bpf_tracing.h reads */
#endif

/* biosnoop: a block request's disk (request->q->disk since 5.16; biosnoop's own
 * request___old flavour for the rq_disk before), operation and flags, size and sector. */
struct gendisk {
	int major;
	int first_minor;
};

struct request_queue {
	struct gendisk *disk;
};

struct request {
	struct request_queue *q;
	unsigned int cmd_flags; /* blk_opf_t since 6.0, a __u32 */
	unsigned int __data_len;
	u64 __sector; /* sector_t */
};

#pragma clang attribute pop

/* biosnoop: the request flag bits it decodes. Their positions move between kernels, so they
 * are relocated by name (bpf_core_enum_value) and libbpf patches in the running kernel's
 * values; these, Linux 6.x's, are only what the compiler sees. */
enum req_flag_bits {
	__REQ_SYNC = 11,
	__REQ_META = 12,
	__REQ_FUA = 17,
	__REQ_PREFLUSH = 18,
	__REQ_RAHEAD = 19,
};

#endif /* __VMLINUX_H__ */

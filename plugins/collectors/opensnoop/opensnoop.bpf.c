// SPDX-License-Identifier: GPL-2.0
/*
 * opensnoop kernel side: the open, openat, openat2 and creat system-call tracepoints.
 *
 * Exit reads the path (still in the caller's memory, and faulted in by the kernel's own
 * getname) and writes one record to the ring buffer. The arguments come, when the kernel
 * has bpf_task_pt_regs (5.15), from the task's saved user registers, which a system call
 * leaves as they were on entry: one program per open instead of two and no per-thread
 * map, which halves the cost the tracer adds to every open. Otherwise (regs_args false)
 * the entry programs keep the arguments per thread for the exit ones, as libbpf-tools does.
 * Events of cgroups the stage's container filter does not want stop here (bpfc_cgroup_pass).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "opensnoop.h"
#include "bpf_stream.bpf.h"

#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;     /* the agent: never traced */
const volatile __u32 filter_tgid = 0;   /* 0: every process */
const volatile bool filter_cgroup = false;
const volatile bool filter_comm = false;
const volatile char comm_wanted[OPENSNOOP_COMM_LEN] = {};
const volatile bool failed_only = false;
const volatile bool regs_args = false;  /* read arguments at exit from the saved registers */

enum sys { SYS_OPEN, SYS_CREAT, SYS_OPENAT, SYS_OPENAT2 };

struct args {
	const char *fname;
	__s32 flags;
	__u32 mode;
	__s32 dfd;
	__u32 pad;
};

/* Arguments of the opens in progress, by thread id. LRU: an entry whose exit is never seen
 * (an open in flight while the programs attach, its thread gone since) is the least
 * recently used one, and a full map forgets it rather than refusing new opens for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct args);
} pending SEC(".maps");

/* The cgroup to trace (with its descendants), when filter_cgroup. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* Room to assemble one record: too large for the stack. Tracepoint programs run with
 * preemption disabled and do not nest on a CPU, so one slot per CPU is enough. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct opensnoop_event);
} scratch SEC(".maps");

static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (filter_tgid && tgid != filter_tgid)
		return false;
	if (filter_comm) {
		char comm[OPENSNOOP_COMM_LEN];
		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < OPENSNOOP_COMM_LEN; i++) {
			if (comm[i] != comm_wanted[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	return true;
}

static __always_inline int enter(const char *fname, __s32 flags, __u32 mode, __s32 dfd)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args a = {.fname = fname, .flags = flags, .mode = mode, .dfd = dfd};

	if (!wanted(id >> 32))
		return 0;
	if (bpf_map_update_elem(&pending, &tid, &a, BPF_ANY)) {
		/* The map refused the entry (every one an open in flight): this one is lost. */
		bpfc_count(BPFC_CNT_SEEN);
		bpfc_count(BPFC_CNT_DROPPED);
	}
	return 0;
}

static __always_inline void emit(long ret, __u64 id, const struct args *a)
{
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	__u32 zero = 0;
	struct opensnoop_event *e;
	long len;

	/* The container filter last, where the other filters have passed: what it holds back
	 * is exactly what user space would have thrown away. */
	if (!bpfc_cgroup_pass(cgroup_id))
		return;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgroup_id;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = (__s32)ret;
	e->flags = a->flags;
	e->mode = a->mode;
	e->dfd = a->dfd;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	len = bpf_probe_read_user_str(e->path, sizeof(e->path), a->fname);
	if (len < 0) {
		e->path[0] = '\0';
		len = 0;
	}
	e->path_len = (__u32)len;
	/* Send the header and the path up to its NUL; the bound is for the verifier. */
	if (len < 1)
		len = 1;
	if (len > OPENSNOOP_PATH_MAX)
		len = OPENSNOOP_PATH_MAX;
	bpfc_output(e, OPENSNOOP_HDR_LEN + (__u64)len);
}

/* The arguments of the system call being left, from the task's saved user registers. */
static __always_inline void regs_to_args(enum sys sys, struct args *a)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct {
		__u64 flags, mode;
	} how = {};

	a->dfd = OPENSNOOP_AT_FDCWD;
	switch (sys) {
	case SYS_OPEN:
		a->fname = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a->flags = (__s32)PT_REGS_PARM2_CORE_SYSCALL(regs);
		a->mode = (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs);
		break;
	case SYS_CREAT:
		a->fname = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a->flags = O_CREAT | O_WRONLY | O_TRUNC;
		a->mode = (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs);
		break;
	case SYS_OPENAT:
		a->dfd = (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a->fname = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		a->flags = (__s32)PT_REGS_PARM3_CORE_SYSCALL(regs);
		a->mode = (__u32)PT_REGS_PARM4_CORE_SYSCALL(regs);
		break;
	case SYS_OPENAT2:
		a->dfd = (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs);
		a->fname = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		bpf_probe_read_user(&how, sizeof(how), (const void *)PT_REGS_PARM3_CORE_SYSCALL(regs));
		a->flags = (__s32)how.flags;
		a->mode = (__u32)how.mode;
		break;
	}
}

static __always_inline int leave(long ret, enum sys sys)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args *a, ra;

	if (regs_args) {
		if (!wanted(id >> 32) || (failed_only && ret >= 0))
			return 0;
		regs_to_args(sys, &ra);
		emit(ret, id, &ra);
		return 0;
	}
	a = bpf_map_lookup_elem(&pending, &tid);
	if (!a)
		return 0;
	if (!failed_only || ret < 0)
		emit(ret, id, a);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int open_enter(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[0], (__s32)ctx->args[1], (__u32)ctx->args[2],
		     OPENSNOOP_AT_FDCWD);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int creat_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode). */
	return enter((const char *)ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC,
		     (__u32)ctx->args[1], OPENSNOOP_AT_FDCWD);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[1], (__s32)ctx->args[2], (__u32)ctx->args[3],
		     (__s32)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* openat2(dfd, path, struct open_how *how, size): flags and mode live in *how. */
	struct {
		__u64 flags, mode;
	} how = {};

	bpf_probe_read_user(&how, sizeof(how), (const void *)ctx->args[2]);
	return enter((const char *)ctx->args[1], (__s32)how.flags, (__u32)how.mode,
		     (__s32)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret, SYS_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int creat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret, SYS_CREAT);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret, SYS_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret, SYS_OPENAT2);
}

char LICENSE[] SEC("license") = "GPL";

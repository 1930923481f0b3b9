// SPDX-License-Identifier: GPL-2.0
/*
 * procsnoop kernel side: process creation, exec and exit from the scheduler's tracepoints.
 *
 *   sched_process_fork  (parent, child): a new process, or a thread when the child joins
 *                       the parent's thread group (child tgid == parent tgid);
 *   sched_process_exec  (p, old_pid, bprm): p runs a new program, bprm->filename;
 *   sched_process_exit  (p[, group_dead]): a task ends. A process ends with its last
 *                       thread (group_dead), not with its group leader: the leader may
 *                       leave early (pthread_exit in main) while the others run on, and
 *                       only the last thread knows the status wait() will report.
 *
 * Each handler exists twice, as a BTF tracepoint (tp_btf) and as a raw tracepoint (raw_tp),
 * for kernels whose BPF cannot attach tp_btf; user space loads one flavour. Every field is
 * read with CO-RE reads, which both flavours allow.
 * Thread creations and exits go to user space only when `threads` is set; otherwise they
 * are counted here (proc_counters) and dropped, so a thread-heavy host costs no ring space.
 * Events of cgroups the stage's container filter does not want stop here (bpfc_cgroup_pass).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "procsnoop.h"
#include "bpf_stream.bpf.h"

/* include/linux/sched/signal.h: signal->flags bit of a group exit (exit_group, fatal
 * signal); its value has not changed since it was introduced. */
#define SIGNAL_GROUP_EXIT 0x00000004

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;             /* the agent: never traced */
const volatile bool threads = false;            /* emit thread creations and exits */
const volatile bool exit_has_group_dead = false; /* sched_process_exit passes group_dead */

/* The fields read from a task, as a local flavour so that the trimmed vmlinux_min.h need
 * not redeclare struct task_struct; CO-RE matches it to the kernel's by name. */
struct task_struct___ps {
	int pid;
	int tgid;
	int exit_code;
	__u64 start_time; /* CLOCK_MONOTONIC at creation, as bpf_ktime_get_ns */
	char comm[PROCSNOOP_COMM_LEN];
	struct task_struct___ps *real_parent;
	struct task_struct___ps *group_leader;
	struct signal_struct *signal;
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROCSNOOP_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} proc_counters SEC(".maps");

/* Room to assemble one record: too large for the stack. The sched tracepoints run with
 * preemption disabled and do not nest on a CPU, so one slot per CPU is enough. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct procsnoop_event);
} scratch SEC(".maps");

static __always_inline void count_skipped(void)
{
	__u32 idx = PROCSNOOP_CNT_THREADS_SKIPPED;
	__u64 *c = bpf_map_lookup_elem(&proc_counters, &idx);

	if (c)
		(*c)++;
}

/* The record slot with the fields every kind has; NULL when the container filter does not
 * want the cgroup. */
static __always_inline struct procsnoop_event *begin(__u32 kind, __u64 cgroup_id)
{
	struct procsnoop_event *e;
	__u32 zero = 0;

	if (!bpfc_cgroup_pass(cgroup_id))
		return NULL;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return NULL;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgroup_id;
	e->kind = kind;
	e->flags = 0;
	e->age_ns = 0;
	e->exit_code = 0;
	e->filename_len = 0;
	e->uid = (__u32)bpf_get_current_uid_gid();
	return e;
}

static __always_inline int on_fork(struct task_struct___ps *parent,
				   struct task_struct___ps *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 tgid = BPF_CORE_READ(child, tgid);
	bool thread = tgid == ptgid;
	struct procsnoop_event *e;

	if (ptgid == self_tgid)
		return 0;
	if (thread && !threads) {
		count_skipped();
		return 0;
	}
	/* The child's own cgroup: clone3(CLONE_INTO_CGROUP) starts it outside the parent's. */
	e = begin(PROCSNOOP_FORK, BPF_CORE_READ(child, cgroups, dfl_cgrp, kn, id));
	if (!e)
		return 0;
	e->flags = thread ? PROCSNOOP_THREAD : 0;
	e->pid = tgid;
	e->tid = BPF_CORE_READ(child, pid);
	e->ppid = BPF_CORE_READ(child, real_parent, tgid);
	/* The parent is current; the child's comm is a copy of it. */
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpfc_output(e, PROCSNOOP_HDR_LEN);
	return 0;
}

static __always_inline int on_exec(struct task_struct___ps *p, struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct procsnoop_event *e;
	long len;

	if ((__u32)(id >> 32) == self_tgid)
		return 0;
	e = begin(PROCSNOOP_EXEC, bpf_get_current_cgroup_id());
	if (!e)
		return 0;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	/* The program's name already replaced the comm (begin_new_exec). */
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	len = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
					BPF_CORE_READ(bprm, filename));
	if (len < 0) {
		e->filename[0] = '\0';
		len = 0;
	}
	e->filename_len = (__u32)len;
	/* The header and the filename up to its NUL; the bound is for the verifier. */
	if (len < 1)
		len = 1;
	if (len > PROCSNOOP_FILENAME_MAX)
		len = PROCSNOOP_FILENAME_MAX;
	bpfc_output(e, PROCSNOOP_HDR_LEN + (__u64)len);
	return 0;
}

/* ctx[1] is read only when the tracepoint has it: the verifier (tp_btf) and the attach
 * (raw_tp) refuse a program that reads past the tracepoint's arguments, and with the
 * constant false this branch is removed before either looks. */
static __always_inline int on_exit(struct task_struct___ps *p, unsigned long long *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now, start;
	struct task_struct___ps *whose = p;
	struct procsnoop_event *e;
	bool group_dead;
	int code;

	if ((__u32)(id >> 32) == self_tgid)
		return 0;
	if (exit_has_group_dead)
		group_dead = (__u8)ctx[1] != 0;
	else
		/* Older kernels: signal->live has already been decremented. Two threads
		 * leaving at once may both read 0 and both be reported. */
		group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	if (!group_dead && !threads) {
		count_skipped();
		return 0;
	}
	e = begin(PROCSNOOP_EXIT, bpf_get_current_cgroup_id());
	if (!e)
		return 0;
	if (group_dead) {
		/* The process: its leader's start and name, and the status wait() reports:
		 * the group's exit code after exit_group or a fatal signal, else the
		 * leader's own (already set: it left before or is the task leaving now). */
		whose = BPF_CORE_READ(p, group_leader);
		if (BPF_CORE_READ(p, signal, flags) & SIGNAL_GROUP_EXIT)
			code = BPF_CORE_READ(p, signal, group_exit_code);
		else
			code = BPF_CORE_READ(whose, exit_code);
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &whose->comm);
	} else {
		e->flags = PROCSNOOP_THREAD;
		code = BPF_CORE_READ(p, exit_code);
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
	start = BPF_CORE_READ(whose, start_time);
	now = bpf_ktime_get_ns();
	e->age_ns = now > start ? now - start : 0;
	/* As wait(2) encodes it: the signal in the low 7 bits (0x80: core dumped), else
	 * the status in the second byte. */
	if (code & 0x7f) {
		e->flags |= PROCSNOOP_SIGNALED;
		e->exit_code = code & 0x7f;
	} else {
		e->exit_code = (code >> 8) & 0xff;
	}
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	bpfc_output(e, PROCSNOOP_HDR_LEN);
	return 0;
}

/* tp_btf flavour. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork((void *)parent, (void *)child);
}
SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec((void *)p, bprm);
}
SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_exit, struct task_struct *p)
{
	return on_exit((void *)p, ctx);
}

/* raw_tp flavour: the same arguments, read without BTF typing. */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork((void *)parent, (void *)child);
}
SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec((void *)p, bprm);
}
SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_exit, struct task_struct *p)
{
	return on_exit((void *)p, ctx);
}

char LICENSE[] SEC("license") = "GPL";

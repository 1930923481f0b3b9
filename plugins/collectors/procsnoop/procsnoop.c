// SPDX-License-Identifier: MIT
/*
 * procsnoop collector: process creation, exec and exit as `proc` events, from the
 * scheduler's process tracepoints through a ring buffer (see procsnoop.bpf.c for what each
 * one reports). Threads are left out unless `threads` is set. Events the ring could not
 * take are counted in the kernel and reported as drops; the host's container filter
 * (containers_only, include, exclude) is applied in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "anomon_plugin.h"
#include <linux/types.h>

#include "bpf_common.h"
#include "bpf_stream.h"
#include "procsnoop.h"
#include "procsnoop.skel.h"

#define PS_NTP 3

enum ps_flavour { PS_TP_BTF, PS_RAW_TP };

struct procsnoop {
	const struct anomon_host *host;
	anomon_stage *s;
	struct procsnoop_bpf *skel;
	struct bpfc_stream stream;
	uint64_t poll_ms;
	int64_t epoch_off;
	bool running, threads;
	bool cgroup_filter;   /* containers_only/include/exclude set: filter in the kernel */
	bool group_dead_arg;  /* sched_process_exit passes group_dead */
	char attach[160];
};

static const char *const ps_tp[PS_NTP] = {
	"sched_process_fork", "sched_process_exec", "sched_process_exit",
};

static void ps_programs(struct procsnoop_bpf *skel, enum ps_flavour f, struct bpf_program **p)
{
	struct bpf_program *btf[PS_NTP] = {skel->progs.btf_fork, skel->progs.btf_exec,
					   skel->progs.btf_exit};
	struct bpf_program *raw[PS_NTP] = {skel->progs.raw_fork, skel->progs.raw_exec,
					   skel->progs.raw_exit};
	memcpy(p, f == PS_TP_BTF ? btf : raw, sizeof(btf));
}

static int ps_on_record(void *ctx, void *data, size_t size)
{
	struct procsnoop *ps = ctx;
	const struct procsnoop_event *e = data;
	struct anomon_proc p = {0};

	if (size < PROCSNOOP_HDR_LEN)
		return 0;
	bpfc_stream_cgroup_seen(&ps->stream, e->cgroup_id);
	p.present = ANOMON_PROC_F_UID | ANOMON_PROC_F_CGROUP;
	p.kind = e->kind;
	p.flags = e->flags;
	p.pid = e->pid;
	p.tid = e->tid;
	p.ppid = e->ppid;
	p.uid = e->uid;
	p.cgroup_id = e->cgroup_id;
	memcpy(p.comm, e->comm, ANOMON_COMM_LEN);
	p.comm[ANOMON_COMM_LEN - 1] = '\0';
	if (e->kind == PROCSNOOP_EXIT) {
		p.present |= ANOMON_PROC_F_AGE;
		p.age_ns = e->age_ns;
		p.exit_code = e->exit_code;
	}
	if (e->kind == PROCSNOOP_EXEC) {
		/* The filename is NUL-terminated within what the record holds: the kernel
		 * wrote its NUL, and a record cut short is refused by the length check. */
		size_t room = size - PROCSNOOP_HDR_LEN;
		if (e->filename_len && e->filename_len <= room &&
		    e->filename[e->filename_len - 1] == '\0') {
			p.present |= ANOMON_PROC_F_FILENAME;
			p.filename = e->filename;
		}
	}

	struct anomon_event ev = {
		.type = ANOMON_EV_PROC,
		.ts_ns = (uint64_t)((int64_t)e->ts_ns + ps->epoch_off),
		.data = &p,
		.size = sizeof(p),
	};
	ps->host->emit_event(ps->s, &ev);
	return 0;
}

/* ---- Loading --------------------------------------------------------------------------- */

/* Whether the kernel has tracepoint sched/`name`, and whether it has its BTF form. */
static bool ps_has_tp(const char *name, bool *btf)
{
	*btf = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP) > 0;
	return *btf || bpfc_tracefs_has_event("sched", name);
}

/* Whether sched_process_exit passes group_dead (newer kernels): its BTF prototype,
 * btf_trace_sched_process_exit, then takes three arguments (the first is the probe's
 * data). Without BTF for it, the kernel side falls back to reading signal->live. */
static bool ps_exit_has_group_dead(void)
{
	struct btf *vm = btf__load_vmlinux_btf();
	bool yes = false;

	if (!vm)
		return false;
	int id = btf__find_by_name_kind(vm, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(vm, (__u32)id) : NULL;
	if (t)
		t = btf__type_by_id(vm, t->type);
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(vm, t->type);
	if (t && btf_is_func_proto(t))
		yes = btf_vlen(t) >= 3;
	btf__free(vm);
	return yes;
}

/* Open and load one flavour. */
static int ps_load(struct procsnoop *ps, enum ps_flavour f, uint64_t rb_size, uint64_t wakeup)
{
	struct bpf_program *mine[PS_NTP], *other[PS_NTP];

	ps->skel = procsnoop_bpf__open();
	if (!ps->skel)
		return -errno;
	struct procsnoop_bpf__rodata *ro = ps->skel->rodata;
	ro->self_tgid = (uint32_t)getpid();
	ro->threads = ps->threads;
	ro->exit_has_group_dead = ps->group_dead_arg;
	ro->bpfc_wakeup_bytes = wakeup;
	ro->bpfc_cgroup_filter = ps->cgroup_filter;
	bpf_map__set_max_entries(ps->skel->maps.events, (uint32_t)rb_size);
	if (!ps->cgroup_filter)
		bpf_map__set_max_entries(ps->skel->maps.cgroup_verdicts, 1);
	ps_programs(ps->skel, f, mine);
	ps_programs(ps->skel, f == PS_TP_BTF ? PS_RAW_TP : PS_TP_BTF, other);
	ps->attach[0] = '\0';
	for (int i = 0; i < PS_NTP; i++) {
		size_t l = strlen(ps->attach);
		bpf_program__set_autoload(other[i], false);
		snprintf(ps->attach + l, sizeof(ps->attach) - l, "%s%s/%s", l ? ", " : "",
			 f == PS_TP_BTF ? "tp_btf" : "raw_tp", ps_tp[i]);
	}
	int err = procsnoop_bpf__load(ps->skel);
	if (err) {
		procsnoop_bpf__destroy(ps->skel);
		ps->skel = NULL;
	}
	return err;
}

static void ps_destroy(void *state);

static int ps_setup(struct procsnoop *ps)
{
	const struct anomon_host *host = ps->host;
	anomon_stage *s = ps->s;
	bool btf[PS_NTP], all_btf = true;
	uint64_t rb_size = host->param_size(s, "ringbuf_size"), wakeup;
	uint64_t poll_ns = host->param_duration_ns(s, "poll_interval");
	char msg[256];
	int err;

	ps->threads = host->param_bool(s, "threads");
	if (poll_ns < 1000000ull || poll_ns > 10000000000ull) {
		host->error(s, "poll_interval: expected 1ms to 10s");
		return -EINVAL;
	}
	ps->poll_ms = poll_ns / 1000000ull;
	ps->cgroup_filter = bpfc_stream_filters_cgroups(host, s);
	err = bpfc_ringbuf_size_check(rb_size, &wakeup, msg, sizeof(msg));
	if (!err)
		err = bpfc_probe_btf(msg, sizeof(msg));
	if (err) {
		host->error(s, "%s", msg);
		return err;
	}
	/* tracefs only to look events up when BTF does not list them; not fatal. */
	(void)bpfc_tracefs_ensure(msg, sizeof(msg));
	for (int i = 0; i < PS_NTP; i++) {
		if (!ps_has_tp(ps_tp[i], &btf[i])) {
			host->error(s, "no sched/%s tracepoint on this kernel (the process "
				    "tracepoints sched_process_fork, sched_process_exec and "
				    "sched_process_exit are needed: CONFIG_TRACEPOINTS)", ps_tp[i]);
			return -ENOENT;
		}
		if (!btf[i])
			all_btf = false;
	}
	ps->group_dead_arg = ps_exit_has_group_dead();

	bpfc_log_begin(host, s);
	err = -EOPNOTSUPP;
	/* BTF tracepoints where the kernel has them; raw tracepoints (the same arguments,
	 * read without BTF typing) when they are missing or tp_btf programs are refused. */
	if (all_btf)
		err = ps_load(ps, PS_TP_BTF, rb_size, wakeup);
	if (err) {
		if (all_btf)
			host->log(s, ANOMON_LOG_INFO, "tp_btf programs refused (%s); trying raw_tp",
				  bpfc_explain(err));
		err = ps_load(ps, PS_RAW_TP, rb_size, wakeup);
	}
	bpfc_log_end();
	if (err)
		return bpfc_load_failed(host, s, err);
	err = bpfc_stream_open(&ps->stream, host, s, ps->skel->maps.events,
			       ps->skel->maps.stream_counters, ps_on_record, ps);
	if (!err && ps->cgroup_filter)
		bpfc_stream_cgroup_filter(&ps->stream, ps->skel->maps.cgroup_verdicts);
	return err;
}

static int ps_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct procsnoop *ps = calloc(1, sizeof(*ps));
	int err;

	*state = NULL;
	if (!ps)
		return -ENOMEM;
	ps->host = host;
	ps->s = s;
	err = ps_setup(ps);
	if (err) {
		ps_destroy(ps);
		return err;
	}
	*state = ps;
	return 0;
}

static int ps_check(void *state)
{
	struct procsnoop *ps = state;

	/* init loaded the programs, so the kernel accepted them: say what we attach to. */
	ps->host->log(ps->s, ANOMON_LOG_INFO, "attach points: %s; process end from %s",
		      ps->attach, ps->group_dead_arg ? "the tracepoint's group_dead"
						     : "signal->live");
	return 0;
}

static int ps_attach(void *skel)
{
	return procsnoop_bpf__attach(skel);
}

static int ps_start(void *state)
{
	struct procsnoop *ps = state;
	int err;

	ps->epoch_off = bpfc_boot_to_epoch_ns();
	err = bpfc_stream_attach(&ps->stream, ps_attach, ps->skel, ps->attach,
				 ps->poll_ms);
	if (err)
		return err;
	ps->running = true;
	ps->host->log(ps->s, ANOMON_LOG_INFO, "tracing process events%s: %s",
		      ps->threads ? " and threads" : "", ps->attach);
	return 0;
}

static void ps_stop(void *state)
{
	struct procsnoop *ps = state;
	uint64_t skipped = 0;
	char line[256];

	if (!ps->running)
		return;
	ps->running = false;
	/* Detach first: what the ring holds then is all there will be. */
	procsnoop_bpf__detach(ps->skel);
	bpfc_stream_stop(&ps->stream);
	bpfc_stream_summary(&ps->stream, line, sizeof(line));
	ps->host->log(ps->s, ANOMON_LOG_INFO, "%s", line);
	if (!ps->threads &&
	    bpfc_percpu_sum(bpf_map__fd(ps->skel->maps.proc_counters),
			    PROCSNOOP_CNT_THREADS_SKIPPED, &skipped) == 0)
		ps->host->log(ps->s, ANOMON_LOG_INFO, "thread creations and exits left out "
			      "(threads false): %llu", (unsigned long long)skipped);
}

static void ps_destroy(void *state)
{
	struct procsnoop *ps = state;

	if (!ps)
		return;
	bpfc_stream_close(&ps->stream);
	procsnoop_bpf__destroy(ps->skel);
	free(ps);
}

static const struct anomon_param ps_params[] = {
	{"threads", ANOMON_PARAM_BOOL, "false", false,
	 "also emit thread creations and exits (flag thread); otherwise only counted"},
	/* As opensnoop's: 4 MiB holds about 52,000 fork or exit records (80 bytes with the
	 * ring's header), some 17,000 short-lived processes (fork, exec, exit) between two
	 * polls. */
	BPFC_STREAM_PARAMS("4M"),
	{NULL, 0, NULL, false, NULL},
};

static const char *const ps_produces[] = {ANOMON_EV_PROC, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "procsnoop",
	.version = "1.0.0",
	.description = "Process creation, exec and exit as proc events (eBPF, sched "
		       "tracepoints)",
	.params = ps_params,
	.produces = ps_produces,
	.init = ps_init,
	.check = ps_check,
	.start = ps_start,
	.stop = ps_stop,
	.destroy = ps_destroy,
};

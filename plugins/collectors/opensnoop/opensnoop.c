// SPDX-License-Identifier: MIT
/*
 * opensnoop collector: every open, openat, openat2 and creat on the host (or of one pid,
 * cgroup or command) as an `open` event, from system-call tracepoints through a ring
 * buffer. Events the ring could not take are counted in the kernel and reported as drops.
 * The host's container filter (containers_only, include, exclude) is applied in the kernel.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anomon_plugin.h"
#include <linux/types.h>

#include "bpf_common.h"
#include "bpf_stream.h"
#include "opensnoop.h"
#include "opensnoop.skel.h"

struct opensnoop {
	const struct anomon_host *host;
	anomon_stage *s;
	struct opensnoop_bpf *skel;
	struct bpfc_stream stream;
	int cgroup_fd;
	bool full_path, running;
	bool cgroup_filter;           /* containers_only/include/exclude set: filter in the kernel */
	uint64_t poll_ms;
	int64_t epoch_off;
	unsigned nattach;
	char attach[256];             /* the tracepoints used, for the log */
	char path[2 * PATH_MAX + 2];  /* scratch for full_path */
};

/* The four system calls, by tracepoint name, with their entry and exit programs. */
static void os_programs(struct opensnoop_bpf *skel, const char **names,
			struct bpf_program **enter, struct bpf_program **exit_)
{
	static const char *const n[] = {"open", "creat", "openat", "openat2"};
	struct bpf_program *en[] = {skel->progs.open_enter, skel->progs.creat_enter,
				    skel->progs.openat_enter, skel->progs.openat2_enter};
	struct bpf_program *ex[] = {skel->progs.open_exit, skel->progs.creat_exit,
				    skel->progs.openat_exit, skel->progs.openat2_exit};
	for (int i = 0; i < 4; i++) {
		names[i] = n[i];
		enter[i] = en[i];
		exit_[i] = ex[i];
	}
}

/* Make `path` absolute with the caller's working directory or its dfd, read from /proc.
 * Racy by nature (the process may have moved or exited): on failure the path stays as the
 * caller gave it. */
static const char *os_full_path(struct opensnoop *os, const struct opensnoop_event *e,
				const char *path, size_t *len)
{
	char link[64], base[PATH_MAX];
	ssize_t n;

	if (path[0] == '/' || *len == 0)
		return path;
	if (e->dfd == OPENSNOOP_AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", e->pid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", e->pid, e->dfd);
	n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0)
		return path;
	base[n] = '\0';
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		*len -= 2;
	}
	int m = snprintf(os->path, sizeof(os->path), "%s%s%s", base,
			 base[n - 1] == '/' ? "" : "/", path);
	if (m < 0 || (size_t)m >= sizeof(os->path))
		return path;
	*len = (size_t)m;
	return os->path;
}

static int os_on_record(void *ctx, void *data, size_t size)
{
	struct opensnoop *os = ctx;
	const struct opensnoop_event *e = data;
	struct anomon_open o = {0};

	if (size < OPENSNOOP_HDR_LEN)
		return 0;
	size_t room = size - OPENSNOOP_HDR_LEN;
	size_t len = e->path_len ? e->path_len - 1 : 0;
	if (len >= room)
		len = room ? room - 1 : 0;
	const char *path = room ? e->path : "";

	o.present = ANOMON_OPEN_TID | ANOMON_OPEN_UID | ANOMON_OPEN_CGROUP | ANOMON_OPEN_FLAGS |
		    ANOMON_OPEN_MODE;
	o.pid = e->pid;
	o.tid = e->tid;
	o.uid = e->uid;
	o.cgroup_id = e->cgroup_id;
	bpfc_stream_cgroup_seen(&os->stream, e->cgroup_id);
	memcpy(o.comm, e->comm, ANOMON_COMM_LEN);
	o.comm[ANOMON_COMM_LEN - 1] = '\0';
	o.flags = e->flags;
	o.mode = e->mode;
	o.fd = e->ret >= 0 ? e->ret : -1;
	o.err = e->ret < 0 ? -e->ret : 0;
	if (os->full_path)
		path = os_full_path(os, e, path, &len);
	o.path = path;
	o.path_len = len;

	struct anomon_event ev = {
		.type = ANOMON_EV_OPEN,
		.ts_ns = (uint64_t)((int64_t)e->ts_ns + os->epoch_off),
		.data = &o,
		.size = sizeof(o),
	};
	os->host->emit_event(os->s, &ev);
	return 0;
}

/* Open and load the programs, arguments read at exit from registers (`regs`) or kept by
 * the entry programs. Returns 0, -ENOENT when the kernel has none of the tracepoints, or
 * the load error. */
static int os_load(struct opensnoop *os, bool regs, uint32_t pid, bool cgroup,
		   const char *comm, uint64_t wakeup, uint64_t rb_size)
{
	const struct anomon_host *host = os->host;
	anomon_stage *s = os->s;

	opensnoop_bpf__destroy(os->skel);
	os->skel = opensnoop_bpf__open();
	if (!os->skel)
		return -errno;
	struct opensnoop_bpf__rodata *ro = os->skel->rodata;
	ro->self_tgid = (uint32_t)getpid();
	ro->filter_tgid = pid;
	ro->filter_cgroup = cgroup;
	ro->filter_comm = comm[0] != '\0';
	memcpy((char *)ro->comm_wanted, comm, strlen(comm));
	ro->failed_only = host->param_bool(s, "failed_only");
	ro->regs_args = regs;
	ro->bpfc_wakeup_bytes = wakeup;
	ro->bpfc_cgroup_filter = os->cgroup_filter;
	bpf_map__set_max_entries(os->skel->maps.events, (uint32_t)rb_size);
	if (!os->cgroup_filter)
		bpf_map__set_max_entries(os->skel->maps.cgroup_verdicts, 1);
	if (regs) /* the per-thread argument map is not used */
		bpf_map__set_max_entries(os->skel->maps.pending, 1);

	/* Architectures without open or creat (arm64, riscv) lack their tracepoints. */
	const char *names[4];
	struct bpf_program *enter[4], *exit_[4];
	os_programs(os->skel, names, enter, exit_);
	os->attach[0] = '\0';
	os->nattach = 0;
	for (int i = 0; i < 4; i++) {
		char en[32], ex[32];
		snprintf(en, sizeof(en), "sys_enter_%s", names[i]);
		snprintf(ex, sizeof(ex), "sys_exit_%s", names[i]);
		bool have = (regs || bpfc_tracefs_has_event("syscalls", en)) &&
			    bpfc_tracefs_has_event("syscalls", ex);
		bpf_program__set_autoload(enter[i], have && !regs);
		bpf_program__set_autoload(exit_[i], have);
		if (have) {
			size_t l = strlen(os->attach);
			snprintf(os->attach + l, sizeof(os->attach) - l, "%ssyscalls/%s_%s",
				 os->nattach ? ", " : "", regs ? "sys_exit" : "sys_{enter,exit}",
				 names[i]);
			os->nattach++;
		}
	}
	if (!os->nattach)
		return -ENOENT;
	return opensnoop_bpf__load(os->skel);
}

static void os_destroy(void *state);

static int os_setup(struct opensnoop *os)
{
	const struct anomon_host *host = os->host;
	anomon_stage *s = os->s;
	char msg[256];
	uint64_t wakeup, cgid = 0;
	int err;

	int64_t pid = host->param_int(s, "pid");
	const char *cgroup = host->param_string(s, "cgroup");
	const char *comm = host->param_string(s, "comm");
	uint64_t rb_size = host->param_size(s, "ringbuf_size");
	uint64_t poll_ns = host->param_duration_ns(s, "poll_interval");
	os->full_path = host->param_bool(s, "full_path");
	os->cgroup_filter = bpfc_stream_filters_cgroups(host, s);
	if (pid < 0 || pid > INT_MAX) {
		host->error(s, "pid: expected 0 (every process) or a process id, got %lld",
			    (long long)pid);
		return -EINVAL;
	}
	if (strlen(comm) >= OPENSNOOP_COMM_LEN) {
		host->error(s, "comm: expected at most %d characters (the kernel's task name), "
			    "got \"%s\"", OPENSNOOP_COMM_LEN - 1, comm);
		return -EINVAL;
	}
	if (poll_ns < 1000000ull || poll_ns > 10000000000ull) {
		host->error(s, "poll_interval: expected 1ms to 10s");
		return -EINVAL;
	}
	os->poll_ms = poll_ns / 1000000ull;
	err = bpfc_ringbuf_size_check(rb_size, &wakeup, msg, sizeof(msg));
	if (!err && cgroup[0]) {
		os->cgroup_fd = bpfc_cgroup_open(cgroup, &cgid, msg, sizeof(msg));
		err = os->cgroup_fd < 0 ? os->cgroup_fd : 0;
	}
	if (!err)
		err = bpfc_probe_btf(msg, sizeof(msg));
	if (!err)
		err = bpfc_tracefs_ensure(msg, sizeof(msg));
	if (err) {
		host->error(s, "%s", msg);
		return err;
	}

	/* Arguments from the saved registers where the kernel allows it, else from the
	 * entry programs (see opensnoop.bpf.c). */
	bool regs = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs,
					    NULL) > 0;
	bpfc_log_begin(host, s);
	err = os_load(os, regs, (uint32_t)pid, cgroup[0] != '\0', comm, wakeup, rb_size);
	if (err && err != -ENOENT && regs) {
		host->log(s, ANOMON_LOG_INFO, "exit-only programs refused (%s); using entry and "
			  "exit", bpfc_explain(err));
		err = os_load(os, false, (uint32_t)pid, cgroup[0] != '\0', comm, wakeup, rb_size);
	}
	bpfc_log_end();
	if (err == -ENOENT && !os->nattach) {
		host->error(s, "no open system-call tracepoints on this kernel (syscalls/"
			    "sys_enter_open{,at,at2}, CONFIG_FTRACE_SYSCALLS)");
		return err;
	}
	if (err)
		return bpfc_load_failed(host, s, err);
	if (cgroup[0]) {
		uint32_t key = 0, fd = (uint32_t)os->cgroup_fd;
		if (bpf_map_update_elem(bpf_map__fd(os->skel->maps.cgroup_filter), &key, &fd,
					BPF_ANY)) {
			err = -errno;
			host->error(s, "cgroup: cannot set the filter: %s", bpfc_explain(err));
			return err;
		}
		host->log(s, ANOMON_LOG_INFO, "tracing cgroup %llu (%s) and its descendants",
			  (unsigned long long)cgid, cgroup);
	}
	err = bpfc_stream_open(&os->stream, host, s, os->skel->maps.events,
			       os->skel->maps.stream_counters, os_on_record, os);
	if (!err && os->cgroup_filter)
		bpfc_stream_cgroup_filter(&os->stream, os->skel->maps.cgroup_verdicts);
	return err;
}

static int os_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct opensnoop *os = calloc(1, sizeof(*os));
	int err;

	*state = NULL;
	if (!os)
		return -ENOMEM;
	os->host = host;
	os->s = s;
	os->cgroup_fd = -1;
	err = os_setup(os);
	if (err) {
		os_destroy(os);
		return err;
	}
	*state = os;
	return 0;
}

static int os_check(void *state)
{
	struct opensnoop *os = state;

	/* init loaded the programs, so the kernel accepted them: say what we attach to. */
	os->host->log(os->s, ANOMON_LOG_INFO, "attach points: %s", os->attach);
	return 0;
}

static int os_attach(void *skel)
{
	return opensnoop_bpf__attach(skel);
}

static int os_start(void *state)
{
	struct opensnoop *os = state;
	int err;

	os->epoch_off = bpfc_boot_to_epoch_ns();
	err = bpfc_stream_attach(&os->stream, os_attach, os->skel, os->attach,
				 os->poll_ms);
	if (err)
		return err;
	os->running = true;
	os->host->log(os->s, ANOMON_LOG_INFO, "tracing opens: %s", os->attach);
	return 0;
}

static void os_stop(void *state)
{
	struct opensnoop *os = state;

	if (!os->running)
		return;
	os->running = false;
	/* Detach first: what the ring holds then is all there will be. */
	opensnoop_bpf__detach(os->skel);
	bpfc_stream_stop(&os->stream);
	char line[256];
	bpfc_stream_summary(&os->stream, line, sizeof(line));
	os->host->log(os->s, ANOMON_LOG_INFO, "%s", line);
}

static void os_destroy(void *state)
{
	struct opensnoop *os = state;

	if (!os)
		return;
	bpfc_stream_close(&os->stream);
	opensnoop_bpf__destroy(os->skel);
	if (os->cgroup_fd >= 0)
		close(os->cgroup_fd);
	free(os);
}

static const struct anomon_param os_params[] = {
	{"pid", ANOMON_PARAM_INT, "0", false, "trace only this process (0: every process)"},
	{"cgroup", ANOMON_PARAM_STRING, "", false,
	 "trace only this cgroup v2 and its descendants: an id, or a path (absolute or under "
	 "the cgroup2 mount)"},
	{"comm", ANOMON_PARAM_STRING, "", false,
	 "trace only tasks of this name (the kernel's comm, at most 15 characters)"},
	{"failed_only", ANOMON_PARAM_BOOL, "false", false, "emit only failed opens"},
	{"full_path", ANOMON_PARAM_BOOL, "false", false,
	 "make relative paths absolute with the caller's working directory or dfd, read from "
	 "/proc when the event is read"},
	BPFC_STREAM_PARAMS("4M"),
	{NULL, 0, NULL, false, NULL},
};

static const char *const os_produces[] = {ANOMON_EV_OPEN, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "opensnoop",
	.version = "1.0.0",
	.description = "Calls to open(), openat(), openat2() and creat() as open events (eBPF, "
		       "system-call tracepoints)",
	.params = os_params,
	.produces = os_produces,
	.init = os_init,
	.check = os_check,
	.start = os_start,
	.stop = os_stop,
	.destroy = os_destroy,
};

// SPDX-License-Identifier: MIT
/*
 * runqlen collector: samples every online CPU's CFS run-queue length with a perf event
 * (software cpu-clock at frequency_hz) and emits, once per window, one runq_hist event per
 * CPU, per cgroup seen and for the host.
 *
 * Windows without losing samples: the kernel side counts into buffer `active` (0 or 1, in
 * the mmap'ed .bss). At a window's end we flip `active`, then drain the other buffer after
 * a grace period. A perf-event BPF program runs to completion in interrupt context within
 * microseconds, so once the grace period has passed no program that read the old index is
 * still writing; the drained buffer is zeroed and will not be written again before the next
 * flip, a whole window later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "anomon_plugin.h"
#include <linux/types.h>

#include "bpf_common.h"
#include "runqlen.h"
#include "runqlen.skel.h"

#define RUNQLEN_GRACE_MS 20
#define RUNQLEN_MIN_WINDOW_NS 100000000ull /* 100 ms: well above the grace period */

struct runqlen {
	const struct anomon_host *host;
	anomon_stage *s;
	struct runqlen_bpf *skel;

	uint64_t freq_hz, window_ns;
	bool per_cpu, per_cgroup, idle_fill, demand;
	bool root_queue;            /* per-CPU histograms from the CPU's root run queue */

	int ncpus;                  /* possible CPUs: the per-CPU map's value count */
	struct bpf_link **links;    /* per CPU; NULL while not sampling there */
	int *perf_fd;               /* per CPU: the link's perf event (owned by the link) */
	uint64_t *clock_ns;         /* per CPU: its cpu-clock count at the last flip */
	uint64_t *win_ns;           /* per CPU: time its event counted in the drained window */
	uint64_t *link_seq;         /* window in which each CPU's link was made */
	bool *online;               /* scratch for bpfc_online_cpus */
	struct runqlen_hist *vals;  /* scratch: one histogram per possible CPU */

	anomon_timer *window_timer;
	anomon_timer *grace_timer;  /* one-shot; never stopped by hand (rq_drain is idempotent) */
	uint32_t active;            /* buffer being filled */
	uint64_t seq;               /* number of the window being filled */
	uint64_t win_start;         /* its start, ns since the epoch */
	bool draining;              /* a flipped buffer waits for its grace period */
	uint32_t drain_buf;
	uint64_t drain_seq, drain_start, drain_end;
	bool running;
};

static void rq_emit(struct runqlen *rq, enum anomon_runq_source src, int cpu, uint64_t cgid,
		    const struct runqlen_hist *k, uint64_t cpu_samples, uint64_t start,
		    uint64_t end)
{
	/* The SDK's uint64_t and the kernel's __u64 may be distinct types of one width. */
	uint64_t bins[RUNQLEN_NBINS + 1];
	struct anomon_runq_hist h = {
		.start_ns = start,
		.end_ns = end,
		.source = src,
		.cpu = src == ANOMON_RUNQ_CPU ? cpu : -1,
		.cgroup_id = src == ANOMON_RUNQ_CGROUP ? cgid : 0,
		.nbins = RUNQLEN_NBINS,
		.bins = bins,
		.overflow = k->slots[RUNQLEN_NBINS],
		/* The kernel counts demand only when asked; cpu_samples 0 says it did not. */
		.runnable = k->runnable,
		.crowded = k->crowded,
		.cpu_samples = rq->demand ? cpu_samples : 0,
	};
	for (int i = 0; i <= RUNQLEN_NBINS; i++) {
		bins[i] = k->slots[i];
		h.samples += k->slots[i];
	}
	struct anomon_event ev = {
		.type = ANOMON_EV_RUNQ_HIST,
		.ts_ns = end,
		.data = &h,
		.size = sizeof(h),
	};
	rq->host->emit_event(rq->s, &ev);
}

/* ---- CPUs ------------------------------------------------------------------------------ */

static void rq_detach_cpu(struct runqlen *rq, int cpu)
{
	bpf_link__destroy(rq->links[cpu]); /* also closes the perf event */
	rq->links[cpu] = NULL;
	rq->perf_fd[cpu] = -1;
}

static int rq_attach_cpu(struct runqlen *rq, int cpu)
{
	int fd = bpfc_open_cpu_clock(cpu, rq->freq_hz);
	if (fd < 0) {
		/* A CPU that went offline since we looked: not fatal, the next sync retries. */
		rq->host->log(rq->s, fd == -ENODEV ? ANOMON_LOG_INFO : ANOMON_LOG_WARN,
			      "cpu %d: perf_event_open: %s", cpu, bpfc_explain(fd));
		return fd;
	}
	bpfc_log_begin(rq->host, rq->s);
	struct bpf_link *link = bpf_program__attach_perf_event(rq->skel->progs.runqlen_sample, fd);
	int err = link ? 0 : -errno;
	bpfc_log_end();
	if (!link) {
		close(fd);
		rq->host->log(rq->s, ANOMON_LOG_WARN, "cpu %d: attaching the sampler: %s", cpu,
			      bpfc_explain(err));
		return err;
	}
	rq->links[cpu] = link;
	rq->perf_fd[cpu] = fd;
	rq->clock_ns[cpu] = 0; /* a new event counts from 0 */
	rq->link_seq[cpu] = rq->seq;
	return 0;
}

/* Follow CPU hotplug: sample the CPUs online now, release the others. Returns the number
 * of CPUs sampled, or the first attach error when there is none. */
static int rq_cpus_sync(struct runqlen *rq)
{
	int n = bpfc_online_cpus(rq->online, rq->ncpus), attached = 0, first_err = 0;

	if (n < 0) {
		/* No sysfs view of CPUs: try every possible one; offline ones fail with ENODEV. */
		for (int c = 0; c < rq->ncpus; c++)
			rq->online[c] = true;
	}
	for (int c = 0; c < rq->ncpus; c++) {
		if (rq->online[c] && !rq->links[c]) {
			int err = rq_attach_cpu(rq, c);
			if (err && !first_err)
				first_err = err;
			else if (!err && rq->running)
				rq->host->log(rq->s, ANOMON_LOG_INFO, "cpu %d online: sampling it", c);
		} else if (!rq->online[c] && rq->links[c]) {
			rq_detach_cpu(rq, c);
			rq->host->log(rq->s, ANOMON_LOG_INFO, "cpu %d offline: released", c);
		}
		attached += rq->links[c] != NULL;
	}
	return attached ? attached : (first_err ? first_err : -ENODEV);
}

/* ---- Windows --------------------------------------------------------------------------- */

static uint64_t hist_samples(const struct runqlen_hist *h)
{
	uint64_t n = 0;
	for (int i = 0; i <= RUNQLEN_NBINS; i++)
		n += h->slots[i];
	return n;
}

/* Nanoseconds the CPU's cpu-clock event counted since the last call (0 if unreadable).
 * A cpu-clock event counts wall time on its CPU, idle included. */
static uint64_t rq_clock_delta(struct runqlen *rq, int c)
{
	uint64_t count;

	if (rq->perf_fd[c] < 0 || read(rq->perf_fd[c], &count, sizeof(count)) != sizeof(count))
		return 0;
	uint64_t d = count - rq->clock_ns[c];
	rq->clock_ns[c] = count;
	return d;
}

static void rq_drain_cpus(struct runqlen *rq, uint32_t buf, uint64_t seq, uint64_t start,
			  uint64_t end, struct runqlen_hist *host)
{
	int fd = bpf_map__fd(rq->skel->maps.cpu_hist);

	if (bpf_map_lookup_elem(fd, &buf, rq->vals)) {
		rq->host->log(rq->s, ANOMON_LOG_WARN, "reading the per-CPU histograms: %s",
			      strerror(errno));
		return;
	}
	for (int c = 0; c < rq->ncpus; c++) {
		struct runqlen_hist *h = &rq->vals[c];
		uint64_t n = hist_samples(h), active_ns = rq->win_ns[c];

		if (rq->links[c]) {
			/* An event that stopped counting lost its CPU to a quick offline/online
			 * between two syncs; the kernel does not restore it. */
			if (rq->link_seq[c] < seq && active_ns < (end - start) / 2) {
				rq->host->log(rq->s, ANOMON_LOG_INFO,
					      "cpu %d: sampler stopped; re-attaching", c);
				rq_detach_cpu(rq, c);
			}
		}
		/* On NO_HZ kernels an idle CPU's cpu-clock timer does not fire at its period
		 * (measured on Linux 6.18: 0 to 37 samples a second on an idle CPU instead of
		 * 99), so the samples it should have taken are missing. An idle CPU's run queue
		 * is empty: count the missing samples as length 0. */
		uint64_t expected = active_ns * rq->freq_hz / 1000000000ull;
		if (rq->idle_fill && expected > n) {
			h->slots[0] += expected - n;
			n = expected;
		}
		for (int i = 0; i <= RUNQLEN_NBINS; i++)
			host->slots[i] += h->slots[i];
		host->runnable += h->runnable;
		host->crowded += h->crowded;
		if (rq->per_cpu && (n || rq->links[c]))
			rq_emit(rq, ANOMON_RUNQ_CPU, c, 0, h, n, start, end);
	}
	memset(rq->vals, 0, (size_t)rq->ncpus * sizeof(*rq->vals));
	if (bpf_map_update_elem(fd, &buf, rq->vals, BPF_ANY))
		rq->host->log(rq->s, ANOMON_LOG_WARN, "resetting the per-CPU histograms: %s",
			      strerror(errno));
}

static void rq_drain_cgroups(struct runqlen *rq, uint32_t buf, uint64_t cpu_samples,
			     uint64_t start, uint64_t end)
{
	int fd = bpf_map__fd(rq->skel->maps.cgroup_hist);
	struct runqlen_cg_key key, next, *keys = NULL;
	size_t n = 0, cap = 0;
	struct runqlen_hist h;
	const void *prev = NULL;

	/* Collect first: deleting while walking would restart the walk. The kernel side keeps
	 * inserting keys of the other buffer meanwhile; those are skipped. */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (next.buf != buf)
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct runqlen_cg_key *k = realloc(keys, ncap * sizeof(*k));
			if (!k)
				break;
			keys = k;
			cap = ncap;
		}
		keys[n++] = next;
	}
	for (size_t i = 0; i < n; i++) {
		/* A cgroup whose tasks only waited (its demand was counted, it never ran) has
		 * a histogram too: starved is worth telling. */
		if (bpf_map_lookup_elem(fd, &keys[i], &h) == 0 && (hist_samples(&h) || h.runnable))
			rq_emit(rq, ANOMON_RUNQ_CGROUP, -1, keys[i].cgroup_id, &h, cpu_samples,
				start, end);
		bpf_map_delete_elem(fd, &keys[i]);
	}
	free(keys);

	uint64_t full = rq->skel->bss->cgroup_full[buf];
	if (full) {
		rq->host->log(rq->s, ANOMON_LOG_WARN,
			      "%llu samples not counted per cgroup: more than max_cgroups cgroups ran",
			      (unsigned long long)full);
		rq->host->add_drops(rq->s, full);
		__atomic_fetch_sub(&rq->skel->bss->cgroup_full[buf], full, __ATOMIC_RELAXED);
	}
}

static void rq_drain(struct runqlen *rq)
{
	struct runqlen_hist host = {0};

	if (!rq->draining)
		return;
	rq->draining = false;
	rq_drain_cpus(rq, rq->drain_buf, rq->drain_seq, rq->drain_start, rq->drain_end,
		      &host);
	uint64_t samples = hist_samples(&host);
	if (rq->per_cgroup)
		rq_drain_cgroups(rq, rq->drain_buf, samples, rq->drain_start, rq->drain_end);
	rq_emit(rq, ANOMON_RUNQ_HOST, -1, 0, &host, samples, rq->drain_start, rq->drain_end);
}

static void rq_grace_cb(void *arg)
{
	struct runqlen *rq = arg;

	rq_drain(rq);
	if (rq->running)
		rq_cpus_sync(rq);
}

/* End the window being filled: later samples go to the other buffer. */
static void rq_flip(struct runqlen *rq)
{
	uint64_t now = rq->host->now_ns(rq->s);

	rq_drain(rq); /* only if a grace period outlasted a window; cannot normally happen */
	for (int c = 0; c < rq->ncpus; c++)
		rq->win_ns[c] = rq->links[c] ? rq_clock_delta(rq, c) : 0;
	rq->drain_buf = rq->active;
	rq->drain_seq = rq->seq;
	rq->drain_start = rq->win_start;
	rq->drain_end = now;
	rq->draining = true;
	rq->active ^= 1;
	__atomic_store_n(&rq->skel->bss->active, rq->active, __ATOMIC_RELEASE);
	rq->seq++;
	rq->win_start = now;
}

static void rq_window_cb(void *arg)
{
	struct runqlen *rq = arg;

	rq_flip(rq);
	if (rq->host->timer_start(rq->s, RUNQLEN_GRACE_MS, 0, rq_grace_cb, rq,
				 &rq->grace_timer) < 0)
		rq_drain(rq); /* no timer: drain now and accept the tiny race */
}

/* ---- Plugin callbacks ------------------------------------------------------------------ */

static void rq_destroy(void *state);

static int rq_setup(struct runqlen *rq)
{
	const struct anomon_host *host = rq->host;
	anomon_stage *s = rq->s;
	char msg[256];
	int err;


	int64_t freq = host->param_int(s, "frequency_hz");
	int64_t max_cg = host->param_int(s, "max_cgroups");
	rq->window_ns = host->param_duration_ns(s, "window");
	rq->per_cpu = host->param_bool(s, "per_cpu");
	rq->per_cgroup = host->param_bool(s, "per_cgroup");
	rq->demand = host->param_bool(s, "demand");
	rq->idle_fill = host->param_bool(s, "idle_fill");
	const char *queue = host->param_string(s, "host_queue");
	if (strcmp(queue, "cpu") == 0) {
		rq->root_queue = true;
	} else if (strcmp(queue, "group") != 0) {
		host->error(s, "host_queue: expected \"cpu\" or \"group\", got \"%s\"", queue);
		return -EINVAL;
	}
	if (freq < 1 || freq > 10000) {
		host->error(s, "frequency_hz: expected 1..10000, got %lld", (long long)freq);
		return -EINVAL;
	}
	if (rq->window_ns < RUNQLEN_MIN_WINDOW_NS) {
		host->error(s, "window: expected at least 100ms");
		return -EINVAL;
	}
	if (max_cg < 1 || max_cg > (1 << 20)) {
		host->error(s, "max_cgroups: expected 1..1048576, got %lld", (long long)max_cg);
		return -EINVAL;
	}
	rq->freq_hz = (uint64_t)freq;

	err = bpfc_probe_btf(msg, sizeof(msg));
	if (err) {
		host->error(s, "%s", msg);
		return err;
	}

	rq->ncpus = libbpf_num_possible_cpus();
	if (rq->ncpus <= 0) {
		host->error(s, "cannot count the possible CPUs: %s", strerror(-rq->ncpus));
		return rq->ncpus ? rq->ncpus : -EINVAL;
	}
	rq->links = calloc((size_t)rq->ncpus, sizeof(*rq->links));
	rq->link_seq = calloc((size_t)rq->ncpus, sizeof(*rq->link_seq));
	rq->online = calloc((size_t)rq->ncpus, sizeof(*rq->online));
	rq->vals = calloc((size_t)rq->ncpus, sizeof(*rq->vals));
	rq->perf_fd = calloc((size_t)rq->ncpus, sizeof(*rq->perf_fd));
	rq->clock_ns = calloc((size_t)rq->ncpus, sizeof(*rq->clock_ns));
	rq->win_ns = calloc((size_t)rq->ncpus, sizeof(*rq->win_ns));
	if (!rq->links || !rq->link_seq || !rq->online || !rq->vals || !rq->perf_fd ||
	    !rq->clock_ns || !rq->win_ns)
		return -ENOMEM;
	for (int c = 0; c < rq->ncpus; c++)
		rq->perf_fd[c] = -1;

	bpfc_log_begin(host, s);
	rq->skel = runqlen_bpf__open();
	if (!rq->skel) {
		err = -errno;
		bpfc_log_end();
		host->error(s, "opening the BPF object: %s", bpfc_explain(err));
		return err;
	}
	rq->skel->rodata->self_tgid = (uint32_t)getpid();
	rq->skel->rodata->per_cgroup = rq->per_cgroup;
	rq->skel->rodata->cpu_root_queue = rq->root_queue;
	rq->skel->rodata->demand = rq->demand;
	/* Two buffers per cgroup; a disabled per-cgroup map still needs one entry to load. */
	bpf_map__set_max_entries(rq->skel->maps.cgroup_hist,
				 rq->per_cgroup ? 2 * (uint32_t)max_cg : 1);
	err = runqlen_bpf__load(rq->skel);
	bpfc_log_end();
	if (err)
		return bpfc_load_failed(host, s, err);
	return 0;
}

static int rq_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct runqlen *rq = calloc(1, sizeof(*rq));
	int err;

	*state = NULL;
	if (!rq)
		return -ENOMEM;
	rq->host = host;
	rq->s = s;
	err = rq_setup(rq);
	if (err) {
		/* destroy is only called after a successful init */
		rq_destroy(rq);
		return err;
	}
	*state = rq;
	return 0;
}

static int rq_check(void *state)
{
	struct runqlen *rq = state;
	char msg[256];
	int err = bpfc_probe_btf(msg, sizeof(msg));

	if (!err)
		err = bpfc_probe_perf_event(msg, sizeof(msg));
	if (err) {
		rq->host->error(rq->s, "%s", msg);
		return err;
	}
	/* init loaded the program, so BPF works; the probe above opened a perf event. */
	rq->host->log(rq->s, ANOMON_LOG_INFO, "BPF, BTF and perf events are usable here; "
		      "per-CPU histograms count the %s run queue",
		      rq->root_queue ? "root" : "sampled task's group");
	return 0;
}

static int rq_start(void *state)
{
	struct runqlen *rq = state;
	int n;

	rq->active = 0;
	rq->skel->bss->active = 0;
	rq->seq = 0;
	rq->win_start = rq->host->now_ns(rq->s);
	n = rq_cpus_sync(rq);
	if (n < 0) {
		rq->host->error(rq->s, "cannot sample any CPU: %s", bpfc_explain(n));
		return n;
	}
	rq->running = true;
	rq->host->log(rq->s, ANOMON_LOG_INFO,
		      "sampling %d CPUs at %llu Hz, window %llu ms, %s queue", n,
		      (unsigned long long)rq->freq_hz,
		      (unsigned long long)(rq->window_ns / 1000000ull),
		      rq->root_queue ? "root" : "group");
	uint64_t ms = rq->window_ns / 1000000ull;
	int err = rq->host->timer_start(rq->s, ms, ms, rq_window_cb, rq, &rq->window_timer);
	if (err < 0) {
		rq->host->error(rq->s, "cannot start the window timer: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void rq_detach_all(struct runqlen *rq)
{
	for (int c = 0; rq->links && c < rq->ncpus; c++)
		if (rq->links[c])
			rq_detach_cpu(rq, c);
}

static void rq_stop(void *state)
{
	struct runqlen *rq = state;

	if (!rq->running)
		return;
	rq->running = false;
	if (rq->window_timer) {
		rq->host->timer_stop(rq->window_timer);
		rq->window_timer = NULL;
	}
	if (rq->draining) {
		/* A window flipped less than a grace period ago may be drained only after it:
		 * waiting here once, at the end of the run, is simpler than a last timer. */
		usleep(RUNQLEN_GRACE_MS * 1000);
		rq_drain(rq);
	}
	rq_flip(rq); /* the last, partial window */
	/* Closing a perf event removes it from its CPU by a call on that CPU, after which no
	 * sample handler is running there: the buffers are quiet from here on. */
	rq_detach_all(rq);
	if (rq->drain_end - rq->drain_start >= RUNQLEN_MIN_WINDOW_NS)
		rq_drain(rq); /* kept unless too short to mean anything */
	rq->draining = false;
}

static void rq_destroy(void *state)
{
	struct runqlen *rq = state;

	if (!rq)
		return;
	rq_detach_all(rq);
	runqlen_bpf__destroy(rq->skel);
	free(rq->links);
	free(rq->link_seq);
	free(rq->online);
	free(rq->vals);
	free(rq->perf_fd);
	free(rq->clock_ns);
	free(rq->win_ns);
	free(rq);
}

static const struct anomon_param rq_params[] = {
	{"frequency_hz", ANOMON_PARAM_INT, "99", false,
	 "samples per second on each CPU (software cpu-clock perf event)"},
	{"window", ANOMON_PARAM_DURATION, "10s", false,
	 "histograms are read and reset once per window (at least 100ms)"},
	{"per_cpu", ANOMON_PARAM_BOOL, "true", false, "emit one histogram per CPU"},
	{"host_queue", ANOMON_PARAM_STRING, "cpu", false,
	 "what the per-CPU and host histograms count: \"cpu\", tasks waiting on the CPU's "
	 "root run queue; \"group\", the sampled task's own group queue (the original tool)"},
	{"per_cgroup", ANOMON_PARAM_BOOL, "true", false,
	 "emit one histogram per cgroup (v2 id of the sampled task)"},
	{"demand", ANOMON_PARAM_BOOL, "true", false,
	 "also count, per cgroup, the tasks ready to run on the sampled CPU (running or "
	 "waiting): each container's own demand for CPU"},
	{"idle_fill", ANOMON_PARAM_BOOL, "true", false,
	 "count the samples an idle CPU's timer skipped (NO_HZ) as queue length 0"},
	{"max_cgroups", ANOMON_PARAM_INT, "1024", false,
	 "cgroups tracked per window; samples of further ones count as drops"},
	{NULL, 0, NULL, false, NULL},
};

static const char *const rq_produces[] = {ANOMON_EV_RUNQ_HIST, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "runqlen",
	.version = "1.0.0",
	.description = "CPU run-queue length histograms per CPU, cgroup and host (eBPF, perf "
		       "sampling)",
	.params = rq_params,
	.produces = rq_produces,
	.init = rq_init,
	.check = rq_check,
	.start = rq_start,
	.stop = rq_stop,
	.destroy = rq_destroy,
};

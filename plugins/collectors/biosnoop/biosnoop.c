// SPDX-License-Identifier: MIT
/*
 * biosnoop collector: one `bio` event per completed block request, with the columns of
 * bcc's biosnoop (issuing pid and comm, disk, rwbs, sector, bytes, queue time, service
 * latency) plus the issuer's cgroup. The tracepoints are chosen at load time from what
 * the running kernel has (see biosnoop.bpf.c); disk names come from /proc/partitions.
 * The host's container filter (containers_only, include, exclude) is applied in the kernel.
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
#include "bpf_stream.h"
#include "biosnoop.h"
#include "biosnoop.skel.h"

#define BS_NTP 4
#define BS_DISKS_MAX 256
/* A device not in /proc/partitions makes us re-read it at most this often. */
#define BS_RESCAN_NS 1000000000ull

enum bs_flavour { BS_TP_BTF, BS_RAW_TP };

struct bs_disk {
	uint32_t dev; /* kernel dev_t: major << 20 | minor */
	char name[32];
};

struct biosnoop {
	const struct anomon_host *host;
	anomon_stage *s;
	struct biosnoop_bpf *skel;
	struct bpfc_stream stream;
	uint64_t poll_ms;
	int64_t epoch_off;
	bool running;
	bool cgroup_filter;   /* containers_only/include/exclude set: filter in the kernel */
	char attach[256];
	struct bs_disk disks[BS_DISKS_MAX];
	size_t ndisks;
	uint64_t last_scan_ns;
};

static const char *const bs_tp[BS_NTP] = {
	"block_io_start", "block_rq_insert", "block_rq_issue", "block_rq_complete",
};

static void bs_programs(struct biosnoop_bpf *skel, enum bs_flavour f, struct bpf_program **p)
{
	struct bpf_program *btf[BS_NTP] = {skel->progs.btf_io_start, skel->progs.btf_rq_insert,
					   skel->progs.btf_rq_issue, skel->progs.btf_rq_complete};
	struct bpf_program *raw[BS_NTP] = {skel->progs.raw_io_start, skel->progs.raw_rq_insert,
					   skel->progs.raw_rq_issue, skel->progs.raw_rq_complete};
	memcpy(p, f == BS_TP_BTF ? btf : raw, sizeof(btf));
}

/* ---- Disk names ------------------------------------------------------------------------ */

static void bs_scan_disks(struct biosnoop *bs)
{
	char line[256], name[32];
	unsigned maj, min;
	unsigned long long blocks;
	FILE *f = fopen("/proc/partitions", "r");

	bs->last_scan_ns = bs->host->now_ns(bs->s);
	if (!f)
		return;
	bs->ndisks = 0;
	while (fgets(line, sizeof(line), f) && bs->ndisks < BS_DISKS_MAX) {
		if (sscanf(line, " %u %u %llu %31s", &maj, &min, &blocks, name) != 4)
			continue; /* the header and the blank line */
		struct bs_disk *d = &bs->disks[bs->ndisks++];
		d->dev = maj << 20 | min;
		memcpy(d->name, name, sizeof(d->name));
	}
	fclose(f);
}

static void bs_disk_name(struct biosnoop *bs, uint32_t dev, char out[32])
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < bs->ndisks; i++) {
			if (bs->disks[i].dev == dev) {
				memcpy(out, bs->disks[i].name, 32);
				return;
			}
		}
		/* A disk that appeared since the last scan (a new loop device, a hotplug). */
		if (pass || bs->host->now_ns(bs->s) - bs->last_scan_ns < BS_RESCAN_NS)
			break;
		bs_scan_disks(bs);
	}
	snprintf(out, 32, "%u:%u", dev >> 20, dev & ((1u << 20) - 1));
}

/* ---- Records --------------------------------------------------------------------------- */

/* As the kernel's blk_fill_rwbs. */
static void bs_rwbs(uint32_t rw, char out[8])
{
	int i = 0;

	if (rw & BIOSNOOP_PREFLUSH)
		out[i++] = 'F';
	if (rw & BIOSNOOP_OP_WRITE)
		out[i++] = 'W';
	else if (rw & BIOSNOOP_OP_DISCARD)
		out[i++] = 'D';
	else if (rw & BIOSNOOP_OP_SECURE_ERASE) {
		out[i++] = 'D';
		out[i++] = 'E';
	} else if (rw & BIOSNOOP_OP_FLUSH)
		out[i++] = 'F';
	else if (rw & BIOSNOOP_OP_READ)
		out[i++] = 'R';
	else
		out[i++] = 'N';
	if (rw & BIOSNOOP_FUA)
		out[i++] = 'F';
	if (rw & BIOSNOOP_RAHEAD)
		out[i++] = 'A';
	if (rw & BIOSNOOP_SYNC)
		out[i++] = 'S';
	if (rw & BIOSNOOP_META)
		out[i++] = 'M';
	out[i] = '\0';
}

static int bs_on_record(void *ctx, void *data, size_t size)
{
	struct biosnoop *bs = ctx;
	const struct biosnoop_event *e = data;
	struct anomon_bio b = {0};

	if (size < sizeof(*e))
		return 0;
	b.present = ANOMON_BIO_RWBS | ANOMON_BIO_SECTOR | ANOMON_BIO_BYTES | ANOMON_BIO_SERVICE |
		    ANOMON_BIO_DISK;
	/* As the host keys it: 0 (the host) without an issuer. */
	bpfc_stream_cgroup_seen(&bs->stream, (e->have & BIOSNOOP_HAVE_ISSUER) ? e->cgroup_id : 0);
	if (e->have & BIOSNOOP_HAVE_ISSUER) {
		b.present |= ANOMON_BIO_PID | ANOMON_BIO_CGROUP;
		b.pid = e->pid;
		b.cgroup_id = e->cgroup_id;
		memcpy(b.comm, e->comm, ANOMON_COMM_LEN);
		b.comm[ANOMON_COMM_LEN - 1] = '\0';
	}
	if (e->have & BIOSNOOP_HAVE_QUEUE) {
		b.present |= ANOMON_BIO_QUEUE;
		b.queue_ns = e->queue_ns;
	}
	bs_disk_name(bs, e->dev, b.disk);
	bs_rwbs(e->rw, b.rwbs);
	b.sector = e->sector;
	b.bytes = e->bytes;
	b.service_ns = e->service_ns;

	struct anomon_event ev = {
		.type = ANOMON_EV_BIO,
		.ts_ns = (uint64_t)((int64_t)e->ts_ns + bs->epoch_off),
		.data = &b,
		.size = sizeof(b),
	};
	bs->host->emit_event(bs->s, &ev);
	return 0;
}

/* ---- Loading --------------------------------------------------------------------------- */

/* Whether the kernel has tracepoint `name`, and whether it has its BTF form. */
static bool bs_has_tp(const char *name, bool *btf)
{
	*btf = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP) > 0;
	return *btf || bpfc_tracefs_has_event("block", name);
}

/* Open and load one flavour with the tracepoints this kernel has. */
static int bs_load(struct biosnoop *bs, enum bs_flavour f, const bool *have, uint64_t rb_size,
		   uint64_t wakeup)
{
	struct bpf_program *mine[BS_NTP], *other[BS_NTP];

	bs->skel = biosnoop_bpf__open();
	if (!bs->skel)
		return -errno;
	bs->skel->rodata->self_tgid = (uint32_t)getpid();
	bs->skel->rodata->bpfc_wakeup_bytes = wakeup;
	bs->skel->rodata->bpfc_cgroup_filter = bs->cgroup_filter;
	bpf_map__set_max_entries(bs->skel->maps.events, (uint32_t)rb_size);
	if (!bs->cgroup_filter)
		bpf_map__set_max_entries(bs->skel->maps.cgroup_verdicts, 1);
	bs_programs(bs->skel, f, mine);
	bs_programs(bs->skel, f == BS_TP_BTF ? BS_RAW_TP : BS_TP_BTF, other);
	bs->attach[0] = '\0';
	for (int i = 0; i < BS_NTP; i++) {
		bpf_program__set_autoload(other[i], false);
		bpf_program__set_autoload(mine[i], have[i]);
		if (have[i]) {
			size_t l = strlen(bs->attach);
			snprintf(bs->attach + l, sizeof(bs->attach) - l, "%s%s/%s", l ? ", " : "",
				 f == BS_TP_BTF ? "tp_btf" : "raw_tp", bs_tp[i]);
		}
	}
	int err = biosnoop_bpf__load(bs->skel);
	if (err) {
		biosnoop_bpf__destroy(bs->skel);
		bs->skel = NULL;
	}
	return err;
}

static void bs_destroy(void *state);

static int bs_setup(struct biosnoop *bs)
{
	const struct anomon_host *host = bs->host;
	anomon_stage *s = bs->s;
	bool have[BS_NTP], btf[BS_NTP], all_btf = true;
	uint64_t rb_size = host->param_size(s, "ringbuf_size"), wakeup;
	uint64_t poll_ns = host->param_duration_ns(s, "poll_interval");
	char msg[256];
	int err;

	if (poll_ns < 1000000ull || poll_ns > 10000000000ull) {
		host->error(s, "poll_interval: expected 1ms to 10s");
		return -EINVAL;
	}
	bs->poll_ms = poll_ns / 1000000ull;
	bs->cgroup_filter = bpfc_stream_filters_cgroups(host, s);
	err = bpfc_ringbuf_size_check(rb_size, &wakeup, msg, sizeof(msg));
	if (!err)
		err = bpfc_probe_btf(msg, sizeof(msg));
	if (err) {
		host->error(s, "%s", msg);
		return err;
	}
	/* tracefs only to look events up when BTF does not list them; not fatal. */
	(void)bpfc_tracefs_ensure(msg, sizeof(msg));
	for (int i = 0; i < BS_NTP; i++) {
		have[i] = bs_has_tp(bs_tp[i], &btf[i]);
		if (have[i] && !btf[i])
			all_btf = false;
	}
	if (!have[2] || !have[3]) {
		host->error(s, "no block request tracepoints on this kernel (block/block_rq_issue "
			    "and block/block_rq_complete are needed; CONFIG_BLK_DEV_IO_TRACE or "
			    "CONFIG_TRACEPOINTS)");
		return -ENOENT;
	}

	bpfc_log_begin(host, s);
	err = -EOPNOTSUPP;
	/* BTF tracepoints where the kernel has them; raw tracepoints (the same arguments,
	 * read without BTF typing) when they are missing or tp_btf programs are refused. */
	if (all_btf)
		err = bs_load(bs, BS_TP_BTF, have, rb_size, wakeup);
	if (err) {
		if (all_btf)
			host->log(s, ANOMON_LOG_INFO, "tp_btf programs refused (%s); trying raw_tp",
				  bpfc_explain(err));
		err = bs_load(bs, BS_RAW_TP, have, rb_size, wakeup);
	}
	bpfc_log_end();
	if (err)
		return bpfc_load_failed(host, s, err);
	bs_scan_disks(bs);
	err = bpfc_stream_open(&bs->stream, host, s, bs->skel->maps.events,
			       bs->skel->maps.stream_counters, bs_on_record, bs);
	if (!err && bs->cgroup_filter)
		bpfc_stream_cgroup_filter(&bs->stream, bs->skel->maps.cgroup_verdicts);
	return err;
}

static int bs_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct biosnoop *bs = calloc(1, sizeof(*bs));
	int err;

	*state = NULL;
	if (!bs)
		return -ENOMEM;
	bs->host = host;
	bs->s = s;
	err = bs_setup(bs);
	if (err) {
		bs_destroy(bs);
		return err;
	}
	*state = bs;
	return 0;
}

static int bs_check(void *state)
{
	struct biosnoop *bs = state;

	bs->host->log(bs->s, ANOMON_LOG_INFO, "attach points: %s", bs->attach);
	return 0;
}

static int bs_attach(void *skel)
{
	return biosnoop_bpf__attach(skel);
}

static int bs_start(void *state)
{
	struct biosnoop *bs = state;
	int err;

	bs->epoch_off = bpfc_boot_to_epoch_ns();
	err = bpfc_stream_attach(&bs->stream, bs_attach, bs->skel, bs->attach,
				 bs->poll_ms);
	if (err)
		return err;
	bs->running = true;
	bs->host->log(bs->s, ANOMON_LOG_INFO, "tracing block I/O: %s", bs->attach);
	return 0;
}

static void bs_stop(void *state)
{
	struct biosnoop *bs = state;

	if (!bs->running)
		return;
	bs->running = false;
	biosnoop_bpf__detach(bs->skel);
	bpfc_stream_stop(&bs->stream);
	char line[256];
	bpfc_stream_summary(&bs->stream, line, sizeof(line));
	bs->host->log(bs->s, ANOMON_LOG_INFO, "%s", line);
}

static void bs_destroy(void *state)
{
	struct biosnoop *bs = state;

	if (!bs)
		return;
	bpfc_stream_close(&bs->stream);
	biosnoop_bpf__destroy(bs->skel);
	free(bs);
}

static const struct anomon_param bs_params[] = {
	/* 1 MiB holds about 12,000 completions: 240,000 IO/s between two polls. */
	BPFC_STREAM_PARAMS("1M"),
	{NULL, 0, NULL, false, NULL},
};

static const char *const bs_produces[] = {ANOMON_EV_BIO, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "biosnoop",
	.version = "1.0.0",
	.description = "Completed block I/O requests with queue and service latency as bio "
		       "events (eBPF, block tracepoints)",
	.params = bs_params,
	.produces = bs_produces,
	.init = bs_init,
	.check = bs_check,
	.start = bs_start,
	.stop = bs_stop,
	.destroy = bs_destroy,
};

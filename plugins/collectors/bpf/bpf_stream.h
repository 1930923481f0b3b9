/* SPDX-License-Identifier: MIT */
/*
 * bpf_stream — the user side of a ring-buffer event stream (kernel side: bpf_stream.bpf.h):
 * the ring buffer's fd watched on the host's loop, a poll timer for records written without
 * a wake-up, the kernel's drop counter turned into host->add_drops, and the offset that
 * turns the kernel's boot-time clock into wall-clock time.
 */
#ifndef BPF_STREAM_H
#define BPF_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "anomon_plugin.h"

#define BPFC_RINGBUF_MIN (64u << 10)
#define BPFC_RINGBUF_MAX (1u << 30)

/* The parameters every ring-buffer collector takes (read them with param_size and
 * param_duration_ns), for its parameter table; ringbuf_default as "4M". */
#define BPFC_STREAM_PARAMS(ringbuf_default)                                                  \
	{"ringbuf_size", ANOMON_PARAM_SIZE, ringbuf_default, false,                          \
	 "kernel ring buffer size: a power of two from 64k to 1G"},                          \
	{"poll_interval", ANOMON_PARAM_DURATION, "50ms", false,                              \
	 "how often the ring buffer is read when it fills slowly"}

struct bpfc_stream {
	const struct anomon_host *host;
	anomon_stage *s;
	struct ring_buffer *rb;
	int counters_fd;
	anomon_watch *watch;
	anomon_timer *timer;
	uint64_t dropped_reported; /* kernel drops already passed to add_drops */
	uint64_t filtered_reported; /* kernel-filtered events already passed to add_filtered */
	uint64_t delivered;        /* records handed to the sample callback */
	uint64_t seen, dropped;    /* kernel counters at the last sync */
	/* The container filter in the kernel (bpfc_stream_cgroup_filter). */
	int verdicts_fd;           /* cgroup_verdicts, or -1 when the stage does not filter */
	uint64_t filtered;         /* kernel counter of events held back, at the last sync */
	uint64_t cgroups_learned;  /* unwanted cgroups stored after their first event */
};

/*
 * Check a ringbuf_size parameter: a power of two between 64 KiB and 1 GiB (the kernel's
 * rule is a power-of-two number of pages). Writes one line into msg and returns -EINVAL
 * otherwise. *wakeup gets the fill level at which the kernel wakes the reader.
 */
int bpfc_ringbuf_size_check(uint64_t size, uint64_t *wakeup, char *msg, size_t cap);

/* Create the consumer after the skeleton is loaded. Returns 0 or a negative errno (after
 * host->error). `cb` gets each record, as libbpf's ring_buffer_sample_fn. */
int bpfc_stream_open(struct bpfc_stream *st, const struct anomon_host *host, anomon_stage *s,
		     struct bpf_map *ringbuf, struct bpf_map *counters, ring_buffer_sample_fn cb,
		     void *ctx);
/* Watch the ring on the loop and poll it every poll_ms as well. */
int bpfc_stream_start(struct bpfc_stream *st, uint64_t poll_ms);
/* A collector's start: store the cgroups unwanted now (before attaching, so that none of
 * their events reaches user space), attach the loaded skeleton (attach: a wrapper of its
 * NAME_bpf__attach; what: the attach points, for the error), then bpfc_stream_start. */
int bpfc_stream_attach(struct bpfc_stream *st, int (*attach)(void *skel), void *skel,
		       const char *what, uint64_t poll_ms);
/* Consume everything queued and report new kernel drops. */
void bpfc_stream_drain(struct bpfc_stream *st);
/* Stop watching (idempotent); drains first. */
void bpfc_stream_stop(struct bpfc_stream *st);
void bpfc_stream_close(struct bpfc_stream *st);

/*
 * Container filters in the kernel (kernel side: cgroup_verdicts in bpf_stream.bpf.h).
 *
 * bpfc_stream_filters_cgroups: whether the stage sets any of the host's common parameters
 * containers_only, include, exclude. Ask before load: when true, set the skeleton's
 * bpfc_cgroup_filter; when false, shrink cgroup_verdicts to one entry.
 * bpfc_stream_cgroup_filter: after bpfc_stream_open, hand the loaded map to the stream.
 * bpfc_stream_cgroups_prefill: before attaching, walk the cgroup v2 hierarchy and store
 * every cgroup the stage does not want (and id 0, events without a cgroup), so cgroups that
 * exist at start never reach user space. Logs how many. Returns 0: a hierarchy that cannot
 * be read is only a warning (every cgroup is then learnt from its first events).
 * bpfc_stream_cgroup_seen: from the record callback, with the record's cgroup id (0 when it
 * has none): a record of an unwanted cgroup reached user space, so the cgroup is new (or
 * the LRU forgot it): store it. The host still filters the record itself.
 * Without a filter every one of these does nothing.
 */
bool bpfc_stream_filters_cgroups(const struct anomon_host *host, anomon_stage *s);
void bpfc_stream_cgroup_filter(struct bpfc_stream *st, struct bpf_map *verdicts);
int bpfc_stream_cgroups_prefill(struct bpfc_stream *st);
void bpfc_stream_cgroup_seen(struct bpfc_stream *st, uint64_t cgroup_id);
/* One line of counters for the stop log: "events seen N, filtered in kernel F, delivered
 * D, dropped X" (seen = F + D + X once the ring is drained). */
void bpfc_stream_summary(const struct bpfc_stream *st, char *buf, size_t cap);

/* Sum a per-CPU u64 counter over the possible CPUs. Returns 0 or a negative errno. */
int bpfc_percpu_sum(int map_fd, uint32_t key, uint64_t *sum);

/* CLOCK_REALTIME minus CLOCK_BOOTTIME (bpf_ktime_get_boot_ns), in ns: add it to a kernel
 * timestamp to get ns since the epoch. Read once at start; a later clock step is not
 * followed (as with any per-run conversion). */
int64_t bpfc_boot_to_epoch_ns(void);

/*
 * Tracepoint attachment needs tracefs (libbpf reads the event ids from it). If neither
 * /sys/kernel/tracing nor /sys/kernel/debug/tracing shows events, try to mount tracefs at
 * /sys/kernel/tracing. Returns 0, or a negative errno after one line into msg.
 */
int bpfc_tracefs_ensure(char *msg, size_t cap);
/* True if tracefs lists the event "group/name" (e.g. "block/block_io_start"). */
bool bpfc_tracefs_has_event(const char *group, const char *name);

/*
 * A cgroup v2 given as its id (decimal) or its path (absolute, or relative to the cgroup2
 * mount, normally /sys/fs/cgroup): open it (O_RDONLY directory fd) and return its id.
 * Returns the fd or a negative errno after one line into msg.
 */
int bpfc_cgroup_open(const char *spec, uint64_t *id, char *msg, size_t cap);

#endif

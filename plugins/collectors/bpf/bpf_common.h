/* SPDX-License-Identifier: MIT */
/*
 * bpf_common — what every live eBPF collector needs on the user side: libbpf's messages
 * routed to the stage's log, probes that say in one line which permission or kernel feature
 * is missing, and the online-CPU list for per-CPU perf events.
 */
#ifndef BPF_COMMON_H
#define BPF_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"

/*
 * libbpf has one process-wide print callback. Bracket every libbpf call that may print
 * (open, load, attach) with begin/end: begin points the callback at this stage's log and
 * end restores whatever was there before, so several collectors in one process each get
 * their own messages. Not nestable; the host runs every callback on one thread.
 */
void bpfc_log_begin(const struct anomon_host *host, anomon_stage *s);
void bpfc_log_end(void);

/*
 * Probes. Each returns 0 when the feature is usable, or a negative errno after writing one
 * line into msg (cap bytes) that names what is missing and how to get it.
 */
int bpfc_probe_btf(char *msg, size_t cap);
int bpfc_probe_bpf(char *msg, size_t cap);
int bpfc_probe_perf_event(char *msg, size_t cap);

/* Explain a failed bpf()/perf_event_open() errno for a message: "operation not permitted:
 * needs root or CAP_BPF and CAP_PERFMON", ... Never NULL. */
const char *bpfc_explain(int err);

/* A skeleton's load failed with err: report it in one line, naming the missing permission
 * or kernel feature when a probe finds one (rather than libbpf's last errno), and return
 * err. */
int bpfc_load_failed(const struct anomon_host *host, anomon_stage *s, int err);

/*
 * Online CPUs from /sys/devices/system/cpu/online: sets online[i] for each online CPU
 * i < n (clears the others). Returns the number of online CPUs, or a negative errno.
 */
int bpfc_online_cpus(bool *online, int n);

/* Open a software cpu-clock sampling event on one CPU for all tasks at freq_hz.
 * Returns the fd or a negative errno. */
int bpfc_open_cpu_clock(int cpu, uint64_t freq_hz);

#endif

// SPDX-License-Identifier: MIT
/* bpf_common: libbpf log routing, permission probes, online CPUs (see bpf_common.h). */
#include "bpf_common.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"
#define CPU_ONLINE "/sys/devices/system/cpu/online"

/* The stage libbpf messages go to between begin and end. */
static const struct anomon_host *log_host;
static anomon_stage *log_stage;
static libbpf_print_fn_t log_prev;

static int bpfc_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;

	if (!log_host)
		return 0;
	/* libbpf warns about anything that fails, with the verifier log at debug level: a user
	 * sees our one-line error, -v shows libbpf's warnings and -vv everything. */
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len)
		log_host->log(log_stage, level == LIBBPF_WARN ? ANOMON_LOG_INFO : ANOMON_LOG_DEBUG,
			      "%s", line);
	return 0;
}

void bpfc_log_begin(const struct anomon_host *host, anomon_stage *s)
{
	log_host = host;
	log_stage = s;
	log_prev = libbpf_set_print(bpfc_print);
}

void bpfc_log_end(void)
{
	libbpf_set_print(log_prev);
	log_host = NULL;
	log_stage = NULL;
	log_prev = NULL;
}

const char *bpfc_explain(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EPERM:
	case EACCES:
		return "operation not permitted: run as root, or grant CAP_BPF and CAP_PERFMON "
		       "(CAP_SYS_ADMIN before Linux 5.8)";
	case ENOSYS:
		return "the kernel has no bpf() system call (CONFIG_BPF_SYSCALL)";
	case ENOENT:
		return "the kernel lacks a needed type, program type or event "
		       "(CONFIG_BPF_EVENTS, CONFIG_PERF_EVENTS, BTF)";
	case EINVAL:
		return "the kernel refused the request (program type or attach point unsupported)";
	case ENOMEM:
		return "out of memory (or the locked-memory limit, RLIMIT_MEMLOCK, is too low)";
	case ENODEV:
		return "no such device (CPU offline)";
	default:
		return strerror(err);
	}
}

int bpfc_probe_btf(char *msg, size_t cap)
{
	if (access(BTF_VMLINUX, R_OK) == 0)
		return 0;
	int err = errno;
	snprintf(msg, cap, "kernel BTF not available (%s: %s): CO-RE needs a kernel built with "
		 "CONFIG_DEBUG_INFO_BTF=y", BTF_VMLINUX, strerror(err));
	return -err;
}

int bpfc_probe_bpf(char *msg, size_t cap)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "anomon_probe", sizeof(uint32_t),
				sizeof(uint32_t), 1, NULL);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int err = errno;
	snprintf(msg, cap, "BPF not usable: bpf(BPF_MAP_CREATE): %s", bpfc_explain(err));
	return -err;
}

static int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int bpfc_open_cpu_clock(int cpu, uint64_t freq_hz)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = freq_hz,
	};
	int fd = perf_event_open(&attr, -1, cpu);
	return fd < 0 ? -errno : fd;
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int level = -100;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = -100;
		fclose(f);
	}
	return level;
}

int bpfc_probe_perf_event(char *msg, size_t cap)
{
	bool online[1024];
	int cpu, fd;

	if (bpfc_online_cpus(online, 1024) <= 0)
		online[0] = true; /* no sysfs: try CPU 0 */
	for (cpu = 0; cpu < 1024 && !online[cpu]; cpu++)
		;
	fd = bpfc_open_cpu_clock(cpu < 1024 ? cpu : 0, 1);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd == -ENOENT || fd == -ENOSYS || fd == -EOPNOTSUPP) {
		snprintf(msg, cap, "perf events not available: perf_event_open(cpu-clock): %s "
			 "(the kernel needs CONFIG_PERF_EVENTS)", strerror(-fd));
	} else if (fd == -EACCES || fd == -EPERM) {
		int level = paranoid_level();
		if (level == -100)
			snprintf(msg, cap, "perf events not permitted: perf_event_open(cpu-clock): "
				 "system-wide sampling needs root or CAP_PERFMON");
		else
			snprintf(msg, cap, "perf events not permitted: perf_event_open(cpu-clock): "
				 "system-wide sampling needs root or CAP_PERFMON "
				 "(kernel.perf_event_paranoid = %d)", level);
	} else {
		snprintf(msg, cap, "perf events not usable: perf_event_open(cpu-clock): %s",
			 bpfc_explain(fd));
	}
	return fd;
}

int bpfc_online_cpus(bool *online, int n)
{
	char buf[4096];
	int count = 0;
	FILE *f;

	memset(online, 0, (size_t)n * sizeof(*online));
	f = fopen(CPU_ONLINE, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	/* A list of ranges: "0-3,5,7-8\n". */
	for (char *p = buf; *p && *p != '\n';) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -EINVAL;
			p = end;
		}
		for (long c = lo; c <= hi && c < n; c++) {
			if (!online[c])
				count++;
			online[c] = true;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return count;
}

int bpfc_load_failed(const struct anomon_host *host, anomon_stage *s, int err)
{
	char msg[256];

	if (bpfc_probe_bpf(msg, sizeof(msg)) == 0)
		snprintf(msg, sizeof(msg), "loading the BPF program: %s (-v shows libbpf's "
			 "messages)", bpfc_explain(err));
	host->error(s, "%s", msg);
	return err;
}

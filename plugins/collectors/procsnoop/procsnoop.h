/* SPDX-License-Identifier: MIT */
/* procsnoop: the record layout shared by the kernel side and the plugin. */
#ifndef PROCSNOOP_H
#define PROCSNOOP_H

/* Program paths up to the kernel's PATH_MAX (NUL included). */
#define PROCSNOOP_FILENAME_MAX 4096
#define PROCSNOOP_COMM_LEN 16

/* The same numbers as enum anomon_proc_kind and enum anomon_proc_flag. */
enum procsnoop_kind {
	PROCSNOOP_FORK = 1,
	PROCSNOOP_EXEC = 2,
	PROCSNOOP_EXIT = 3,
};

enum procsnoop_flag {
	PROCSNOOP_THREAD = 1u << 0,
	PROCSNOOP_SIGNALED = 1u << 1,
};

/* Indexes of proc_counters, the collector's own per-CPU counters. */
enum procsnoop_counter {
	PROCSNOOP_CNT_THREADS_SKIPPED = 0, /* thread creations and exits not sent (threads off) */
	PROCSNOOP_NCOUNTERS = 1,
};

/* One event, written to the ring buffer up to the filename's NUL (exec) or the header
 * (fork, exit): records are variable-sized. */
struct procsnoop_event {
	__u64 ts_ns;       /* boot-time clock */
	__u64 cgroup_id;
	__u64 age_ns;      /* exit: how long the process (or thread) lived */
	__u32 kind;        /* enum procsnoop_kind */
	__u32 flags;       /* enum procsnoop_flag */
	__u32 pid, tid, ppid, uid;
	__s32 exit_code;   /* exit: the status (0-255), or the signal number when SIGNALED */
	__u32 filename_len; /* exec: bytes in filename, NUL included (0: not read) */
	char comm[PROCSNOOP_COMM_LEN];
	char filename[PROCSNOOP_FILENAME_MAX];
};

#define PROCSNOOP_HDR_LEN __builtin_offsetof(struct procsnoop_event, filename)

#endif

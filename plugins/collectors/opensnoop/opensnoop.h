/* SPDX-License-Identifier: MIT */
/* opensnoop: the record layout shared by the kernel side and the plugin. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

/* Paths as the caller passed them, up to the kernel's PATH_MAX (NUL included). */
#define OPENSNOOP_PATH_MAX 4096
#define OPENSNOOP_COMM_LEN 16
#define OPENSNOOP_AT_FDCWD -100

/* One open, written to the ring buffer up to the path's NUL: records are variable-sized. */
struct opensnoop_event {
	__u64 ts_ns;     /* at syscall exit, boot-time clock */
	__u64 cgroup_id;
	__u32 pid, tid, uid;
	__s32 ret;       /* fd, or -errno */
	__s32 flags;
	__u32 mode;
	__s32 dfd;       /* the directory fd a relative path is resolved against */
	__u32 path_len;  /* bytes in path, NUL included (0: the path could not be read) */
	char comm[OPENSNOOP_COMM_LEN];
	char path[OPENSNOOP_PATH_MAX];
};

#define OPENSNOOP_HDR_LEN __builtin_offsetof(struct opensnoop_event, path)

#endif

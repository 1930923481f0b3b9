/* SPDX-License-Identifier: MIT */
/* biosnoop: the record layout shared by the kernel side and the plugin. */
#ifndef BIOSNOOP_H
#define BIOSNOOP_H

#define BIOSNOOP_COMM_LEN 16

/* What the request did, decoded in the kernel from its cmd_flags (whose flag bits move
 * between kernel versions); user space spells it as the kernel's rwbs string. */
enum biosnoop_rw {
	BIOSNOOP_OP_READ = 1u << 0,
	BIOSNOOP_OP_WRITE = 1u << 1,
	BIOSNOOP_OP_DISCARD = 1u << 2,
	BIOSNOOP_OP_SECURE_ERASE = 1u << 3,
	BIOSNOOP_OP_FLUSH = 1u << 4,
	BIOSNOOP_OP_OTHER = 1u << 5,
	BIOSNOOP_PREFLUSH = 1u << 8,
	BIOSNOOP_FUA = 1u << 9,
	BIOSNOOP_RAHEAD = 1u << 10,
	BIOSNOOP_SYNC = 1u << 11,
	BIOSNOOP_META = 1u << 12,
};

/* Which parts of the event were observed. */
enum biosnoop_have {
	BIOSNOOP_HAVE_ISSUER = 1u << 0, /* pid, comm, cgroup */
	BIOSNOOP_HAVE_QUEUE = 1u << 1,  /* queue_ns */
};

struct biosnoop_event {
	__u64 ts_ns;      /* completion, boot-time clock */
	__u64 cgroup_id;
	__u64 sector;
	__u64 queue_ns;   /* block layer entry (insert, else accounting start) to issue */
	__u64 service_ns; /* issue to completion */
	__u32 pid;
	__u32 dev;        /* the disk, as the kernel's dev_t: major << 20 | minor */
	__u32 bytes;
	__u32 rw;         /* enum biosnoop_rw */
	__u32 have;       /* enum biosnoop_have */
	char comm[BIOSNOOP_COMM_LEN];
	__u32 pad;
};

#endif

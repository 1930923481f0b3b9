/* SPDX-License-Identifier: MIT */
/*
 * bio_features — the feature vector of the block I/O requests of one window.
 *
 * In order (ratios are over the window's requests; latencies in milliseconds, over the
 * requests whose collector measured them, 0 when none did):
 *   bio_count           requests completed in the window
 *   bio_iops            requests per second
 *   bio_bytes_per_s     bytes per second
 *   bio_size_mean       mean request size in bytes
 *   bio_read_ratio      reads (rwbs has R)
 *   bio_write_ratio     writes (W)
 *   bio_discard_ratio   discards (D)
 *   bio_flush_ratio     flushes (rwbs starts with F: a preflush, or a bare flush)
 *   bio_sync_ratio      synchronous requests (S)
 *   bio_seq_ratio       sequential requests: starting within BF_SEQ_GAP sectors of where the
 *                       previous request on the same disk ended; over the requests that have a
 *                       previous one with a known sector
 *   bio_lat_p50_ms, bio_lat_p95_ms, bio_lat_p99_ms, bio_lat_max_ms
 *                       service time (issue to completion), nearest-rank percentiles
 *   bio_queue_mean_ms   mean queue time (insert to issue)
 *   bio_queue_p95_ms    its 95th percentile
 *   bio_issuers         distinct issuing processes (pids)
 *   bio_disks           distinct disks
 */
#ifndef BIO_FEATURES_H
#define BIO_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "hash_set.h"

#define BF_NFEATURES 18
/* 256 sectors = 128 KiB: completions of one stream arrive slightly out of order, so "right
 * after" is a neighbourhood, not equality. */
#define BF_SEQ_GAP 256
#define BF_MAX_DISKS 8

struct bf_vec {
	double *v;
	size_t n, cap;
};

struct bf_last {
	uint64_t disk, end; /* disk name hash, sector after its last request */
};

struct bf_acc {
	uint64_t count, bytes, reads, writes, discards, flushes, syncs;
	uint64_t seq, seq_known, queue_n;
	double queue_sum;
	struct bf_vec lat, queue;  /* service and queue times, ms */
	struct hash_set issuers, disks;
	/* where the last request of each recent disk ended, to judge continuity */
	struct bf_last last[BF_MAX_DISKS];
	size_t nlast;
};

extern const char *const bf_names[BF_NFEATURES];

void bf_acc_init(struct bf_acc *a);
void bf_acc_reset(struct bf_acc *a);
void bf_acc_fini(struct bf_acc *a);

/* Add one request. Returns 0 or -ENOMEM. */
int bf_add(struct bf_acc *a, const struct anomon_bio *b);

/* Write the vector of a window that lasted `seconds` into out[BF_NFEATURES]. Sorts the
 * latency arrays in place. */
void bf_compute(struct bf_acc *a, double seconds, double *out);

/* Nearest-rank percentile (pct in 0..100) of n sorted values; 0 when n is 0. */
double bf_percentile(const double *sorted, size_t n, double pct);

#endif

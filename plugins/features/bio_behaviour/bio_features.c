// SPDX-License-Identifier: MIT
/* bio_features: the feature vector of a window of block I/O requests (see the header). */
#include "bio_features.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const bf_names[BF_NFEATURES] = {
	"bio_count", "bio_iops", "bio_bytes_per_s", "bio_size_mean",
	"bio_read_ratio", "bio_write_ratio", "bio_discard_ratio", "bio_flush_ratio",
	"bio_sync_ratio", "bio_seq_ratio", "bio_lat_p50_ms", "bio_lat_p95_ms",
	"bio_lat_p99_ms", "bio_lat_max_ms", "bio_queue_mean_ms", "bio_queue_p95_ms",
	"bio_issuers", "bio_disks",
};

void bf_acc_init(struct bf_acc *a)
{
	memset(a, 0, sizeof(*a));
}

void bf_acc_reset(struct bf_acc *a)
{
	struct bf_vec lat = a->lat, queue = a->queue;
	struct hash_set issuers = a->issuers, disks = a->disks;

	lat.n = queue.n = 0;
	hash_set_clear(&issuers);
	hash_set_clear(&disks);
	/* Continuity carries over windows: the first request of a window may follow the last
	 * one of the previous window. */
	struct bf_last last[BF_MAX_DISKS];
	size_t nlast = a->nlast;
	memcpy(last, a->last, sizeof(last));
	memset(a, 0, sizeof(*a));
	a->lat = lat;
	a->queue = queue;
	a->issuers = issuers;
	a->disks = disks;
	memcpy(a->last, last, sizeof(last));
	a->nlast = nlast;
}

void bf_acc_fini(struct bf_acc *a)
{
	free(a->lat.v);
	free(a->queue.v);
	hash_set_free(&a->issuers);
	hash_set_free(&a->disks);
	memset(a, 0, sizeof(*a));
}

static int push(struct bf_vec *v, double x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		double *p = realloc(v->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

/* Judge continuity against the previous request on the same disk and remember this one's
 * end; the least recently seen disk is forgotten when more than BF_MAX_DISKS are active. */
static void continuity(struct bf_acc *a, uint64_t disk, uint64_t sector, uint64_t bytes)
{
	uint64_t end = sector + (bytes + 511) / 512;
	size_t i;

	for (i = 0; i < a->nlast && a->last[i].disk != disk; i++)
		;
	if (i < a->nlast) {
		uint64_t prev = a->last[i].end;
		uint64_t gap = sector > prev ? sector - prev : prev - sector;
		a->seq_known++;
		a->seq += gap <= BF_SEQ_GAP;
	} else if (a->nlast < BF_MAX_DISKS) {
		i = a->nlast++;
	} else {
		i = BF_MAX_DISKS - 1;
	}
	/* most recent first */
	memmove(&a->last[1], &a->last[0], i * sizeof(a->last[0]));
	a->last[0].disk = disk;
	a->last[0].end = end;
}

int bf_add(struct bf_acc *a, const struct anomon_bio *b)
{
	const char *rwbs = (b->present & ANOMON_BIO_RWBS) ? b->rwbs : "";
	size_t rlen = strnlen(rwbs, sizeof(b->rwbs));
	uint64_t disk = (b->present & ANOMON_BIO_DISK)
				? hash_bytes(b->disk, strnlen(b->disk, sizeof(b->disk))) : 0;

	a->count++;
	if (b->present & ANOMON_BIO_BYTES)
		a->bytes += b->bytes;
	a->reads += memchr(rwbs, 'R', rlen) != NULL;
	a->writes += memchr(rwbs, 'W', rlen) != NULL;
	a->discards += memchr(rwbs, 'D', rlen) != NULL;
	a->flushes += rlen > 0 && rwbs[0] == 'F';
	a->syncs += memchr(rwbs, 'S', rlen) != NULL;
	if (b->present & ANOMON_BIO_SECTOR)
		continuity(a, disk, b->sector, (b->present & ANOMON_BIO_BYTES) ? b->bytes : 0);
	if ((b->present & ANOMON_BIO_SERVICE) && push(&a->lat, b->service_ns / 1e6))
		return -ENOMEM;
	if (b->present & ANOMON_BIO_QUEUE) {
		a->queue_sum += b->queue_ns / 1e6;
		if (push(&a->queue, b->queue_ns / 1e6))
			return -ENOMEM;
	}
	if (((b->present & ANOMON_BIO_PID) && hash_set_add(&a->issuers, hash_bytes(&b->pid, sizeof(b->pid))) < 0) ||
	    hash_set_add(&a->disks, disk) < 0)
		return -ENOMEM;
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

double bf_percentile(const double *sorted, size_t n, double pct)
{
	if (n == 0)
		return 0.0;
	size_t rank = (size_t)ceil(pct / 100.0 * (double)n);
	return sorted[rank ? rank - 1 : 0];
}

void bf_compute(struct bf_acc *a, double seconds, double *out)
{
	double n = a->count ? (double)a->count : 1.0; /* an empty window gives zeros */
	size_t k = 0;

	/* qsort's base must not be NULL even for no elements (a window without latencies). */
	if (a->lat.n)
		qsort(a->lat.v, a->lat.n, sizeof(double), cmp_double);
	if (a->queue.n)
		qsort(a->queue.v, a->queue.n, sizeof(double), cmp_double);
	out[k++] = (double)a->count;
	out[k++] = seconds > 0 ? a->count / seconds : 0.0;
	out[k++] = seconds > 0 ? a->bytes / seconds : 0.0;
	out[k++] = a->bytes / n;
	out[k++] = a->reads / n;
	out[k++] = a->writes / n;
	out[k++] = a->discards / n;
	out[k++] = a->flushes / n;
	out[k++] = a->syncs / n;
	out[k++] = a->seq_known ? (double)a->seq / a->seq_known : 0.0;
	out[k++] = bf_percentile(a->lat.v, a->lat.n, 50);
	out[k++] = bf_percentile(a->lat.v, a->lat.n, 95);
	out[k++] = bf_percentile(a->lat.v, a->lat.n, 99);
	out[k++] = a->lat.n ? a->lat.v[a->lat.n - 1] : 0.0;
	out[k++] = a->queue.n ? a->queue_sum / a->queue.n : 0.0;
	out[k++] = bf_percentile(a->queue.v, a->queue.n, 95);
	out[k++] = (double)a->issuers.n;
	out[k++] = (double)a->disks.n;
}

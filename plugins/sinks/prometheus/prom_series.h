/* The prometheus sink's series: the last verdict per key and model, grouped by key, found
 * through a hash index and ordered by when each key was last updated, so that the bound
 * (max_series) evicts the least recently updated key with all its series, and a time to live
 * expires keys no verdict updated for a while. Host-free: the caller passes the time. */
#ifndef PROM_SERIES_H
#define PROM_SERIES_H

#include <stddef.h>
#include <stdint.h>

/* One key and model. */
struct prom_series {
	struct prom_series *next;  /* the key's next model */
	char *model;
	double score;
	int label;
	uint64_t end_ns;
	uint64_t verdicts[3];      /* by label: unjudged, normal, abnormal */
};

/* One key and all its series. */
struct prom_key {
	struct prom_key *hnext;          /* hash chain */
	struct prom_key *newer, *older;  /* recency list */
	char *key;
	struct prom_series *series;
	size_t n_series;
	uint64_t seen_ns;                /* last update */
};

struct prom_store {
	struct prom_key **index;
	size_t n_buckets, n_keys, n_series;
	size_t max_series;
	uint64_t ttl_ns;                 /* 0: keys never expire */
	struct prom_key *newest, *oldest;
	uint64_t evicted, expired;       /* series removed by the bound, by the time to live */
};

/* max_series >= 1. Returns 0 or -ENOMEM. */
int prom_store_init(struct prom_store *st, size_t max_series, uint64_t ttl_ns);
/* The series of key and model, made if new (evicting the least recently updated other keys
 * while the bound is reached) and its key marked as updated at now_ns. NULL with -ENOSPC in
 * *err when the key alone holds max_series series of other models, -ENOMEM when out of
 * memory. */
struct prom_series *prom_store_update(struct prom_store *st, const char *key, const char *model,
				      uint64_t now_ns, int *err);
/* Remove the keys not updated within ttl_ns before now_ns; returns the series removed. */
size_t prom_store_expire(struct prom_store *st, uint64_t now_ns);
void prom_store_free(struct prom_store *st);

#endif

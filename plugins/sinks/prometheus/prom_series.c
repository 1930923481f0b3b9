#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prom_series.h"

#define FIRST_BUCKETS 64

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int prom_store_init(struct prom_store *st, size_t max_series, uint64_t ttl_ns)
{
	memset(st, 0, sizeof(*st));
	st->index = calloc(FIRST_BUCKETS, sizeof(*st->index));
	if (!st->index)
		return -ENOMEM;
	st->n_buckets = FIRST_BUCKETS;
	st->max_series = max_series ? max_series : 1;
	st->ttl_ns = ttl_ns;
	return 0;
}

static struct prom_key **slot_of(struct prom_store *st, const char *key)
{
	return &st->index[hash(key) & (st->n_buckets - 1)];
}

/* Keep about one key per bucket; a failed resize only makes the chains longer. */
static void grow(struct prom_store *st)
{
	size_t n = st->n_buckets * 2;
	struct prom_key **index = calloc(n, sizeof(*index));
	if (!index)
		return;
	for (size_t b = 0; b < st->n_buckets; b++)
		while (st->index[b]) {
			struct prom_key *k = st->index[b];
			st->index[b] = k->hnext;
			struct prom_key **slot = &index[hash(k->key) & (n - 1)];
			k->hnext = *slot;
			*slot = k;
		}
	free(st->index);
	st->index = index;
	st->n_buckets = n;
}

static void unlink_recency(struct prom_store *st, struct prom_key *k)
{
	if (k->newer)
		k->newer->older = k->older;
	else
		st->newest = k->older;
	if (k->older)
		k->older->newer = k->newer;
	else
		st->oldest = k->newer;
	k->newer = k->older = NULL;
}

static void link_newest(struct prom_store *st, struct prom_key *k)
{
	k->older = st->newest;
	k->newer = NULL;
	if (st->newest)
		st->newest->newer = k;
	else
		st->oldest = k;
	st->newest = k;
}

static void free_key(struct prom_key *k)
{
	while (k->series) {
		struct prom_series *s = k->series;
		k->series = s->next;
		free(s->model);
		free(s);
	}
	free(k->key);
	free(k);
}

/* Remove a key and all its series; returns how many series went. */
static size_t remove_key(struct prom_store *st, struct prom_key *k)
{
	struct prom_key **p = slot_of(st, k->key);
	while (*p != k)
		p = &(*p)->hnext;
	*p = k->hnext;
	unlink_recency(st, k);
	size_t n = k->n_series;
	st->n_series -= n;
	st->n_keys--;
	free_key(k);
	return n;
}

static struct prom_key *find_key(struct prom_store *st, const char *key)
{
	for (struct prom_key *k = *slot_of(st, key); k; k = k->hnext)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

/* Evict the least recently updated keys other than `keep` until one more series fits. */
static void make_room(struct prom_store *st, const struct prom_key *keep)
{
	while (st->n_series >= st->max_series && st->oldest && st->oldest != keep)
		st->evicted += remove_key(st, st->oldest);
}

static struct prom_series *new_series(struct prom_key *k, const char *model)
{
	struct prom_series *s = calloc(1, sizeof(*s));
	if (!s || !(s->model = strdup(model))) {
		free(s);
		return NULL;
	}
	/* Appended, so a key's models keep the order they first came in. */
	struct prom_series **tail = &k->series;
	while (*tail)
		tail = &(*tail)->next;
	*tail = s;
	k->n_series++;
	return s;
}

struct prom_series *prom_store_update(struct prom_store *st, const char *key, const char *model,
				      uint64_t now_ns, int *err)
{
	struct prom_key *k = find_key(st, key);
	struct prom_series *s = NULL;
	if (k) {
		/* Most recent first, so that it is never the one evicted for its own model. */
		unlink_recency(st, k);
		link_newest(st, k);
		k->seen_ns = now_ns;
		for (s = k->series; s; s = s->next)
			if (!strcmp(s->model, model))
				return s;
		make_room(st, k);
		if (st->n_series >= st->max_series) {
			*err = -ENOSPC;
			return NULL;
		}
		if (!(s = new_series(k, model))) {
			*err = -ENOMEM;
			return NULL;
		}
		st->n_series++;
		return s;
	}
	make_room(st, NULL);
	k = calloc(1, sizeof(*k));
	if (!k || !(k->key = strdup(key)) || !(s = new_series(k, model))) {
		if (k)
			free_key(k);
		*err = -ENOMEM;
		return NULL;
	}
	k->seen_ns = now_ns;
	if (st->n_keys >= st->n_buckets)
		grow(st);
	struct prom_key **slot = slot_of(st, key);
	k->hnext = *slot;
	*slot = k;
	link_newest(st, k);
	st->n_keys++;
	st->n_series++;
	return s;
}

size_t prom_store_expire(struct prom_store *st, uint64_t now_ns)
{
	size_t n = 0;
	/* The oldest key is the least recently updated: stop at the first one still fresh. */
	while (st->ttl_ns && st->oldest && now_ns >= st->oldest->seen_ns &&
	       now_ns - st->oldest->seen_ns >= st->ttl_ns)
		n += remove_key(st, st->oldest);
	st->expired += n;
	return n;
}

void prom_store_free(struct prom_store *st)
{
	while (st->oldest)
		remove_key(st, st->oldest);
	free(st->index);
	memset(st, 0, sizeof(*st));
}

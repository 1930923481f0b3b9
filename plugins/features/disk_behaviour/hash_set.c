// SPDX-License-Identifier: MIT
/* hash_set: open addressing over 64-bit hashes (see the header). */
#include "hash_set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

uint64_t hash_bytes_and_prefix(const void *p, size_t len, size_t plen, uint64_t *prefix)
{
	const unsigned char *b = p;
	uint64_t h = *prefix = hash_bytes(p, plen);
	for (size_t i = plen; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void put(uint64_t *v, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);
	while (v[i] && v[i] != h)
		i = (i + 1) & (cap - 1);
	v[i] = h;
}

int hash_set_add(struct hash_set *s, uint64_t h)
{
	if (h == 0)
		h = 1;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *v = calloc(cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				put(v, cap, s->v[i]);
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	size_t i = (size_t)(h ^ (h >> 29)) & (s->cap - 1);
	while (s->v[i]) {
		if (s->v[i] == h)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->v[i] = h;
	s->n++;
	return 1;
}

void hash_set_clear(struct hash_set *s)
{
	if (s->v)
		memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
}

void hash_set_free(struct hash_set *s)
{
	free(s->v);
	s->v = NULL;
	s->cap = s->n = 0;
}

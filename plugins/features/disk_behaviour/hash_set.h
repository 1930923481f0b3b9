/* SPDX-License-Identifier: MIT */
/*
 * hash_set — a set of 64-bit hashes, to count distinct paths, directories and processes in
 * a window without keeping the strings. Two different strings collide with probability
 * about n²/2⁶⁵: for a window of a million opens, one in ten million.
 */
#ifndef HASH_SET_H
#define HASH_SET_H

#include <stddef.h>
#include <stdint.h>

struct hash_set {
	uint64_t *v;     /* 0 marks an empty cell; the hash 0 is stored as 1 */
	size_t cap, n;
};

/* FNV-1a over len bytes. */
uint64_t hash_bytes(const void *p, size_t len);
/* hash_bytes of p, and in *prefix that of its first plen bytes (plen <= len), in one pass. */
uint64_t hash_bytes_and_prefix(const void *p, size_t len, size_t plen, uint64_t *prefix);

/* Add h; returns 1 if it was new, 0 if present, -ENOMEM. */
int hash_set_add(struct hash_set *s, uint64_t h);
/* Forget every member but keep the memory. */
void hash_set_clear(struct hash_set *s);
void hash_set_free(struct hash_set *s);

#endif

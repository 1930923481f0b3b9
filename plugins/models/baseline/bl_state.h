/* The baseline's state file: what every key has learnt, so that a restart does not forget.
 *
 * Binary, little-endian, ending with a CRC-32 of everything before it:
 *   "ANOMONBL"  u32 version (1)  u32 sketch capacity
 *   u32 n  then n feature names (u16 length, bytes)
 *   the host baseline as a key record with an empty name
 *   u32 keys  then the key records, from the most to the least recently seen
 *   u32 crc32
 * A key record: u16 name length, name, u64 first_ns, u64 last_ns, u64 epoch_ns, u32 learned,
 * u32 eligible, u32 profiled, u8 ready, n ranges (f32 low, high, tlow, thigh, unit) unless profiled is
 * 0xffffffff, then n sketches (u8 k, k f32 means, k f32 weights). What the model caches is
 * kept too, so that a restarted model judges exactly as the one that saved. */
#ifndef BL_STATE_H
#define BL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "bl_model.h"

/* Serialise into a malloc'ed buffer. */
int bl_state_encode(struct bl_model *m, uint8_t **buf, size_t *len);
/* Read a state into m, which must hold no key yet. On failure m may hold part of the file
 * (discard it) and err says what is wrong and where; `what` names the file in the message.
 * Keys beyond m's max_keys (the least recently seen) are left out. */
int bl_state_decode(struct bl_model *m, const uint8_t *buf, size_t len, const char *what,
		    char *err, size_t errlen);

/* Write atomically: a temporary file in the same directory, fsync, rename. The directory
 * is created when missing. */
int bl_state_save(struct bl_model *m, const char *path, char *err, size_t errlen);
/* Read path into m. Returns 1 when the file does not exist (nothing learnt yet), 0 when
 * read, a negative errno with err filled otherwise (-EINVAL: not a usable state file). */
int bl_state_load(struct bl_model *m, const char *path, char *err, size_t errlen);

#endif

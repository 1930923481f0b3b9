/* Tokens and numbers shared by the line parsers. */
#ifndef REPLAY_LEX_H
#define REPLAY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_MAX_TOKENS 64

struct replay_tok {
	size_t off, len;
};

static inline bool replay_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Split at blanks into at most REPLAY_MAX_TOKENS tokens; returns how many. A line with more
 * returns REPLAY_MAX_TOKENS, which the parsers refuse (no layout has that many columns). */
size_t replay_tokenize(const char *s, size_t len, struct replay_tok *t);

/* Unsigned decimal integers, refusing signs, overflow and anything but digits. */
int replay_parse_u64(const char *s, size_t len, uint64_t *out);
int replay_parse_u32(const char *s, size_t len, uint32_t *out);
/* A signed 32-bit decimal integer ("-1"). */
int replay_parse_i32(const char *s, size_t len, int32_t *out);

/* Copy at most cap - 1 bytes and terminate. */
void replay_copy_field(char *dst, size_t cap, const char *src, size_t len);

/* Set *col (1-based, from a 0-based offset) and *what; returns -EINVAL. */
int replay_parse_fail(size_t *col, const char **what, size_t off, const char *msg);

#endif

/* Tokens and numbers shared by the line parsers. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "replay.h"
#include "replay_lex.h"

size_t replay_tokenize(const char *s, size_t len, struct replay_tok *t)
{
	size_t n = 0, i = 0;
	while (i < len && n < REPLAY_MAX_TOKENS) {
		while (i < len && replay_is_space(s[i]))
			i++;
		if (i == len)
			break;
		t[n].off = i;
		while (i < len && !replay_is_space(s[i]))
			i++;
		t[n].len = i - t[n].off;
		n++;
	}
	return n;
}

int replay_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int replay_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;
	if (replay_parse_u64(s, len, &v) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int replay_parse_i32(const char *s, size_t len, int32_t *out)
{
	bool neg = len > 0 && s[0] == '-';
	uint64_t v;
	if (replay_parse_u64(s + neg, len - neg, &v) || v > (uint64_t)INT32_MAX + neg)
		return -EINVAL;
	*out = neg ? (int32_t)-(int64_t)v : (int32_t)v;
	return 0;
}

int replay_parse_decimal_ns(const char *s, size_t len, uint64_t unit_ns, uint64_t *out)
{
	size_t dot = 0;
	while (dot < len && s[dot] != '.')
		dot++;
	uint64_t whole, frac = 0, scale = unit_ns;
	if (replay_parse_u64(s, dot, &whole) || whole > UINT64_MAX / unit_ns)
		return -EINVAL;
	if (dot < len) {
		if (dot + 1 == len)
			return -EINVAL;
		/* Digits beyond nanosecond precision are checked but ignored. */
		for (size_t i = dot + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			if (scale >= 10) {
				scale /= 10;
				frac += (uint64_t)(s[i] - '0') * scale;
			}
		}
	}
	if (whole * unit_ns > UINT64_MAX - frac)
		return -EINVAL;
	*out = whole * unit_ns + frac;
	return 0;
}

void replay_copy_field(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int replay_parse_fail(size_t *col, const char **what, size_t off, const char *msg)
{
	*col = off + 1;
	*what = msg;
	return -EINVAL;
}

/* The `start` parameter: when the replayed trace began, as wall-clock time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "replay.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); 't' and ' ' also separate. */
static int parse_rfc3339(const char *s, uint64_t *out_ns)
{
	size_t len = strlen(s);
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	if (len < 20 || s[4] != '-' || s[7] != '-' || !strchr("Tt ", s[10]) || s[13] != ':' ||
	    s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
		return -EINVAL;
	size_t i = 19, f = i;
	uint64_t frac = 0;
	if (s[i] == '.') {
		for (f = ++i; s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == f)
			return -EINVAL;
		uint64_t scale = 1000000000ull;
		for (size_t k = f; k < i && scale > 1; k++) {
			scale /= 10;
			frac += (uint64_t)(s[k] - '0') * scale;
		}
	}
	int sign = 0;
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
		sign = 0;
	} else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 && s[i + 3] == ':' &&
		   !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om) && oh < 24 && om < 60) {
		sign = s[i] == '+' ? 1 : -1;
	} else {
		return -EINVAL;
	}
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse dates that do not exist. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	int64_t secs = (int64_t)t - sign * (int64_t)(oh * 3600 + om * 60);
	if (secs < 0)
		return -EINVAL;
	*out_ns = (uint64_t)secs * 1000000000ull + frac;
	return 0;
}

int replay_parse_start(const char *s, uint64_t *out_ns)
{
	if (!s || !*s || !strcmp(s, "now"))
		return -EAGAIN;
	size_t len = strlen(s);
	if (strspn(s, "0123456789.") == len)
		return replay_parse_decimal_ns(s, len, 1000000000ull, out_ns);
	return parse_rfc3339(s, out_ns);
}

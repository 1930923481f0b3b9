/* runqlen histograms as bpftrace prints lhist(len, 0, N, 1): "@runqlen:" then one line per
 * non-empty bucket "[lo, hi)  count |@@@|". bpftrace leaves out empty buckets at both ends,
 * so a bucket's run-queue length is its lo, never its position. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_lex.h"
#include "replay_reader.h"

/* A bucket bound: an integer with an optional K/M/G/T suffix (powers of 1024, as bpftrace
 * prints large bounds). */
static int parse_bound(const char *s, size_t len, uint64_t *out)
{
	static const char suffix[] = "KMGT";
	unsigned shift = 0;
	const char *p = len ? memchr(suffix, s[len - 1], 4) : NULL;
	if (p) {
		shift = 10 * (unsigned)(p - suffix + 1);
		len--;
	}
	uint64_t v;
	if (replay_parse_u64(s, len, &v) || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int replay_parse_bucket(const char *line, size_t len, int64_t *lo, uint64_t *hi,
			uint64_t *count, size_t *col, const char **what)
{
	size_t i = 0, j;
	while (i < len && replay_is_space(line[i]))
		i++;
	const char *close = i < len ? memchr(line + i, ')', len - i) : NULL;
	if (i == len || (line[i] != '[' && line[i] != '(') || !close)
		return replay_parse_fail(col, what, i, "a histogram bucket \"[lo, hi)\"");
	size_t end = (size_t)(close - line);
	const char *comma = memchr(line + i, ',', end - i);
	if (!comma)
		return replay_parse_fail(col, what, end, "\", hi)\" closing the bucket");
	size_t a = i + 1, a_end = (size_t)(comma - line), b = a_end + 1;
	while (b < end && replay_is_space(line[b]))
		b++;
	if (line[i] == '(') {
		/* "(..., lo)": values below the histogram's minimum. */
		uint64_t v;
		if (a_end - a != 3 || memcmp(line + a, "...", 3) || parse_bound(line + b, end - b, &v))
			return replay_parse_fail(col, what, a, "\"(..., lo)\"");
		*lo = -1;
		*hi = v;
	} else {
		uint64_t v;
		if (parse_bound(line + a, a_end - a, &v) || v > INT64_MAX)
			return replay_parse_fail(col, what, a,
						 "the bucket's lower bound, an integer");
		*lo = (int64_t)v;
		if (end - b == 3 && !memcmp(line + b, "...", 3))
			*hi = UINT64_MAX;
		else if (parse_bound(line + b, end - b, hi) || *hi <= v)
			return replay_parse_fail(col, what, b,
						 "the bucket's upper bound, above its lower bound");
	}
	for (j = end + 1; j < len && replay_is_space(line[j]); j++)
		;
	size_t c = j;
	while (j < len && !replay_is_space(line[j]))
		j++;
	if (replay_parse_u64(line + c, j - c, count))
		return replay_parse_fail(col, what, c, "the bucket's count, an integer");
	while (j < len && replay_is_space(line[j]))
		j++;
	if (j < len && line[j] != '|')
		return replay_parse_fail(col, what, j, "the end of the line or a bar \"|@@@|\"");
	return 0;
}

int replay_hist_init(struct replay_hist_acc *h, uint32_t nbins)
{
	memset(h, 0, sizeof(*h));
	h->nbins = nbins ? nbins : 1;
	h->bins = calloc(h->nbins, sizeof(*h->bins));
	return h->bins ? 0 : -ENOMEM;
}

void replay_hist_free(struct replay_hist_acc *h)
{
	free(h->bins);
	h->bins = NULL;
}

void replay_hist_discard(struct replay_hist_acc *h)
{
	h->open = false;
	memset(h->bins, 0, h->nbins * sizeof(*h->bins));
	h->overflow = h->samples = 0;
}

void replay_hist_begin(struct replay_hist_acc *h, unsigned long line)
{
	replay_hist_discard(h);
	h->open = true;
	h->line = line;
}

/* Counts come from text: a hostile log may overflow them; saturate rather than wrap. */
static void add_sat(uint64_t *a, uint64_t b)
{
	*a = *a > UINT64_MAX - b ? UINT64_MAX : *a + b;
}

int replay_hist_bucket(struct replay_hist_acc *h, const char *line, size_t len, size_t *col,
		       const char **why, char *whybuf, size_t whycap)
{
	int64_t lo;
	uint64_t hi, count;
	if (replay_parse_bucket(line, len, &lo, &hi, &count, col, why))
		return -EINVAL;
	if (lo < 0) {
		/* Below lhist's minimum of 0: a negative run-queue length is an empty queue. */
		add_sat(&h->bins[0], count);
	} else if ((uint64_t)lo >= h->nbins || hi == UINT64_MAX) {
		add_sat(&h->overflow, count);
	} else if (hi - (uint64_t)lo != 1) {
		snprintf(whybuf, whycap, "buckets of width 1, as lhist(len, 0, N, 1) prints them; "
			 "this one spans %lld to %llu", (long long)lo, (unsigned long long)hi);
		*why = whybuf;
		*col = 1;
		return -EINVAL;
	} else {
		/* Out of order or repeated buckets add up: a bin is its value, not its place. */
		add_sat(&h->bins[lo], count);
	}
	add_sat(&h->samples, count);
	return 0;
}

int replay_hist_flush(struct replay_hist_acc *h, replay_rec_cb cb, void *arg)
{
	if (!h->open)
		return 0;
	struct replay_rec rec = {.kind = REPLAY_REC_HIST, .line = h->line, .run = h->emitted++};
	rec.hist = (struct anomon_runq_hist){
		.source = ANOMON_RUNQ_HOST, .cpu = -1, .nbins = h->nbins, .bins = h->bins,
		.overflow = h->overflow, .samples = h->samples,
	};
	h->open = false;
	int err = cb(arg, &rec);
	replay_hist_discard(h);
	return err;
}

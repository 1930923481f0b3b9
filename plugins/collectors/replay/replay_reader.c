/* Reads recorded bpftrace/bcc logs line by line: recognises banners, headers and histogram
 * blocks, hands each complete record to a callback, and rejects a line that fits nothing
 * with a message, staying ready for the next one. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_reader.h"

struct replay_reader *replay_reader_new(const struct replay_reader_opts *opts, const char *name)
{
	struct replay_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->o = *opts;
	r->section = opts->format;
	r->name = strdup(name);
	if (!r->name || replay_hist_init(&r->hist, opts->nbins)) {
		replay_reader_free(r);
		return NULL;
	}
	return r;
}

void replay_reader_free(struct replay_reader *r)
{
	if (!r)
		return;
	free(r->name);
	replay_hist_free(&r->hist);
	free(r->csv_map);
	free(r);
}

int replay_fail(struct replay_reader *r, size_t col, const char *fmt, ...)
{
	int n = col ? snprintf(r->err, sizeof(r->err), "%s:%lu:%zu: ", r->name, r->line, col)
		    : snprintf(r->err, sizeof(r->err), "%s:%lu: ", r->name, r->line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(r->err))
		vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->parse_failed = true;
	return -EINVAL;
}

void replay_detected(struct replay_reader *r, enum replay_format f, const char *how)
{
	if (r->section == f && r->det.detections)
		return;
	r->section = f;
	r->det.detections++;
	r->det.line = r->line;
	r->det.how = how;
}

/* "@name:" alone starts a histogram; "@name[key]: value" and "@name: value" are maps that
 * bpftrace prints at exit, which carry nothing to replay. */
static int map_line(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		    void *arg)
{
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return replay_fail(r, 1, "expected \"@name:\" before a histogram");
	size_t rest = (size_t)(colon - line) + 1;
	while (rest < len && (line[rest] == ' ' || line[rest] == '\t'))
		rest++;
	if (rest < len)
		return 0;
	if (memchr(line, '[', (size_t)(colon - line)))
		return replay_fail(r, 1, "expected an unkeyed histogram such as \"@runqlen:\"; "
				   "keyed histograms cannot be told apart");
	if (r->o.format != REPLAY_FMT_AUTO && r->o.format != REPLAY_FMT_RUNQLEN)
		return replay_fail(r, 1, "expected a %s line, not a histogram (format auto "
				   "reads mixed logs)", replay_format_name(r->o.format));
	int err = replay_hist_flush(&r->hist, cb, arg);
	if (r->section == REPLAY_FMT_AUTO)
		replay_detected(r, REPLAY_FMT_RUNQLEN, "histogram");
	replay_hist_begin(&r->hist, r->line);
	return err;
}

static int data_line(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		     void *arg)
{
	struct replay_rec rec;
	size_t col;
	const char *what;
	int err;
	/* In auto mode a log without headers is read as the layout its first line fits. */
	if (r->o.format == REPLAY_FMT_AUTO &&
	    (r->section == REPLAY_FMT_AUTO || r->section == REPLAY_FMT_RUNQLEN)) {
		bool timed;
		enum replay_format f = replay_guess_format(line, len, &timed);
		if (f != REPLAY_FMT_AUTO) {
			r->open_timed = timed;
			replay_detected(r, f, "data line");
		}
	}
	switch (r->section) {
	case REPLAY_FMT_OPENSNOOP:
		err = replay_parse_open(line, len, r->open_timed, &rec, &col, &what);
		break;
	case REPLAY_FMT_BIOSNOOP:
		err = replay_parse_bio(line, len, &rec, &col, &what);
		break;
	case REPLAY_FMT_BIOSNOOP5:
		err = replay_parse_bio5(line, len, &rec, &col, &what);
		break;
	case REPLAY_FMT_RUNQLEN:
		return replay_fail(r, 1, "expected a histogram \"@runqlen:\" or one of its "
				   "buckets \"[lo, hi) count\"");
	default:
		return replay_fail(r, 1, "expected a header (\"PID COMM FD ERR PATH\", \"TIME(s) "
				   "COMM PID DISK T SECTOR BYTES LAT(ms)\" or \"TIME(ms) COMM DISK "
				   "PID LAT(ms)\"), a histogram, or a line of one of those layouts");
	}
	if (err)
		return replay_fail(r, col, "expected %s", what);
	rec.line = r->line;
	return cb(arg, &rec);
}

static int log_line(struct replay_reader *r, const char *line, size_t len, size_t lead,
		    replay_rec_cb cb, void *arg)
{
	if (r->hist.open) {
		if (line[lead] == '[' || line[lead] == '(') {
			size_t col;
			const char *why;
			char buf[160];
			if (!replay_hist_bucket(&r->hist, line, len, &col, &why, buf, sizeof(buf)))
				return 0;
			replay_hist_discard(&r->hist);
			return replay_fail(r, col, "expected %s; the histogram is dropped", why);
		}
		int err = replay_hist_flush(&r->hist, cb, arg);
		if (err)
			return err;
	}
	if (line[0] == '@')
		return map_line(r, line, len, cb, arg);
	uint64_t lost;
	if (replay_parse_lost(line, len, &lost)) {
		struct replay_rec rec = {.kind = REPLAY_REC_LOST, .line = r->line, .lost = lost};
		return cb(arg, &rec);
	}
	if (replay_is_noise(line, len))
		return 0;
	enum replay_header h = replay_parse_header(line, len);
	if (h != REPLAY_HDR_NONE) {
		enum replay_format f = replay_header_format(h);
		if (r->o.format != REPLAY_FMT_AUTO && r->o.format != f)
			return replay_fail(r, 1, "expected a %s log, found a %s header (format auto "
					   "reads mixed logs)", replay_format_name(r->o.format),
					   replay_format_name(f));
		r->open_timed = h == REPLAY_HDR_OPEN_TIMED;
		replay_detected(r, f, "header");
		return 0;
	}
	return data_line(r, line, len, cb, arg);
}

int replay_reader_feed(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		       void *arg)
{
	if (len && line[len - 1] == '\r')
		len--;
	r->line++;
	r->parse_failed = false;
	size_t lead = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	if (lead == len) {
		/* A blank line ends a histogram; datasets skip it. */
		return r->section == REPLAY_FMT_CSV || r->section == REPLAY_FMT_JSONL
			       ? 0 : replay_hist_flush(&r->hist, cb, arg);
	}
	/* CSV and JSONL are recognised from the first line that is not blank. */
	if (!r->seen_data && r->o.format == REPLAY_FMT_AUTO) {
		if (line[0] == '{')
			replay_detected(r, REPLAY_FMT_JSONL, "first line");
		else if ((len >= 6 && !memcmp(line, "label,", 6)) ||
			 (len >= 8 && !memcmp(line, "runqlen_", 8)))
			replay_detected(r, REPLAY_FMT_CSV, "first line");
	}
	r->seen_data = true;
	int err;
	if (r->section == REPLAY_FMT_CSV)
		err = r->csv_map ? replay_csv_row(r, line, len, cb, arg)
				 : replay_csv_header(r, line, len);
	else if (r->section == REPLAY_FMT_JSONL)
		err = replay_jsonl_line(r, line, len, cb, arg);
	else
		err = log_line(r, line, len, lead, cb, arg);
	if (err == -EINVAL && !r->parse_failed)
		return -ECANCELED; /* a callback's -EINVAL is not the line's fault */
	return err;
}

int replay_reader_reject(struct replay_reader *r, const char *why)
{
	r->line++;
	replay_hist_discard(&r->hist);
	return replay_fail(r, 1, "%s", why);
}

int replay_reader_finish(struct replay_reader *r, replay_rec_cb cb, void *arg)
{
	return replay_hist_flush(&r->hist, cb, arg);
}

void replay_reader_restart(struct replay_reader *r)
{
	replay_hist_discard(&r->hist);
	r->line = 0;
}

const char *replay_reader_error(const struct replay_reader *r)
{
	return r->err;
}

unsigned long replay_reader_line(const struct replay_reader *r)
{
	return r->line;
}

enum replay_format replay_reader_format(const struct replay_reader *r)
{
	return r->section;
}

void replay_reader_detection(const struct replay_reader *r, struct replay_detection *d)
{
	*d = r->det;
}

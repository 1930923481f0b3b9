/* The labelled datasets the original tool trained on, replayed as runs: a CSV of histograms
 * (label,runqlen_0,...) and JSONL opensnoop snippets ({"label": 0/1, "log": "..."}). The
 * `label` option keeps one class, so that a dataset sink can record each class apart. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "replay_reader.h"

#define CSV_LABEL (-1)
#define CSV_OVERFLOW (-2)

/* Field i of a comma-separated line: its offset and length. Returns the number of fields. */
static size_t csv_split(const char *line, size_t len, size_t *off, size_t *flen, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ',')
			continue;
		if (n < max) {
			off[n] = start;
			flen[n] = i - start;
		}
		n++;
		start = i + 1;
	}
	return n;
}

static int parse_count(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 19)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int replay_csv_header(struct replay_reader *r, const char *line, size_t len)
{
	size_t n = csv_split(line, len, NULL, NULL, 0);
	size_t *off = calloc(n, sizeof(*off)), *flen = calloc(n, sizeof(*flen));
	r->csv_map = calloc(n, sizeof(*r->csv_map));
	if (!off || !flen || !r->csv_map) {
		free(off);
		free(flen);
		return -ENOMEM;
	}
	csv_split(line, len, off, flen, n);
	bool has_label = false;
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		const char *f = line + off[i];
		uint64_t k;
		if (flen[i] == 5 && !memcmp(f, "label", 5) && !has_label) {
			r->csv_map[i] = CSV_LABEL;
			has_label = true;
		} else if (flen[i] > 8 && !memcmp(f, "runqlen_", 8) &&
			   !parse_count(f + 8, flen[i] - 8, &k)) {
			r->csv_map[i] = k < r->hist.nbins ? (int32_t)k : CSV_OVERFLOW;
		} else {
			err = replay_fail(r, off[i] + 1, "expected a column \"label\" or "
					  "\"runqlen_N\" (N the run-queue length)");
		}
	}
	if (!err && r->o.label >= 0 && !has_label)
		err = replay_fail(r, 1, "expected a \"label\" column: the label option selects rows "
				  "by it");
	free(off);
	free(flen);
	if (err) {
		free(r->csv_map);
		r->csv_map = NULL;
		return err;
	}
	r->csv_cols = n;
	return 0;
}

int replay_csv_row(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		   void *arg)
{
	size_t off[1024], flen[1024];
	size_t n = csv_split(line, len, off, flen, 1024);
	if (n != r->csv_cols || n > 1024)
		return replay_fail(r, 0, "expected %zu comma-separated fields as in the header, "
				   "found %zu", r->csv_cols, n);
	memset(r->hist.bins, 0, r->hist.nbins * sizeof(*r->hist.bins));
	uint64_t overflow = 0, samples = 0, v;
	int label = -1;
	for (size_t i = 0; i < n; i++) {
		if (parse_count(line + off[i], flen[i], &v))
			return replay_fail(r, off[i] + 1, "expected a non-negative integer");
		if (r->csv_map[i] == CSV_LABEL) {
			if (v > 1)
				return replay_fail(r, off[i] + 1, "expected a label, 0 or 1");
			label = (int)v;
			continue;
		}
		if (r->csv_map[i] == CSV_OVERFLOW)
			overflow += v;
		else
			r->hist.bins[r->csv_map[i]] += v;
		samples += v;
	}
	if (r->o.label >= 0 && label != r->o.label)
		return 0;
	struct replay_rec rec = {.kind = REPLAY_REC_HIST, .line = r->line, .run = r->csv_rows++};
	rec.hist = (struct anomon_runq_hist){
		.source = ANOMON_RUNQ_HOST, .cpu = -1, .nbins = r->hist.nbins, .bins = r->hist.bins,
		.overflow = overflow, .samples = samples,
	};
	return cb(arg, &rec);
}

/* Parse one line of a snippet; blank, header and banner lines yield nothing (returns 1). */
static int snippet_line(const char *line, size_t len, struct replay_rec *rec, size_t *col,
			const char **what)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len || replay_is_noise(line + i, len - i) ||
	    (len - i >= 3 && !memcmp(line + i, "PID", 3)))
		return 1;
	return replay_parse_open(line, len, false, rec, col, what);
}

int replay_jsonl_line(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		      void *arg)
{
	json_error_t jerr;
	json_t *obj = json_loadb(line, len, 0, &jerr);
	if (!obj)
		return replay_fail(r, (size_t)jerr.column > 0 ? (size_t)jerr.column : 1,
				   "expected a JSON object {\"label\": 0 or 1, \"log\": \"...\"}: %s",
				   jerr.text);
	int err = 0;
	json_t *log = json_object_get(obj, "log"), *label = json_object_get(obj, "label");
	if (!json_is_object(obj) || !json_is_string(log)) {
		err = replay_fail(r, 1, "expected an object with a string \"log\"");
		goto out;
	}
	if (label && !(json_is_integer(label) && json_integer_value(label) >= 0 &&
		       json_integer_value(label) <= 1)) {
		err = replay_fail(r, 1, "expected \"label\" to be 0 or 1");
		goto out;
	}
	if (r->o.label >= 0 && (!label || json_integer_value(label) != r->o.label))
		goto out;

	const char *text = json_string_value(log);
	size_t tlen = json_string_length(log);
	struct replay_rec rec;
	size_t col;
	const char *what;
	/* Two passes: the first validates and counts the opens, so that the second can say
	 * how many there are (untimed opens are spread over the run). */
	uint64_t nseq = 0, run = r->snippets;
	for (int pass = 0; pass < 2 && !err; pass++) {
		uint64_t seq = 0, k = 0;
		for (size_t p = 0; p <= tlen && !err; k++) {
			const char *nl = memchr(text + p, '\n', tlen - p);
			size_t e = nl ? (size_t)(nl - text) : tlen;
			int rc = snippet_line(text + p, e - p, &rec, &col, &what);
			if (rc < 0) {
				err = replay_fail(r, 0, "\"log\" line %llu, column %zu: expected %s",
						  (unsigned long long)k + 1, col, what);
			} else if (rc == 0 && pass == 0) {
				nseq++;
			} else if (rc == 0) {
				rec.line = r->line;
				rec.run = run;
				rec.seq = seq++;
				rec.nseq = nseq;
				err = cb(arg, &rec);
			}
			p = e + 1;
		}
	}
	if (!err)
		r->snippets++;
out:
	json_decref(obj);
	return err;
}

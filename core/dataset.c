#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <openssl/sha.h>

#include "dataset.h"

struct reader {
	struct dataset *ds;
	const char *path;
	char *err;
	size_t errlen;
	size_t cap;       /* rows ds->x and ds->y have room for */
	size_t added;     /* rows this file added */
};

static int fail(struct reader *r, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (line && col)
		off = snprintf(r->err, r->errlen, "%s:%zu:%zu: ", r->path, line, col);
	else if (line)
		off = snprintf(r->err, r->errlen, "%s:%zu: ", r->path, line);
	else
		off = snprintf(r->err, r->errlen, "%s: ", r->path);
	if (off < 0 || (size_t)off >= r->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(r->err + off, r->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The data files' fingerprints in a model's metadata. */
void dataset_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- shared row storage ---- */

static int set_names(struct reader *r, size_t line, size_t n, char **names)
{
	struct dataset *ds = r->ds;

	if (!ds->names) {
		ds->cols = n;
		ds->names = names;
		return 0;
	}
	/* A later file must describe the same features as the first. */
	const char *first = ds->n_files ? ds->files[0].path : "the first file";
	int rc = 0;

	if (n != ds->cols)
		rc = fail(r, line, 0, "%zu features, but %s has %zu", n, first,
			  ds->cols);
	for (size_t i = 0; !rc && i < n; i++)
		if (strcmp(names[i], ds->names[i]))
			rc = fail(r, line, 0, "feature %zu is \"%s\", but \"%s\" in %s", i,
				  names[i], ds->names[i], first);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Room for one more row; returns its values. */
static double *add_row(struct reader *r, int label)
{
	struct dataset *ds = r->ds;

	if (ds->rows == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		double *x = realloc(ds->x, cap * ds->cols * sizeof(double));

		if (!x)
			return NULL;
		ds->x = x;
		int *y = realloc(ds->y, cap * sizeof(int));
		if (!y)
			return NULL;
		ds->y = y;
		r->cap = cap;
	}
	ds->y[ds->rows] = label;
	r->added++;
	return ds->x + ds->rows++ * ds->cols;
}

/* "0", "1", "normal", "abnormal" (any case); -1 otherwise. */
static int parse_label(const char *s, size_t len)
{
	if (len == 1 && (s[0] == '0' || s[0] == '1'))
		return s[0] - '0';
	if (len == 6 && !strncasecmp(s, "normal", 6))
		return 0;
	if (len == 8 && !strncasecmp(s, "abnormal", 8))
		return 1;
	return -1;
}

/* ---- CSV ---- */

/* One field of a line: [*s, end), trimmed of blanks and of one pair of double quotes. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	if (*e - *s >= 2 && **s == '"' && (*e)[-1] == '"')
		(*s)++, (*e)--;
}

static int csv_header(struct reader *r, const char *s, const char *e, size_t *label_col,
		      size_t *fields)
{
	size_t n = 1, k = 0;
	char **names;
	int rc;

	for (const char *p = s; p < e; p++)
		n += *p == ',';
	names = calloc(n, sizeof(*names));
	if (!names)
		return -ENOMEM;
	*label_col = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		const char *fe = memchr(s, ',', e - s), *fs = s;

		if (!fe)
			fe = e;
		s = fe + 1;
		trim(&fs, &fe);
		if (fe - fs == 5 && !memcmp(fs, "label", 5)) {
			if (*label_col != SIZE_MAX) {
				rc = fail(r, 1, 0, "two \"label\" columns");
				goto fail;
			}
			*label_col = i;
			continue;
		}
		if (fe == fs) {
			rc = fail(r, 1, 0, "column %zu has no name", i + 1);
			goto fail;
		}
		names[k] = strndup(fs, fe - fs);
		if (!names[k]) {
			rc = -ENOMEM;
			goto fail;
		}
		for (size_t j = 0; j < k; j++)
			if (!strcmp(names[j], names[k])) {
				rc = fail(r, 1, 0, "column \"%s\" appears twice", names[k]);
				k++;
				goto fail;
			}
		k++;
	}
	if (*label_col == SIZE_MAX) {
		rc = fail(r, 1, 0, "no \"label\" column in the header (expected a column named "
			  "label holding 0/1 or normal/abnormal)");
		goto fail;
	}
	if (k == 0) {
		rc = fail(r, 1, 0, "no feature columns besides \"label\"");
		goto fail;
	}
	*fields = n;
	return set_names(r, 1, k, names);
fail:
	for (size_t j = 0; j < k; j++)
		free(names[j]);
	free(names);
	return rc;
}

static int csv_row(struct reader *r, size_t line, const char *s, const char *e,
		   size_t label_col, size_t fields)
{
	const char *start = s;
	size_t n = 1, k = 0;
	double *row;
	int label = -1;

	for (const char *p = s; p < e; p++)
		n += *p == ',';
	if (n != fields)
		return fail(r, line, 0, "expected %zu fields like the header, got %zu", fields, n);
	/* The label is needed before the row is stored, so find it first. */
	for (size_t i = 0; i < n; i++) {
		const char *fe = memchr(s, ',', e - s), *fs = s;

		if (!fe)
			fe = e;
		s = fe + 1;
		if (i != label_col)
			continue;
		trim(&fs, &fe);
		label = parse_label(fs, fe - fs);
		if (label < 0)
			return fail(r, line, (size_t)(fs - start) + 1,
				    "label: expected 0, 1, normal or abnormal, got \"%.*s\"",
				    (int)(fe - fs), fs);
	}
	row = add_row(r, label);
	if (!row)
		return -ENOMEM;
	s = start;
	for (size_t i = 0; i < n; i++) {
		const char *fe = memchr(s, ',', e - s), *fs = s;
		char buf[64], *end;
		double v;

		if (!fe)
			fe = e;
		s = fe + 1;
		if (i == label_col)
			continue;
		trim(&fs, &fe);
		if (fe == fs || (size_t)(fe - fs) >= sizeof(buf))
			goto bad;
		memcpy(buf, fs, fe - fs);
		buf[fe - fs] = '\0';
		errno = 0;
		v = strtod(buf, &end);
		if (*end || errno == ERANGE || !isfinite(v))
			goto bad;
		row[k++] = v;
		continue;
bad:
		r->ds->rows--;
		r->added--;
		return fail(r, line, (size_t)(fs - start) + 1,
			    "column \"%s\": expected a finite number, got \"%.*s\"",
			    r->ds->names[k], (int)(fe - fs), fs);
	}
	return 0;
}

static int read_csv(struct reader *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0, label_col = 0, fields = 0;
	bool header = false;
	int rc;

	while (p < end) {
		const char *e = memchr(p, '\n', end - p), *s = p, *t;

		if (!e)
			e = end;
		p = e + 1;
		line++;
		for (t = s; t < e && isspace((unsigned char)*t); t++)
			;
		if (t == e)
			continue; /* blank lines carry nothing */
		if (!header) {
			if (line != 1)
				return fail(r, line, 0, "the header must be the first line");
			rc = csv_header(r, s, e, &label_col, &fields);
			header = true;
		} else {
			rc = csv_row(r, line, s, e, label_col, fields);
		}
		if (rc)
			return rc;
	}
	if (!header)
		return fail(r, 0, 0, "empty file, expected a header line with a \"label\" column");
	return 0;
}

/* ---- JSONL ---- */

static int jsonl_line(struct reader *r, size_t line, const char *s, size_t len)
{
	json_error_t je;
	json_t *o = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je), *names, *values, *lab;
	char **nv = NULL;
	size_t n = 0;
	double *row;
	int label = -1, rc = 0;

	if (!o)
		return fail(r, line, je.column > 0 ? (size_t)je.column : 0, "%s", je.text);
	if (!json_is_object(o)) {
		rc = fail(r, line, 1, "expected a JSON object");
		goto out;
	}
	names = json_object_get(o, "names");
	values = json_object_get(o, "values");
	lab = json_object_get(o, "label");
	if (!json_is_array(names) || !json_is_array(values)) {
		rc = fail(r, line, 0, "expected arrays \"names\" and \"values\"");
		goto out;
	}
	n = json_array_size(names);
	if (n == 0 || json_array_size(values) != n) {
		rc = fail(r, line, 0, "expected as many values as names (at least one), got %zu "
			  "names and %zu values", n, json_array_size(values));
		goto out;
	}
	if (json_is_integer(lab) && (json_integer_value(lab) == 0 || json_integer_value(lab) == 1))
		label = (int)json_integer_value(lab);
	else if (json_is_string(lab))
		label = parse_label(json_string_value(lab), json_string_length(lab));
	if (label < 0) {
		rc = fail(r, line, 0, "label: expected 0, 1, \"normal\" or \"abnormal\"");
		goto out;
	}
	if (!r->ds->names || r->ds->cols != n) {
		nv = calloc(n, sizeof(*nv));
		if (!nv) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *v = json_array_get(names, i);

			if (!json_is_string(v) || !(nv[i] = strdup(json_string_value(v)))) {
				for (size_t j = 0; j < i; j++)
					free(nv[j]);
				free(nv);
				rc = json_is_string(v) ? -ENOMEM
						       : fail(r, line, 0, "names[%zu]: expected a string", i);
				goto out;
			}
		}
		rc = set_names(r, line, n, nv);
		if (rc)
			goto out;
	} else {
		/* Lines of a file usually share names; compare instead of copying. */
		for (size_t i = 0; i < n; i++) {
			json_t *v = json_array_get(names, i);

			if (!json_is_string(v) || strcmp(json_string_value(v), r->ds->names[i])) {
				rc = fail(r, line, 0, "names[%zu]: expected \"%s\" as on the lines "
					  "before", i, r->ds->names[i]);
				goto out;
			}
		}
	}
	row = add_row(r, label);
	if (!row) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(values, i);

		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			r->ds->rows--;
			r->added--;
			rc = fail(r, line, 0, "values[%zu] (\"%s\"): expected a finite number", i,
				  r->ds->names[i]);
			goto out;
		}
		row[i] = json_number_value(v);
	}
out:
	json_decref(o);
	return rc;
}

static int read_jsonl(struct reader *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	int rc;

	while (p < end) {
		const char *e = memchr(p, '\n', end - p), *s = p, *t;

		if (!e)
			e = end;
		p = e + 1;
		line++;
		for (t = s; t < e && isspace((unsigned char)*t); t++)
			;
		if (t == e)
			continue;
		rc = jsonl_line(r, line, s, e - s);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- files ---- */

static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = -EIO;
			break;
		}
	}
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

int dataset_load(struct dataset *ds, const char *path, char *err, size_t errlen)
{
	struct reader r = { ds, path, err, errlen, ds->rows, 0 };
	struct dataset_file *files;
	char *buf = NULL;
	size_t len = 0, first = ds->rows;
	bool jsonl;
	int rc;

	rc = slurp(path, &buf, &len);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (memchr(buf, '\0', len)) {
		free(buf);
		return fail(&r, 0, 0, "binary data, expected CSV or JSON lines");
	}
	if (ends_with(path, ".csv")) {
		jsonl = false;
	} else if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")) {
		jsonl = true;
	} else {
		size_t i = 0;

		while (i < len && isspace((unsigned char)buf[i]))
			i++;
		jsonl = i < len && buf[i] == '{';
	}
	files = realloc(ds->files, (ds->n_files + 1) * sizeof(*files));
	if (!files) {
		free(buf);
		return -ENOMEM;
	}
	ds->files = files;
	rc = jsonl ? read_jsonl(&r, buf, len) : read_csv(&r, buf, len);
	if (!rc && r.added == 0)
		rc = fail(&r, 0, 0, "no data rows");
	if (!rc) {
		struct dataset_file *f = &ds->files[ds->n_files];

		f->path = strdup(path);
		f->rows = r.added;
		dataset_sha256_hex(buf, len, f->sha256);
		if (!f->path)
			rc = -ENOMEM;
		else
			ds->n_files++;
	}
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", path);
		ds->rows = first; /* a bad file adds nothing */
	}
	free(buf);
	return rc;
}

size_t dataset_positives(const struct dataset *ds)
{
	size_t n = 0;

	for (size_t i = 0; i < ds->rows; i++)
		n += ds->y[i] == 1;
	return n;
}

void dataset_free(struct dataset *ds)
{
	for (size_t i = 0; ds->names && i < ds->cols; i++)
		free(ds->names[i]);
	free(ds->names);
	free(ds->x);
	free(ds->y);
	for (size_t i = 0; i < ds->n_files; i++)
		free(ds->files[i].path);
	free(ds->files);
	memset(ds, 0, sizeof(*ds));
}

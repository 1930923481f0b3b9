#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "suggest.h"

const char *param_type_name(enum anomon_param_type t)
{
	switch (t) {
	case ANOMON_PARAM_STRING: return "string";
	case ANOMON_PARAM_INT: return "integer";
	case ANOMON_PARAM_NUMBER: return "number";
	case ANOMON_PARAM_BOOL: return "boolean";
	case ANOMON_PARAM_DURATION: return "duration";
	case ANOMON_PARAM_SIZE: return "size";
	case ANOMON_PARAM_LIST: return "list of strings";
	case ANOMON_PARAM_PATH: return "path";
	}
	return "unknown";
}

size_t param_table_len(const struct anomon_param *table)
{
	size_t n = 0;
	while (table && table[n].name)
		n++;
	return n;
}

struct unit {
	const char *name;
	double scale;
};

/* A finite, non-negative decimal number and one of `units` right after it, scaled. With
 * `whole`, the result must be an integer ("1.5" bytes is not). */
static int parse_scaled(const char *text, const struct unit *units, size_t n, bool whole,
			uint64_t *out)
{
	if (!text || !*text)
		return -EINVAL;
	/* strtod also takes "inf", "nan", signs and hex: none of them is a duration or size. */
	if (strchr("0123456789.", text[0]) == NULL || (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')))
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(end, units[i].name) == 0) {
			double r = v * units[i].scale;
			if (r >= 18446744073709551615.0)
				return -ERANGE;
			if (whole && r != floor(r))
				return -EINVAL;
			*out = (uint64_t)r;
			return 0;
		}
	}
	return -EINVAL;
}

int param_parse_duration(const char *text, uint64_t *ns)
{
	static const struct unit units[] = {
		{"", 1e9}, {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9},
		{"m", 60e9}, {"h", 3600e9}, {"d", 86400e9},
	};
	return parse_scaled(text, units, sizeof(units) / sizeof(units[0]), false, ns);
}

int param_parse_size(const char *text, uint64_t *bytes)
{
	static const struct unit units[] = {
		{"", 1}, {"B", 1},
		{"k", 1024.0}, {"K", 1024.0}, {"KB", 1024.0}, {"KiB", 1024.0},
		{"M", 1048576.0}, {"MB", 1048576.0}, {"MiB", 1048576.0},
		{"G", 1073741824.0}, {"GB", 1073741824.0}, {"GiB", 1073741824.0},
		{"T", 1099511627776.0}, {"TB", 1099511627776.0}, {"TiB", 1099511627776.0},
	};
	return parse_scaled(text, units, sizeof(units) / sizeof(units[0]), true, bytes);
}

static void free_list(struct param_value *pv)
{
	for (size_t i = 0; i < pv->n_list; i++)
		free(pv->list[i]);
	free(pv->list);
	pv->list = NULL;
	pv->n_list = 0;
}

static void clear_value(struct param_value *pv)
{
	free(pv->text);
	pv->text = NULL;
	free_list(pv);
	pv->has = false;
}

static const char *expectation(enum anomon_param_type t)
{
	switch (t) {
	case ANOMON_PARAM_STRING: return "string";
	case ANOMON_PARAM_INT: return "integer";
	case ANOMON_PARAM_NUMBER: return "number";
	case ANOMON_PARAM_BOOL: return "boolean (true or false)";
	case ANOMON_PARAM_DURATION: return "duration such as \"10s\" or \"500ms\"";
	case ANOMON_PARAM_SIZE: return "size such as \"64M\" or \"4k\"";
	case ANOMON_PARAM_LIST: return "list of strings";
	case ANOMON_PARAM_PATH: return "path (string)";
	}
	return "value";
}

/* Parse text into a fresh value of pv's type; on failure pv is left as it was. */
int param_set_text(struct param_value *pv, const char *text, char *err, size_t errlen)
{
	struct param_value nv = {.spec = pv->spec};
	enum anomon_param_type t = pv->spec->type;
	char *end;
	int rc = 0;
	switch (t) {
	case ANOMON_PARAM_STRING:
		break;
	case ANOMON_PARAM_PATH:
		if (!*text)
			rc = -EINVAL;
		break;
	case ANOMON_PARAM_INT:
		errno = 0;
		nv.i = strtoll(text, &end, 10);
		if (!*text || *end || errno)
			rc = -EINVAL;
		break;
	case ANOMON_PARAM_NUMBER:
		errno = 0;
		nv.d = strtod(text, &end);
		if (!*text || *end || errno || !isfinite(nv.d))
			rc = -EINVAL;
		break;
	case ANOMON_PARAM_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes"))
			nv.b = true;
		else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no"))
			nv.b = false;
		else
			rc = -EINVAL;
		break;
	case ANOMON_PARAM_DURATION:
		rc = param_parse_duration(text, &nv.u);
		break;
	case ANOMON_PARAM_SIZE:
		rc = param_parse_size(text, &nv.u);
		break;
	case ANOMON_PARAM_LIST: {
		/* Comma-separated; empty text is the empty list. */
		const char *p = text;
		while (*p && rc == 0) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char **nl = realloc(nv.list, (nv.n_list + 1) * sizeof(*nl));
			if (!nl) {
				rc = -ENOMEM;
				break;
			}
			nv.list = nl;
			nv.list[nv.n_list++] = strndup(p, len);
			p = comma ? comma + 1 : p + len;
		}
		break;
	}
	}
	if (rc < 0) {
		free_list(&nv);
		snprintf(err, errlen, "expected %s, got \"%s\"", expectation(t), text);
		return rc == -ERANGE ? -EINVAL : rc;
	}
	nv.text = strdup(text);
	nv.has = true;
	nv.set = pv->set;
	clear_value(pv);
	*pv = nv;
	return 0;
}

const char *param_json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

int param_set_json(struct param_value *pv, const json_t *j, char *err, size_t errlen)
{
	enum anomon_param_type t = pv->spec->type;
	char buf[64];
	switch (t) {
	case ANOMON_PARAM_STRING:
	case ANOMON_PARAM_PATH:
		if (json_is_string(j))
			return param_set_text(pv, json_string_value(j), err, errlen);
		break;
	case ANOMON_PARAM_INT:
		if (json_is_integer(j)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(j));
			return param_set_text(pv, buf, err, errlen);
		}
		break;
	case ANOMON_PARAM_NUMBER:
		if (json_is_number(j)) {
			snprintf(buf, sizeof(buf), "%.17g", json_number_value(j));
			return param_set_text(pv, buf, err, errlen);
		}
		break;
	case ANOMON_PARAM_BOOL:
		if (json_is_boolean(j))
			return param_set_text(pv, json_is_true(j) ? "true" : "false", err, errlen);
		break;
	case ANOMON_PARAM_DURATION:
	case ANOMON_PARAM_SIZE:
		if (json_is_string(j))
			return param_set_text(pv, json_string_value(j), err, errlen);
		if (json_is_integer(j) && json_integer_value(j) >= 0) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(j));
			return param_set_text(pv, buf, err, errlen);
		}
		if (t == ANOMON_PARAM_DURATION && json_is_real(j) && json_real_value(j) >= 0) {
			snprintf(buf, sizeof(buf), "%.9f", json_real_value(j));
			return param_set_text(pv, buf, err, errlen);
		}
		break;
	case ANOMON_PARAM_LIST:
		if (json_is_array(j)) {
			struct param_value nv = {.spec = pv->spec, .has = true, .set = pv->set};
			size_t i;
			json_t *item;
			size_t textlen = 1;
			json_array_foreach(j, i, item) {
				if (!json_is_string(item)) {
					free_list(&nv);
					snprintf(err, errlen, "expected list of strings, item %zu is %s",
						 i, param_json_type_name(item));
					return -EINVAL;
				}
				textlen += json_string_length(item) + 1;
			}
			nv.list = calloc(json_array_size(j) ? json_array_size(j) : 1, sizeof(char *));
			nv.text = calloc(1, textlen);
			if (!nv.list || !nv.text) {
				free(nv.list);
				free(nv.text);
				return -ENOMEM;
			}
			json_array_foreach(j, i, item) {
				nv.list[nv.n_list++] = strdup(json_string_value(item));
				if (i)
					strcat(nv.text, ",");
				strcat(nv.text, json_string_value(item));
			}
			clear_value(pv);
			*pv = nv;
			return 0;
		}
		break;
	}
	if (json_is_string(j))
		snprintf(err, errlen, "expected %s, got string \"%.60s\"", expectation(t),
			 json_string_value(j));
	else
		snprintf(err, errlen, "expected %s, got %s", expectation(t), param_json_type_name(j));
	return -EINVAL;
}

int params_init(struct param_values *out, const struct anomon_param *table, char *err,
		size_t errlen)
{
	size_t n = param_table_len(table);
	out->n = n;
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		out->v[i].spec = &table[i];
		if (table[i].def) {
			char why[256];
			int rc = param_set_text(&out->v[i], table[i].def, why, sizeof(why));
			if (rc < 0) {
				snprintf(err, errlen, "default of parameter \"%s\": %s", table[i].name, why);
				params_free(out);
				return rc;
			}
		}
	}
	return 0;
}

void params_free(struct param_values *pv)
{
	for (size_t i = 0; i < pv->n; i++)
		clear_value(&pv->v[i]);
	free(pv->v);
	pv->v = NULL;
	pv->n = 0;
}

struct param_value *params_find(struct param_values *pv, const char *name)
{
	for (size_t i = 0; i < pv->n; i++)
		if (strcmp(pv->v[i].spec->name, name) == 0)
			return &pv->v[i];
	return NULL;
}

const struct param_value *params_cfind(const struct param_values *pv, const char *name)
{
	return params_find((struct param_values *)pv, name);
}

void params_unknown_message(const struct anomon_param *table, const char *plugin,
			    const char *name, char *err, size_t errlen)
{
	size_t n = param_table_len(table);
	const char *names[128] = {0};
	if (n > 128)
		n = 128;
	for (size_t i = 0; i < n; i++)
		names[i] = table[i].name;
	const char *close = suggest_closest(name, names, n);
	if (close) {
		snprintf(err, errlen, "unknown parameter \"%s\" of %s; did you mean \"%s\"?", name,
			 plugin, close);
		return;
	}
	int off = snprintf(err, errlen, "unknown parameter \"%s\" of %s; ", name, plugin);
	if (n == 0) {
		snprintf(err + off, errlen - (size_t)off, "it takes no parameters");
		return;
	}
	off += snprintf(err + off, errlen - (size_t)off, "it takes ");
	for (size_t i = 0; i < n && (size_t)off < errlen; i++)
		off += snprintf(err + off, errlen - (size_t)off, "%s%s", i ? ", " : "", names[i]);
}

int param_resolve_path(struct param_value *pv, const char *base)
{
	if (pv->spec->type != ANOMON_PARAM_PATH || !pv->has || !base || !pv->text ||
	    pv->text[0] == '/' || strcmp(pv->text, "-") == 0)
		return 0;
	size_t len = strlen(base) + strlen(pv->text) + 2;
	char *abs = malloc(len);
	if (!abs)
		return -ENOMEM;
	snprintf(abs, len, "%s/%s", base, pv->text);
	free(pv->text);
	pv->text = abs;
	return 0;
}

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_file.h"

int mf_fail(struct mf_ctx *c, const char *where, const char *fmt, ...)
{
	va_list ap;
	int off = snprintf(c->err, c->errlen, "%s: %s%s", c->path, where ? where : "",
			   where ? ": " : "");

	if (off < 0 || (size_t)off >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + off, c->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

json_t *mf_member(struct mf_ctx *c, json_t *obj, const char *where, const char *key,
		  json_type type)
{
	char at[256];
	json_t *v = json_object_get(obj, key);

	snprintf(at, sizeof(at), "%s%s%s", where, *where ? "." : "", key);
	if (!v) {
		mf_fail(c, at, "missing, expected %s", type_name(type));
		return NULL;
	}
	/* An integer is an acceptable number. */
	if (json_typeof(v) != type && !(type == JSON_REAL && json_is_integer(v))) {
		mf_fail(c, at, "expected %s, got %s", type_name(type), type_name(json_typeof(v)));
		return NULL;
	}
	return v;
}

int mf_number(struct mf_ctx *c, json_t *obj, const char *where, const char *key, double *out)
{
	json_t *v = mf_member(c, obj, where, key, JSON_REAL);

	if (!v)
		return -EINVAL;
	*out = json_number_value(v);
	return 0;
}

int mf_numbers(struct mf_ctx *c, json_t *obj, const char *where, const char *key, size_t n,
	       double *out)
{
	char at[256];
	json_t *a = mf_member(c, obj, where, key, JSON_ARRAY);

	if (!a)
		return -EINVAL;
	snprintf(at, sizeof(at), "%s%s%s", where, *where ? "." : "", key);
	if (json_array_size(a) != n)
		return mf_fail(c, at, "expected %zu numbers, got %zu", n, json_array_size(a));
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_number(v))
			return mf_fail(c, at, "item %zu: expected a number, got %s", i,
				       type_name(json_typeof(v)));
		out[i] = json_number_value(v);
	}
	return 0;
}

int mf_ints(struct mf_ctx *c, json_t *obj, const char *where, const char *key, int64_t lo,
	    int64_t hi, size_t *n, int32_t **out)
{
	char at[256];
	json_t *a = mf_member(c, obj, where, key, JSON_ARRAY);

	*out = NULL;
	if (!a)
		return -EINVAL;
	snprintf(at, sizeof(at), "%s%s%s", where, *where ? "." : "", key);
	*n = json_array_size(a);
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(a, i);

		if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
			free(*out);
			*out = NULL;
			return mf_fail(c, at, "item %zu: expected an integer in [%lld, %lld]", i,
				       (long long)lo, (long long)hi);
		}
		(*out)[i] = (int32_t)json_integer_value(v);
	}
	return 0;
}

void mf_header_free(struct mf_header *h)
{
	free(h->features);
	h->features = NULL;
}

static int read_header(struct mf_ctx *c, const char *plugin, json_t *root, struct mf_header *h)
{
	json_t *v, *feats;

	if (!json_is_object(root))
		return mf_fail(c, NULL, "expected a JSON object");
	if (!(v = mf_member(c, root, "", "format", JSON_STRING)))
		return -EINVAL;
	if (strcmp(json_string_value(v), MODEL_FILE_FORMAT))
		return mf_fail(c, "format", "expected \"%s\", got \"%s\"", MODEL_FILE_FORMAT,
			       json_string_value(v));
	if (!(v = mf_member(c, root, "", "format_version", JSON_INTEGER)))
		return -EINVAL;
	if (json_integer_value(v) != MODEL_FILE_VERSION)
		return mf_fail(c, "format_version", "version %lld is not supported (expected %d)",
			       (long long)json_integer_value(v), MODEL_FILE_VERSION);
	if (!(v = mf_member(c, root, "", "plugin", JSON_STRING)))
		return -EINVAL;
	if (strcmp(json_string_value(v), plugin))
		return mf_fail(c, "plugin", "this is a \"%s\" model, not a \"%s\" one",
			       json_string_value(v), plugin);
	if (!(v = mf_member(c, root, "", "name", JSON_STRING)))
		return -EINVAL;
	h->name = json_string_value(v);
	if (!(v = mf_member(c, root, "", "version", JSON_STRING)))
		return -EINVAL;
	h->version = json_string_value(v);
	if (!(feats = mf_member(c, root, "", "features", JSON_ARRAY)))
		return -EINVAL;
	h->n_features = json_array_size(feats);
	if (h->n_features == 0)
		return mf_fail(c, "features", "expected at least one feature name");
	h->features = calloc(h->n_features, sizeof(*h->features));
	if (!h->features)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_features; i++) {
		v = json_array_get(feats, i);
		if (!json_is_string(v) || !*json_string_value(v))
			return mf_fail(c, "features", "item %zu: expected a non-empty string", i);
		h->features[i] = json_string_value(v);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(h->features[j], h->features[i]))
				return mf_fail(c, "features", "item %zu: \"%s\" repeats item %zu", i,
					       h->features[i], j);
	}
	return 0;
}

int mf_read(struct mf_ctx *c, const char *plugin, json_t **root, struct mf_header *h)
{
	json_error_t je;
	int rc;

	memset(h, 0, sizeof(*h));
	/* JSON_REJECT_DUPLICATES: a repeated key would silently hide half of a model. */
	*root = json_load_file(c->path, JSON_REJECT_DUPLICATES, &je);
	if (!*root) {
		if (je.line < 1)
			return mf_fail(c, NULL, "%s", je.text);
		char at[64];

		snprintf(at, sizeof(at), "%d:%d", je.line, je.column);
		return mf_fail(c, at, "%s", je.text);
	}
	rc = read_header(c, plugin, *root, h);
	if (rc) {
		mf_header_free(h);
		json_decref(*root);
		*root = NULL;
	}
	return rc;
}

/* FNV-1a: a stable, dependency-free fingerprint for the model version, not a security hash. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

json_t *mf_build(const char *plugin, const char *path, size_t n, const char *const *names,
		 json_t *body, const char *metadata_json)
{
	json_t *root = json_object(), *feats = json_array(), *meta = NULL;
	char *copy = strdup(path), *base, *dot, *dump, version[17];

	if (!root || !feats || !copy)
		goto fail;
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && dot != base && !strcmp(dot, ".json"))
		*dot = '\0';
	dump = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	if (!dump)
		goto fail;
	snprintf(version, sizeof(version), "%016llx", (unsigned long long)fnv1a(dump));
	free(dump);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(feats, json_string(names[i]));
	if (metadata_json && *metadata_json) {
		meta = json_loads(metadata_json, 0, NULL);
		if (!json_is_object(meta)) {
			json_decref(meta);
			goto fail;
		}
	}
	json_object_set_new(root, "format", json_string(MODEL_FILE_FORMAT));
	json_object_set_new(root, "format_version", json_integer(MODEL_FILE_VERSION));
	json_object_set_new(root, "plugin", json_string(plugin));
	json_object_set_new(root, "name", json_string(base));
	json_object_set_new(root, "version", json_string(version));
	json_object_set_new(root, "features", feats);
	json_object_set_new(root, "training", meta ? meta : json_object());
	json_object_set(root, plugin, body);
	free(copy);
	return root;
fail:
	free(copy);
	json_decref(feats);
	json_decref(root);
	return NULL;
}

int mf_write_atomic(json_t *root, const char *path, bool compact)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 16);
	int fd, rc = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	/* Precision 17 makes every double read back to the same bits. */
	if (json_dumpfd(root, fd, (compact ? JSON_COMPACT : JSON_INDENT(1)) | JSON_REAL_PRECISION(17)) ||
	    write(fd, "\n", 1) != 1)
		rc = -EIO;
	/* mkstemp creates 0600; a model file is meant to be read by others. */
	if (!rc && (fchmod(fd, 0644) || fsync(fd)))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int mf_check_schema(const struct anomon_host *host, anomon_stage *s, const char *path,
		    size_t n, const char *const *names)
{
	size_t in_n;
	const char *const *in_names;
	int rc = host->input_schema(s, &in_n, &in_names);

	if (rc == -ENOENT)
		return 0; /* nothing upstream declared names: checked per vector instead */
	if (rc) {
		host->error(s, "the stages feeding this model disagree on their feature names");
		return rc;
	}
	/* The model takes its features by name: the pipeline may give more (for another
	 * model), in any order. */
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < in_n && strcmp(names[i], in_names[j]))
			j++;
		if (j == in_n) {
			host->error(s, "%s: the model needs feature \"%s\", which the pipeline does "
				    "not give (it gives %zu: %s%s%s%s)", path, names[i], in_n,
				    in_n > 0 ? in_names[0] : "", in_n > 1 ? ", " : "",
				    in_n > 1 ? in_names[1] : "", in_n > 2 ? ", ..." : "");
			return -EINVAL;
		}
	}
	return 0;
}

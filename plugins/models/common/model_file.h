/* Reading, checking and writing anomon model files (versioned JSON), shared by model plugins. */
#ifndef MODEL_FILE_H
#define MODEL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "anomon_plugin.h"

#define MODEL_FILE_FORMAT "anomon-model"
#define MODEL_FILE_VERSION 1

/*
 * Where a model file is being read, for messages: every failure writes one line
 * "PATH: WHERE: what was expected" into err and returns -EINVAL.
 */
struct mf_ctx {
	const char *path;
	char *err;
	size_t errlen;
};

/* The part every model file shares. Strings point into the json tree. */
struct mf_header {
	const char *name;
	const char *version;
	size_t n_features;
	const char **features;  /* allocated; free with mf_header_free */
};

int mf_fail(struct mf_ctx *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse path and check the common header (format, format_version, plugin, name, version,
 * features). On success *root owns the tree and h->features must be freed. */
int mf_read(struct mf_ctx *c, const char *plugin, json_t **root, struct mf_header *h);
void mf_header_free(struct mf_header *h);

/* Typed getters naming "obj.key" or "obj.key[i]" in their messages. Numbers must be finite. */
json_t *mf_member(struct mf_ctx *c, json_t *obj, const char *where, const char *key,
		  json_type type);
int mf_number(struct mf_ctx *c, json_t *obj, const char *where, const char *key, double *out);
int mf_numbers(struct mf_ctx *c, json_t *obj, const char *where, const char *key, size_t n,
	       double *out);
/* An array of integers in [lo, hi]; its length is returned in *n (allocated *out). */
int mf_ints(struct mf_ctx *c, json_t *obj, const char *where, const char *key, int64_t lo,
	    int64_t hi, size_t *n, int32_t **out);

/*
 * Build the common header of a model file to save: name from the file's base name, version
 * from a hash of the model body (so it changes exactly when the model does), the training
 * metadata parsed from metadata_json (NULL for none). Takes a reference to body.
 */
json_t *mf_build(const char *plugin, const char *path, size_t n, const char *const *names,
		 json_t *body, const char *metadata_json);
/* Write root to path atomically (temporary file in the same directory, fsync, rename) with
 * doubles printed so that they read back exactly; indented unless compact (big models). */
int mf_write_atomic(json_t *root, const char *path, bool compact);

/*
 * When the pipeline declares the feature names that reach this model, check that they are
 * the model's, in order. Reports the mismatch through host->error.
 */
int mf_check_schema(const struct anomon_host *host, anomon_stage *s, const char *path,
		    size_t n, const char *const *names);

#endif

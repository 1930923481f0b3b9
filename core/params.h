/* Typed plugin parameters: parsing from JSON and from command-line text, and the values a
 * stage reads through the host's getters. */
#ifndef ANOMON_PARAMS_H
#define ANOMON_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"

struct param_value {
	const struct anomon_param *spec;
	bool set;      /* given by the pipeline or --set, not the default */
	bool has;      /* holds a value (set, or a default exists) */
	char *text;    /* string value, or the value as written for other types */
	int64_t i;     /* INT */
	double d;      /* NUMBER */
	bool b;        /* BOOL */
	uint64_t u;    /* DURATION (ns), SIZE (bytes) */
	char **list;   /* LIST */
	size_t n_list;
};

struct param_values {
	struct param_value *v;
	size_t n;
};

const char *param_type_name(enum anomon_param_type t);
/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *param_json_type_name(const json_t *j);
size_t param_table_len(const struct anomon_param *table);

/* Parse a duration ("10s", "500ms", "1.5m", bare number = seconds) into ns. */
int param_parse_duration(const char *text, uint64_t *ns);
/* Parse a size ("64M", "4k", "1G", bare number = bytes; powers of 1024). */
int param_parse_size(const char *text, uint64_t *bytes);

/* Fill *out with every parameter of table at its default. On a default that does not parse
 * (a plugin bug) writes the reason to err and returns -EINVAL. */
int params_init(struct param_values *out, const struct anomon_param *table, char *err,
		size_t errlen);
void params_free(struct param_values *pv);
struct param_value *params_find(struct param_values *pv, const char *name);
const struct param_value *params_cfind(const struct param_values *pv, const char *name);

/* Set one value. Both return 0, or -EINVAL with "expected ..., got ..." in err. */
int param_set_text(struct param_value *pv, const char *text, char *err, size_t errlen);
int param_set_json(struct param_value *pv, const json_t *j, char *err, size_t errlen);

/* Make a relative PATH value absolute against directory `base` (NULL: leave it). */
int param_resolve_path(struct param_value *pv, const char *base);

/* "unknown parameter \"x\"; did you mean \"y\"?" or "...; <plugin> has parameters a, b". */
void params_unknown_message(const struct anomon_param *table, const char *plugin,
			    const char *name, char *err, size_t errlen);

#endif

/* Line and column of a value inside JSON text. jansson reports positions only for syntax
 * errors; this rescans already-valid text so that a semantic error can name its place too. */
#ifndef ANOMON_JSON_LOCATE_H
#define ANOMON_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

struct jpath_elem {
	const char *key; /* object member name, or NULL for an array index */
	size_t index;
};

/* Find the value at path (or, with at_key, the member name of the last element). Returns 0
 * and 1-based line/column, or -1 when the path is not in the text. */
int json_locate(const char *text, size_t len, const struct jpath_elem *path, size_t depth,
		bool at_key, int *line, int *col);

#endif

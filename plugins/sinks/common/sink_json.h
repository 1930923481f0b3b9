/* A record's JSON line (host->format_json) in a buffer that grows to fit. Loop thread. */
#ifndef SINK_JSON_H
#define SINK_JSON_H

#include <stddef.h>

#include "anomon_plugin.h"

struct sink_json {
	char *buf;
	size_t cap;
};

/* Format rec; on success *line points into j (valid until the next call), *len excludes the
 * '\0'. With `newline` a '\n' ends the line (counted in *len). Returns 0 or -errno. */
int sink_json_format(struct sink_json *j, const struct anomon_host *host, anomon_stage *s,
		     enum anomon_record_kind kind, const void *rec, bool newline,
		     const char **line, size_t *len);
void sink_json_free(struct sink_json *j);

#endif

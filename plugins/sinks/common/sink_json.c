#include <errno.h>
#include <stdlib.h>

#include "sink_json.h"

int sink_json_format(struct sink_json *j, const struct anomon_host *host, anomon_stage *s,
		     enum anomon_record_kind kind, const void *rec, bool newline,
		     const char **line, size_t *len)
{
	if (!j->buf) {
		j->cap = 4096;
		j->buf = malloc(j->cap);
		if (!j->buf)
			return -ENOMEM;
	}
	int n = host->format_json(s, kind, rec, j->buf, j->cap);
	if (n < 0)
		return n;
	if ((size_t)n + 2 > j->cap) {
		size_t cap = (size_t)n + 2;
		char *b = realloc(j->buf, cap);
		if (!b)
			return -ENOMEM;
		j->buf = b;
		j->cap = cap;
		n = host->format_json(s, kind, rec, j->buf, j->cap);
		if (n < 0)
			return n;
	}
	if (newline) {
		j->buf[n++] = '\n';
		j->buf[n] = '\0';
	}
	*line = j->buf;
	*len = (size_t)n;
	return 0;
}

void sink_json_free(struct sink_json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->cap = 0;
}

#include <stdbool.h>
#include <string.h>

#include "nats_subject.h"

static void put(char *buf, size_t cap, size_t *len, char c)
{
	if (*len + 1 < cap)
		buf[*len] = c;
	(*len)++;
}

/* kind may hold dots on purpose (event.open); host and pipeline may not. */
static void token(char *buf, size_t cap, size_t *len, const char *v, bool keep_dots)
{
	if (!*v)
		put(buf, cap, len, '_');
	for (; *v; v++) {
		char c = *v;
		if ((c == '.' && !keep_dots) || c == '*' || c == '>' || c == ' ' || c == '\t' ||
		    c == '\n' || c == '\r')
			c = '_';
		put(buf, cap, len, c);
	}
}

int nats_subject(char *buf, size_t cap, const char *tmpl, const char *host, const char *pipeline,
		 const char *kind)
{
	size_t len = 0;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '{') {
			put(buf, cap, &len, *p);
			continue;
		}
		const char *end = strchr(p, '}');
		if (!end)
			return -1;
		size_t n = (size_t)(end - p - 1);
		if (n == 4 && !strncmp(p + 1, "host", 4))
			token(buf, cap, &len, host, false);
		else if (n == 8 && !strncmp(p + 1, "pipeline", 8))
			token(buf, cap, &len, pipeline, false);
		else if (n == 4 && !strncmp(p + 1, "kind", 4))
			token(buf, cap, &len, kind, true);
		else
			return -1;
		p = end;
	}
	if (cap)
		buf[len < cap ? len : cap - 1] = '\0';
	return (int)len;
}

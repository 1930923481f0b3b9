#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_text.h"

static void put(struct prom_text *t, const char *s, size_t n)
{
	if (t->err)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16384;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->err = -ENOMEM;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct prom_text *t, const char *s)
{
	put(t, s, strlen(s));
}

void prom_family(struct prom_text *t, const char *name, const char *type, const char *help)
{
	puts_(t, "# HELP ");
	puts_(t, name);
	puts_(t, " ");
	/* HELP escapes backslash and newline. */
	for (const char *p = help; *p; p++)
		if (*p == '\\')
			puts_(t, "\\\\");
		else if (*p == '\n')
			puts_(t, "\\n");
		else
			put(t, p, 1);
	puts_(t, "\n# TYPE ");
	puts_(t, name);
	puts_(t, " ");
	puts_(t, type);
	puts_(t, "\n");
}

void prom_sample(struct prom_text *t, const char *name, const char *const *labels, double value)
{
	puts_(t, name);
	bool first = true;
	for (size_t i = 0; labels && labels[i]; i += 2) {
		if (!labels[i + 1])
			continue;
		puts_(t, first ? "{" : ",");
		first = false;
		puts_(t, labels[i]);
		puts_(t, "=\"");
		/* Label values escape backslash, double quote and newline. */
		for (const char *p = labels[i + 1]; *p; p++)
			if (*p == '\\')
				puts_(t, "\\\\");
			else if (*p == '"')
				puts_(t, "\\\"");
			else if (*p == '\n')
				puts_(t, "\\n");
			else
				put(t, p, 1);
		puts_(t, "\"");
	}
	if (!first)
		puts_(t, "}");
	char v[64];
	if (isnan(value))
		snprintf(v, sizeof(v), " NaN\n");
	else if (isinf(value))
		snprintf(v, sizeof(v), " %s\n", value > 0 ? "+Inf" : "-Inf");
	else if (value == floor(value) && fabs(value) < 1e15)
		snprintf(v, sizeof(v), " %.0f\n", value);
	else
		snprintf(v, sizeof(v), " %.17g\n", value);
	puts_(t, v);
}

void prom_text_free(struct prom_text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

#include <string.h>

#include "json_locate.h"

struct scan {
	const char *p, *end;
	int line;
	const char *line_start;
	int level;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && strchr(" \t\r\n", *s->p)) {
		if (*s->p == '\n') {
			s->line++;
			s->line_start = s->p + 1;
		}
		s->p++;
	}
}

/* On a '"': leaves p after the closing quote; returns the raw contents. */
static void scan_string(struct scan *s, const char **start, size_t *len)
{
	s->p++;
	*start = s->p;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			s->p++;
		s->p++;
	}
	*len = (size_t)(s->p - *start);
	if (s->p < s->end)
		s->p++;
}

static int skip_value(struct scan *s);

static int skip_container(struct scan *s, char close)
{
	if (++s->level > 512)
		return -1;
	s->p++;
	skip_ws(s);
	while (s->p < s->end && *s->p != close) {
		if (close == '}') {
			const char *k;
			size_t kl;
			if (*s->p != '"')
				return -1;
			scan_string(s, &k, &kl);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
			skip_ws(s);
		}
		if (skip_value(s) < 0)
			return -1;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
		}
	}
	if (s->p >= s->end)
		return -1;
	s->p++;
	s->level--;
	return 0;
}

static int skip_value(struct scan *s)
{
	if (s->p >= s->end)
		return -1;
	if (*s->p == '{')
		return skip_container(s, '}');
	if (*s->p == '[')
		return skip_container(s, ']');
	if (*s->p == '"') {
		const char *v;
		size_t vl;
		scan_string(s, &v, &vl);
		return 0;
	}
	while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
		s->p++;
	return 0;
}

static void mark(const struct scan *s, int *line, int *col)
{
	*line = s->line;
	*col = (int)(s->p - s->line_start) + 1;
}

static int locate(struct scan *s, const struct jpath_elem *path, size_t depth, bool at_key,
		  int *line, int *col)
{
	skip_ws(s);
	if (depth == 0) {
		mark(s, line, col);
		return 0;
	}
	if (s->p >= s->end)
		return -1;
	if (path->key && *s->p == '{') {
		s->p++;
		skip_ws(s);
		while (s->p < s->end && *s->p == '"') {
			struct scan at = *s;
			const char *k;
			size_t kl;
			scan_string(s, &k, &kl);
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
			if (kl == strlen(path->key) && memcmp(k, path->key, kl) == 0) {
				if (depth == 1 && at_key) {
					mark(&at, line, col);
					return 0;
				}
				return locate(s, path + 1, depth - 1, at_key, line, col);
			}
			skip_ws(s);
			if (skip_value(s) < 0)
				return -1;
			skip_ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				skip_ws(s);
			}
		}
		return -1;
	}
	if (!path->key && *s->p == '[') {
		s->p++;
		for (size_t i = 0;; i++) {
			skip_ws(s);
			if (s->p >= s->end || *s->p == ']')
				return -1;
			if (i == path->index)
				return locate(s, path + 1, depth - 1, at_key, line, col);
			if (skip_value(s) < 0)
				return -1;
			skip_ws(s);
			if (s->p < s->end && *s->p == ',')
				s->p++;
		}
	}
	return -1;
}

int json_locate(const char *text, size_t len, const struct jpath_elem *path, size_t depth,
		bool at_key, int *line, int *col)
{
	struct scan s = {.p = text, .end = text + len, .line = 1, .line_start = text};
	return locate(&s, path, depth, at_key, line, col);
}

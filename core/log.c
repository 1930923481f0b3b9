#include <stdio.h>
#include <string.h>

#include "log.h"

int log_verbosity = ANOMON_LOG_WARN;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_vmsg(enum anomon_log_level level, const char *prefix, const char *fmt, va_list ap)
{
	if ((int)level > log_verbosity)
		return;
	/* Build the whole line first: one write per line keeps concurrent writers apart. */
	char line[4096];
	size_t cap = sizeof(line) - 1; /* room for the newline */
	int n;
	if (prefix)
		n = snprintf(line, cap, "anomon: [%s] %s: ", prefix, level_names[level]);
	else
		n = snprintf(line, cap, "anomon: %s: ", level_names[level]);
	if (n >= 0 && (size_t)n < cap)
		n += vsnprintf(line + n, cap - (size_t)n, fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	while (len > 0 && line[len - 1] == '\n')
		len--;
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}

void log_msg(enum anomon_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, NULL, fmt, ap);
	va_end(ap);
}

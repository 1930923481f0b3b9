/* Diagnostics on stderr, filtered by the verbosity that -v/-q set. */
#ifndef ANOMON_LOG_H
#define ANOMON_LOG_H

#include "anomon_plugin.h"

/* ANOMON_LOG_WARN by default; -q lowers it to ERROR, each -v raises it by one. */
extern int log_verbosity;

void log_msg(enum anomon_log_level level, const char *fmt, ...) ANOMON_PRINTF(2, 3);
void log_vmsg(enum anomon_log_level level, const char *prefix, const char *fmt, va_list ap);

#define log_error(...) log_msg(ANOMON_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(ANOMON_LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(ANOMON_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(ANOMON_LOG_DEBUG, __VA_ARGS__)

#endif

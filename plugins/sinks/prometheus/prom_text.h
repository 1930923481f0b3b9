/* The Prometheus text exposition format (version 0.0.4): a growing buffer, metric families
 * and samples with escaped label values. */
#ifndef PROM_TEXT_H
#define PROM_TEXT_H

#include <stddef.h>

struct prom_text {
	char *buf;
	size_t len, cap;
	int err;             /* -ENOMEM once an append failed */
};

void prom_family(struct prom_text *t, const char *name, const char *type, const char *help);
/* name{labels} value; `labels` is NULL-terminated name, value pairs (a NULL value skips the
 * pair). */
void prom_sample(struct prom_text *t, const char *name, const char *const *labels, double value);
void prom_text_free(struct prom_text *t);

#endif

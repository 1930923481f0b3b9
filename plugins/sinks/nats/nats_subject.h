/* Subjects the nats sink publishes on and the collector subscribes to:
 * anomon.<host>.<pipeline>.verdict, .vector, .event.<type>. Pure, tested without a server. */
#ifndef NATS_SUBJECT_H
#define NATS_SUBJECT_H

#include <stddef.h>

/* Expand a template: {host}, {pipeline} and {kind} ("verdict", "vector", "event.open", ...).
 * Substituted values become one subject token each: '.', '*', '>' and white space are
 * replaced with '_'. Returns the length snprintf-style, or -1 for an unknown {field}. */
int nats_subject(char *buf, size_t cap, const char *tmpl, const char *host, const char *pipeline,
		 const char *kind);

#endif

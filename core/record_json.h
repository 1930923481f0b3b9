/* The one JSON form of events, vectors and verdicts that every JSON-writing sink shares. */
#ifndef ANOMON_RECORD_JSON_H
#define ANOMON_RECORD_JSON_H

#include <stddef.h>

#include "anomon_plugin.h"

/* snprintf-style: returns the length the line needs (without NUL); complete if < cap.
 * `stage` names the stage that produced the record. */
int record_json(enum anomon_record_kind kind, const void *record, const char *stage, char *buf,
		size_t cap);

/* How records name their container: by the cgroup id of an event, by the key of a vector or
 * verdict. Either may return NULL (unknown). Without resolvers, no container is written. */
void record_json_set_resolvers(const struct anomon_container *(*by_id)(uint64_t id),
			       const struct anomon_container *(*by_key)(const char *key));

#endif

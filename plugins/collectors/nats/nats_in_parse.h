/* Events back from their JSON form (the one every sink writes, host->format_json), as the
 * SDK structs: open, bio, proc and runq_hist. Strings come back as the bytes they were:
 * the \xNN that stands for a byte that is not valid UTF-8 is that byte again. Pure, tested
 * without a server. */
#ifndef NATS_IN_PARSE_H
#define NATS_IN_PARSE_H

#include <jansson.h>
#include <stddef.h>

#include "anomon_plugin.h"

struct nats_in_event {
	struct anomon_event ev;
	union {
		struct anomon_open open;
		struct anomon_bio bio;
		struct anomon_runq_hist runq;
		struct anomon_proc proc;
	} u;
	char type[32];
	uint64_t *bins;
	char *text;      /* the decoded path or filename, when it had \xNN */
	json_t *root;    /* owns the strings ev points into */
};

enum { NATS_IN_EVENT = 0, NATS_IN_NOT_EVENT = 1 };

/* Parse one message. Returns NATS_IN_EVENT (free with nats_in_event_free), NATS_IN_NOT_EVENT
 * for another record kind (vector, verdict), or -EINVAL with a message in err naming the
 * field and what was expected (-ENOTSUP for an event type without a known struct). */
int nats_in_parse(const char *data, size_t len, struct nats_in_event *out, char *err, size_t cap);
void nats_in_event_free(struct nats_in_event *e);
/* "2026-11-25T08:33:10.000000000Z" to nanoseconds since the epoch; -EINVAL if malformed. */
int nats_in_parse_time(const char *s, uint64_t *ns);

#endif

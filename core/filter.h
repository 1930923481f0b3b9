/* The common containers_only / include / exclude parameters of collectors and features. */
#ifndef ANOMON_FILTER_H
#define ANOMON_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "cgroups.h"

/* Whether s filters at all (reads its parameters the first time). */
bool filter_active(anomon_stage *s);
/* Whether events of this cgroup pass s's filter (true when s has none). */
bool filter_wanted(anomon_stage *s, uint64_t cgroup_id);
/* The cgroup an SDK event belongs to: 0 for the host, or -1 when the event has none. */
int64_t filter_event_cgroup(const struct anomon_event *ev);
void filter_free(anomon_stage *s);

#endif

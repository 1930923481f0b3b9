#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "params.h"
#include "pipeline.h"

/* A direct-mapped cache of decisions: filtering runs per event, matching (globs) is not
 * free, and a cgroup's path never changes under its id. */
#define CACHE_SLOTS 256

struct filter_slot {
	uint64_t id;
	int8_t wanted; /* -1 empty */
};

static bool looks_like_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 12 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/* Whether `item` (an include/exclude entry) names this cgroup. */
static bool filter_matches(const char *item, const struct cgroup_entry *e)
{
	if (!*item)
		return false;
	if (!strcmp(item, "host"))
		return e->resolved && !strcmp(e->path, "/");
	if (e->container) {
		if (looks_like_id(item) && strncasecmp(e->ref.id, item, strlen(item)) == 0)
			return true;
		if (e->ref.name[0] && !strcmp(e->ref.name, item))
			return true;
		if (!strcmp(e->ref.id, item))
			return true;
	}
	if (!strcmp(e->key, item))
		return true;
	return item[0] == '/' && e->path && fnmatch(item, e->path, 0) == 0;
}

static const struct param_value *list(anomon_stage *s, const char *name)
{
	const struct param_value *pv = params_cfind(&s->params, name);
	return pv && pv->n_list ? pv : NULL;
}

static bool decide(anomon_stage *s, uint64_t cgroup_id)
{
	const struct cgroup_entry *e = cgroups_lookup(cgroup_id);
	const struct param_value *only = params_cfind(&s->params, "containers_only");
	if (only && only->b && !e->container)
		return false;
	const struct param_value *inc = list(s, "include"), *exc = list(s, "exclude");
	if (exc)
		for (size_t i = 0; i < exc->n_list; i++)
			if (filter_matches(exc->list[i], e))
				return false;
	if (!inc)
		return true;
	for (size_t i = 0; i < inc->n_list; i++)
		if (filter_matches(inc->list[i], e))
			return true;
	return false;
}

bool filter_active(anomon_stage *s)
{
	if (s->filter_state == 0) {
		const struct param_value *only = params_cfind(&s->params, "containers_only");
		bool any = (only && only->b) || list(s, "include") || list(s, "exclude");
		s->filter_state = any ? 2 : 1;
		if (any) {
			s->filter_cache = malloc(CACHE_SLOTS * sizeof(*s->filter_cache));
			if (!s->filter_cache) {
				s->filter_state = 1;
				return false;
			}
			for (size_t i = 0; i < CACHE_SLOTS; i++)
				s->filter_cache[i].wanted = -1;
		}
	}
	return s->filter_state == 2;
}

bool filter_wanted(anomon_stage *s, uint64_t cgroup_id)
{
	if (!filter_active(s))
		return true;
	struct filter_slot *slot = &s->filter_cache[(cgroup_id * 0x9e3779b97f4a7c15ull) >> 56];
	if (slot->wanted < 0 || slot->id != cgroup_id) {
		slot->id = cgroup_id;
		slot->wanted = decide(s, cgroup_id);
	}
	return slot->wanted;
}

int64_t filter_event_cgroup(const struct anomon_event *ev)
{
	if (!strcmp(ev->type, ANOMON_EV_OPEN) && ev->size >= sizeof(struct anomon_open)) {
		const struct anomon_open *o = ev->data;
		return (o->present & ANOMON_OPEN_CGROUP) ? (int64_t)o->cgroup_id : 0;
	}
	if (!strcmp(ev->type, ANOMON_EV_BIO) && ev->size >= sizeof(struct anomon_bio)) {
		const struct anomon_bio *b = ev->data;
		return (b->present & ANOMON_BIO_CGROUP) ? (int64_t)b->cgroup_id : 0;
	}
	if (!strcmp(ev->type, ANOMON_EV_PROC) && ev->size >= sizeof(struct anomon_proc)) {
		const struct anomon_proc *p = ev->data;
		return (p->present & ANOMON_PROC_F_CGROUP) ? (int64_t)p->cgroup_id : 0;
	}
	if (!strcmp(ev->type, ANOMON_EV_RUNQ_HIST) && ev->size >= ANOMON_RUNQ_HIST_SIZE_1_1) {
		const struct anomon_runq_hist *h = ev->data;
		return h->source == ANOMON_RUNQ_CGROUP ? (int64_t)h->cgroup_id : 0;
	}
	return -1;
}

void filter_free(anomon_stage *s)
{
	free(s->filter_cache);
	s->filter_cache = NULL;
	s->filter_state = 0;
}

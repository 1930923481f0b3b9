/* SIGHUP reload: the new file is checked and its new or changed stages initialised while the
 * old pipeline runs on, so a bad file costs nothing; only then is the old pipeline changed,
 * and unchanged stages keep their instance (probes stay attached, windows stay open). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reload.h"
#include "sink_gate.h"
#include "stage.h"

static bool same_value(const struct param_value *a, const struct param_value *b)
{
	if (a->has != b->has)
		return false;
	if (!a->has)
		return true;
	/* Compared as typed values: "10s" and "10000ms" are the same window. */
	switch (a->spec->type) {
	case ANOMON_PARAM_STRING:
	case ANOMON_PARAM_PATH:
		return strcmp(a->text ? a->text : "", b->text ? b->text : "") == 0;
	case ANOMON_PARAM_INT:
		return a->i == b->i;
	case ANOMON_PARAM_NUMBER:
		return a->d == b->d;
	case ANOMON_PARAM_BOOL:
		return a->b == b->b;
	case ANOMON_PARAM_DURATION:
	case ANOMON_PARAM_SIZE:
		return a->u == b->u;
	case ANOMON_PARAM_LIST:
		if (a->n_list != b->n_list)
			return false;
		for (size_t i = 0; i < a->n_list; i++)
			if (strcmp(a->list[i], b->list[i]))
				return false;
		return true;
	}
	return false;
}

static bool same_definition(const anomon_stage *old, const anomon_stage *new)
{
	if (old->plugin != new->plugin || strcmp(old->name, new->name) ||
	    old->params.n != new->params.n)
		return false;
	for (size_t i = 0; i < old->params.n; i++)
		if (!same_value(&old->params.v[i], &new->params.v[i]))
			return false;
	return true;
}

static const anomon_stage *input_named(const anomon_stage *s, const char *name)
{
	for (size_t i = 0; i < s->n_inputs; i++)
		if (!strcmp(s->inputs[i]->name, name))
			return s->inputs[i];
	return NULL;
}

static bool same_schema(const anomon_stage *a, const anomon_stage *b)
{
	if (a->n_schema != b->n_schema || !a->schema != !b->schema)
		return false;
	for (size_t i = 0; i < a->n_schema; i++)
		if (strcmp(a->schema[i], b->schema[i]))
			return false;
	return true;
}

/* The same input names, and each restarted input declares the feature names the old one did
 * (a model kept behind a feature whose vector changed would score the wrong columns). The
 * inputs of `new` already point at the stages that will run: kept or initialised. */
static bool same_inputs(const anomon_stage *old, const anomon_stage *new)
{
	if (old->n_inputs != new->n_inputs)
		return false;
	for (size_t i = 0; i < new->n_inputs; i++) {
		const anomon_stage *now = new->inputs[i];
		const anomon_stage *before = input_named(old, now->name);
		if (!before || (now != before && !same_schema(now, before)))
			return false;
	}
	return true;
}

struct reload {
	struct pipeline *pl, *np;
	anomon_stage **keep;  /* per stage of np: the running stage it keeps, or NULL */
	bool *kept;           /* per stage of pl: kept by np */
};

/* The stage that runs for t once the reload is done: the kept one, or t itself. */
static anomon_stage *running(const struct reload *r, anomon_stage *t)
{
	for (size_t i = 0; i < r->np->n; i++)
		if (r->np->stages[i] == t)
			return r->keep[i] ? r->keep[i] : t;
	return t;
}

static size_t index_in(const struct pipeline *pl, const anomon_stage *s)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->stages[i] == s)
			return i;
	return pl->n;
}

/* Decide group by group, so that a stage's inputs are decided (and, when new, initialised
 * with their schema declared) before the stage itself; then check every new stage. */
static int prepare(struct reload *r)
{
	for (int g = 0; g < PIPELINE_GROUPS; g++) {
		for (size_t i = 0; i < r->np->n; i++) {
			anomon_stage *t = r->np->stages[i];
			if (t->group != g)
				continue;
			for (size_t k = 0; k < t->n_inputs; k++)
				t->inputs[k] = running(r, t->inputs[k]);
			anomon_stage *old = pipeline_find_stage(r->pl, t->name);
			size_t j = old ? index_in(r->pl, old) : 0;
			if (old && !r->kept[j] && same_definition(old, t) && same_inputs(old, t)) {
				r->keep[i] = old;
				r->kept[j] = true;
			}
		}
		for (size_t i = 0; i < r->np->n; i++) {
			if (r->np->stages[i]->group != g || r->keep[i])
				continue;
			int rc = stage_init(r->np->stages[i]);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t i = 0; i < r->np->n; i++) {
		if (r->keep[i])
			continue;
		int rc = stage_check(r->np->stages[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void discard(struct reload *r)
{
	for (size_t i = r->np->n; i-- > 0;)
		if (!r->keep || !r->keep[i])
			stage_destroy(r->np->stages[i]);
	pipeline_free(r->np);
	r->np = NULL;
}

#define SWAP(a, b)                          \
	do {                                \
		__typeof__(a) swap_tmp_ = (a); \
		(a) = (b);                  \
		(b) = swap_tmp_;            \
	} while (0)

/* Stop and destroy what goes, then make pl the new pipeline; arr holds its stages. */
static void commit(struct reload *r, anomon_stage **arr)
{
	struct pipeline *pl = r->pl, *np = r->np;
	/* Collectors first: what a stopping stage flushes still reaches the stages after it. */
	for (size_t j = 0; j < pl->n; j++)
		if (!r->kept[j])
			stage_stop(pl->stages[j]);
	for (size_t j = 0; j < pl->n; j++)
		if (!r->kept[j])
			sink_gate_report(pl->stages[j], 0, true);
	for (size_t j = pl->n; j-- > 0;)
		if (!r->kept[j])
			stage_destroy(pl->stages[j]);

	for (size_t i = 0; i < np->n; i++) {
		anomon_stage *t = np->stages[i];
		arr[i] = r->keep[i] ? r->keep[i] : t;
		for (size_t k = 0; k < t->n_inputs; k++)
			t->inputs[k] = running(r, t->inputs[k]);
		for (size_t k = 0; k < t->n_outputs; k++)
			t->outputs[k] = running(r, t->outputs[k]);
		anomon_stage *a = r->keep[i];
		if (!a) {
			t->pl = pl;
			continue;
		}
		/* The kept stage takes its twin's wiring and place; the twin, the old ones. */
		SWAP(a->inputs, t->inputs);
		SWAP(a->n_inputs, t->n_inputs);
		SWAP(a->outputs, t->outputs);
		SWAP(a->n_outputs, t->n_outputs);
		SWAP(a->input_names, t->input_names);
		SWAP(a->n_input_names, t->n_input_names);
		a->explicit_inputs = t->explicit_inputs;
		a->group = t->group;
		a->index = t->index;
		memcpy(a->where, t->where, sizeof(a->where));
	}
	for (size_t j = 0; j < pl->n; j++)
		if (!r->kept[j])
			pipeline_stage_free(pl->stages[j]);
	for (size_t i = 0; i < np->n; i++)
		if (r->keep[i])
			pipeline_stage_free(np->stages[i]);
	free(pl->stages);
	pl->stages = arr;
	pl->n = np->n;
	free(np->stages);
	np->stages = NULL;
	np->n = 0;
	SWAP(pl->text, np->text);
	SWAP(pl->text_len, np->text_len);
	SWAP(pl->name, np->name);
	SWAP(pl->base_dir, np->base_dir);
	pipeline_free(np);
	r->np = NULL;
}

/* "a, b" into buf, for the summary line. */
static void append_name(char *buf, size_t cap, const char *name)
{
	size_t len = strlen(buf);
	if (len < cap)
		snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", name);
}

struct summary {
	size_t kept, restarted, added, removed;
	char restarted_names[512], added_names[512], removed_names[512];
};

/* Before the commit, while both pipelines still hold their stages. */
static void summarise(const struct reload *r, struct summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < r->np->n; i++) {
		const char *name = r->np->stages[i]->name;
		if (r->keep[i]) {
			sum->kept++;
		} else if (pipeline_find_stage(r->pl, name)) {
			sum->restarted++;
			append_name(sum->restarted_names, sizeof(sum->restarted_names), name);
		} else {
			sum->added++;
			append_name(sum->added_names, sizeof(sum->added_names), name);
		}
	}
	for (size_t j = 0; j < r->pl->n; j++) {
		const char *name = r->pl->stages[j]->name;
		if (!r->kept[j] && !pipeline_find_stage(r->np, name)) {
			sum->removed++;
			append_name(sum->removed_names, sizeof(sum->removed_names), name);
		}
	}
}

static void log_summary(const struct summary *s)
{
	log_info("reload: kept %zu, restarted %zu%s%s%s, added %zu%s%s%s, removed %zu%s%s%s",
		 s->kept, s->restarted, s->restarted ? " (" : "", s->restarted_names,
		 s->restarted ? ")" : "", s->added, s->added ? " (" : "", s->added_names,
		 s->added ? ")" : "", s->removed, s->removed ? " (" : "", s->removed_names,
		 s->removed ? ")" : "");
}

static enum reload_result refuse(struct pipeline *pl, const char *why)
{
	pl->reloads_failed++;
	log_warn("reload: %s refused%s; the running pipeline goes on unchanged", pl->file, why);
	return RELOAD_REFUSED;
}

enum reload_result reload_pipeline(struct pipeline *pl, const struct reload_opts *o)
{
	pl->reloads++;
	log_debug("reload: re-reading %s", pl->file);
	struct pipeline *np = pipeline_load(pl->file, pl->loader);
	if (!np)
		return refuse(pl, "");
	if (pipeline_apply_sets(np, o->sets, o->n_sets) < 0 || pipeline_wire(np) < 0) {
		pipeline_free(np);
		return refuse(pl, "");
	}
	/* New stages see the running loop (timers) and report failures to the runner. */
	np->loop = pl->loop;
	np->runner = pl->runner;
	np->on_fail = pl->on_fail;
	np->started_ns = pl->started_ns;

	struct reload r = {.pl = pl, .np = np};
	r.keep = calloc(np->n ? np->n : 1, sizeof(*r.keep));
	r.kept = calloc(pl->n ? pl->n : 1, sizeof(*r.kept));
	/* The commit's array is allocated now: once the old pipeline is touched, nothing fails. */
	anomon_stage **arr = calloc(np->n ? np->n : 1, sizeof(*arr));
	int rc = r.keep && r.kept && arr ? prepare(&r) : -ENOMEM;
	if (rc < 0) {
		discard(&r);
		free(r.keep);
		free(r.kept);
		free(arr);
		if (rc == -ENOMEM)
			log_error("reload: out of memory");
		if (o->privileges_dropped && (rc == -EPERM || rc == -EACCES))
			return refuse(pl, " (privileges were dropped after start: a new or changed "
					  "stage that needs them, such as an eBPF collector, can be "
					  "reloaded only under --keep-privileges)");
		return refuse(pl, "");
	}
	struct summary sum;
	summarise(&r, &sum);

	/* What stops may end the last collector's stream: that is not the end of the run. */
	void (*on_all_ended)(struct pipeline *) = pl->on_all_ended;
	pl->on_all_ended = NULL;
	commit(&r, arr);
	pl->on_all_ended = on_all_ended;

	/* Sinks first, collectors last: nothing is produced before its consumers listen. */
	enum reload_result res = RELOAD_DONE;
	for (size_t i = pl->n; i-- > 0;) {
		if (r.keep[i])
			continue;
		if (stage_start(pl->stages[i]) < 0) {
			pl->reloads_failed++;
			log_error("reload: %s failed to start after the stages it replaces had stopped; "
				  "the pipeline is incomplete", pl->stages[i]->name);
			res = RELOAD_START_FAILED;
			break;
		}
	}
	if (res == RELOAD_DONE)
		log_summary(&sum);
	free(r.keep);
	free(r.kept);
	return res;
}

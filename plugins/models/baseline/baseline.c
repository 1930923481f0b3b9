/* baseline: learns, without labels, what each key's windows normally look like, and scores
 * each window as the probability that it is not normal, naming the features that depart
 * and where they normally lie. Works on any feature vector: the schema comes from the
 * feature stage, there is no model file. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anomon_plugin.h"
#include "bl_model.h"
#include "bl_state.h"

#define VERSION "1.0.0"

struct stage {
	const struct anomon_host *host;
	anomon_stage *s;
	struct bl_config cfg;
	struct bl_model *model;
	size_t n;
	const char *const *names;    /* the input schema (the host's) */
	const char *const *checked;  /* the names array of vectors already matched */
	char *state;                 /* state file, or NULL */
	struct stat loaded;          /* the state file as init read it (st_ino 0: absent) */
	uint64_t save_every_ms;
	size_t top;
	bool skip_incomplete, warned, started, told_learning, told_ready;
	uint64_t evicted_told;
	struct bl_departure *dep;
	struct anomon_contribution *contrib;
	struct anomon_range *range;
	char basis[96];
};

static void destroy(void *state)
{
	struct stage *st = state;
	if (!st)
		return;
	bl_model_free(st->model);
	free(st->state);
	free(st->dep);
	free(st->contrib);
	free(st->range);
	free(st);
}

static int read_params(struct stage *st)
{
	const struct anomon_host *h = st->host;
	anomon_stage *s = st->s;
	int64_t top = h->param_int(s, "top"), lw = h->param_int(s, "learn_windows");
	int64_t max_keys = h->param_int(s, "max_keys");

	st->cfg = (struct bl_config){
		.learn_ns = h->param_duration_ns(s, "learn"),
		.halflife_ns = h->param_duration_ns(s, "adapt"),
		.forget_ns = h->param_duration_ns(s, "forget"),
		.margin = h->param_number(s, "margin"),
		.min_scale = h->param_number(s, "min_scale"),
		.rel_scale = BL_REL_SCALE,
		.range_scale = BL_RANGE_SCALE,
		.log_unit = BL_LOG_UNIT,
		.tail = BL_TAIL,
		.threshold = h->param_number(s, "threshold"),
	};
	if (lw < 0 || lw > UINT32_MAX) {
		h->error(s, "learn_windows: expected an integer in [0, %u], got %lld", UINT32_MAX,
			 (long long)lw);
		return -EINVAL;
	}
	st->cfg.learn_windows = (uint32_t)lw;
	if (!lw && !st->cfg.learn_ns) {
		h->error(s, "learn: expected a duration > 0 (or learn_windows > 0)");
		return -EINVAL;
	}
	if (!(st->cfg.margin > 0) || !isfinite(st->cfg.margin)) {
		h->error(s, "margin: expected a number > 0, got %g", st->cfg.margin);
		return -EINVAL;
	}
	if (!(st->cfg.min_scale > 0) || !isfinite(st->cfg.min_scale)) {
		h->error(s, "min_scale: expected a number > 0, got %g", st->cfg.min_scale);
		return -EINVAL;
	}
	if (!(st->cfg.threshold > 0 && st->cfg.threshold <= 1)) {
		h->error(s, "threshold: expected a number in (0, 1], got %g", st->cfg.threshold);
		return -EINVAL;
	}
	if (top < 0 || top > 64) {
		h->error(s, "top: expected an integer in [0, 64], got %lld", (long long)top);
		return -EINVAL;
	}
	if (max_keys < 1 || max_keys > 10000000) {
		h->error(s, "max_keys: expected an integer in [1, 10000000], got %lld",
			 (long long)max_keys);
		return -EINVAL;
	}
	st->cfg.max_keys = (size_t)max_keys;
	st->top = (size_t)top;
	st->skip_incomplete = h->param_bool(s, "skip_incomplete");
	st->save_every_ms = h->param_duration_ns(s, "save_every") / 1000000u;
	const char *path = h->param_string(s, "state");
	if (path && *path && !(st->state = strdup(path)))
		return -ENOMEM;
	return 0;
}

/* A new model with what the state file holds, if there is one. Returns 0 or a negative
 * errno after one line into err. */
static int load_state(struct stage *st, struct bl_model **out, char *err, size_t cap)
{
	struct bl_model *m;
	int rc = bl_model_new(&st->cfg, st->n, st->names, &m);
	if (rc) {
		snprintf(err, cap, "%s", strerror(-rc));
		return rc;
	}
	memset(&st->loaded, 0, sizeof(st->loaded));
	if (st->state) {
		struct stat before = {0};
		bool present = stat(st->state, &before) == 0;
		rc = bl_state_load(m, st->state, err, cap);
		if (rc < 0) {
			bl_model_free(m);
			return rc;
		}
		if (rc == 0) {
			if (present)
				st->loaded = before;
			st->host->log(st->s, ANOMON_LOG_INFO, "%s: %zu keys learnt before%s",
				      st->state, bl_model_keys(m),
				      bl_model_host_ready(m) ? ", host baseline complete" : "");
		}
	}
	*out = m;
	return 0;
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct stage *st = calloc(1, sizeof(*st));
	char err[512];
	int rc;

	if (!st)
		return -ENOMEM;
	st->host = host;
	st->s = s;
	rc = read_params(st);
	if (rc)
		goto fail;
	rc = host->input_schema(s, &st->n, &st->names);
	if (rc == -ENOENT) {
		host->error(s, "the stages feeding this model declare no feature names; baseline "
			    "needs a feature stage that does");
		rc = -EINVAL;
		goto fail;
	}
	if (rc) {
		host->error(s, "the stages feeding this model disagree on their feature names");
		goto fail;
	}
	if (st->top > st->n)
		st->top = st->n;
	st->dep = calloc(st->top ? st->top : 1, sizeof(*st->dep));
	st->contrib = calloc(st->top ? st->top : 1, sizeof(*st->contrib));
	st->range = calloc(st->top ? st->top : 1, sizeof(*st->range));
	if (!st->dep || !st->contrib || !st->range) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = load_state(st, &st->model, err, sizeof(err));
	if (rc < 0) {
		host->error(s, "%s", err);
		goto fail;
	}
	*state = st;
	return 0;
fail:
	destroy(st);
	return rc;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Start again from what the state file holds: a reload stops the stage this one replaces
 * (which saves) after this one's init and before its start. On failure the model from
 * init stays. */
static void reload_state(struct stage *st)
{
	struct stat now = {0};
	char err[512];
	struct bl_model *m = NULL;
	if (stat(st->state, &now) < 0 || same_file(&now, &st->loaded))
		return;
	if (load_state(st, &m, err, sizeof(err)) < 0) {
		st->host->log(st->s, ANOMON_LOG_WARN, "%s (what init loaded is kept)", err);
		return;
	}
	bl_model_free(st->model);
	st->model = m;
}

static void save(struct stage *st)
{
	char err[512];
	if (!st->state || !bl_model_dirty(st->model))
		return;
	if (bl_state_save(st->model, st->state, err, sizeof(err)) < 0) {
		st->host->log(st->s, ANOMON_LOG_WARN, "%s", err);
		return;
	}
	bl_model_clean(st->model);
	st->host->log(st->s, ANOMON_LOG_DEBUG, "%s: saved %zu keys", st->state,
		      bl_model_keys(st->model));
}

static void save_tick(void *arg)
{
	save(arg);
}

static int start(void *state)
{
	struct stage *st = state;
	st->started = true;
	if (st->state)
		reload_state(st);
	if (st->state && st->save_every_ms)
		return st->host->timer_start(st->s, st->save_every_ms, st->save_every_ms, save_tick,
					     st, NULL);
	return 0;
}

static void stop(void *state)
{
	struct stage *st = state;
	if (st->started)
		save(st);
	st->host->log(st->s, ANOMON_LOG_INFO, "%zu keys held; %" PRIu64 " forgotten when gone, "
		      "%" PRIu64 " evicted at max_keys", bl_model_keys(st->model),
		      bl_model_forgotten(st->model), bl_model_evicted(st->model));
}

static bool names_match(struct stage *st, const struct anomon_vector *v)
{
	if (v->names == st->checked && v->n == st->n)
		return true;
	if (v->n == st->n) {
		size_t i = 0;
		while (i < v->n && !strcmp(v->names[i], st->names[i]))
			i++;
		if (i == v->n) {
			st->checked = v->names;
			return true;
		}
	}
	if (!st->warned)
		st->host->log(st->s, ANOMON_LOG_ERROR, "vectors of %zu features do not match the "
			      "%zu features declared upstream; dropping them", v->n, st->n);
	st->warned = true;
	return false;
}

static void tell_progress(struct stage *st, const struct bl_result *r)
{
	if (!st->told_learning) {
		st->told_learning = true;
		st->host->log(st->s, ANOMON_LOG_INFO, "learning what is normal: no verdicts until "
			      "the learning period is over (%" PRIu32 " windows)", r->target);
	}
	if (!st->told_ready && bl_model_host_ready(st->model)) {
		st->told_ready = true;
		st->host->log(st->s, ANOMON_LOG_INFO, "host-wide baseline learnt: keys still "
			      "learning their own are judged against it from now on");
	}
	uint64_t ev = bl_model_evicted(st->model);
	if (ev != st->evicted_told) {
		st->evicted_told = ev;
		st->host->log(st->s, ANOMON_LOG_DEBUG, "max_keys reached: %" PRIu64 " least recently "
			      "seen keys forgotten so far", ev);
	}
}

static int on_vector(void *state, const struct anomon_vector *v)
{
	struct stage *st = state;
	struct bl_result r;
	bool complete = !(v->flags & ANOMON_WINDOW_INCOMPLETE);

	if (!names_match(st, v))
		return -EINVAL;
	int rc = bl_judge(st->model, v->key ? v->key : "host", v->start_ns, v->end_ns, complete,
			  v->values, st->dep, st->top, &r);
	if (rc)
		return rc;
	tell_progress(st, &r);
	if (r.basis == BL_NONE)
		return 0; /* nothing learnt yet to compare with */
	struct anomon_verdict out = {
		.start_ns = v->start_ns,
		.end_ns = v->end_ns,
		.key = v->key,
		.flags = v->flags,
		.label = r.abnormal,
		.score = r.score,
		.model = st->host->stage_name(st->s),
		.model_version = VERSION,
		.basis = st->basis,
	};
	if (r.basis == BL_OWN)
		snprintf(st->basis, sizeof(st->basis), "own baseline");
	else
		snprintf(st->basis, sizeof(st->basis), "host baseline: key still learning "
			 "(%" PRIu32 "/%" PRIu32 " windows)", r.learned, r.target);
	if (st->skip_incomplete && !complete) {
		out.label = -1;
		out.score = 0;
	} else {
		for (size_t i = 0; i < r.n_top; i++) {
			st->contrib[i] = (struct anomon_contribution){
				.feature = st->names[r.top[i].feature],
				.value = r.top[i].value,
				.weight = r.top[i].weight,
			};
			st->range[i] = (struct anomon_range){r.top[i].low, r.top[i].high};
		}
		out.n_top = r.n_top;
		out.top = st->contrib;
		out.normal = st->range;
	}
	return st->host->emit_verdict(st->s, &out);
}

static const struct anomon_param params[] = {
	{"learn", ANOMON_PARAM_DURATION, "30m", false,
	 "how much of each key's activity to learn from before judging it against its own "
	 "baseline, as window time (30m of 2 s windows: 900 windows)"},
	{"learn_windows", ANOMON_PARAM_INT, "0", false,
	 "learning period as a number of windows instead of learn (0: use learn)"},
	{"adapt", ANOMON_PARAM_DURATION, "1d", false,
	 "half-life of what is learnt, so that slow drift is absorbed (0: never forget)"},
	{"margin", ANOMON_PARAM_NUMBER, "3", false,
	 "distance beyond the normal range, in departure units, that scores 0.5"},
	{"min_scale", ANOMON_PARAM_NUMBER, "0.01", false,
	 "below this size departures are linear, above it logarithmic (twice the normal "
	 "range's bound is one unit), in the feature's own unit"},
	{"threshold", ANOMON_PARAM_NUMBER, "0.5", false,
	 "label a window abnormal when its score is at least this (such windows are never "
	 "learnt from)"},
	{"top", ANOMON_PARAM_INT, "3", false,
	 "number of departing features named in a verdict, with their normal range"},
	{"skip_incomplete", ANOMON_PARAM_BOOL, "false", false,
	 "do not judge windows that lost events (label -1); they are never learnt from"},
	{"forget", ANOMON_PARAM_DURATION, "7d", false,
	 "a key with a learnt baseline is forgotten once unseen this long, counted while "
	 "anomon runs (0: never); a key still learning, once gone longer than it was seen"},
	{"max_keys", ANOMON_PARAM_INT, "1000", false,
	 "keys remembered at most; the least recently seen is forgotten to make room"},
	{"state", ANOMON_PARAM_PATH, NULL, false,
	 "file that keeps what was learnt across restarts (none: learning starts afresh)"},
	{"save_every", ANOMON_PARAM_DURATION, "5m", false,
	 "how often the state file is written while running (and at exit; 0: only at exit)"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_MODEL,
	.name = "baseline",
	.version = VERSION,
	.description = "Learns each key's normal windows without labels and scores how far a "
		       "window departs from them",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_vector = on_vector,
};

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contrib.h"
#include "model_file.h"
#include "model_stage.h"

struct model_stage {
	const struct model_ops *ops;
	const struct anomon_host *host;
	anomon_stage *s;
	char *path;
	void *model;
	struct model_info info;
	double threshold;
	size_t top;
	bool skip_incomplete;
	/* Scratch for contributions, sized once so scoring never allocates. */
	struct anomon_contribution *all, *best;
	/* The names array last checked: vectors of a stage share one, so check it once. */
	const char *const *checked_names;
	size_t checked_n;
	/* Where each of the model's features sits in the vector: a vector may carry more
	 * features than the model was trained on (another model of the pipeline uses them),
	 * in any order. `gathered` holds the model's features when they are not a prefix. */
	size_t *index;
	double *gathered;
	bool prefix;
	bool warned;
};

int model_stage_init(const struct model_ops *ops, const struct anomon_host *host,
		     anomon_stage *s, void **state)
{
	struct model_stage *st;
	const char *path = host->param_string(s, "model");
	int64_t top = host->param_int(s, "top");
	double threshold = host->param_number(s, "threshold");
	char err[512];
	int rc;

	if (!path || !*path) {
		host->error(s, "model: expected the path of a model file (\"model\": \"FILE\")");
		return -EINVAL;
	}
	if (top < 0 || top > 1000) {
		host->error(s, "top: expected an integer in [0, 1000], got %lld", (long long)top);
		return -EINVAL;
	}
	if (!(threshold >= 0 && threshold <= 1)) {
		host->error(s, "threshold: expected a number in [0, 1], got %g", threshold);
		return -EINVAL;
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return -ENOMEM;
	}
	st->ops = ops;
	st->host = host;
	st->s = s;
	st->threshold = threshold;
	st->skip_incomplete = host->param_bool(s, "skip_incomplete");
	rc = ops->load(path, &st->model, &st->info, err, sizeof(err));
	if (rc) {
		host->error(s, "%s", err);
		model_stage_destroy(st);
		return rc;
	}
	st->top = (size_t)top < st->info.n ? (size_t)top : st->info.n;
	st->all = calloc(st->info.n, sizeof(*st->all));
	st->best = calloc(st->top ? st->top : 1, sizeof(*st->best));
	st->index = calloc(st->info.n ? st->info.n : 1, sizeof(*st->index));
	st->gathered = calloc(st->info.n ? st->info.n : 1, sizeof(*st->gathered));
	if (!st->all || !st->best || !st->index || !st->gathered) {
		model_stage_destroy(st);
		return -ENOMEM;
	}
	*state = st;
	return 0;
}

int model_stage_check(void *state)
{
	struct model_stage *st = state;

	return mf_check_schema(st->host, st->s, st->path, st->info.n, st->info.names);
}

static bool names_match(struct model_stage *st, const struct anomon_vector *v)
{
	if (v->names == st->checked_names && v->n == st->checked_n)
		return true;
	st->prefix = true;
	for (size_t i = 0; i < st->info.n; i++) {
		size_t j = i;
		if (i >= v->n || strcmp(v->names[i], st->info.names[i])) {
			j = 0;
			while (j < v->n && strcmp(v->names[j], st->info.names[i]))
				j++;
			if (j == v->n) {
				if (!st->warned)
					st->host->log(st->s, ANOMON_LOG_ERROR,
						      "%s: vectors of %zu features lack the model's "
						      "feature \"%s\"; dropping them", st->path,
						      v->n, st->info.names[i]);
				st->warned = true;
				st->checked_names = NULL;
				return false;
			}
			st->prefix = false;
		}
		st->index[i] = j;
	}
	st->checked_names = v->names;
	st->checked_n = v->n;
	return true;
}

int model_stage_on_vector(void *state, const struct anomon_vector *v)
{
	struct model_stage *st = state;
	struct anomon_verdict out = {
		.start_ns = v->start_ns,
		.end_ns = v->end_ns,
		.key = v->key,
		.flags = v->flags,
		.label = -1,
		.score = 0, /* not judged: label -1 says so; JSON has no NaN */
		.model = st->info.name,
		.model_version = st->info.version,
	};

	if (!names_match(st, v))
		return -EINVAL;
	const double *x = v->values;
	if (!st->prefix) {
		for (size_t i = 0; i < st->info.n; i++)
			st->gathered[i] = v->values[st->index[i]];
		x = st->gathered;
	}
	if (!(st->skip_incomplete && (v->flags & ANOMON_WINDOW_INCOMPLETE))) {
		if (st->top) {
			out.score = st->ops->explain(st->model, x, st->all);
			out.n_top = contrib_top(st->all, st->info.n, st->best, st->top);
			out.top = st->best;
		} else {
			out.score = st->ops->score(st->model, x);
		}
		out.label = out.score >= st->threshold;
	}
	return st->host->emit_verdict(st->s, &out);
}

void model_stage_destroy(void *state)
{
	struct model_stage *st = state;

	if (!st)
		return;
	if (st->model)
		st->ops->free(st->model);
	free(st->all);
	free(st->best);
	free(st->index);
	free(st->gathered);
	free(st->path);
	free(st);
}

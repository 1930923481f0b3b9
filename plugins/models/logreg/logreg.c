/* logreg: scores feature vectors with a logistic regression model file, and trains one. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "anomon_plugin.h"
#include "logreg_file.h"
#include "logreg_model.h"
#include "model_stage.h"

static int ops_load(const char *path, void **model, struct model_info *info, char *err,
		    size_t errlen)
{
	struct logreg_model *m;
	int rc = logreg_load(path, &m, err, errlen);

	if (rc)
		return rc;
	*model = m;
	info->n = m->n;
	info->names = (const char *const *)m->names;
	info->name = m->name;
	info->version = m->version;
	return 0;
}

static void ops_free(void *model)
{
	logreg_free(model);
}

static double ops_score(const void *model, const double *x)
{
	return logreg_score(model, x);
}

static double ops_explain(void *model, const double *x, struct anomon_contribution *out)
{
	logreg_contributions(model, x, out);
	return logreg_score(model, x);
}

static const struct model_ops logreg_ops = {
	.plugin = "logreg",
	.load = ops_load,
	.free = ops_free,
	.score = ops_score,
	.explain = ops_explain,
};

static int logreg_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	return model_stage_init(&logreg_ops, host, s, state);
}

static int logreg_train(const struct anomon_host *host, anomon_stage *s,
			const struct anomon_dataset *ds, void **model)
{
	const char *cw = host->param_string(s, "class_weight");
	struct logreg_params p = {
		.C = host->param_number(s, "C"),
		.max_iter = (int)host->param_int(s, "max_iter"),
		.tol = host->param_number(s, "tol"),
	};
	struct logreg_model *m;
	int rc;

	if (!(p.C > 0) || !isfinite(p.C)) {
		host->error(s, "C: expected a positive number, got %g", p.C);
		return -EINVAL;
	}
	if (p.max_iter < 1) {
		host->error(s, "max_iter: expected a positive integer, got %d", p.max_iter);
		return -EINVAL;
	}
	if (!(p.tol > 0)) {
		host->error(s, "tol: expected a positive number, got %g", p.tol);
		return -EINVAL;
	}
	if (!strcmp(cw, "balanced")) {
		p.balanced = true;
	} else if (*cw && strcmp(cw, "none")) {
		host->error(s, "class_weight: expected \"none\" or \"balanced\", got \"%s\"", cw);
		return -EINVAL;
	}
	rc = logreg_fit(&p, ds->rows, ds->cols, ds->names, ds->x, ds->y, &m);
	if (rc == -EINVAL) {
		host->error(s, "training needs rows of both classes");
		return rc;
	}
	if (rc) {
		host->error(s, "the solver failed: %s", strerror(-rc));
		return rc;
	}
	host->log(s, m->converged ? ANOMON_LOG_INFO : ANOMON_LOG_WARN,
		  "solver %s after %d Newton iterations", m->converged ? "converged" : "stopped",
		  m->iterations);
	*model = m;
	return 0;
}

static double logreg_score_model(const void *model, const double *x)
{
	return logreg_score(model, x);
}

static int logreg_save_model(const void *model, const char *metadata_json, const char *path)
{
	return logreg_save(model, metadata_json, path);
}

static const struct anomon_param logreg_params[] = {
	MODEL_STAGE_PARAMS,
	{ "C", ANOMON_PARAM_NUMBER, "1.0", false,
	  "training: inverse L2 regularisation strength (scikit-learn's C)" },
	{ "class_weight", ANOMON_PARAM_STRING, "none", false,
	  "training: \"none\" or \"balanced\" (weights n / (2 n_class) for imbalanced data)" },
	{ "max_iter", ANOMON_PARAM_INT, "100", false, "training: Newton iterations at most" },
	{ "tol", ANOMON_PARAM_NUMBER, "1e-10", false,
	  "training: stop when max |gradient| <= tol * C * rows" },
	{ NULL, 0, NULL, false, NULL },
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_MODEL,
	.name = "logreg",
	.version = "1.0.0",
	.description = "L2-regularised logistic regression on standardised features",
	.params = logreg_params,
	.init = logreg_init,
	.check = model_stage_check,
	.on_vector = model_stage_on_vector,
	.destroy = model_stage_destroy,
	.fit = logreg_train,
	.score = logreg_score_model,
	.save = logreg_save_model,
	.free_model = ops_free,
};

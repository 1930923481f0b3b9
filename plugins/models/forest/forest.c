/* forest: scores feature vectors with a random forest model file, and trains one. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"
#include "forest_file.h"
#include "forest_model.h"
#include "model_stage.h"

static int ops_load(const char *path, void **model, struct model_info *info, char *err,
		    size_t errlen)
{
	struct forest_model *m;
	int rc = forest_load(path, &m, err, errlen);

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
	forest_free(model);
}

static double ops_score(const void *model, const double *x)
{
	return forest_score(model, x);
}

static double ops_explain(void *model, const double *x, struct anomon_contribution *out)
{
	return forest_explain(model, x, out);
}

static const struct model_ops forest_ops = {
	.plugin = "forest",
	.load = ops_load,
	.free = ops_free,
	.score = ops_score,
	.explain = ops_explain,
};

static int forest_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	return model_stage_init(&forest_ops, host, s, state);
}

/* "sqrt", "log2", "all", a count ("12") or a fraction of the features ("0.3"). */
static int max_features(const char *spec, size_t cols)
{
	char *end;
	double v;

	if (!strcmp(spec, "sqrt"))
		return (int)fmax(1, floor(sqrt((double)cols)));
	if (!strcmp(spec, "log2"))
		return (int)fmax(1, floor(log2((double)cols)));
	if (!strcmp(spec, "all"))
		return (int)cols;
	v = strtod(spec, &end);
	if (end == spec || *end || !(v > 0))
		return -1;
	if (v < 1)
		return (int)fmax(1, floor(v * cols));
	if (v != floor(v) || v > cols)
		return -1;
	return (int)v;
}

static int forest_train(const struct anomon_host *host, anomon_stage *s,
			const struct anomon_dataset *ds, void **model)
{
	const char *cw = host->param_string(s, "class_weight");
	const char *mf = host->param_string(s, "max_features");
	int64_t n_trees = host->param_int(s, "n_trees"), depth = host->param_int(s, "max_depth");
	int64_t leaf = host->param_int(s, "min_samples_leaf");
	struct forest_params p = {
		.seed = (uint64_t)host->param_int(s, "seed"),
		.bootstrap = host->param_bool(s, "bootstrap"),
	};
	struct forest_model *m;
	int rc;

	if (n_trees < 1 || n_trees > 100000) {
		host->error(s, "n_trees: expected an integer in [1, 100000], got %lld",
			    (long long)n_trees);
		return -EINVAL;
	}
	if (depth < 0 || depth > 10000) {
		host->error(s, "max_depth: expected 0 (unlimited) or a positive integer, got %lld",
			    (long long)depth);
		return -EINVAL;
	}
	if (leaf < 1 || leaf > INT32_MAX) {
		host->error(s, "min_samples_leaf: expected a positive integer, got %lld",
			    (long long)leaf);
		return -EINVAL;
	}
	p.n_trees = (int)n_trees;
	p.max_depth = (int)depth;
	p.min_samples_leaf = (int)leaf;
	p.max_features = max_features(mf, ds->cols);
	if (p.max_features < 1) {
		host->error(s, "max_features: expected sqrt, log2, all, a count up to %zu or a "
			    "fraction in (0, 1), got \"%s\"", ds->cols, mf);
		return -EINVAL;
	}
	if (!strcmp(cw, "balanced")) {
		p.balanced = true;
	} else if (*cw && strcmp(cw, "none")) {
		host->error(s, "class_weight: expected \"none\" or \"balanced\", got \"%s\"", cw);
		return -EINVAL;
	}
	rc = forest_fit(&p, ds->rows, ds->cols, ds->names, ds->x, ds->y, &m);
	if (rc == -EINVAL) {
		host->error(s, "training needs rows of both classes");
		return rc;
	}
	if (rc) {
		host->error(s, "training failed: %s", strerror(-rc));
		return rc;
	}
	host->log(s, ANOMON_LOG_INFO, "grew %zu trees, %zu nodes", m->n_trees,
		  m->tree_off[m->n_trees]);
	*model = m;
	return 0;
}

static double forest_score_model(const void *model, const double *x)
{
	return forest_score(model, x);
}

static int forest_save_model(const void *model, const char *metadata_json, const char *path)
{
	return forest_save(model, metadata_json, path);
}

static const struct anomon_param forest_params[] = {
	MODEL_STAGE_PARAMS,
	{ "n_trees", ANOMON_PARAM_INT, "100", false, "training: number of trees" },
	{ "max_depth", ANOMON_PARAM_INT, "0", false, "training: deepest level, 0 for unlimited" },
	{ "min_samples_leaf", ANOMON_PARAM_INT, "1", false,
	  "training: fewest distinct training rows in a leaf" },
	{ "max_features", ANOMON_PARAM_STRING, "sqrt", false,
	  "training: features tried per split: sqrt, log2, all, a count or a fraction" },
	{ "bootstrap", ANOMON_PARAM_BOOL, "true", false,
	  "training: grow each tree on a bootstrap sample of the rows" },
	{ "class_weight", ANOMON_PARAM_STRING, "none", false,
	  "training: \"none\" or \"balanced\" (weights n / (2 n_class) for imbalanced data)" },
	{ "seed", ANOMON_PARAM_INT, "0", false, "training: random seed (same seed, same forest)" },
	{ NULL, 0, NULL, false, NULL },
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_MODEL,
	.name = "forest",
	.version = "1.0.0",
	.description = "Random forest of CART trees (Gini, bootstrap), path contributions",
	.params = forest_params,
	.init = forest_init,
	.check = model_stage_check,
	.on_vector = model_stage_on_vector,
	.destroy = model_stage_destroy,
	.fit = forest_train,
	.score = forest_score_model,
	.save = forest_save_model,
	.free_model = ops_free,
};

/* The pipeline side every model plugin shares: parameters, loading, checking, verdicts. */
#ifndef MODEL_STAGE_H
#define MODEL_STAGE_H

#include <stddef.h>

#include "anomon_plugin.h"

/* What a loaded model tells the stage about itself. Pointers owned by the model. */
struct model_info {
	size_t n;
	const char *const *names;
	const char *name, *version;
};

struct model_ops {
	const char *plugin;
	/* Load a model file; on failure err holds one line naming the file and the problem. */
	int (*load)(const char *path, void **model, struct model_info *info, char *err,
		    size_t errlen);
	void (*free)(void *model);
	/* Probability of abnormal; allocation-free. */
	double (*score)(const void *model, const double *x);
	/* Same, filling out[n] with per-feature contributions; allocation-free. */
	double (*explain)(void *model, const double *x, struct anomon_contribution *out);
};

/* Parameters of every model stage; put first in a plugin's table. */
#define MODEL_STAGE_PARAMS                                                                     \
	{ "model", ANOMON_PARAM_PATH, NULL, false,                                             \
	  "model file to score with (required in a pipeline)" },                               \
	{ "threshold", ANOMON_PARAM_NUMBER, "0.5", false,                                      \
	  "label a window abnormal when its score is at least this" },                         \
	{ "top", ANOMON_PARAM_INT, "3", false,                                                 \
	  "number of top contributing features in a verdict" },                                \
	{ "skip_incomplete", ANOMON_PARAM_BOOL, "false", false,                                \
	  "do not judge windows that lost events (label -1)" }

int model_stage_init(const struct model_ops *ops, const struct anomon_host *host,
		     anomon_stage *s, void **state);
int model_stage_check(void *state);
int model_stage_on_vector(void *state, const struct anomon_vector *v);
void model_stage_destroy(void *state);

#endif

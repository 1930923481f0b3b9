/* Random forest of CART trees (Gini) for two classes: fitting and scoring. */
#ifndef FOREST_MODEL_H
#define FOREST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"

/* One node of a tree's flat array. Leaves have feature -1. Children come after their node. */
struct forest_node {
	int32_t feature;
	int32_t left, right;   /* indices in the same tree; go left when x[feature] <= threshold */
	int32_t pad;
	double threshold;
	double value;          /* (weighted) fraction of abnormal training rows in the node */
};

struct forest_params {
	int n_trees;
	int max_depth;         /* 0: unlimited */
	int min_samples_leaf;
	int max_features;      /* features tried per split, 1..cols */
	uint64_t seed;
	bool balanced;         /* class weights n / (2 n_class) */
	bool bootstrap;
};

struct forest_model {
	size_t n;
	char **names;
	size_t n_trees;
	size_t *tree_off;      /* n_trees + 1 offsets into nodes */
	struct forest_node *nodes;
	double *importances;   /* mean decrease in impurity, summing to 1 */
	struct forest_params params;
	char *name, *version;  /* from a loaded file */
};

struct forest_model *forest_alloc(size_t n, const char *const *names);
void forest_free(struct forest_model *m);

int forest_fit(const struct forest_params *p, size_t rows, size_t cols,
	       const char *const *names, const double *x, const int *y,
	       struct forest_model **out);

/* Mean of the trees' leaf values. Allocation-free. */
double forest_score(const struct forest_model *m, const double *x);
/* Same, with each feature's path contribution (change of node value along the decision
 * paths where it split, averaged over trees) in out[m->n]. Allocation-free. */
double forest_explain(const struct forest_model *m, const double *x,
		      struct anomon_contribution *out);

#endif

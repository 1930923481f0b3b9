/* L2-regularised logistic regression on standardised features: fitting and scoring. */
#ifndef LOGREG_MODEL_H
#define LOGREG_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "anomon_plugin.h"

struct logreg_params {
	double C;          /* inverse regularisation strength, as scikit-learn's */
	bool balanced;     /* class weights n / (2 n_class) */
	int max_iter;      /* Newton iterations */
	double tol;        /* stop when max |gradient| <= tol * C * sum of weights */
};

struct logreg_model {
	size_t n;
	char **names;
	double *mean, *scale;  /* standardisation: (x - mean) / scale */
	double *coef;          /* on standardised features */
	double intercept;
	/* The same model folded onto raw features, so scoring is one dot product. */
	double *w_raw;
	double b_raw;
	/* Training facts kept for the model file. */
	struct logreg_params params;
	int iterations;
	bool converged;
	/* From a loaded file (NULL for a freshly fitted model). */
	char *name, *version;
};

/* Allocate a model of n features (names copied) with every array zeroed. */
struct logreg_model *logreg_alloc(size_t n, const char *const *names);
void logreg_free(struct logreg_model *m);
/* Derive w_raw and b_raw from mean, scale, coef and intercept. */
void logreg_prepare(struct logreg_model *m);

/* Fit on rows x cols (row-major) with labels y. Returns 0 or a negative errno. */
int logreg_fit(const struct logreg_params *p, size_t rows, size_t cols,
	       const char *const *names, const double *x, const int *y,
	       struct logreg_model **out);

/* Probability of abnormal. Allocation-free. */
double logreg_score(const struct logreg_model *m, const double *x);
/* Per-feature contributions coef * standardised value into out (m->n entries). */
void logreg_contributions(const struct logreg_model *m, const double *x,
			  struct anomon_contribution *out);

#endif

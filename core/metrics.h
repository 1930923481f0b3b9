/* Classification metrics of the abnormal class, and stratified K-fold splits. */
#ifndef ANOMON_METRICS_H
#define ANOMON_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics {
	size_t tn, fp, fn, tp;  /* confusion matrix, abnormal = positive */
	double accuracy;
	double precision;       /* 0 when nothing was predicted abnormal */
	double recall;          /* 0 when nothing is abnormal */
	double f1;
	double roc_auc;         /* NaN when only one class is present */
};

/* y: true labels 0/1; score: probability of abnormal; pred: predicted labels, or NULL for
 * score >= 0.5. Returns 0, or -ENOMEM (the ROC AUC needs a sort). */
int metrics_compute(const int *y, const double *score, const int *pred, size_t n,
		    struct metrics *m);
/* Area under the ROC curve, ties counted half (the Mann-Whitney U statistic). */
double metrics_roc_auc(const int *y, const double *score, size_t n, int *err);

/*
 * Stratified K-fold: fold[i] in [0, k) for each of n rows, each fold holding as near the same
 * share of each class as possible, rows shuffled by seed (same seed, same folds). Returns
 * -EINVAL if k < 2 or a class has fewer than k rows.
 */
int metrics_kfold(const int *y, size_t n, size_t k, uint64_t seed, size_t *fold);

/* Mean and standard deviation (over the folds, divided by n) of n values. */
void metrics_mean_std(const double *v, size_t n, double *mean, double *std);

#endif

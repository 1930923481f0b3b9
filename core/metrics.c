#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "metrics.h"

struct ranked {
	double score;
	int y;
};

static int by_score(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->score, y = ((const struct ranked *)b)->score;

	return (x > y) - (x < y);
}

double metrics_roc_auc(const int *y, const double *score, size_t n, int *err)
{
	struct ranked *r = malloc((n ? n : 1) * sizeof(*r));
	double pos = 0, rank_sum = 0;

	*err = 0;
	if (!r) {
		*err = -ENOMEM;
		return NAN;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].score = score[i];
		r[i].y = y[i];
		pos += y[i] == 1;
	}
	if (pos == 0 || pos == n) {
		free(r);
		return NAN;
	}
	qsort(r, n, sizeof(*r), by_score);
	/* Tied scores share the mean of their ranks. */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double p = 0;

		while (j < n && r[j].score == r[i].score)
			p += r[j++].y == 1;
		rank_sum += p * ((double)(i + 1 + j) / 2.0);
		i = j;
	}
	free(r);
	return (rank_sum - pos * (pos + 1) / 2) / (pos * (n - pos));
}

int metrics_compute(const int *y, const double *score, const int *pred, size_t n,
		    struct metrics *m)
{
	int err;

	*m = (struct metrics){ 0 };
	for (size_t i = 0; i < n; i++) {
		int p = pred ? pred[i] : score[i] >= 0.5;

		if (y[i] == 1)
			p == 1 ? m->tp++ : m->fn++;
		else
			p == 1 ? m->fp++ : m->tn++;
	}
	m->accuracy = n ? (double)(m->tp + m->tn) / n : 0;
	m->precision = m->tp + m->fp ? (double)m->tp / (m->tp + m->fp) : 0;
	m->recall = m->tp + m->fn ? (double)m->tp / (m->tp + m->fn) : 0;
	m->f1 = m->precision + m->recall > 0
			? 2 * m->precision * m->recall / (m->precision + m->recall) : 0;
	m->roc_auc = metrics_roc_auc(y, score, n, &err);
	return err;
}

/* splitmix64: a seeded shuffle that is the same everywhere. */
static uint64_t next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int metrics_kfold(const int *y, size_t n, size_t k, uint64_t seed, size_t *fold)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), counts[2] = { 0, 0 }, f = 0;
	uint64_t state = seed;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		counts[y[i] == 1]++;
	if (k < 2 || counts[0] < k || counts[1] < k) {
		free(idx);
		return -EINVAL;
	}
	/* Shuffle each class, then deal its rows to the folds in turn, carrying on from where
	 * the other class stopped so that fold sizes differ by at most one. */
	for (int c = 0; c < 2; c++) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++)
			if ((y[i] == 1) == c)
				idx[m++] = i;
		for (size_t i = m; i > 1; i--) {
			size_t j = (size_t)(next(&state) % i), t = idx[i - 1];

			idx[i - 1] = idx[j];
			idx[j] = t;
		}
		for (size_t i = 0; i < m; i++) {
			fold[idx[i]] = f;
			f = (f + 1) % k;
		}
	}
	free(idx);
	return 0;
}

void metrics_mean_std(const double *v, size_t n, double *mean, double *std)
{
	double s = 0, q = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / n : NAN;
	for (size_t i = 0; i < n; i++)
		q += (v[i] - *mean) * (v[i] - *mean);
	*std = n ? sqrt(q / n) : NAN;
}

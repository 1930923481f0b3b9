/*
 * Model benchmarks: scoring latency of logreg (100 features) and forest (100 trees, 100
 * features), and forest training time (10,000 rows x 50 features, 100 trees). Prints
 * "name value unit" lines; with --csv-dir DIR also writes the data sets it uses so that the
 * scikit-learn side of bench/models/run measures on the same rows.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forest_model.h"
#include "logreg_model.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 11;
}

static double gauss(uint64_t *s)
{
	double u = (lcg(s) + 1.0) / 9007199254740993.0, v = lcg(s) / 9007199254740992.0;

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Two classes; the first 10 features shift with the class, the rest are noise. */
static void make_data(size_t rows, size_t cols, uint64_t seed, double *x, int *y)
{
	for (size_t i = 0; i < rows; i++) {
		y[i] = (int)(lcg(&seed) & 1);
		for (size_t j = 0; j < cols; j++)
			x[i * cols + j] = gauss(&seed) + (j < 10 ? 0.4 * y[i] * (1 + j % 3) : 0);
	}
}

static char **make_names(size_t cols)
{
	char **n = calloc(cols, sizeof(*n));

	for (size_t j = 0; j < cols; j++) {
		n[j] = malloc(16);
		snprintf(n[j], 16, "f%zu", j);
	}
	return n;
}

static void write_csv(const char *dir, const char *name, size_t rows, size_t cols,
		      const double *x, const int *y)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs("label", f);
	for (size_t j = 0; j < cols; j++)
		fprintf(f, ",f%zu", j);
	fputc('\n', f);
	for (size_t i = 0; i < rows; i++) {
		fprintf(f, "%d", y[i]);
		for (size_t j = 0; j < cols; j++)
			fprintf(f, ",%.17g", x[i * cols + j]);
		fputc('\n', f);
	}
	fclose(f);
}

/* Nanoseconds per call of score over the rows, repeated for at least min_s seconds. */
static double per_score(double (*score)(const void *, const double *), const void *m,
			const double *x, size_t rows, size_t cols, double min_s)
{
	volatile double sink = 0;
	size_t calls = 0;
	double t0 = now(), t;

	do {
		for (size_t i = 0; i < rows; i++)
			sink += score(m, x + i * cols);
		calls += rows;
		t = now() - t0;
	} while (t < min_s);
	(void)sink;
	return t / calls * 1e9;
}

static double lr_score(const void *m, const double *x)
{
	return logreg_score(m, x);
}

static double rf_score(const void *m, const double *x)
{
	return forest_score(m, x);
}

int main(int argc, char **argv)
{
	const char *csv_dir = argc == 3 && !strcmp(argv[1], "--csv-dir") ? argv[2] : NULL;
	size_t rs = 2000, cs = 100, rt = 10000, ct = 50;
	double *xs = malloc(rs * cs * sizeof(double)), *xt = malloc(rt * ct * sizeof(double));
	int *ys = malloc(rs * sizeof(int)), *yt = malloc(rt * sizeof(int));
	char **ns = make_names(cs), **nt = make_names(ct);
	struct logreg_params lp = { .C = 1, .max_iter = 100, .tol = 1e-10 };
	struct forest_params fp = { .n_trees = 100, .min_samples_leaf = 1, .seed = 0,
				    .bootstrap = true };
	struct logreg_model *lm;
	struct forest_model *fm;
	double t0, t;

	make_data(rs, cs, 1, xs, ys);
	make_data(rt, ct, 2, xt, yt);
	if (csv_dir) {
		write_csv(csv_dir, "score_100.csv", rs, cs, xs, ys);
		write_csv(csv_dir, "train_10000x50.csv", rt, ct, xt, yt);
	}

	t0 = now();
	if (logreg_fit(&lp, rs, cs, (const char *const *)ns, xs, ys, &lm))
		return 1;
	printf("logreg_fit_2000x100 %.4f s\n", now() - t0);
	printf("logreg_score_100 %.1f ns\n", per_score(lr_score, lm, xs, rs, cs, 0.5));

	fp.max_features = (int)floor(sqrt((double)cs));
	t0 = now();
	if (forest_fit(&fp, rs, cs, (const char *const *)ns, xs, ys, &fm))
		return 1;
	printf("forest_fit_2000x100 %.4f s\n", now() - t0);
	printf("forest_score_100trees %.1f ns\n", per_score(rf_score, fm, xs, rs, cs, 0.5));
	printf("forest_nodes %zu nodes\n", fm->tree_off[fm->n_trees]);
	forest_free(fm);

	fp.max_features = (int)floor(sqrt((double)ct));
	t0 = now();
	if (forest_fit(&fp, rt, ct, (const char *const *)nt, xt, yt, &fm))
		return 1;
	t = now() - t0;
	printf("forest_fit_10000x50 %.3f s\n", t);
	forest_free(fm);
	logreg_free(lm);
	return 0;
}

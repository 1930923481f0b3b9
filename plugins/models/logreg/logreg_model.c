#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logreg_model.h"

struct logreg_model *logreg_alloc(size_t n, const char *const *names)
{
	struct logreg_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->n = n;
	m->names = calloc(n, sizeof(*m->names));
	m->mean = calloc(n, sizeof(double));
	m->scale = calloc(n, sizeof(double));
	m->coef = calloc(n, sizeof(double));
	m->w_raw = calloc(n, sizeof(double));
	if (!m->names || !m->mean || !m->scale || !m->coef || !m->w_raw)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!(m->names[i] = strdup(names[i])))
			goto fail;
	return m;
fail:
	logreg_free(m);
	return NULL;
}

void logreg_free(struct logreg_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->names && i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m->mean);
	free(m->scale);
	free(m->coef);
	free(m->w_raw);
	free(m->name);
	free(m->version);
	free(m);
}

void logreg_prepare(struct logreg_model *m)
{
	double b = m->intercept;

	for (size_t j = 0; j < m->n; j++) {
		m->w_raw[j] = m->coef[j] / m->scale[j];
		b -= m->w_raw[j] * m->mean[j];
	}
	m->b_raw = b;
}

double logreg_score(const struct logreg_model *m, const double *x)
{
	double z = m->b_raw;

	for (size_t j = 0; j < m->n; j++)
		z += m->w_raw[j] * x[j];
	return 1.0 / (1.0 + exp(-z));
}

void logreg_contributions(const struct logreg_model *m, const double *x,
			  struct anomon_contribution *out)
{
	for (size_t j = 0; j < m->n; j++) {
		out[j].feature = m->names[j];
		out[j].value = x[j];
		out[j].weight = m->coef[j] * (x[j] - m->mean[j]) / m->scale[j];
	}
}

/* log(1 + e^z) without overflow. */
static double softplus(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

/* C * sum s_i (softplus(z_i) - y_i z_i) + ||w||^2 / 2: scikit-learn's objective, whose
 * penalty spares the intercept. */
static double objective(double C, size_t rows, size_t d, const double *xs, const int *y,
			const double *s, const double *theta)
{
	double f = 0, r = 0;

	for (size_t i = 0; i < rows; i++) {
		const double *xi = xs + i * d;
		double z = theta[d];

		for (size_t j = 0; j < d; j++)
			z += theta[j] * xi[j];
		f += s[i] * (softplus(z) - y[i] * z);
	}
	for (size_t j = 0; j < d; j++)
		r += theta[j] * theta[j];
	return C * f + 0.5 * r;
}

/* Solve A x = b in place for a symmetric positive-definite A (k x k), Cholesky. */
static int cholesky_solve(double *a, size_t k, double *b)
{
	for (size_t j = 0; j < k; j++) {
		double d = a[j * k + j];

		for (size_t p = 0; p < j; p++)
			d -= a[j * k + p] * a[j * k + p];
		if (!(d > 0))
			return -EDOM;
		d = sqrt(d);
		a[j * k + j] = d;
		for (size_t i = j + 1; i < k; i++) {
			double v = a[i * k + j];

			for (size_t p = 0; p < j; p++)
				v -= a[i * k + p] * a[j * k + p];
			a[i * k + j] = v / d;
		}
	}
	for (size_t i = 0; i < k; i++) {
		for (size_t p = 0; p < i; p++)
			b[i] -= a[i * k + p] * b[p];
		b[i] /= a[i * k + i];
	}
	for (size_t i = k; i-- > 0;) {
		for (size_t p = i + 1; p < k; p++)
			b[i] -= a[p * k + i] * b[p];
		b[i] /= a[i * k + i];
	}
	return 0;
}

static void standardise(struct logreg_model *m, size_t rows, const double *x, double *xs)
{
	size_t d = m->n;

	for (size_t j = 0; j < d; j++) {
		double mean = 0, var = 0;

		for (size_t i = 0; i < rows; i++)
			mean += x[i * d + j];
		mean /= rows;
		for (size_t i = 0; i < rows; i++) {
			double e = x[i * d + j] - mean;
			var += e * e;
		}
		var /= rows;
		m->mean[j] = mean;
		/* A constant feature keeps scale 1, as scikit-learn's StandardScaler does. */
		m->scale[j] = var > 0 && sqrt(var) > 10 * 2.220446049250313e-16 * fabs(mean)
				      ? sqrt(var) : 1.0;
		for (size_t i = 0; i < rows; i++)
			xs[i * d + j] = (x[i * d + j] - mean) / m->scale[j];
	}
}

/*
 * Damped Newton's method: the objective is smooth and strongly convex in w, so Newton steps
 * with a backtracking line search converge in a few dozen iterations, also on separable
 * data (the L2 term keeps the optimum finite) and whatever the raw scales (we standardise).
 */
static int newton(struct logreg_model *m, const struct logreg_params *p, size_t rows,
		  const double *xs, const int *y, const double *s)
{
	size_t d = m->n, k = d + 1;
	double *theta = calloc(k, sizeof(double)), *g = calloc(k, sizeof(double));
	double *h = calloc(k * k, sizeof(double)), *step = calloc(k, sizeof(double));
	double *trial = calloc(k, sizeof(double));
	double wsum = 0, f;
	int rc = 0;

	if (!theta || !g || !h || !step || !trial) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rows; i++)
		wsum += s[i];
	f = objective(p->C, rows, d, xs, y, s, theta);
	m->converged = false;
	for (m->iterations = 0; m->iterations < p->max_iter; m->iterations++) {
		double gmax = 0, slope = 0, t = 1, fn = f;

		memset(g, 0, k * sizeof(double));
		memset(h, 0, k * k * sizeof(double));
		for (size_t i = 0; i < rows; i++) {
			const double *xi = xs + i * d;
			double z = theta[d], pr, r, c;

			for (size_t j = 0; j < d; j++)
				z += theta[j] * xi[j];
			pr = sigmoid(z);
			r = p->C * s[i] * (pr - y[i]);
			c = p->C * s[i] * pr * (1 - pr);
			for (size_t j = 0; j < d; j++)
				g[j] += r * xi[j];
			g[d] += r;
			/* Lower triangle of C X' D X with the intercept as column d. */
			for (size_t a = 0; a < d; a++) {
				double ca = c * xi[a];
				double *row = h + a * k;

				for (size_t b = 0; b <= a; b++)
					row[b] += ca * xi[b];
			}
			for (size_t b = 0; b < d; b++)
				h[d * k + b] += c * xi[b];
			h[d * k + d] += c;
		}
		for (size_t j = 0; j < d; j++) {
			g[j] += theta[j];
			h[j * k + j] += 1.0;
		}
		/* A tiny ridge on the intercept keeps the system solvable when every p is 0 or 1. */
		h[d * k + d] += 1e-12;
		for (size_t j = 0; j < k; j++)
			gmax = fmax(gmax, fabs(g[j]));
		if (gmax <= p->tol * fmax(1.0, p->C * wsum)) {
			m->converged = true;
			break;
		}
		for (size_t a = 0; a < k; a++)
			for (size_t b = a + 1; b < k; b++)
				h[a * k + b] = h[b * k + a];
		for (size_t j = 0; j < k; j++)
			step[j] = -g[j];
		if (cholesky_solve(h, k, step)) {
			rc = -EDOM;
			goto out;
		}
		for (size_t j = 0; j < k; j++)
			slope += g[j] * step[j];
		for (int ls = 0; ls < 60; ls++, t *= 0.5) {
			for (size_t j = 0; j < k; j++)
				trial[j] = theta[j] + t * step[j];
			fn = objective(p->C, rows, d, xs, y, s, trial);
			if (fn <= f + 1e-4 * t * slope)
				break;
		}
		if (!(fn <= f)) {
			/* No decrease in floating point: we are at the optimum to machine precision. */
			m->converged = true;
			break;
		}
		memcpy(theta, trial, k * sizeof(double));
		f = fn;
	}
	memcpy(m->coef, theta, d * sizeof(double));
	m->intercept = theta[d];
out:
	free(theta);
	free(g);
	free(h);
	free(step);
	free(trial);
	return rc;
}

int logreg_fit(const struct logreg_params *p, size_t rows, size_t cols,
	       const char *const *names, const double *x, const int *y,
	       struct logreg_model **out)
{
	struct logreg_model *m;
	double *xs = NULL, *s = NULL;
	size_t pos = 0;
	int rc;

	*out = NULL;
	if (rows == 0 || cols == 0 || !(p->C > 0) || p->max_iter < 1)
		return -EINVAL;
	for (size_t i = 0; i < rows; i++)
		pos += y[i] == 1;
	if (pos == 0 || pos == rows)
		return -EINVAL;
	m = logreg_alloc(cols, names);
	xs = malloc(rows * cols * sizeof(double));
	s = malloc(rows * sizeof(double));
	if (!m || !xs || !s) {
		rc = -ENOMEM;
		goto out;
	}
	m->params = *p;
	for (size_t i = 0; i < rows; i++)
		s[i] = !p->balanced ? 1.0
				    : (double)rows / (2.0 * (y[i] == 1 ? pos : rows - pos));
	standardise(m, rows, x, xs);
	rc = newton(m, p, rows, xs, y, s);
	if (!rc) {
		logreg_prepare(m);
		*out = m;
		m = NULL;
	}
out:
	logreg_free(m);
	free(xs);
	free(s);
	return rc;
}

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forest_model.h"

struct forest_model *forest_alloc(size_t n, const char *const *names)
{
	struct forest_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->n = n;
	m->names = calloc(n, sizeof(*m->names));
	m->importances = calloc(n, sizeof(double));
	if (!m->names || !m->importances)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!(m->names[i] = strdup(names[i])))
			goto fail;
	return m;
fail:
	forest_free(m);
	return NULL;
}

void forest_free(struct forest_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->names && i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m->importances);
	free(m->tree_off);
	free(m->nodes);
	free(m->name);
	free(m->version);
	free(m);
}

double forest_score(const struct forest_model *m, const double *x)
{
	double sum = 0;

	for (size_t t = 0; t < m->n_trees; t++) {
		const struct forest_node *nd = m->nodes + m->tree_off[t];
		int32_t i = 0;

		while (nd[i].feature >= 0)
			i = x[nd[i].feature] <= nd[i].threshold ? nd[i].left : nd[i].right;
		sum += nd[i].value;
	}
	return sum / m->n_trees;
}

double forest_explain(const struct forest_model *m, const double *x,
		      struct anomon_contribution *out)
{
	double sum = 0;

	for (size_t j = 0; j < m->n; j++) {
		out[j].feature = m->names[j];
		out[j].value = x[j];
		out[j].weight = 0;
	}
	for (size_t t = 0; t < m->n_trees; t++) {
		const struct forest_node *nd = m->nodes + m->tree_off[t];
		int32_t i = 0;

		while (nd[i].feature >= 0) {
			int32_t c = x[nd[i].feature] <= nd[i].threshold ? nd[i].left : nd[i].right;

			out[nd[i].feature].weight += nd[c].value - nd[i].value;
			i = c;
		}
		sum += nd[i].value;
	}
	for (size_t j = 0; j < m->n; j++)
		out[j].weight /= m->n_trees;
	return sum / m->n_trees;
}

/* ---- training ---- */

/* xoshiro256**, seeded through splitmix64: small, fast and the same on every platform. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return res;
}

/* Uniform in [0, n) by Lemire's multiply-shift (bias below 2^-32 for our n). */
static size_t rng_below(struct rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

struct pair {
	double v;
	uint32_t i;
};

static void insertion_sort(struct pair *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct pair p = a[i];
		size_t j = i;

		for (; j > 0 && a[j - 1].v > p.v; j--)
			a[j] = a[j - 1];
		a[j] = p;
	}
}

/* Quicksort, median-of-three pivot, Hoare partition: runs of equal values (histogram
 * features repeat 0 a lot) still split evenly, as both scans stop on the pivot value. */
static void sort_pairs(struct pair *a, size_t n)
{
	while (n > 24) {
		size_t m = n / 2, i, j;
		struct pair t;
		double piv;

		/* Order a[0], a[m], a[n-1]; the median becomes the pivot and the ends sentinels. */
		if (a[m].v < a[0].v)
			t = a[m], a[m] = a[0], a[0] = t;
		if (a[n - 1].v < a[m].v) {
			t = a[n - 1], a[n - 1] = a[m], a[m] = t;
			if (a[m].v < a[0].v)
				t = a[m], a[m] = a[0], a[0] = t;
		}
		piv = a[m].v;
		i = 0;
		j = n - 1;
		for (;;) {
			do
				i++;
			while (a[i].v < piv);
			do
				j--;
			while (a[j].v > piv);
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
		}
		/* [0, j] <= pivot <= [j + 1, n); recurse into the smaller side. */
		if (j + 1 < n - j - 1) {
			sort_pairs(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_pairs(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

struct builder {
	const struct forest_params *p;
	size_t rows, d;
	const double *xc;      /* column-major copy: one feature's values are contiguous */
	const int *y;
	double cw[2];
	uint32_t *idx;
	double *w;
	struct pair *buf;
	uint32_t *feat;
	double *imp;
	struct rng rng;
	struct forest_node *nodes;
	size_t n_nodes, cap;
};

struct split {
	int32_t feature;
	double threshold, cost;
};

/* Gini cost of a node times its weight, halved: Wp (W - Wp) / W. */
static double cost(double w, double wp)
{
	return w > 0 ? wp * (w - wp) / w : 0;
}

static bool best_split(struct builder *b, size_t lo, size_t hi, double W, double Wp,
		       struct split *best)
{
	size_t n = hi - lo, d = b->d, msl = (size_t)b->p->min_samples_leaf;
	int tried = 0;

	best->feature = -1;
	best->cost = cost(W, Wp) * (1 - 1e-12); /* must improve, beyond rounding */
	for (size_t j = 0; j < d && tried < b->p->max_features; j++) {
		size_t k = j + rng_below(&b->rng, d - j);
		uint32_t f = b->feat[k];
		const double *col = b->xc + (size_t)f * b->rows;
		double mn = INFINITY, mx = -INFINITY, wl = 0, wlp = 0;

		b->feat[k] = b->feat[j];
		b->feat[j] = f;
		for (size_t i = 0; i < n; i++) {
			uint32_t r = b->idx[lo + i];
			double v = col[r];

			b->buf[i].v = v;
			b->buf[i].i = r;
			mn = v < mn ? v : mn;
			mx = v > mx ? v : mx;
		}
		if (mn == mx)
			continue; /* constant here: does not count against max_features */
		tried++;
		sort_pairs(b->buf, n);
		for (size_t i = 0; i + 1 < n; i++) {
			uint32_t r = b->buf[i].i;
			double c;

			wl += b->w[r];
			wlp += b->w[r] * b->y[r];
			if (b->buf[i].v == b->buf[i + 1].v || i + 1 < msl || n - i - 1 < msl)
				continue;
			c = cost(wl, wlp) + cost(W - wl, Wp - wlp);
			if (c < best->cost) {
				double a = b->buf[i].v, z = b->buf[i + 1].v, t = a / 2 + z / 2;

				best->cost = c;
				best->feature = (int32_t)f;
				/* The midpoint can round up to z; then a keeps the sides apart. */
				best->threshold = t < z ? t : a;
			}
		}
	}
	return best->feature >= 0;
}

static int new_node(struct builder *b)
{
	if (b->n_nodes == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		struct forest_node *nn = realloc(b->nodes, cap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		b->nodes = nn;
		b->cap = cap;
	}
	return (int)b->n_nodes++;
}

struct todo {
	size_t lo, hi;
	int depth;
	int32_t parent;  /* -1 for the root */
	bool left;
};

/* Grow one tree depth first from idx[0, n): preorder numbering puts children after parents. */
static int grow(struct builder *b, size_t n, size_t first)
{
	struct todo *stack = malloc(sizeof(*stack) * (2 * 64 + n + 2));
	size_t top = 0;
	double total = 0;

	if (!stack)
		return -ENOMEM;
	stack[top++] = (struct todo){ 0, n, 0, -1, false };
	while (top) {
		struct todo t = stack[--top];
		double W = 0, Wp = 0;
		struct split sp;
		int id = new_node(b);
		struct forest_node *nd;

		if (id < 0) {
			free(stack);
			return id;
		}
		for (size_t i = t.lo; i < t.hi; i++) {
			W += b->w[b->idx[i]];
			Wp += b->w[b->idx[i]] * b->y[b->idx[i]];
		}
		nd = &b->nodes[id];
		*nd = (struct forest_node){ -1, -1, -1, 0, 0, W > 0 ? Wp / W : 0 };
		if (t.parent >= 0) {
			struct forest_node *pn = &b->nodes[first + t.parent];

			if (t.left)
				pn->left = id - (int)first;
			else
				pn->right = id - (int)first;
		}
		if ((b->p->max_depth > 0 && t.depth >= b->p->max_depth) ||
		    t.hi - t.lo < 2 * (size_t)b->p->min_samples_leaf || Wp <= 0 || Wp >= W ||
		    !best_split(b, t.lo, t.hi, W, Wp, &sp))
			continue;
		/* Partition the rows: x <= threshold first. */
		const double *col = b->xc + (size_t)sp.feature * b->rows;
		size_t i = t.lo, j = t.hi;

		while (i < j) {
			if (col[b->idx[i]] <= sp.threshold) {
				i++;
			} else {
				uint32_t tmp = b->idx[--j];
				b->idx[j] = b->idx[i];
				b->idx[i] = tmp;
			}
		}
		nd = &b->nodes[id];
		nd->feature = sp.feature;
		nd->threshold = sp.threshold;
		b->imp[sp.feature] += 2 * (cost(W, Wp) - sp.cost);
		total += 2 * (cost(W, Wp) - sp.cost);
		stack[top++] = (struct todo){ i, t.hi, t.depth + 1, id - (int)first, false };
		stack[top++] = (struct todo){ t.lo, i, t.depth + 1, id - (int)first, true };
	}
	free(stack);
	return total > 0 ? 0 : 1;
}

int forest_fit(const struct forest_params *p, size_t rows, size_t cols,
	       const char *const *names, const double *x, const int *y,
	       struct forest_model **out)
{
	struct builder b = { .p = p, .rows = rows, .d = cols, .y = y };
	struct forest_model *m = NULL;
	double *xc = NULL, *tree_imp = NULL;
	size_t pos = 0;
	int rc = 0;

	*out = NULL;
	if (rows == 0 || cols == 0 || rows > UINT32_MAX || p->n_trees < 1 ||
	    p->min_samples_leaf < 1 || p->max_features < 1 || (size_t)p->max_features > cols)
		return -EINVAL;
	for (size_t i = 0; i < rows; i++)
		pos += y[i] == 1;
	if (pos == 0 || pos == rows)
		return -EINVAL;
	b.cw[0] = p->balanced ? (double)rows / (2.0 * (rows - pos)) : 1.0;
	b.cw[1] = p->balanced ? (double)rows / (2.0 * pos) : 1.0;
	m = forest_alloc(cols, names);
	xc = malloc(rows * cols * sizeof(double));
	b.idx = malloc(rows * sizeof(uint32_t));
	b.w = malloc(rows * sizeof(double));
	b.buf = malloc(rows * sizeof(struct pair));
	b.feat = malloc(cols * sizeof(uint32_t));
	tree_imp = malloc(cols * sizeof(double));
	if (m)
		m->tree_off = calloc((size_t)p->n_trees + 1, sizeof(size_t));
	if (!m || !m->tree_off || !xc || !b.idx || !b.w || !b.buf || !b.feat || !tree_imp) {
		rc = -ENOMEM;
		goto out;
	}
	m->params = *p;
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++)
			xc[j * rows + i] = x[i * cols + j];
	b.xc = xc;
	b.imp = tree_imp;
	for (int t = 0; t < p->n_trees; t++) {
		size_t n = 0, first = b.n_nodes;
		double s = 0;

		/* Each tree has its own stream, so a tree does not depend on the ones before. */
		rng_seed(&b.rng, p->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t);
		for (size_t j = 0; j < cols; j++)
			b.feat[j] = (uint32_t)j;
		memset(tree_imp, 0, cols * sizeof(double));
		if (p->bootstrap) {
			memset(b.w, 0, rows * sizeof(double));
			for (size_t i = 0; i < rows; i++)
				b.w[rng_below(&b.rng, rows)] += 1;
		} else {
			for (size_t i = 0; i < rows; i++)
				b.w[i] = 1;
		}
		for (size_t i = 0; i < rows; i++)
			if (b.w[i] > 0) {
				b.w[i] *= b.cw[y[i]];
				b.idx[n++] = (uint32_t)i;
			}
		m->tree_off[t] = first;
		rc = grow(&b, n, first);
		if (rc < 0)
			goto out;
		/* Importances: each tree's impurity decreases normalised, then averaged. */
		for (size_t j = 0; j < cols; j++)
			s += tree_imp[j];
		for (size_t j = 0; s > 0 && j < cols; j++)
			m->importances[j] += tree_imp[j] / s / p->n_trees;
		rc = 0;
	}
	m->n_trees = (size_t)p->n_trees;
	m->tree_off[m->n_trees] = b.n_nodes;
	m->nodes = b.nodes;
	b.nodes = NULL;
	*out = m;
	m = NULL;
out:
	forest_free(m);
	free(b.nodes);
	free(xc);
	free(b.idx);
	free(b.w);
	free(b.buf);
	free(b.feat);
	free(tree_imp);
	return rc;
}

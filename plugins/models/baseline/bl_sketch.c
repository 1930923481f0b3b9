#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "bl_sketch.h"

/* The t-digest's size bound applied greedily to a fixed capacity: of the possible merges
 * (two neighbouring centroids, or the new value into a neighbour), take the one whose merged
 * weight is smallest relative to q(1-q) at its place in the distribution. Pairs in the
 * middle merge first; the tails, where the normal range is read, stay fine-grained. */
static inline bool cheaper(double w, double d, double best_w, double best_d)
{
	return w * best_d < best_w * d; /* w / d < best_w / best_d, without dividing */
}

static void fold(struct bl_sketch *sk, int i, double x, double w)
{
	double wi = sk->weight[i], t = wi + w;
	double m = t > 0 ? (sk->mean[i] * wi + x * w) / t : sk->mean[i];
	/* Rounding must not break the order with the neighbours. */
	if (i > 0 && m <= sk->mean[i - 1])
		m = sk->mean[i - 1];
	if (i + 1 < sk->k && m >= sk->mean[i + 1])
		m = sk->mean[i + 1];
	sk->mean[i] = (float)m;
	sk->weight[i] = (float)t;
}

static void insert_at(struct bl_sketch *sk, int i, float x, double w)
{
	memmove(&sk->mean[i + 1], &sk->mean[i], (size_t)(sk->k - i) * sizeof(float));
	memmove(&sk->weight[i + 1], &sk->weight[i], (size_t)(sk->k - i) * sizeof(float));
	sk->mean[i] = x;
	sk->weight[i] = (float)w;
	sk->k++;
}

void bl_sketch_add(struct bl_sketch *sk, double x, double w)
{
	if (!isfinite(x) || !(w > 0))
		return;
	/* Out of float range the conversion is undefined: clamp first. */
	float fx = x > 3.0e38 ? 3.0e38f : x < -3.0e38 ? -3.0e38f : (float)x;
	double total = w, before = 0;
	int i = 0;
	for (; i < sk->k && sk->mean[i] < fx; i++)
		before += sk->weight[i];
	/* Repeated values (a feature that is 0 in most windows) share one centroid. */
	if (i < sk->k && sk->mean[i] == fx) {
		sk->weight[i] = (float)(sk->weight[i] + w);
		return;
	}
	if (sk->k < BL_SKETCH_K) {
		insert_at(sk, i, fx, w);
		return;
	}
	for (int j = 0; j < sk->k; j++)
		total += sk->weight[j];
	double inv = 1 / total, cum = 0, best_w = 0, best_d = 1;
	int best = -1; /* a pair (best, best + 1) of the sketch with x inserted at i */
	for (int j = 0; j < sk->k; j++) {
		/* The pair of centroids j and j + 1 of the sketch with x at its place, where x
		 * itself may be either member. */
		double wa = j == i ? w : sk->weight[j < i ? j : j - 1];
		double wb = j + 1 == i ? w : sk->weight[j + 1 < i ? j + 1 : j];
		double pw = wa + wb, q = (cum + pw / 2) * inv, d = q * (1 - q) + 1e-9;
		if (best < 0 || cheaper(pw, d, best_w, best_d)) {
			best_w = pw;
			best_d = d;
			best = j;
		}
		cum += wa;
	}
	if (best == i - 1) {
		fold(sk, i - 1, fx, w); /* x into its left neighbour */
		return;
	}
	if (best == i) {
		fold(sk, i, fx, w); /* x into its right neighbour */
		return;
	}
	/* Two existing centroids merge; x takes the room. */
	int a = best < i ? best : best - 1;
	fold(sk, a, sk->mean[a + 1], sk->weight[a + 1]);
	memmove(&sk->mean[a + 1], &sk->mean[a + 2], (size_t)(sk->k - a - 2) * sizeof(float));
	memmove(&sk->weight[a + 1], &sk->weight[a + 2], (size_t)(sk->k - a - 2) * sizeof(float));
	sk->k--;
	if (a < i)
		i--;
	insert_at(sk, i, fx, w);
	(void)before;
}

void bl_sketch_scale(struct bl_sketch *sk, double f)
{
	for (int i = 0; i < sk->k; i++)
		sk->weight[i] = (float)(sk->weight[i] * f);
}

void bl_sketch_quantiles(const struct bl_sketch *sk, const double *ps, size_t np, double *out)
{
	double total = 0;
	for (int i = 0; i < sk->k; i++)
		total += sk->weight[i];
	if (sk->k == 0 || !(total > 0)) {
		for (size_t j = 0; j < np; j++)
			out[j] = sk->k ? sk->mean[0] : 0;
		return;
	}
	/* Each centroid stands at the middle of the weight it holds; between two centres the
	 * quantile is interpolated, beyond the outer centres it is the outer mean. */
	int i = 0;
	double c = sk->weight[0] / 2, before = 0;
	for (size_t j = 0; j < np; j++) {
		double t = ps[j] * total;
		while (i + 1 < sk->k) {
			double next = before + sk->weight[i] + (double)sk->weight[i + 1] / 2;
			if (next > t)
				break;
			before += sk->weight[i];
			i++;
			c = next;
		}
		if (t <= c || i + 1 >= sk->k) {
			out[j] = sk->mean[i];
			continue;
		}
		double next = before + sk->weight[i] + (double)sk->weight[i + 1] / 2;
		double f = next > c ? (t - c) / (next - c) : 0;
		out[j] = sk->mean[i] + f * ((double)sk->mean[i + 1] - sk->mean[i]);
	}
}

int bl_sketch_valid(const struct bl_sketch *sk)
{
	if (sk->k > BL_SKETCH_K)
		return 0;
	for (int i = 0; i < sk->k; i++) {
		if (!isfinite(sk->mean[i]) || !isfinite(sk->weight[i]) || sk->weight[i] < 0)
			return 0;
		if (i && !(sk->mean[i] > sk->mean[i - 1]))
			return 0;
	}
	return 1;
}

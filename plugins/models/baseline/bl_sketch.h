/* A quantile sketch of one feature: a handful of weighted centroids kept in order of their
 * mean, small ones at the tails (where the normal range is read) and merged ones in the
 * middle, as a t-digest does but with a fixed, tiny capacity so that a key's learning state
 * stays a few kilobytes. Weights are relative: the caller gives newer windows larger weights
 * to forget old ones (exponential forgetting without touching every centroid each window). */
#ifndef BL_SKETCH_H
#define BL_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define BL_SKETCH_K 16

struct bl_sketch {
	float mean[BL_SKETCH_K];   /* ascending */
	float weight[BL_SKETCH_K]; /* >= 0 */
	uint8_t k;                 /* centroids in use */
};

/* Add value x with weight w (> 0). Non-finite values are ignored. */
void bl_sketch_add(struct bl_sketch *sk, double x, double w);
/* Multiply every weight by f (rescaling, forgetting). */
void bl_sketch_scale(struct bl_sketch *sk, double f);
/* Quantiles ps[0..np) (ascending, in [0, 1]) into out; a sketch without weight gives 0. */
void bl_sketch_quantiles(const struct bl_sketch *sk, const double *ps, size_t np, double *out);
/* A sketch read from a file is usable: k <= capacity, finite ascending means, finite
 * weights >= 0. */
int bl_sketch_valid(const struct bl_sketch *sk);

#endif

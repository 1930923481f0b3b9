/* The baseline model without the host: what each key (and the host as a whole) normally
 * looks like, learning, scoring and explaining a window. The plugin, the state file, the
 * tests and the benchmark all use it. */
#ifndef BL_MODEL_H
#define BL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bl_sketch.h"

struct bl_config {
	uint64_t learn_ns;       /* learning period as window time, when learn_windows is 0 */
	uint32_t learn_windows;  /* learning period as a window count (0: use learn_ns) */
	uint64_t halflife_ns;    /* what is learnt weighs half after this long; 0 never forgets */
	double margin;           /* distance beyond the normal range at which the score is 0.5 */
	double min_scale;        /* the smallest departure unit of any feature */
	double rel_scale;        /* departure unit at least this fraction of the feature's size */
	double range_scale;      /* departure unit at least this fraction of the normal range */
	double log_unit;         /* > 0: departures on the scale asinh(x / min_scale), where a
				  * unit is at least this (ln 2: a factor of 2); 0: linear */
	bool max_combine;        /* distance: the largest departure, not the Euclidean norm */
	double tail;             /* the normal range is the [tail, 1 - tail] quantile range */
	double threshold;        /* abnormal at or above this score; such windows are not learnt */
	size_t max_keys;         /* keys kept; the least recently seen is forgotten beyond it */
	uint64_t forget_ns;      /* a learnt key unseen this long is forgotten (0: never) */
};

/* Defaults of the tunables that are not parameters of the plugin. */
#define BL_REL_SCALE 0.1
#define BL_RANGE_SCALE 0.15
#define BL_TAIL 0.01
#define BL_LOG_UNIT 0.6931471805599453 /* ln 2: twice as much is one unit */
/* The linear part of a feature's scale reaches at least this fraction of its range's
 * largest bound (see feature_scale in bl_model.c). */
#define BL_LINEAR_FRACTION 0.01
/* Windows of the host-wide baseline before it judges new keys (or the learning period, if
 * shorter), and the key whose windows it does not learn from. */
#define BL_HOST_MIN 20
#define BL_HOST_KEY "host"
/* A key still learning is forgotten once gone for longer than it had been seen, and for
 * at least this many windows (so that a service restarting keeps what it learnt). */
#define BL_GONE_WINDOWS 10
#define BL_GONE_MIN_WINDOW_NS 1000000000ull

/* What one window of one key got. */
enum bl_basis {
	BL_NONE = 0, /* nothing learnt yet to compare with: not judged */
	BL_OWN,      /* the key's own baseline */
	BL_HOST,     /* the host-wide baseline: the key is still learning its own */
};

struct bl_departure {
	size_t feature;     /* index in the vector */
	double value;
	double weight;      /* signed departure beyond the normal range, in departure units */
	double low, high;   /* the normal range of the feature for the basis */
};

struct bl_result {
	enum bl_basis basis;
	double score;               /* probability of not normal (judged windows) */
	bool abnormal;
	bool learnt;                /* the window was added to what is learnt */
	uint32_t learned, target;   /* the key's learning progress, in windows */
	size_t n_top;
	struct bl_departure *top;   /* caller's array of the size given to bl_judge */
};

/* Where a feature normally lies and the unit of its departures, read from its sketch and
 * kept until the sketch has changed enough to matter, so that scoring does not walk every
 * sketch. */
struct bl_range {
	float lo, hi;   /* as the feature is */
	float tlo, thi; /* on the scale departures are measured on */
	float unit;
};
#define PROFILE_NONE UINT32_MAX

struct bl_key;
struct bl_model;

int bl_model_new(const struct bl_config *cfg, size_t n, const char *const *names,
		 struct bl_model **out);
void bl_model_free(struct bl_model *m);

/* Judge the window [start, end) of key with features x[n]; complete is false for a window
 * that lost events (it is scored but never learnt from). top has room for k departures.
 * Returns 0 or -ENOMEM (a new key could not be stored). */
int bl_judge(struct bl_model *m, const char *key, uint64_t start_ns, uint64_t end_ns,
	     bool complete, const double *x, struct bl_departure *top, size_t k,
	     struct bl_result *res);

/* Bytes of memory the learning state takes (keys, their sketches, the index). */
size_t bl_model_memory(const struct bl_model *m);
size_t bl_model_keys(const struct bl_model *m);
uint64_t bl_model_evicted(const struct bl_model *m);
/* Keys forgotten because they were gone (see forget_ns and BL_GONE_WINDOWS). */
uint64_t bl_model_forgotten(const struct bl_model *m);
/* True once something was learnt since the last bl_model_clean. */
bool bl_model_dirty(const struct bl_model *m);
void bl_model_clean(struct bl_model *m);
bool bl_model_host_ready(const struct bl_model *m);

/* Access for the state file: keys from the most to the least recently seen. */
struct bl_key_state {
	const char *name;
	uint64_t first_ns, last_ns;
	uint64_t epoch_ns;      /* the time at which a window weighs 1 */
	uint32_t learned;
	uint32_t eligible;      /* windows fit to learn from since it was ready (sampling) */
	uint32_t profiled;      /* learned when range was read; PROFILE_NONE: never */
	bool ready;
	struct bl_sketch *sketch; /* n sketches */
	struct bl_range *range;   /* n ranges, meaningful unless profiled is PROFILE_NONE */
};
size_t bl_model_n(const struct bl_model *m);
/* Recompute what each loaded range's bounds give (its bounds on the departure scale and
 * its unit), so a state file saved by a version that measured differently judges alike. */
void bl_model_refresh_ranges(struct bl_model *m);
const char *const *bl_model_names(const struct bl_model *m);
void bl_model_host_state(struct bl_model *m, struct bl_key_state *out);
/* Iterate: *it starts NULL; returns false at the end. */
bool bl_model_next_key(struct bl_model *m, struct bl_key **it, struct bl_key_state *out);
/* Loading: set the host baseline's fields, or add a key after those already there (so keys
 * are added from the most to the least recently seen), from in (its arrays are ignored);
 * *sketch and *range receive the n sketches and ranges to fill. add_key: -EEXIST for a
 * duplicate name, -ENOSPC beyond max_keys, -ENOMEM. */
void bl_model_set_host(struct bl_model *m, const struct bl_key_state *in,
		       struct bl_sketch **sketch, struct bl_range **range);
int bl_model_add_key(struct bl_model *m, const struct bl_key_state *in,
		     struct bl_sketch **sketch, struct bl_range **range);

#endif

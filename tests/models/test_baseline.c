/* The baseline model without a host: its sketch, learning and judging, the host-wide
 * fallback, drift, eviction and memory bounds, and the state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bl_model.h"
#include "bl_sketch.h"
#include "bl_state.h"

#define N 3
#define SEC 1000000000ull
static const char *const names[N] = {"opens", "fail_ratio", "bytes"};

static struct bl_config config(void)
{
	return (struct bl_config){
		.learn_windows = 50, .margin = 3, .min_scale = 0.01, .rel_scale = BL_REL_SCALE,
		.range_scale = BL_RANGE_SCALE, .log_unit = BL_LOG_UNIT, .tail = BL_TAIL, .threshold = 0.5, .max_keys = 100,
	};
}

static uint64_t rng = 42;
static double urand(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* An ordinary window: about 100 opens, 2-4% failing, 1 MB. */
static void ordinary(double *x)
{
	x[0] = 90 + 20 * urand();
	x[1] = 0.02 + 0.02 * urand();
	x[2] = 1e6 * (0.8 + 0.4 * urand());
}

static struct bl_result judge(struct bl_model *m, const char *key, uint64_t *t,
			      const double *x, struct bl_departure *top, bool complete)
{
	struct bl_result r;
	assert_int_equal(bl_judge(m, key, *t, *t + 2 * SEC, complete, x, top, 3, &r), 0);
	*t += 2 * SEC;
	return r;
}

static void learn_n(struct bl_model *m, const char *key, uint64_t *t, int n)
{
	double x[N];
	struct bl_departure top[3];
	for (int i = 0; i < n; i++) {
		ordinary(x);
		judge(m, key, t, x, top, true);
	}
}

static void sketch_quantiles(void **unused)
{
	(void)unused;
	struct bl_sketch sk = {0};
	/* 0..999 in a scrambled order */
	for (int i = 0; i < 1000; i++)
		bl_sketch_add(&sk, (double)((i * 617) % 1000), 1);
	assert_true(sk.k <= BL_SKETCH_K);
	assert_true(bl_sketch_valid(&sk));
	double ps[3] = {0.01, 0.5, 0.99}, q[3];
	bl_sketch_quantiles(&sk, ps, 3, q);
	assert_true(fabs(q[0] - 10) < 15);
	assert_true(fabs(q[1] - 500) < 60);
	assert_true(fabs(q[2] - 990) < 15);
	/* A value seen again and again is one centroid; the range is that value. */
	struct bl_sketch z = {0};
	for (int i = 0; i < 100; i++)
		bl_sketch_add(&z, 0, 1);
	bl_sketch_add(&z, NAN, 1);
	assert_int_equal(z.k, 1);
	bl_sketch_quantiles(&z, ps, 3, q);
	assert_true(q[0] == 0 && q[2] == 0);
}

static void learns_then_flags(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	struct bl_model *m;
	struct bl_departure top[3];
	double x[N];
	uint64_t t = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	for (int i = 0; i < 50; i++) {
		ordinary(x);
		struct bl_result r = judge(m, "c1", &t, x, top, true);
		assert_int_equal(r.basis, BL_NONE); /* nothing judged while learning */
		assert_int_equal(r.learned, (uint32_t)i);
		assert_int_equal(r.target, 50);
	}
	int flagged = 0;
	for (int i = 0; i < 200; i++) {
		ordinary(x);
		struct bl_result r = judge(m, "c1", &t, x, top, true);
		assert_int_equal(r.basis, BL_OWN);
		flagged += r.abnormal;
	}
	assert_true(flagged <= 4); /* at most 2% of ordinary windows */
	/* Failing opens at 93%: that feature departs most, its range is where it was. */
	ordinary(x);
	x[1] = 0.93;
	struct bl_result r = judge(m, "c1", &t, x, top, true);
	assert_true(r.abnormal && r.score > 0.7);
	assert_false(r.learnt);
	assert_int_equal(r.n_top, 3);
	assert_int_equal(top[0].feature, 1);
	assert_true(top[0].value == 0.93 && top[0].weight > 3);
	assert_true(top[0].low >= 0.019 && top[0].high <= 0.041 && top[0].low < top[0].high);
	/* Below the range: a negative departure. */
	ordinary(x);
	x[0] = 1;
	r = judge(m, "c1", &t, x, top, true);
	assert_true(r.abnormal && top[0].feature == 0 && top[0].weight < 0);
	bl_model_free(m);
}

static void new_keys_use_the_host_baseline(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	struct bl_model *m;
	struct bl_departure top[3];
	double x[N];
	uint64_t t = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	learn_n(m, "c1", &t, 50);
	assert_true(bl_model_host_ready(m));
	/* An ordinary newcomer: judged against the host's, learning its own meanwhile. */
	for (int i = 0; i < 50; i++) {
		ordinary(x);
		struct bl_result r = judge(m, "c2", &t, x, top, true);
		assert_int_equal(r.basis, BL_HOST);
		assert_int_equal(r.learned, (uint32_t)i);
		assert_true(r.learnt);
	}
	ordinary(x);
	assert_int_equal(judge(m, "c2", &t, x, top, true).basis, BL_OWN);
	/* A newcomer that is abnormal from the start never learns it as normal. */
	for (int i = 0; i < 60; i++) {
		ordinary(x);
		x[1] = 0.9;
		struct bl_result r = judge(m, "c3", &t, x, top, true);
		assert_int_equal(r.basis, BL_HOST);
		assert_true(r.abnormal);
		assert_int_equal(r.learned, 0);
	}
	/* The "host" key's own windows teach the host key, not the containers' fallback. */
	for (int i = 0; i < 60; i++) {
		ordinary(x);
		x[0] = 50000;
		judge(m, "host", &t, x, top, true);
	}
	ordinary(x);
	x[0] = 50000;
	assert_true(judge(m, "c4", &t, x, top, true).abnormal);
	bl_model_free(m);
}

static void incomplete_windows_are_not_learnt(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	struct bl_model *m;
	struct bl_departure top[3];
	double x[N];
	uint64_t t = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	for (int i = 0; i < 80; i++) {
		ordinary(x);
		struct bl_result r = judge(m, "c1", &t, x, top, false);
		assert_false(r.learnt);
		assert_int_equal(r.learned, 0);
	}
	assert_false(bl_model_dirty(m));
	bl_model_free(m);
}

/* Opens creep up 0.2% a window until three times the learnt level: windows that stay
 * within reach of the range are learnt, so the creep is absorbed, and a sudden jump from
 * there is still flagged. With forgetting, the range follows: the old level falls below
 * it; a model that never forgets only widens its range. */
static void drift_is_absorbed(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	cfg.halflife_ns = 100 * SEC; /* 50 windows */
	struct bl_model *m, *frozen;
	struct bl_departure top[3];
	double x[N];
	uint64_t t = 1000 * SEC, tf = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	struct bl_config fcfg = config();
	assert_int_equal(bl_model_new(&fcfg, N, names, &frozen), 0);
	learn_n(m, "c1", &t, 50);
	learn_n(frozen, "c1", &tf, 50);
	double level = 1;
	int flagged = 0;
	while (level < 3) {
		level *= 1.002;
		ordinary(x);
		x[0] *= level;
		flagged += judge(m, "c1", &t, x, top, true).abnormal;
		judge(frozen, "c1", &tf, x, top, true);
	}
	assert_true(flagged <= 5);
	ordinary(x);
	x[0] *= 3;
	assert_false(judge(m, "c1", &t, x, top, true).abnormal);
	ordinary(x);
	x[0] *= 30;
	assert_true(judge(m, "c1", &t, x, top, true).abnormal);
	ordinary(x);
	x[0] = 100;
	judge(m, "c1", &t, x, top, true);
	assert_true(top[0].feature == 0 && top[0].low > 120 && top[0].weight < 0);
	judge(frozen, "c1", &tf, x, top, true);
	for (int i = 0; i < 3; i++)
		if (top[i].feature == 0)
			assert_true(top[i].low < 100 && top[i].weight == 0);
	bl_model_free(m);
	bl_model_free(frozen);
}

static void keys_are_bounded(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	cfg.max_keys = 3;
	struct bl_model *m;
	uint64_t t = 1000 * SEC;
	char key[16];
	/* Baselines complete after 5 windows and never forgotten for being gone: only the
	 * bound makes room. */
	cfg.learn_windows = 5;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	for (int k = 0; k < 5; k++) {
		snprintf(key, sizeof(key), "c%d", k);
		learn_n(m, key, &t, 10);
	}
	assert_int_equal(bl_model_keys(m), 3);
	assert_int_equal(bl_model_evicted(m), 2);
	assert_int_equal(bl_model_forgotten(m), 0);
	/* c0 was the least recently seen: forgotten, it starts learning again. */
	struct bl_departure top[3];
	double x[N];
	ordinary(x);
	assert_int_equal(judge(m, "c0", &t, x, top, true).learned, 0);
	ordinary(x);
	assert_int_equal(judge(m, "c4", &t, x, top, true).basis, BL_OWN);
	bl_model_free(m);

	/* 1,000 keys of 68 features, every sketch full: under 16 MiB. */
	const char *many[68];
	char buf[68][16];
	for (int j = 0; j < 68; j++) {
		snprintf(buf[j], sizeof(buf[j]), "f%d", j);
		many[j] = buf[j];
	}
	cfg = config();
	cfg.max_keys = 1000;
	assert_int_equal(bl_model_new(&cfg, 68, many, &m), 0);
	double v[68];
	struct bl_result r;
	for (int w = 0; w < 40; w++)
		for (int k = 0; k < 1000; k++) {
			snprintf(key, sizeof(key), "k%d", k);
			for (int j = 0; j < 68; j++)
				v[j] = urand();
			assert_int_equal(bl_judge(m, key, t, t + 2 * SEC, true, v, top, 3, &r), 0);
		}
	assert_int_equal(bl_model_keys(m), 1000);
	assert_true(bl_model_memory(m) < 16u << 20);
	bl_model_free(m);
}

/* Keys of containers that are gone are forgotten: one still learning once gone longer
 * than it was seen (at least BL_GONE_WINDOWS windows), one with a baseline after forget;
 * absence is counted while the model runs, not across a restart. */
static void gone_keys_are_forgotten(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	cfg.learn_windows = 20;
	cfg.forget_ns = 200 * SEC;
	struct bl_model *m;
	uint64_t t = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	learn_n(m, "learnt", &t, 20); /* a baseline of its own, last seen at 1040 s */
	learn_n(m, "long", &t, 15);   /* seen 30 s, still learning */
	learn_n(m, "brief", &t, 2);   /* seen 4 s: kept for 10 windows, 20 s */
	assert_int_equal(bl_model_keys(m), 3);
	learn_n(m, "busy", &t, 9);    /* 1092 s: brief gone 18 s, long 22 s */
	assert_int_equal(bl_model_keys(m), 4);
	assert_int_equal(bl_model_forgotten(m), 0);
	learn_n(m, "busy", &t, 1);    /* 1094 s: brief gone 20 s */
	assert_int_equal(bl_model_forgotten(m), 1);
	learn_n(m, "busy", &t, 2);
	assert_int_equal(bl_model_forgotten(m), 1);
	learn_n(m, "busy", &t, 1);    /* 1100 s: long gone 30 s */
	assert_int_equal(bl_model_forgotten(m), 2);
	learn_n(m, "busy", &t, 69);   /* 1238 s: learnt gone 198 s */
	assert_int_equal(bl_model_keys(m), 2);
	learn_n(m, "busy", &t, 1);    /* 1240 s: gone for forget */
	assert_int_equal(bl_model_keys(m), 1);
	assert_int_equal(bl_model_forgotten(m), 3);
	bl_model_free(m);

	/* Restarted from a state file a day later: "learnt" is gone only forget after the
	 * first window of the new run. */
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	learn_n(m, "learnt", &t, 20);
	uint8_t *buf;
	size_t len;
	char err[256];
	assert_int_equal(bl_state_encode(m, &buf, &len), 0);
	bl_model_free(m);
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	assert_int_equal(bl_state_decode(m, buf, len, "s", err, sizeof(err)), 0);
	free(buf);
	t += 86400 * SEC;
	learn_n(m, "busy", &t, 99);
	assert_int_equal(bl_model_keys(m), 2);
	learn_n(m, "busy", &t, 1);
	assert_int_equal(bl_model_keys(m), 1);
	bl_model_free(m);

	/* forget 0 keeps a learnt key for ever; a key coming back is the same key. */
	cfg.forget_ns = 0;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	learn_n(m, "learnt", &t, 20);
	learn_n(m, "busy", &t, 500);
	struct bl_departure top[3];
	double x[N];
	ordinary(x);
	struct bl_result r = judge(m, "learnt", &t, x, top, true);
	assert_int_equal(r.basis, BL_OWN);
	assert_int_equal(bl_model_forgotten(m), 0);
	bl_model_free(m);
}

/* A count that is often 0 and at most about 110: a burst 40 times its top departs by
 * about 4.7 units (the scale is logarithmic from a hundredth of the top, not from
 * min_scale, which would make the normal range seven decades wide and the burst small);
 * three times the top by under 1.5, which alone is normal; a ratio keeps min_scale. */
static void counts_reaching_zero(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	struct bl_model *m;
	uint64_t t = 1000 * SEC;
	struct bl_departure top[3];
	double x[N];
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	for (int i = 0; i < 200; i++) {
		x[0] = urand() < 0.5 ? 0 : 110 * urand();
		x[1] = 0.02 + 0.02 * urand();
		x[2] = 1e6;
		judge(m, "c", &t, x, top, true);
	}
	x[0] = 4600;
	x[1] = 0.03;
	struct bl_result r = judge(m, "c", &t, x, top, false);
	assert_int_equal(r.basis, BL_OWN);
	assert_int_equal(top[0].feature, 0);
	assert_true(top[0].weight > 4 && top[0].weight < 5.5);
	x[0] = 330;
	r = judge(m, "c", &t, x, top, false);
	assert_true(top[0].weight > 0 && top[0].weight < 1.5);
	assert_false(r.abnormal);
	/* The failure ratio from 0.02-0.04 to 0.9: min_scale's scale, far beyond. */
	x[0] = 50;
	x[1] = 0.9;
	r = judge(m, "c", &t, x, top, false);
	assert_int_equal(top[0].feature, 1);
	assert_true(top[0].weight > 4);
	assert_true(r.abnormal);
	bl_model_free(m);
}

static void state_round_trip(void **unused)
{
	(void)unused;
	struct bl_config cfg = config();
	cfg.halflife_ns = 3600 * SEC;
	struct bl_model *m, *back;
	struct bl_departure top[3], top2[3];
	uint8_t *buf;
	size_t len;
	char err[512];
	double x[N];
	uint64_t t = 1000 * SEC;
	assert_int_equal(bl_model_new(&cfg, N, names, &m), 0);
	learn_n(m, "c1", &t, 60);
	learn_n(m, "c2", &t, 20);
	assert_int_equal(bl_state_encode(m, &buf, &len), 0);
	assert_int_equal(bl_model_new(&cfg, N, names, &back), 0);
	assert_int_equal(bl_state_decode(back, buf, len, "s", err, sizeof(err)), 0);
	assert_int_equal(bl_model_keys(back), 2);
	assert_true(bl_model_host_ready(back));
	/* The same judgements, and the same file again. */
	for (int i = 0; i < 20; i++) {
		ordinary(x);
		x[i % N] *= 1 + (i % 4);
		uint64_t t2 = t;
		struct bl_result a = judge(m, i % 2 ? "c1" : "c2", &t, x, top, true);
		struct bl_result b = judge(back, i % 2 ? "c1" : "c2", &t2, x, top2, true);
		assert_true(a.score == b.score && a.basis == b.basis && a.learned == b.learned);
	}
	uint8_t *buf2;
	size_t len2;
	assert_int_equal(bl_state_encode(back, &buf2, &len2), 0);
	uint8_t *buf3;
	size_t len3;
	assert_int_equal(bl_state_encode(m, &buf3, &len3), 0);
	assert_true(len2 == len3 && !memcmp(buf2, buf3, len2));
	free(buf2);
	free(buf3);
	bl_model_free(back);

	/* Fewer keys allowed: the most recently seen ones are kept. */
	cfg.max_keys = 1;
	assert_int_equal(bl_model_new(&cfg, N, names, &back), 0);
	assert_int_equal(bl_state_decode(back, buf, len, "s", err, sizeof(err)), 0);
	struct bl_key *it = NULL;
	struct bl_key_state ks;
	assert_true(bl_model_next_key(back, &it, &ks));
	assert_string_equal(ks.name, "c2");
	assert_false(bl_model_next_key(back, &it, &ks));
	bl_model_free(back);
	cfg.max_keys = 100;

	/* Another feature set. */
	const char *other[N] = {"opens", "fail", "bytes"};
	assert_int_equal(bl_model_new(&cfg, N, other, &back), 0);
	assert_int_equal(bl_state_decode(back, buf, len, "s", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "s: learnt for another feature set: feature 1 is \"fail_ratio\" "
			    "there, \"fail\" in this pipeline; move the file away or set another "
			    "state path");
	bl_model_free(back);
	assert_int_equal(bl_model_new(&cfg, 2, names, &back), 0);
	assert_int_equal(bl_state_decode(back, buf, len, "s", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "3 features (opens, fail_ratio, bytes), this pipeline gives 2"));
	bl_model_free(back);

	/* Every truncation and every flipped byte is refused, never half loaded. */
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(bl_model_new(&cfg, N, names, &back), 0);
		assert_int_equal(bl_state_decode(back, buf, cut, "s", err, sizeof(err)), -EINVAL);
		bl_model_free(back);
	}
	for (size_t at = 0; at < len; at += 7) {
		buf[at] ^= 0x20;
		assert_int_equal(bl_model_new(&cfg, N, names, &back), 0);
		assert_int_equal(bl_state_decode(back, buf, len, "s", err, sizeof(err)), -EINVAL);
		bl_model_free(back);
		buf[at] ^= 0x20;
	}
	free(buf);
	bl_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sketch_quantiles),
		cmocka_unit_test(learns_then_flags),
		cmocka_unit_test(new_keys_use_the_host_baseline),
		cmocka_unit_test(incomplete_windows_are_not_learnt),
		cmocka_unit_test(drift_is_absorbed),
		cmocka_unit_test(keys_are_bounded),
		cmocka_unit_test(gone_keys_are_forgotten),
		cmocka_unit_test(counts_reaching_zero),
		cmocka_unit_test(state_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

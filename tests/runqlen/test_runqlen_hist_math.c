// SPDX-License-Identifier: MIT
/* Unit tests of the runqlen_hist feature math. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runqlen_hist_math.h"

enum { B = 4, N = B + 1 + RQH_STATS };
/* Offsets of the statistics after the B bin fractions and the tail bin. */
enum { MEAN = B + 1, P50, P90, P99, MAX, WAITING, SAMPLES };

static void test_names(void **st)
{
	(void)st;
	char *names[N];

	assert_int_equal(rqh_names(B, names), 0);
	assert_string_equal(names[0], "frac_0");
	assert_string_equal(names[3], "frac_3");
	assert_string_equal(names[4], "frac_ge4");
	assert_string_equal(names[MEAN], "mean");
	assert_string_equal(names[P50], "p50");
	assert_string_equal(names[P90], "p90");
	assert_string_equal(names[P99], "p99");
	assert_string_equal(names[MAX], "max");
	assert_string_equal(names[WAITING], "waiting");
	assert_string_equal(names[SAMPLES], "samples");
	rqh_names_free(B, names);
	assert_null(names[0]);
}

static void test_idle(void **st)
{
	(void)st;
	uint64_t h[8] = {200};
	double v[N];

	assert_int_equal(rqh_compute(h, 8, 0, B, v), 0);
	assert_float_equal(v[0], 1.0, 1e-12);
	for (int i = 1; i <= B; i++)
		assert_float_equal(v[i], 0.0, 1e-12);
	assert_float_equal(v[MEAN], 0.0, 1e-12);
	assert_float_equal(v[P99], 0.0, 1e-12);
	assert_float_equal(v[MAX], 0.0, 1e-12);
	assert_float_equal(v[WAITING], 0.0, 1e-12);
	assert_float_equal(v[SAMPLES], 200.0, 1e-12);
}

static void test_distribution(void **st)
{
	(void)st;
	/* 100 samples: 50 at 0, 40 at 1, 9 at 2, 1 at 5. */
	uint64_t h[8] = {50, 40, 9, 0, 0, 1, 0, 0};
	double v[N];

	assert_int_equal(rqh_compute(h, 8, 0, B, v), 0);
	assert_float_equal(v[0], 0.50, 1e-12);
	assert_float_equal(v[1], 0.40, 1e-12);
	assert_float_equal(v[2], 0.09, 1e-12);
	assert_float_equal(v[3], 0.00, 1e-12);
	assert_float_equal(v[4], 0.01, 1e-12); /* tail: length 5 >= B */
	assert_float_equal(v[MEAN], (40 + 18 + 5) / 100.0, 1e-12);
	assert_float_equal(v[P50], 0.0, 1e-12); /* the 50th sample is still at 0 */
	assert_float_equal(v[P90], 1.0, 1e-12);
	assert_float_equal(v[P99], 2.0, 1e-12);
	assert_float_equal(v[MAX], 5.0, 1e-12);
	assert_float_equal(v[WAITING], 0.50, 1e-12);
	assert_float_equal(v[SAMPLES], 100.0, 1e-12);
}

/* Nearest rank: p50 of 51 samples is the 26th. */
static void test_percentile_rank(void **st)
{
	(void)st;
	uint64_t h[3] = {25, 26, 0};
	double v[N];

	assert_int_equal(rqh_compute(h, 3, 0, B, v), 0);
	assert_float_equal(v[P50], 1.0, 1e-12);
	h[0] = 26;
	h[1] = 25;
	assert_int_equal(rqh_compute(h, 3, 0, B, v), 0);
	assert_float_equal(v[P50], 0.0, 1e-12);
}

/* Sampling rate, window length and CPU count only scale the counts: every feature but
 * `samples` must stay the same. */
static void test_scale_invariance(void **st)
{
	(void)st;
	uint64_t h[6] = {30, 20, 7, 3, 1, 2}, h7[6], h2cpu[6];
	double a[N], b[N], c[N];

	for (int i = 0; i < 6; i++) {
		h7[i] = h[i] * 7;      /* 7 times the rate or the window */
		h2cpu[i] = h[i] + h[i]; /* two CPUs with the same distribution, summed */
	}
	assert_int_equal(rqh_compute(h, 6, 4, B, a), 0);
	assert_int_equal(rqh_compute(h7, 6, 28, B, b), 0);
	assert_int_equal(rqh_compute(h2cpu, 6, 8, B, c), 0);
	for (int i = 0; i < SAMPLES; i++) {
		assert_float_equal(a[i], b[i], 1e-12);
		assert_float_equal(a[i], c[i], 1e-12);
	}
	assert_float_equal(b[SAMPLES], 7 * a[SAMPLES], 1e-9);
}

/* Overflow samples sit in the tail bin and count as the histogram's width. */
static void test_overflow(void **st)
{
	(void)st;
	uint64_t h[4] = {1, 0, 0, 0};
	double v[N];

	assert_int_equal(rqh_compute(h, 4, 3, B, v), 0);
	assert_float_equal(v[0], 0.25, 1e-12);
	assert_float_equal(v[B], 0.75, 1e-12);
	assert_float_equal(v[MEAN], 3.0, 1e-12); /* (0 + 3*4) / 4 */
	assert_float_equal(v[P50], 4.0, 1e-12);
	assert_float_equal(v[MAX], 4.0, 1e-12);
	assert_float_equal(v[WAITING], 0.75, 1e-12);
	assert_float_equal(v[SAMPLES], 4.0, 1e-12);
}

/* A histogram narrower than `bins` (e.g. replayed) leaves the missing bins at 0. */
static void test_narrow_histogram(void **st)
{
	(void)st;
	uint64_t h[2] = {3, 1};
	double v[N];

	assert_int_equal(rqh_compute(h, 2, 0, B, v), 0);
	assert_float_equal(v[0], 0.75, 1e-12);
	assert_float_equal(v[1], 0.25, 1e-12);
	assert_float_equal(v[2], 0.0, 1e-12);
	assert_float_equal(v[3], 0.0, 1e-12);
	assert_float_equal(v[B], 0.0, 1e-12);
}

static void test_fractions_sum_to_one(void **st)
{
	(void)st;
	uint64_t h[10] = {5, 9, 2, 7, 1, 0, 3, 8, 4, 6};
	double v[N], sum = 0;

	assert_int_equal(rqh_compute(h, 10, 11, B, v), 0);
	for (int i = 0; i <= B; i++)
		sum += v[i];
	assert_float_equal(sum, 1.0, 1e-12);
}

static void test_rejects(void **st)
{
	(void)st;
	uint64_t h[4] = {0};
	double v[N] = {42};

	assert_int_equal(rqh_compute(h, 4, 0, B, v), -EINVAL); /* empty */
	assert_float_equal(v[0], 42, 0);                       /* untouched */
	h[0] = 1;
	assert_int_equal(rqh_compute(h, 0, 5, B, v), -EINVAL); /* no bins */
	assert_int_equal(rqh_compute(h, 4, 0, 0, v), -EINVAL);
	assert_int_equal(rqh_compute(h, 4, 0, RQH_MAX_BINS + 1, v), -EINVAL);
}

static void test_tail_names(void **st)
{
	(void)st;
	char *names[3];

	assert_int_equal(rqh_tail_names(3, names), 0);
	assert_string_equal(names[0], "log_ge1");
	assert_string_equal(names[2], "log_ge3");
	rqh_tail_names_free(3, names);
	assert_null(names[2]);
}

/* log_gek = log10(P(length >= k) + 0.01), overflow counting as long. */
static void test_log_tails(void **st)
{
	(void)st;
	/* 100 samples: 50 at 0, 40 at 1, 5 at 2, 5 beyond the 4 bins. */
	uint64_t h[4] = {50, 40, 5, 0};
	double t[5];

	assert_int_equal(rqh_log_tails(h, 4, 5, 5, t), 0);
	assert_float_equal(t[0], log10(0.50 + 0.01), 1e-12);
	assert_float_equal(t[1], log10(0.10 + 0.01), 1e-12);
	assert_float_equal(t[2], log10(0.05 + 0.01), 1e-12);
	assert_float_equal(t[3], log10(0.05 + 0.01), 1e-12); /* length >= 4: overflow only */
	assert_float_equal(t[4], log10(0.05 + 0.01), 1e-12); /* beyond nbins: overflow */

	/* Never empty: log_ge1 is log10(1.01); an idle queue reads the floor, -2. */
	uint64_t busy[4] = {0, 10, 10, 0}, idle[4] = {20, 0, 0, 0};
	assert_int_equal(rqh_log_tails(busy, 4, 0, 2, t), 0);
	assert_float_equal(t[0], log10(1.01), 1e-12);
	assert_float_equal(t[1], log10(0.51), 1e-12);
	assert_int_equal(rqh_log_tails(idle, 4, 0, 2, t), 0);
	assert_float_equal(t[0], -2.0, 1e-12);
	assert_float_equal(t[1], -2.0, 1e-12);

	/* The same distribution with 7x the samples gives the same tails. */
	uint64_t h7[4] = {350, 280, 35, 0};
	double u[5];
	assert_int_equal(rqh_log_tails(h7, 4, 35, 5, u), 0);
	assert_int_equal(rqh_log_tails(h, 4, 5, 5, t), 0);
	for (int k = 0; k < 5; k++)
		assert_float_equal(u[k], t[k], 1e-12);

	assert_int_equal(rqh_log_tails(idle, 4, 0, 0, t), -EINVAL);
	assert_int_equal(rqh_log_tails(idle, 0, 3, 2, t), -EINVAL);
	uint64_t empty[4] = {0};
	assert_int_equal(rqh_log_tails(empty, 4, 0, 2, t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_distribution),
		cmocka_unit_test(test_percentile_rank),
		cmocka_unit_test(test_scale_invariance),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_narrow_histogram),
		cmocka_unit_test(test_fractions_sum_to_one),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_tail_names),
		cmocka_unit_test(test_log_tails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

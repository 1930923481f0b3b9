/* The proc_behaviour feature math: rates, ratios over process exits (threads apart), no
 * exit, distinct programs, the geometric mean age and its floor, reset between windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "proc_features.h"

static struct anomon_proc ev(uint32_t kind, uint32_t flags)
{
	struct anomon_proc p = {.kind = kind, .flags = flags, .pid = 10, .tid = 10, .ppid = 1};
	memcpy(p.comm, "sh", 3);
	return p;
}

static struct anomon_proc exec_of(const char *filename, const char *comm)
{
	struct anomon_proc p = ev(ANOMON_PROC_EXEC, 0);
	if (filename) {
		p.present |= ANOMON_PROC_F_FILENAME;
		p.filename = filename;
	}
	memset(p.comm, 0, sizeof(p.comm));
	memcpy(p.comm, comm, strlen(comm));
	return p;
}

static struct anomon_proc exit_of(int32_t code, bool signaled, double age_s, uint32_t flags)
{
	struct anomon_proc p = ev(ANOMON_PROC_EXIT, flags | (signaled ? ANOMON_PROC_SIGNALED : 0));
	p.exit_code = code;
	if (age_s >= 0) {
		p.present |= ANOMON_PROC_F_AGE;
		p.age_ns = (uint64_t)(age_s * 1e9);
	}
	return p;
}

static void add(struct pf_acc *a, struct anomon_proc p)
{
	assert_int_equal(pf_add(a, &p), 0);
}

#define F(name) feature(out, name)
static double feature(const double *out, const char *name)
{
	for (int i = 0; i < PF_NFEATURES; i++)
		if (!strcmp(pf_names[i], name))
			return out[i];
	fail_msg("no feature %s", name);
	return NAN;
}

static void test_empty(void **st)
{
	(void)st;
	struct pf_acc a;
	double out[PF_NFEATURES];

	pf_acc_init(&a);
	pf_compute(&a, 2.0, out);
	for (int i = 0; i < PF_NFEATURES; i++) {
		assert_true(isfinite(out[i]));
		assert_true(out[i] == 0.0);
	}
	/* A zero-length window (never built by the windows, but no division by it). */
	add(&a, ev(ANOMON_PROC_FORK, 0));
	pf_compute(&a, 0.0, out);
	for (int i = 0; i < PF_NFEATURES; i++)
		assert_true(isfinite(out[i]));
	pf_acc_fini(&a);
}

static void test_window(void **st)
{
	(void)st;
	struct pf_acc a;
	double out[PF_NFEATURES];

	pf_acc_init(&a);
	for (int i = 0; i < 4; i++)
		add(&a, ev(ANOMON_PROC_FORK, 0));
	add(&a, ev(ANOMON_PROC_FORK, ANOMON_PROC_THREAD));
	add(&a, ev(ANOMON_PROC_FORK, ANOMON_PROC_THREAD));
	add(&a, exec_of("/bin/true", "true"));
	add(&a, exec_of("/bin/true", "true"));  /* the same program again */
	add(&a, exec_of("/bin/false", "false"));
	add(&a, exec_of(NULL, "true"));         /* by comm only: not the same as /bin/true */
	add(&a, exit_of(0, false, 0.5, 0));     /* short-lived */
	add(&a, exit_of(1, false, 2.0, 0));     /* failed, long-lived */
	add(&a, exit_of(9, true, 0.0001, 0));   /* signalled, short-lived, age floored */
	add(&a, exit_of(0, false, -1, 0));      /* age unknown: in the exits, not the ages */
	/* Threads' ends are not the process's outcome. */
	add(&a, exit_of(3, false, 100.0, ANOMON_PROC_THREAD));
	add(&a, exit_of(9, true, 100.0, ANOMON_PROC_THREAD));

	pf_compute(&a, 2.0, out);
	assert_true(F("proc_forks_per_s") == 2.0);
	assert_true(F("proc_threads_per_s") == 1.0);
	assert_true(F("proc_execs_per_s") == 2.0);
	assert_true(F("proc_exits_per_s") == 2.0);
	assert_true(F("proc_distinct_execs") == 3.0);
	assert_true(fabs(F("proc_short_lived_ratio") - 2.0 / 3.0) < 1e-12);
	assert_true(F("proc_fail_exit_ratio") == 0.5);
	assert_true(F("proc_signal_exit_ratio") == 0.25);
	/* (0.5 * 2 * 0.001)^(1/3) = 0.1: the signalled child counts as 1 ms, not 0.1 ms. */
	assert_true(fabs(F("proc_mean_age_s") - 0.1) < 1e-12);

	/* The next window starts empty. */
	pf_acc_reset(&a);
	pf_compute(&a, 2.0, out);
	for (int i = 0; i < PF_NFEATURES; i++)
		assert_true(out[i] == 0.0);
	add(&a, exec_of("/bin/true", "true"));
	pf_compute(&a, 2.0, out);
	assert_true(F("proc_distinct_execs") == 1.0);
	pf_acc_fini(&a);
}

static void test_exits_only_threads(void **st)
{
	(void)st;
	struct pf_acc a;
	double out[PF_NFEATURES];

	/* Only thread exits: no process exit, so every ratio and the age are 0. */
	pf_acc_init(&a);
	add(&a, exit_of(1, false, 5.0, ANOMON_PROC_THREAD));
	pf_compute(&a, 1.0, out);
	assert_true(F("proc_exits_per_s") == 0.0);
	assert_true(F("proc_fail_exit_ratio") == 0.0);
	assert_true(F("proc_short_lived_ratio") == 0.0);
	assert_true(F("proc_mean_age_s") == 0.0);
	/* An unknown kind is refused and counts nowhere. */
	struct anomon_proc bad = ev(99, 0);
	assert_int_equal(pf_add(&a, &bad), -EINVAL);
	pf_compute(&a, 1.0, out);
	for (int i = 0; i < PF_NFEATURES; i++)
		assert_true(out[i] == 0.0);
	pf_acc_fini(&a);
}

static void test_names(void **st)
{
	(void)st;
	/* snake_case, proc_ prefix, unique. */
	for (int i = 0; i < PF_NFEATURES; i++) {
		assert_int_equal(strncmp(pf_names[i], "proc_", 5), 0);
		assert_int_equal(strspn(pf_names[i], "abcdefghijklmnopqrstuvwxyz_"),
				 strlen(pf_names[i]));
		for (int j = 0; j < i; j++)
			assert_true(strcmp(pf_names[i], pf_names[j]) != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_exits_only_threads),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The gate in front of every sink: a token bucket per key that holds back what exceeds
 * rate_limit, and a bounded table of keys that evicts the least recently seen one rather
 * than refusing new keys or growing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "params.h"
#include "pipeline.h"
#include "sink_gate.h"

#define SEC 1000000000ull
#define MAX_KEYS 4096 /* the gate's bound */

static anomon_stage *new_stage(const char *rate_limit)
{
	static anomon_stage s;
	char err[256];

	sink_gate_free(&s);
	params_free(&s.params);
	memset(&s, 0, sizeof(s));
	s.name = "gate";
	assert_int_equal(params_init(&s.params, sink_gate_params, err, sizeof(err)), 0);
	struct param_value *pv = params_find(&s.params, "rate_limit");
	assert_non_null(pv);
	assert_int_equal(param_set_text(pv, rate_limit, err, sizeof(err)), 0);
	pv->set = true;
	return &s;
}

static bool pass(anomon_stage *s, const char *key, uint64_t t)
{
	struct anomon_verdict v = {.key = key, .label = 1, .score = 0.9};
	return sink_gate_pass(s, &v, t);
}

static void test_rate(void **st)
{
	(void)st;
	anomon_stage *s = new_stage("2");

	assert_true(pass(s, "a", 100 * SEC));
	assert_true(pass(s, "a", 101 * SEC));
	assert_false(pass(s, "a", 102 * SEC));  /* 2 per 60 s */
	assert_true(pass(s, "b", 102 * SEC));   /* its own bucket */
	assert_false(pass(s, "a", 110 * SEC));
	assert_true(pass(s, "a", 131 * SEC));   /* 30 s refill one token */
	assert_int_equal(s->suppressed, 2);
	sink_gate_report(s, 0, true);
}

static void test_bound(void **st)
{
	(void)st;
	anomon_stage *s = new_stage("1");
	char key[32];
	uint64_t t = 1000 * SEC;

	for (int i = 0; i < MAX_KEYS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(pass(s, key, t++));          /* a new key has its token */
	}
	assert_false(pass(s, "k1", t++));             /* held, and now recently seen */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		assert_true(pass(s, key, t++));          /* never refused */
	}
	assert_false(pass(s, "k1", t++));             /* still held */
	assert_false(pass(s, "n999", t++));           /* held */
	assert_false(pass(s, "k1001", t++));          /* the oldest not evicted */
	assert_true(pass(s, "k0", t++));              /* evicted: a fresh bucket */
	assert_true(pass(s, "k1000", t++));           /* the last of the 1000 evicted */
	assert_int_equal(s->suppressed, 4);
	sink_gate_report(s, 0, true);
	sink_gate_free(s);
	params_free(&s->params);
}

int main(void)
{
	log_verbosity = ANOMON_LOG_ERROR; /* the summaries are warnings */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

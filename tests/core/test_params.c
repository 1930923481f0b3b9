/* Parameter parsing: durations, sizes, typed text and JSON values, "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "params.h"
#include "suggest.h"

static void test_duration(void **st)
{
	(void)st;
	uint64_t ns;
	assert_int_equal(param_parse_duration("10s", &ns), 0);
	assert_int_equal(ns, 10000000000ull);
	assert_int_equal(param_parse_duration("500ms", &ns), 0);
	assert_int_equal(ns, 500000000ull);
	assert_int_equal(param_parse_duration("1.5m", &ns), 0);
	assert_int_equal(ns, 90000000000ull);
	assert_int_equal(param_parse_duration("250us", &ns), 0);
	assert_int_equal(ns, 250000ull);
	assert_int_equal(param_parse_duration("2", &ns), 0);
	assert_int_equal(ns, 2000000000ull);
	assert_int_equal(param_parse_duration("1h", &ns), 0);
	assert_int_equal(ns, 3600000000000ull);
	assert_int_not_equal(param_parse_duration("", &ns), 0);
	assert_int_not_equal(param_parse_duration("-1s", &ns), 0);
	assert_int_not_equal(param_parse_duration("10 s", &ns), 0);
	assert_int_not_equal(param_parse_duration("10sec", &ns), 0);
	assert_int_not_equal(param_parse_duration("nan", &ns), 0);
	assert_int_not_equal(param_parse_duration("inf", &ns), 0);
	assert_int_not_equal(param_parse_duration("0x10s", &ns), 0);
	assert_int_not_equal(param_parse_duration("1e300d", &ns), 0);
}

static void test_size(void **st)
{
	(void)st;
	uint64_t b;
	assert_int_equal(param_parse_size("64M", &b), 0);
	assert_int_equal(b, 64ull << 20);
	assert_int_equal(param_parse_size("4k", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(param_parse_size("1GiB", &b), 0);
	assert_int_equal(b, 1ull << 30);
	assert_int_equal(param_parse_size("1.5K", &b), 0);
	assert_int_equal(b, 1536);
	assert_int_equal(param_parse_size("123", &b), 0);
	assert_int_equal(b, 123);
	assert_int_not_equal(param_parse_size("1.5", &b), 0);
	assert_int_not_equal(param_parse_size("12Q", &b), 0);
	assert_int_not_equal(param_parse_size("-4k", &b), 0);
	assert_int_not_equal(param_parse_size("99999999999T", &b), 0);
}

static const struct anomon_param table[] = {
	{"name", ANOMON_PARAM_STRING, "x", false, ""},
	{"count", ANOMON_PARAM_INT, "3", false, ""},
	{"threshold", ANOMON_PARAM_NUMBER, "0.5", false, ""},
	{"follow", ANOMON_PARAM_BOOL, "false", false, ""},
	{"window", ANOMON_PARAM_DURATION, "10s", false, ""},
	{"buffer", ANOMON_PARAM_SIZE, "64M", false, ""},
	{"paths", ANOMON_PARAM_LIST, "a,b", false, ""},
	{"frequency_hz", ANOMON_PARAM_INT, NULL, true, ""},
	{NULL, 0, NULL, false, NULL},
};

static void test_defaults_and_text(void **st)
{
	(void)st;
	struct param_values pv;
	char err[256];
	assert_int_equal(params_init(&pv, table, err, sizeof(err)), 0);
	assert_int_equal(pv.n, 8);
	assert_string_equal(params_find(&pv, "name")->text, "x");
	assert_int_equal(params_find(&pv, "count")->i, 3);
	assert_true(params_find(&pv, "threshold")->d == 0.5);
	assert_false(params_find(&pv, "follow")->b);
	assert_int_equal(params_find(&pv, "window")->u, 10000000000ull);
	assert_int_equal(params_find(&pv, "paths")->n_list, 2);
	assert_string_equal(params_find(&pv, "paths")->list[1], "b");
	assert_false(params_find(&pv, "frequency_hz")->has);

	struct param_value *v = params_find(&pv, "count");
	assert_int_equal(param_set_text(v, "12x", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected integer, got \"12x\"");
	assert_int_equal(v->i, 3); /* unchanged on failure */
	v = params_find(&pv, "follow");
	assert_int_equal(param_set_text(v, "maybe", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected boolean (true or false), got \"maybe\"");
	assert_int_equal(param_set_text(v, "true", err, sizeof(err)), 0);
	assert_true(v->b);
	v = params_find(&pv, "window");
	assert_int_equal(param_set_text(v, "ten", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected duration such as \"10s\" or \"500ms\", got \"ten\"");
	v = params_find(&pv, "paths");
	assert_int_equal(param_set_text(v, "x,,y", err, sizeof(err)), 0);
	assert_int_equal(v->n_list, 3);
	assert_string_equal(v->list[1], "");
	assert_int_equal(param_set_text(v, "", err, sizeof(err)), 0);
	assert_int_equal(v->n_list, 0);
	params_free(&pv);
}

static void test_json(void **st)
{
	(void)st;
	struct param_values pv;
	char err[256];
	assert_int_equal(params_init(&pv, table, err, sizeof(err)), 0);
	json_t *j = json_string("0.7");
	assert_int_equal(param_set_json(params_find(&pv, "threshold"), j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected number, got string \"0.7\"");
	json_decref(j);
	j = json_real(0.25);
	assert_int_equal(param_set_json(params_find(&pv, "threshold"), j, err, sizeof(err)), 0);
	assert_true(params_find(&pv, "threshold")->d == 0.25);
	json_decref(j);
	j = json_integer(5);
	assert_int_equal(param_set_json(params_find(&pv, "window"), j, err, sizeof(err)), 0);
	assert_int_equal(params_find(&pv, "window")->u, 5000000000ull);
	assert_int_equal(param_set_json(params_find(&pv, "name"), j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected string, got integer");
	json_decref(j);
	j = json_pack("[s, i]", "a", 1);
	assert_int_equal(param_set_json(params_find(&pv, "paths"), j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected list of strings, item 1 is integer");
	json_decref(j);
	j = json_pack("[s, s]", "p", "q");
	assert_int_equal(param_set_json(params_find(&pv, "paths"), j, err, sizeof(err)), 0);
	assert_string_equal(params_find(&pv, "paths")->text, "p,q");
	json_decref(j);
	params_free(&pv);
}

static void test_bad_default(void **st)
{
	(void)st;
	static const struct anomon_param bad[] = {
		{"window", ANOMON_PARAM_DURATION, "soon", false, ""},
		{NULL, 0, NULL, false, NULL},
	};
	struct param_values pv;
	char err[256];
	assert_int_equal(params_init(&pv, bad, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "default of parameter \"window\": expected duration such as "
				 "\"10s\" or \"500ms\", got \"soon\"");
}

static void test_suggest(void **st)
{
	(void)st;
	const char *names[] = {"frequency_hz", "window", "per_cpu", "path"};
	assert_string_equal(suggest_closest("frequncy_hz", names, 4), "frequency_hz");
	assert_string_equal(suggest_closest("windwo", names, 4), "window");
	assert_string_equal(suggest_closest("pth", names, 4), "path");
	assert_null(suggest_closest("zzzzzz", names, 4));
	char err[256];
	params_unknown_message(table, "demo", "treshold", err, sizeof(err));
	assert_string_equal(err, "unknown parameter \"treshold\" of demo; did you mean \"threshold\"?");
	params_unknown_message(table, "demo", "qqq", err, sizeof(err));
	assert_string_equal(err, "unknown parameter \"qqq\" of demo; it takes name, count, threshold, "
				 "follow, window, buffer, paths, frequency_hz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_defaults_and_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_bad_default),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

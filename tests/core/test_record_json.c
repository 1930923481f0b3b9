/* The JSON form of records: valid JSON for any bytes, absent fields omitted, stable names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "json_locate.h"
#include "record_json.h"

static json_t *roundtrip(enum anomon_record_kind kind, const void *rec)
{
	char buf[8192];
	int n = record_json(kind, rec, "stage1", buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(strlen(buf), (size_t)n);
	json_error_t e;
	json_t *j = json_loads(buf, 0, &e);
	if (!j)
		fail_msg("invalid JSON: %s: %s", e.text, buf);
	return j;
}

static void test_open(void **st)
{
	(void)st;
	const char path[] = "/tmp/a \"b\"\\c\n\xff\xc3\xa9";
	struct anomon_open o = {.pid = 42, .fd = -1, .err = 2, .path = path, .path_len = sizeof(path) - 1,
				.present = ANOMON_OPEN_UID, .uid = 1000};
	memcpy(o.comm, "cat", 4);
	struct anomon_event ev = {.type = ANOMON_EV_OPEN, .ts_ns = 1795594269000000001ull, .data = &o,
				  .size = sizeof(o)};
	json_t *j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "open");
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2026-11-25T08:11:09.000000001Z");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 42);
	assert_int_equal(json_integer_value(json_object_get(j, "uid")), 1000);
	assert_null(json_object_get(j, "tid")); /* absent, not zero */
	assert_null(json_object_get(j, "cgroup_id"));
	/* The invalid byte 0xff is spelled \xff; valid UTF-8 (é) passes through. */
	assert_string_equal(json_string_value(json_object_get(j, "path")),
			    "/tmp/a \"b\"\\c\n\\xff\xc3\xa9");
	json_decref(j);
}

static void test_proc(void **st)
{
	(void)st;
	/* An exit by a signal: the kind spelt out, the status and the flags as fields. */
	struct anomon_proc x = {.present = ANOMON_PROC_F_UID | ANOMON_PROC_F_AGE,
				.kind = ANOMON_PROC_EXIT, .flags = ANOMON_PROC_SIGNALED, .pid = 7,
				.tid = 8, .ppid = 1, .uid = 1000, .exit_code = 9,
				.age_ns = 1500000000ull};
	memcpy(x.comm, "sleep", 6);
	struct anomon_event ev = {.type = ANOMON_EV_PROC, .ts_ns = 1, .data = &x, .size = sizeof(x)};
	json_t *j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "proc");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "exit");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "tid")), 8);
	assert_int_equal(json_integer_value(json_object_get(j, "ppid")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "uid")), 1000);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 9);
	assert_true(json_is_true(json_object_get(j, "signaled")));
	assert_true(json_is_false(json_object_get(j, "thread")));
	assert_int_equal(json_integer_value(json_object_get(j, "age_ns")), 1500000000);
	assert_string_equal(json_string_value(json_object_get(j, "comm")), "sleep");
	assert_null(json_object_get(j, "cgroup_id")); /* absent, not zero */
	assert_null(json_object_get(j, "filename"));
	json_decref(j);

	/* An exec: the program's path (any bytes); no exit fields. */
	const char path[] = "/usr/bin/a\"b\xff";
	struct anomon_proc e = {.present = ANOMON_PROC_F_CGROUP | ANOMON_PROC_F_FILENAME,
				.kind = ANOMON_PROC_EXEC, .pid = 7, .tid = 7, .ppid = 1,
				.cgroup_id = 42, .filename = path};
	memcpy(e.comm, "a\"b", 4);
	ev.data = &e;
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "exec");
	assert_string_equal(json_string_value(json_object_get(j, "filename")), "/usr/bin/a\"b\\xff");
	assert_int_equal(json_integer_value(json_object_get(j, "cgroup_id")), 42);
	assert_null(json_object_get(j, "exit_code"));
	assert_null(json_object_get(j, "signaled"));
	assert_null(json_object_get(j, "age_ns"));
	assert_null(json_object_get(j, "uid"));
	json_decref(j);

	/* A thread's creation. */
	struct anomon_proc t = {.kind = ANOMON_PROC_FORK, .flags = ANOMON_PROC_THREAD, .pid = 7,
				.tid = 9, .ppid = 1};
	ev.data = &t;
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "fork");
	assert_true(json_is_true(json_object_get(j, "thread")));
	assert_int_equal(json_integer_value(json_object_get(j, "tid")), 9);
	json_decref(j);

	/* A kind this build does not know, and a record too short to be a proc event. */
	t.kind = 77;
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "?");
	json_decref(j);
	ev.size = sizeof(t) - 1;
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_null(json_object_get(j, "kind"));
	assert_int_equal(json_integer_value(json_object_get(j, "size")), sizeof(t) - 1);
	json_decref(j);
}

/* A run-queue histogram: demand only when measured, and a 1.1 producer's shorter record. */
static void test_runq_hist(void **st)
{
	(void)st;
	const uint64_t bins[3] = {5, 2, 1};
	struct anomon_runq_hist h = {.source = ANOMON_RUNQ_HOST, .cpu = -1, .nbins = 3,
				     .bins = bins, .samples = 8, .runnable = 12, .crowded = 3,
				     .cpu_samples = 8};
	struct anomon_event ev = {.type = ANOMON_EV_RUNQ_HIST, .data = &h, .size = sizeof(h)};
	json_t *j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "host");
	assert_int_equal(json_array_size(json_object_get(j, "bins")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "runnable")), 12);
	assert_int_equal(json_integer_value(json_object_get(j, "crowded")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "cpu_samples")), 8);
	json_decref(j);
	ev.size = ANOMON_RUNQ_HIST_SIZE_1_1; /* the fields beyond are not read */
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_int_equal(json_integer_value(json_object_get(j, "samples")), 8);
	assert_null(json_object_get(j, "runnable"));
	json_decref(j);
	ev.size = sizeof(h);
	h.cpu_samples = 0; /* not measured */
	j = roundtrip(ANOMON_RECORD_EVENT, &ev);
	assert_null(json_object_get(j, "runnable"));
	json_decref(j);
}

static void test_truncation(void **st)
{
	(void)st;
	struct anomon_open o = {.pid = 1, .path = "/x", .path_len = 2};
	struct anomon_event ev = {.type = ANOMON_EV_OPEN, .data = &o, .size = sizeof(o)};
	char full[512], small[16];
	int n = record_json(ANOMON_RECORD_EVENT, &ev, NULL, full, sizeof(full));
	int m = record_json(ANOMON_RECORD_EVENT, &ev, NULL, small, sizeof(small));
	assert_int_equal(n, m);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
}

static void test_vector_verdict(void **st)
{
	(void)st;
	const char *names[] = {"mean", "p90"};
	double values[] = {1.5, NAN};
	struct anomon_vector v = {.start_ns = 0, .end_ns = 1000000000, .key = "host", .n = 2,
				  .names = names, .values = values, .events = 7,
				  .flags = ANOMON_WINDOW_INCOMPLETE};
	json_t *j = roundtrip(ANOMON_RECORD_VECTOR, &v);
	assert_string_equal(json_string_value(json_object_get(j, "stage")), "stage1");
	assert_true(json_is_true(json_object_get(j, "incomplete")));
	json_t *f = json_object_get(j, "features");
	assert_true(json_real_value(json_object_get(f, "mean")) == 1.5);
	assert_true(json_is_null(json_object_get(f, "p90")));
	json_decref(j);

	struct anomon_contribution top[] = {{"p90", 3, 0.8}};
	struct anomon_verdict vd = {.key = "abc", .label = 1, .score = 0.97, .model = "logreg",
				    .model_version = "1", .n_top = 1, .top = top};
	j = roundtrip(ANOMON_RECORD_VERDICT, &vd);
	assert_string_equal(json_string_value(json_object_get(j, "label")), "abnormal");
	assert_true(json_real_value(json_object_get(j, "score")) == 0.97);
	json_t *t0 = json_array_get(json_object_get(j, "top"), 0);
	assert_string_equal(json_string_value(json_object_get(t0, "feature")), "p90");
	json_decref(j);
}

static void test_locate(void **st)
{
	(void)st;
	const char *text = "{\n  \"collectors\": [\n    {\"plugin\": \"x\",\n     \"params\": "
			   "{\"a\": 1, \"b\": \"two\"}}\n  ]\n}\n";
	struct jpath_elem path[] = {{.key = "collectors"}, {.index = 0}, {.key = "params"}, {.key = "b"}};
	int line, col;
	assert_int_equal(json_locate(text, strlen(text), path, 4, false, &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 30);
	assert_int_equal(json_locate(text, strlen(text), path, 4, true, &line, &col), 0);
	assert_int_equal(col, 25);
	assert_int_equal(json_locate(text, strlen(text), path, 2, false, &line, &col), 0);
	assert_int_equal(line, 3);
	assert_int_equal(col, 5);
	struct jpath_elem missing[] = {{.key = "collectors"}, {.index = 3}};
	assert_int_equal(json_locate(text, strlen(text), missing, 2, false, &line, &col), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_runq_hist),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_vector_verdict),
		cmocka_unit_test(test_locate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of dataset reading, the dataset sink's lines, and the metrics. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataset.h"
#include "dataset_line.h"
#include "metrics.h"

static char dir[] = "/tmp/anomon-data-XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load one file, expecting failure with a message containing want. */
static void refused(const char *name, const char *text, const char *want)
{
	struct dataset ds = { 0 };
	char err[512] = "";
	const char *path = put(name, text);

	if (dataset_load(&ds, path, err, sizeof(err)) != -EINVAL)
		fail_msg("%s was accepted", name);
	if (!strstr(err, want) || !strstr(err, name) || strchr(err, '\n'))
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, err, want);
	dataset_free(&ds);
}

static void test_csv_good(void **st)
{
	(void)st;
	struct dataset ds = { 0 };
	char err[256];

	assert_int_equal(dataset_load(&ds, put("g.csv", "a, label ,b\r\n1,normal,2.5\n\n"
						 "-3e2,abnormal,4\n5,1,6\n"), err, sizeof(err)), 0);
	assert_int_equal(ds.rows, 3);
	assert_int_equal(ds.cols, 2);
	assert_string_equal(ds.names[0], "a");
	assert_string_equal(ds.names[1], "b");
	assert_true(ds.x[2] == -300 && ds.x[3] == 4 && ds.x[1] == 2.5);
	assert_int_equal(ds.y[0], 0);
	assert_int_equal(ds.y[1], 1);
	assert_int_equal(dataset_positives(&ds), 2);
	assert_int_equal(strlen(ds.files[0].sha256), 64);
	/* A second file must name the same features. */
	assert_int_equal(dataset_load(&ds, put("h.csv", "label,a,b\n0,1,1\n"), err, sizeof(err)),
			 0);
	assert_int_equal(ds.rows, 4);
	assert_int_equal(dataset_load(&ds, put("i.csv", "label,b,a\n0,1,1\n"), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "i.csv"));
	assert_int_equal(ds.rows, 4);
	dataset_free(&ds);
}

static void test_csv_bad(void **st)
{
	(void)st;
	refused("empty.csv", "", "empty file");
	refused("blank.csv", "\n\n  \n", "empty file");
	refused("nolabel.csv", "a,b\n1,2\n", "no \"label\" column");
	refused("header.csv", "label,a\n", "no data rows");
	refused("text.csv", "label,a,b\n0,1,2\n1,x,3\n", "text.csv:3:3: column \"a\"");
	refused("nan.csv", "label,a,b\n0,1,nan\n", "nan.csv:2:5: column \"b\": expected a finite");
	refused("inf.csv", "label,a\n0,-inf\n", ":2:3:");
	refused("huge.csv", "label,a\n0,1e999\n", ":2:3:");
	refused("fields.csv", "label,a\n0,1,2\n", "expected 2 fields");
	refused("badlabel.csv", "label,a\n2,1\n", ":2:1: label");
	refused("dup.csv", "label,a,a\n0,1,2\n", "appears twice");
	refused("only.csv", "label\n0\n", "no feature columns");
}

static void test_jsonl(void **st)
{
	(void)st;
	struct dataset ds = { 0 };
	char err[256];

	assert_int_equal(dataset_load(&ds, put("g.jsonl",
		"{\"names\":[\"x\",\"y\"],\"values\":[1,2.5],\"label\":0,\"start\":1,\"end\":2,\"key\":\"host\"}\n"
		"{\"names\":[\"x\",\"y\"],\"values\":[3,4],\"label\":\"abnormal\"}\n"), err, sizeof(err)), 0);
	assert_int_equal(ds.rows, 2);
	assert_true(ds.x[3] == 4);
	assert_int_equal(ds.y[1], 1);
	dataset_free(&ds);
	refused("syntax.jsonl", "{\"names\":[\"x\"],\"values\":[1],\"label\":0}\n{\"names\":[\"x\"]\n",
		"syntax.jsonl:2:");
	refused("null.jsonl", "{\"names\":[\"x\",\"y\"],\"values\":[1,null],\"label\":0}\n",
		"values[1] (\"y\")");
	refused("nanlit.jsonl", "{\"names\":[\"x\"],\"values\":[NaN],\"label\":0}\n", "nanlit.jsonl:1:");
	refused("count.jsonl", "{\"names\":[\"x\",\"y\"],\"values\":[1],\"label\":0}\n", "as many values");
	refused("label.jsonl", "{\"names\":[\"x\"],\"values\":[1],\"label\":3}\n", "label");
	refused("names.jsonl", "{\"names\":[\"x\"],\"values\":[1],\"label\":0}\n"
		"{\"names\":[\"z\"],\"values\":[1],\"label\":0}\n", "names.jsonl:2: names[0]");
}

/* What the dataset sink writes reads back to the same doubles. */
static void test_sink_line_roundtrip(void **st)
{
	(void)st;
	const char *names[] = { "frac \"0\"", "mean" };
	double values[] = { 0.1 + 0.2, 1e-300 }, bad[] = { 1, NAN };
	struct anomon_vector v = { 1, 2, "c\\1", ANOMON_WINDOW_INCOMPLETE, 2, names, values, 9 };
	struct dataset ds = { 0 };
	char path[256], err[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/s.jsonl", dir);
	f = fopen(path, "w");
	assert_int_equal(dataset_line_write(f, &v, 1), 0);
	v.values = bad;
	assert_int_equal(dataset_line_write(f, &v, 1), -EINVAL);
	fclose(f);
	assert_int_equal(dataset_load(&ds, path, err, sizeof(err)), 0);
	assert_int_equal(ds.rows, 1);
	assert_string_equal(ds.names[0], "frac \"0\"");
	assert_memory_equal(ds.x, values, sizeof(values));
	assert_int_equal(ds.y[0], 1);
	dataset_free(&ds);
}

static void test_sha256(void **st)
{
	(void)st;
	char hex[65];

	dataset_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	dataset_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 56 bytes: the padding spills into a second block. */
	dataset_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_metrics(void **st)
{
	(void)st;
	int y[] = { 0, 0, 1, 1, 1, 0 };
	double s[] = { 0.1, 0.6, 0.7, 0.4, 0.9, 0.2 };
	struct metrics m;
	int err;

	assert_int_equal(metrics_compute(y, s, NULL, 6, &m), 0);
	assert_int_equal(m.tp, 2);
	assert_int_equal(m.fn, 1);
	assert_int_equal(m.fp, 1);
	assert_int_equal(m.tn, 2);
	assert_true(fabs(m.accuracy - 4.0 / 6) < 1e-12);
	assert_true(fabs(m.precision - 2.0 / 3) < 1e-12);
	assert_true(fabs(m.recall - 2.0 / 3) < 1e-12);
	assert_true(fabs(m.f1 - 2.0 / 3) < 1e-12);
	/* Pairs (pos, neg) ordered right: 8 of 9. */
	assert_true(fabs(m.roc_auc - 8.0 / 9) < 1e-12);
	/* Ties count half. */
	double tied[] = { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 };
	assert_true(fabs(metrics_roc_auc(y, tied, 6, &err) - 0.5) < 1e-12);
	int one[] = { 1, 1 };
	assert_true(isnan(metrics_roc_auc(one, s, 2, &err)));
}

static void test_kfold(void **st)
{
	(void)st;
	int y[100];
	size_t fold[100], again[100], per[5][2] = { { 0 } };

	for (int i = 0; i < 100; i++)
		y[i] = i < 30;
	assert_int_equal(metrics_kfold(y, 100, 5, 42, fold), 0);
	assert_int_equal(metrics_kfold(y, 100, 5, 42, again), 0);
	assert_memory_equal(fold, again, sizeof(fold));
	for (int i = 0; i < 100; i++)
		per[fold[i]][y[i]]++;
	for (int f = 0; f < 5; f++) {
		assert_int_equal(per[f][1], 6);
		assert_int_equal(per[f][0], 14);
	}
	assert_int_equal(metrics_kfold(y, 100, 5, 43, again), 0);
	assert_true(memcmp(fold, again, sizeof(fold)) != 0);
	assert_int_equal(metrics_kfold(y, 100, 31, 1, fold), -EINVAL);
	assert_int_equal(metrics_kfold(y, 100, 1, 1, fold), -EINVAL);
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_sink_line_roundtrip),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_kfold),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Unit tests of the model math and files: logreg, forest, contributions, truncated files. */
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

#include "contrib.h"
#include "forest_file.h"
#include "forest_model.h"
#include "logreg_file.h"
#include "logreg_model.h"

static const char *const names3[] = { "a", "b", "c" };

/* Two noisy Gaussian blobs, separable along feature a, b badly scaled, c constant. */
static void blobs(size_t rows, double *x, int *y, uint64_t seed)
{
	for (size_t i = 0; i < rows; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(seed >> 11) / 9007199254740992.0;
		y[i] = (int)(i % 2);
		x[i * 3] = (y[i] ? 2.0 : -2.0) + (u - 0.5);
		x[i * 3 + 1] = 1e6 * (u - 0.5);
		x[i * 3 + 2] = 7;
	}
}

static void test_contrib_top(void **st)
{
	(void)st;
	struct anomon_contribution all[] = {
		{ "a", 0, 0.1 }, { "b", 0, -3 }, { "c", 0, 2 }, { "d", 0, 2 }, { "e", 0, 0 },
	}, top[3];
	size_t n = contrib_top(all, 5, top, 3);

	assert_int_equal(n, 3);
	assert_string_equal(top[0].feature, "b");
	assert_string_equal(top[1].feature, "c"); /* ties keep input order */
	assert_string_equal(top[2].feature, "d");
	assert_int_equal(contrib_top(all, 5, top, 0), 0);
	assert_int_equal(contrib_top(all, 2, top, 3), 2);
}

static void test_logreg_separable_badly_scaled(void **st)
{
	(void)st;
	double x[200 * 3];
	int y[200];
	struct logreg_params p = { .C = 1e4, .max_iter = 100, .tol = 1e-10 };
	struct logreg_model *m;
	size_t ok = 0;

	blobs(200, x, y, 1);
	assert_int_equal(logreg_fit(&p, 200, 3, names3, x, y, &m), 0);
	assert_true(m->converged);
	assert_true(m->iterations < 100);
	for (size_t i = 0; i < 200; i++)
		ok += (logreg_score(m, x + i * 3) >= 0.5) == y[i];
	assert_int_equal(ok, 200);
	/* A constant feature keeps scale 1 and gets no weight. */
	assert_true(m->scale[2] == 1.0);
	assert_true(fabs(m->coef[2]) < 1e-12);
	logreg_free(m);
}

static void test_logreg_one_class_refused(void **st)
{
	(void)st;
	double x[6] = { 1, 2, 3, 4, 5, 6 };
	int y[2] = { 1, 1 };
	struct logreg_params p = { .C = 1, .max_iter = 100, .tol = 1e-10 };
	struct logreg_model *m;

	assert_int_equal(logreg_fit(&p, 2, 3, names3, x, y, &m), -EINVAL);
	assert_null(m);
}

/* The score of a weight-balanced model moves towards the minority class. */
static void test_logreg_balanced(void **st)
{
	(void)st;
	double x[100 * 3];
	int y[100];
	struct logreg_params p = { .C = 0.01, .max_iter = 100, .tol = 1e-10 };
	struct logreg_model *plain, *bal;
	double probe[3] = { 0, 0, 7 };

	blobs(100, x, y, 2);
	for (size_t i = 0; i < 100; i++)
		y[i] = i % 10 == 0; /* 10% abnormal */
	assert_int_equal(logreg_fit(&p, 100, 3, names3, x, y, &plain), 0);
	p.balanced = true;
	assert_int_equal(logreg_fit(&p, 100, 3, names3, x, y, &bal), 0);
	assert_true(logreg_score(bal, probe) > logreg_score(plain, probe));
	logreg_free(plain);
	logreg_free(bal);
}

static char tmpdir[] = "/tmp/anomon-models-XXXXXX";

static void test_logreg_roundtrip(void **st)
{
	(void)st;
	double x[50 * 3];
	int y[50];
	struct logreg_params p = { .C = 1, .max_iter = 100, .tol = 1e-10 };
	struct logreg_model *m, *r;
	char path[128], err[256];

	blobs(50, x, y, 3);
	assert_int_equal(logreg_fit(&p, 50, 3, names3, x, y, &m), 0);
	snprintf(path, sizeof(path), "%s/l.json", tmpdir);
	assert_int_equal(logreg_save(m, "{\"rows\":50}", path), 0);
	assert_int_equal(logreg_load(path, &r, err, sizeof(err)), 0);
	for (size_t j = 0; j < 3; j++) {
		assert_memory_equal(&m->coef[j], &r->coef[j], sizeof(double));
		assert_memory_equal(&m->mean[j], &r->mean[j], sizeof(double));
		assert_memory_equal(&m->scale[j], &r->scale[j], sizeof(double));
	}
	assert_memory_equal(&m->intercept, &r->intercept, sizeof(double));
	assert_string_equal(r->name, "l");
	logreg_free(m);
	logreg_free(r);
}

static struct forest_model *small_forest(const struct forest_params *p)
{
	double x[300 * 3];
	int y[300];
	struct forest_model *m;

	blobs(300, x, y, 4);
	assert_int_equal(forest_fit(p, 300, 3, names3, x, y, &m), 0);
	return m;
}

static void test_forest_fit_reproducible(void **st)
{
	(void)st;
	struct forest_params p = { .n_trees = 20, .min_samples_leaf = 1, .max_features = 1,
				   .seed = 7, .bootstrap = true };
	struct forest_model *a = small_forest(&p), *b = small_forest(&p), *c;
	double probe[3] = { 1.5, 0, 7 }, sum = 0;
	struct anomon_contribution out[3];

	assert_int_equal(a->tree_off[a->n_trees], b->tree_off[b->n_trees]);
	assert_memory_equal(a->nodes, b->nodes, a->tree_off[a->n_trees] * sizeof(*a->nodes));
	p.seed = 8;
	c = small_forest(&p);
	assert_true(c->tree_off[c->n_trees] != a->tree_off[a->n_trees] ||
		    memcmp(a->nodes, c->nodes, a->tree_off[a->n_trees] * sizeof(*a->nodes)));
	assert_true(forest_score(a, probe) > 0.9);
	/* Feature a separates the classes: it carries the importance and the contribution. */
	assert_true(a->importances[0] > 0.5);
	assert_true(a->importances[2] == 0);
	for (size_t j = 0; j < 3; j++)
		sum += a->importances[j];
	assert_true(fabs(sum - 1) < 1e-9);
	/* Path contributions add up to the score minus the mean root value. */
	double s = forest_explain(a, probe, out), root = 0;

	for (size_t t = 0; t < a->n_trees; t++)
		root += a->nodes[a->tree_off[t]].value / a->n_trees;
	assert_true(fabs(s - forest_score(a, probe)) < 1e-12);
	assert_true(fabs(root + out[0].weight + out[1].weight + out[2].weight - s) < 1e-9);
	assert_true(out[0].weight > 0);
	forest_free(a);
	forest_free(b);
	forest_free(c);
}

static void test_forest_depth_and_leaf(void **st)
{
	(void)st;
	struct forest_params p = { .n_trees = 3, .max_depth = 1, .min_samples_leaf = 1,
				   .max_features = 3, .seed = 1, .bootstrap = false };
	struct forest_model *m = small_forest(&p);

	for (size_t t = 0; t < m->n_trees; t++)
		assert_true(m->tree_off[t + 1] - m->tree_off[t] <= 3);
	forest_free(m);
	p.max_depth = 0;
	p.min_samples_leaf = 200; /* 300 rows cannot make two leaves of 200 */
	m = small_forest(&p);
	for (size_t t = 0; t < m->n_trees; t++)
		assert_int_equal(m->tree_off[t + 1] - m->tree_off[t], 1);
	forest_free(m);
}

static void test_forest_roundtrip(void **st)
{
	(void)st;
	struct forest_params p = { .n_trees = 5, .min_samples_leaf = 2, .max_features = 2,
				   .seed = 3, .bootstrap = true };
	struct forest_model *m = small_forest(&p), *r;
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/f.json", tmpdir);
	assert_int_equal(forest_save(m, NULL, path), 0);
	assert_int_equal(forest_load(path, &r, err, sizeof(err)), 0);
	assert_int_equal(r->tree_off[r->n_trees], m->tree_off[m->n_trees]);
	assert_memory_equal(r->nodes, m->nodes, m->tree_off[m->n_trees] * sizeof(*m->nodes));
	forest_free(m);
	forest_free(r);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Every proper prefix of a model file is refused with a message naming the file. */
static void test_truncated_files(void **st)
{
	(void)st;
	const char *kinds[] = { "l.json", "f.json" };

	for (int k = 0; k < 2; k++) {
		char path[128], cut[128], err[512];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", tmpdir, kinds[k]);
		snprintf(cut, sizeof(cut), "%s/cut.json", tmpdir);
		text = read_all(path, &len);
		/* The trailing newline is not part of the JSON document. */
		for (size_t n = 0; n + 1 < len; n++) {
			int rc;

			write_file(cut, text, n);
			err[0] = '\0';
			if (k == 0) {
				struct logreg_model *m;
				rc = logreg_load(cut, &m, err, sizeof(err));
			} else {
				struct forest_model *m;
				rc = forest_load(cut, &m, err, sizeof(err));
			}
			assert_int_equal(rc, -EINVAL);
			assert_non_null(strstr(err, cut));
			assert_null(strchr(err, '\n'));
		}
		free(text);
	}
}

/* Hand-broken forests: cycles, shared children, bad indices, non-probabilities. */
static void test_forest_bad_structure(void **st)
{
	(void)st;
	static const struct {
		const char *tree, *expect;
	} cases[] = {
		{ "{\"feature\":[0,-1,-1],\"threshold\":[0,0,0],\"left\":[1,-1,-1],\"right\":[2,-1,-1],"
		  "\"value\":[0.5,0,1]}", NULL },
		{ "{\"feature\":[0,0,-1],\"threshold\":[0,0,0],\"left\":[1,0,-1],\"right\":[2,2,-1],"
		  "\"value\":[0.5,0,1]}", "after it" },
		{ "{\"feature\":[0,-1,-1],\"threshold\":[0,0,0],\"left\":[1,-1,-1],\"right\":[1,-1,-1],"
		  "\"value\":[0.5,0,1]}", "distinct" },
		{ "{\"feature\":[0,-1,-1],\"threshold\":[0,0,0],\"left\":[1,-1,-1],\"right\":[5,-1,-1],"
		  "\"value\":[0.5,0,1]}", "right" },
		{ "{\"feature\":[3,-1,-1],\"threshold\":[0,0,0],\"left\":[1,-1,-1],\"right\":[2,-1,-1],"
		  "\"value\":[0.5,0,1]}", "feature" },
		{ "{\"feature\":[0,-1,-1],\"threshold\":[0,0,0],\"left\":[1,-1,-1],\"right\":[2,-1,-1],"
		  "\"value\":[0.5,0,1.5]}", "value[2]" },
		{ "{\"feature\":[-1,-1],\"threshold\":[0,0],\"left\":[-1,-1],\"right\":[-1,-1],"
		  "\"value\":[0.5,0]}", "unreachable" },
	};
	char path[128], text[1024], err[512];

	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct forest_model *m = NULL;
		int n = snprintf(text, sizeof(text),
				 "{\"format\":\"anomon-model\",\"format_version\":1,\"plugin\":"
				 "\"forest\",\"name\":\"t\",\"version\":\"1\",\"features\":[\"a\",\"b\","
				 "\"c\"],\"forest\":{\"importances\":[1,0,0],\"trees\":[%s]}}",
				 cases[i].tree);

		write_file(path, text, (size_t)n);
		int rc = forest_load(path, &m, err, sizeof(err));

		if (!cases[i].expect) {
			assert_int_equal(rc, 0);
			forest_free(m);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		if (!strstr(err, cases[i].expect))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].expect);
	}
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contrib_top),
		cmocka_unit_test(test_logreg_separable_badly_scaled),
		cmocka_unit_test(test_logreg_one_class_refused),
		cmocka_unit_test(test_logreg_balanced),
		cmocka_unit_test(test_logreg_roundtrip),
		cmocka_unit_test(test_forest_fit_reproducible),
		cmocka_unit_test(test_forest_depth_and_leaf),
		cmocka_unit_test(test_forest_roundtrip),
		cmocka_unit_test(test_truncated_files),
		cmocka_unit_test(test_forest_bad_structure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

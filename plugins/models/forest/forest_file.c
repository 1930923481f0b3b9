#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forest_file.h"
#include "model_file.h"

/* Check one tree's arrays and append its nodes at m->nodes + first. */
static int read_tree(struct mf_ctx *c, json_t *tree, size_t t, struct forest_model *m,
		     size_t first, size_t count)
{
	char at[64];
	int32_t *feature = NULL, *left = NULL, *right = NULL;
	double *thr = malloc(count * sizeof(double)), *val = malloc(count * sizeof(double));
	unsigned char *parents = calloc(count, 1);
	size_t n;
	int rc = -ENOMEM;

	snprintf(at, sizeof(at), "forest.trees[%zu]", t);
	if (!thr || !val || !parents)
		goto out;
	rc = -EINVAL;
	if (mf_numbers(c, tree, at, "threshold", count, thr) ||
	    mf_numbers(c, tree, at, "value", count, val))
		goto out;
	/* Every per-node array must have one entry per node, as threshold and value do. */
	static const char *const keys[] = {"feature", "left", "right"};
	int32_t **arrays[] = {&feature, &left, &right};
	for (size_t k = 0; k < 3; k++) {
		int64_t hi = k == 0 ? (int64_t)m->n - 1 : (int64_t)count - 1;
		if (mf_ints(c, tree, at, keys[k], -1, hi, &n, arrays[k]))
			goto out;
		if (n != count) {
			mf_fail(c, at, "%s: expected %zu entries (one per node), found %zu", keys[k],
				count, n);
			goto out;
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct forest_node *nd = &m->nodes[first + i];

		if (!isfinite(thr[i])) {
			mf_fail(c, at, "threshold[%zu]: expected a finite number", i);
			goto out;
		}
		if (!(val[i] >= 0 && val[i] <= 1)) {
			mf_fail(c, at, "value[%zu]: expected a probability in [0, 1]", i);
			goto out;
		}
		if (feature[i] < 0 && (left[i] != -1 || right[i] != -1)) {
			mf_fail(c, at, "node %zu: a leaf (feature -1) must have left and right -1", i);
			goto out;
		}
		/* Children after their node rule out cycles; one parent each rules out sharing. */
		if (feature[i] >= 0) {
			if (left[i] <= (int32_t)i || right[i] <= (int32_t)i || left[i] == right[i]) {
				mf_fail(c, at, "node %zu: children %d and %d must be distinct nodes "
					"after it", i, left[i], right[i]);
				goto out;
			}
			if (parents[left[i]]++ || parents[right[i]]++) {
				mf_fail(c, at, "node %zu: a child of two nodes", i);
				goto out;
			}
		}
		*nd = (struct forest_node){ feature[i], left[i], right[i], 0, thr[i], val[i] };
	}
	for (size_t i = 1; i < count; i++)
		if (!parents[i]) {
			mf_fail(c, at, "node %zu: unreachable from the root", i);
			goto out;
		}
	rc = 0;
out:
	free(feature);
	free(left);
	free(right);
	free(thr);
	free(val);
	free(parents);
	return rc;
}

static int read_body(struct mf_ctx *c, json_t *root, struct forest_model *m)
{
	json_t *body = mf_member(c, root, "", "forest", JSON_OBJECT), *trees, *v;
	size_t total = 0;
	int rc;

	if (!body || !(trees = mf_member(c, body, "forest", "trees", JSON_ARRAY)))
		return -EINVAL;
	m->n_trees = json_array_size(trees);
	if (m->n_trees == 0)
		return mf_fail(c, "forest.trees", "expected at least one tree");
	if (mf_numbers(c, body, "forest", "importances", m->n, m->importances))
		return -EINVAL;
	for (size_t j = 0; j < m->n; j++) {
		if (!(m->importances[j] >= 0 && m->importances[j] <= 1))
			return mf_fail(c, "forest.importances", "item %zu: expected a number in "
				       "[0, 1]", j);
	}
	m->tree_off = calloc(m->n_trees + 1, sizeof(size_t));
	if (!m->tree_off)
		return -ENOMEM;
	for (size_t t = 0; t < m->n_trees; t++) {
		json_t *tree = json_array_get(trees, t), *f;
		char at[64];

		snprintf(at, sizeof(at), "forest.trees[%zu]", t);
		if (!json_is_object(tree))
			return mf_fail(c, at, "expected an object");
		if (!(f = mf_member(c, tree, at, "feature", JSON_ARRAY)))
			return -EINVAL;
		if (json_array_size(f) == 0 || json_array_size(f) > INT32_MAX)
			return mf_fail(c, at, "feature: expected 1 to 2^31-1 nodes");
		m->tree_off[t] = total;
		total += json_array_size(f);
	}
	m->tree_off[m->n_trees] = total;
	m->nodes = malloc(total * sizeof(*m->nodes));
	if (!m->nodes)
		return -ENOMEM;
	for (size_t t = 0; t < m->n_trees; t++) {
		rc = read_tree(c, json_array_get(trees, t), t, m, m->tree_off[t],
			       m->tree_off[t + 1] - m->tree_off[t]);
		if (rc)
			return rc;
	}
	/* Training facts are informative; read them when present. */
	if ((v = json_object_get(body, "seed")) && json_is_integer(v))
		m->params.seed = (uint64_t)json_integer_value(v);
	m->params.n_trees = (int)m->n_trees;
	return 0;
}

int forest_load(const char *path, struct forest_model **out, char *err, size_t errlen)
{
	struct mf_ctx c = { path, err, errlen };
	struct mf_header h;
	struct forest_model *m = NULL;
	json_t *root;
	int rc;

	*out = NULL;
	rc = mf_read(&c, "forest", &root, &h);
	if (rc)
		return rc;
	m = forest_alloc(h.n_features, h.features);
	if (!m) {
		rc = -ENOMEM;
		goto out;
	}
	rc = read_body(&c, root, m);
	if (rc)
		goto out;
	m->name = strdup(h.name);
	m->version = strdup(h.version);
	if (!m->name || !m->version) {
		rc = -ENOMEM;
		goto out;
	}
	*out = m;
	m = NULL;
out:
	if (rc == -ENOMEM)
		mf_fail(&c, NULL, "out of memory");
	forest_free(m);
	mf_header_free(&h);
	json_decref(root);
	return rc;
}

static json_t *tree_json(const struct forest_node *nd, size_t count)
{
	json_t *t = json_object(), *f = json_array(), *l = json_array(), *r = json_array();
	json_t *th = json_array(), *v = json_array();

	for (size_t i = 0; i < count; i++) {
		json_array_append_new(f, json_integer(nd[i].feature));
		json_array_append_new(l, json_integer(nd[i].left));
		json_array_append_new(r, json_integer(nd[i].right));
		json_array_append_new(th, json_real(nd[i].threshold));
		json_array_append_new(v, json_real(nd[i].value));
	}
	json_object_set_new(t, "feature", f);
	json_object_set_new(t, "threshold", th);
	json_object_set_new(t, "left", l);
	json_object_set_new(t, "right", r);
	json_object_set_new(t, "value", v);
	return t;
}

int forest_save(const struct forest_model *m, const char *metadata_json, const char *path)
{
	json_t *body = json_object(), *trees = json_array(), *imp = json_array(), *root;
	int rc;

	if (!body || !trees || !imp) {
		json_decref(body);
		json_decref(trees);
		json_decref(imp);
		return -ENOMEM;
	}
	for (size_t j = 0; j < m->n; j++)
		json_array_append_new(imp, json_real(m->importances[j]));
	for (size_t t = 0; t < m->n_trees; t++)
		json_array_append_new(trees, tree_json(m->nodes + m->tree_off[t],
						       m->tree_off[t + 1] - m->tree_off[t]));
	json_object_set_new(body, "n_trees", json_integer((json_int_t)m->n_trees));
	json_object_set_new(body, "max_depth", json_integer(m->params.max_depth));
	json_object_set_new(body, "min_samples_leaf", json_integer(m->params.min_samples_leaf));
	json_object_set_new(body, "max_features", json_integer(m->params.max_features));
	json_object_set_new(body, "seed", json_integer((json_int_t)m->params.seed));
	json_object_set_new(body, "bootstrap", json_boolean(m->params.bootstrap));
	json_object_set_new(body, "class_weight",
			    json_string(m->params.balanced ? "balanced" : "none"));
	json_object_set_new(body, "importances", imp);
	json_object_set_new(body, "trees", trees);
	root = mf_build("forest", path, m->n, (const char *const *)m->names, body, metadata_json);
	json_decref(body);
	if (!root)
		return -EINVAL;
	rc = mf_write_atomic(root, path, true);
	json_decref(root);
	return rc;
}

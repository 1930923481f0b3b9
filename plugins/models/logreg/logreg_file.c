#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logreg_file.h"
#include "model_file.h"

static int finite_all(struct mf_ctx *c, const char *where, const double *v, size_t n,
		      bool positive)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]) || (positive && !(v[i] > 0)))
			return mf_fail(c, where, "item %zu: expected a finite%s number", i,
				       positive ? " positive" : "");
	return 0;
}

static int read_body(struct mf_ctx *c, json_t *root, struct logreg_model *m)
{
	json_t *body = mf_member(c, root, "", "logreg", JSON_OBJECT), *v;

	if (!body)
		return -EINVAL;
	if (mf_numbers(c, body, "logreg", "mean", m->n, m->mean) ||
	    finite_all(c, "logreg.mean", m->mean, m->n, false) ||
	    mf_numbers(c, body, "logreg", "scale", m->n, m->scale) ||
	    finite_all(c, "logreg.scale", m->scale, m->n, true) ||
	    mf_numbers(c, body, "logreg", "coef", m->n, m->coef) ||
	    finite_all(c, "logreg.coef", m->coef, m->n, false) ||
	    mf_number(c, body, "logreg", "intercept", &m->intercept) ||
	    finite_all(c, "logreg.intercept", &m->intercept, 1, false))
		return -EINVAL;
	/* Training facts are informative; read them when present. */
	if ((v = json_object_get(body, "C")) && json_is_number(v))
		m->params.C = json_number_value(v);
	if ((v = json_object_get(body, "iterations")) && json_is_integer(v))
		m->iterations = (int)json_integer_value(v);
	m->converged = json_is_true(json_object_get(body, "converged"));
	return 0;
}

int logreg_load(const char *path, struct logreg_model **out, char *err, size_t errlen)
{
	struct mf_ctx c = { path, err, errlen };
	struct mf_header h;
	struct logreg_model *m = NULL;
	json_t *root;
	int rc;

	*out = NULL;
	rc = mf_read(&c, "logreg", &root, &h);
	if (rc)
		return rc;
	m = logreg_alloc(h.n_features, h.features);
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
	logreg_prepare(m);
	*out = m;
	m = NULL;
out:
	if (rc == -ENOMEM)
		mf_fail(&c, NULL, "out of memory");
	logreg_free(m);
	mf_header_free(&h);
	json_decref(root);
	return rc;
}

static json_t *numbers(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

int logreg_save(const struct logreg_model *m, const char *metadata_json, const char *path)
{
	json_t *body = json_object(), *root;
	int rc;

	if (!body)
		return -ENOMEM;
	json_object_set_new(body, "mean", numbers(m->mean, m->n));
	json_object_set_new(body, "scale", numbers(m->scale, m->n));
	json_object_set_new(body, "coef", numbers(m->coef, m->n));
	json_object_set_new(body, "intercept", json_real(m->intercept));
	json_object_set_new(body, "C", json_real(m->params.C));
	json_object_set_new(body, "class_weight",
			    json_string(m->params.balanced ? "balanced" : "none"));
	json_object_set_new(body, "iterations", json_integer(m->iterations));
	json_object_set_new(body, "converged", json_boolean(m->converged));
	root = mf_build("logreg", path, m->n, (const char *const *)m->names, body, metadata_json);
	json_decref(body);
	if (!root)
		return -EINVAL;
	rc = mf_write_atomic(root, path, false);
	json_decref(root);
	return rc;
}

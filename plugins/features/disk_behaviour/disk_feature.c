// SPDX-License-Identifier: MIT
/* disk_feature: windows of open and bio events per key, as vectors (see the header). */
#include "disk_feature.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bio_features.h"
#include "open_features.h"
#include "window_stage.h"

struct disk_feature {
	unsigned parts;
	struct window_stage ws;
	struct of_config oc;
	size_t n, nopen;      /* features in all, of which the open ones come first */
	char **names;
	double *values;
};

/* One key's accumulators; the part a stage does not use stays empty. */
struct disk_acc {
	struct of_acc open;
	struct bf_acc bio;
};

static void *acc_new(void *ctx)
{
	struct disk_feature *f = ctx;
	struct disk_acc *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if ((f->parts & DISK_OPEN) && of_acc_init(&a->open, &f->oc)) {
		free(a);
		return NULL;
	}
	bf_acc_init(&a->bio);
	return a;
}

static void acc_reset(void *ctx, void *acc)
{
	struct disk_feature *f = ctx;
	struct disk_acc *a = acc;

	if (f->parts & DISK_OPEN)
		of_acc_reset(&a->open, &f->oc);
	bf_acc_reset(&a->bio);
}

static void acc_free(void *ctx, void *acc)
{
	struct disk_acc *a = acc;

	(void)ctx;
	of_acc_fini(&a->open);
	bf_acc_fini(&a->bio);
	free(a);
}

static int emit(void *ctx, struct dw_slot *slot)
{
	struct disk_feature *f = ctx;
	struct disk_acc *a = slot->acc;
	double secs = dw_seconds(&f->ws.win, slot);

	if (f->parts & DISK_OPEN)
		of_compute(&a->open, &f->oc, secs, f->values);
	if (f->parts & DISK_BIO)
		bf_compute(&a->bio, secs, f->values + f->nopen);
	struct anomon_vector v = {
		.start_ns = slot->start_ns,
		.end_ns = slot->end_ns,
		.key = slot->key,
		.flags = slot->flags,
		.n = f->n,
		.names = (const char *const *)f->names,
		.values = f->values,
		.events = slot->events,
	};
	return f->ws.host->emit_vector(f->ws.s, &v);
}

static int setup_names(struct disk_feature *f)
{
	f->nopen = (f->parts & DISK_OPEN) ? of_nfeatures(&f->oc) : 0;
	f->n = f->nopen + ((f->parts & DISK_BIO) ? BF_NFEATURES : 0);
	f->names = calloc(f->n, sizeof(*f->names));
	f->values = calloc(f->n, sizeof(*f->values));
	if (!f->names || !f->values)
		return -ENOMEM;
	if (f->nopen && of_names(&f->oc, f->names))
		return -ENOMEM;
	for (size_t i = f->nopen; i < f->n; i++)
		if (!(f->names[i] = strdup(bf_names[i - f->nopen])))
			return -ENOMEM;
	return 0;
}

static int setup(struct disk_feature *f)
{
	const struct anomon_host *host = f->ws.host;
	anomon_stage *s = f->ws.s;
	int err = ws_params(&f->ws, host, s);

	if (err)
		return err;
	if (f->parts & DISK_OPEN) {
		int64_t tokens = host->param_int(s, "tokens");
		if (tokens < 0 || tokens > OF_MAX_TOKENS) {
			host->error(s, "tokens: expected 0..%d, got %lld", OF_MAX_TOKENS,
				    (long long)tokens);
			return -EINVAL;
		}
		f->oc.tokens = (uint32_t)tokens;
		f->oc.nsensitive = host->param_list(s, "sensitive", &f->oc.sensitive);
		if (of_sensitive_prepare(&f->oc)) {
			host->error(s, "out of memory");
			return -ENOMEM;
		}
	}
	err = setup_names(f);
	if (err) {
		host->error(s, "out of memory");
		return err;
	}
	err = host->set_schema(s, f->n, (const char *const *)f->names);
	if (err) {
		host->error(s, "declaring the feature names: %s", strerror(-err));
		return err;
	}
	struct dw_ops ops = {acc_new, acc_reset, acc_free, emit};
	return ws_windows(&f->ws, &ops, f);
}

int disk_feature_init(const struct anomon_host *host, anomon_stage *s, unsigned parts,
		      void **state)
{
	struct disk_feature *f = calloc(1, sizeof(*f));
	int err;

	*state = NULL;
	if (!f)
		return -ENOMEM;
	f->ws.host = host;
	f->ws.s = s;
	f->parts = parts;
	err = setup(f);
	if (err) {
		/* destroy is only called after a successful init */
		disk_feature_destroy(f);
		return err;
	}
	*state = f;
	return 0;
}

int disk_feature_on_event(void *state, const struct anomon_event *ev)
{
	struct disk_feature *f = state;
	bool is_open = (f->parts & DISK_OPEN) && strcmp(ev->type, ANOMON_EV_OPEN) == 0;
	bool is_bio = !is_open && (f->parts & DISK_BIO) && strcmp(ev->type, ANOMON_EV_BIO) == 0;
	const struct anomon_open *o = ev->data;
	const struct anomon_bio *b = ev->data;
	int err, err2;

	if ((!is_open && !is_bio) || !ev->data ||
	    ev->size < (is_open ? sizeof(*o) : sizeof(*b)))
		return -EINVAL;
	bool has_cgroup = is_open ? o->present & ANOMON_OPEN_CGROUP : b->present & ANOMON_BIO_CGROUP;
	uint64_t cgroup_id = is_open ? o->cgroup_id : b->cgroup_id;
	struct dw_slot *slot = ws_route(&f->ws, has_cgroup, cgroup_id, ev->ts_ns, &err);
	if (!slot)
		return -ENOMEM;
	struct disk_acc *a = slot->acc;
	if ((is_open ? of_add(&a->open, &f->oc, o) : bf_add(&a->bio, b)) < 0)
		return -ENOMEM;
	err2 = dw_count(&f->ws.win, slot);
	return err ? err : err2;
}

void disk_feature_stop(void *state)
{
	struct disk_feature *f = state;

	ws_stop(&f->ws);
}

void disk_feature_destroy(void *state)
{
	struct disk_feature *f = state;

	if (!f)
		return;
	ws_fini(&f->ws);
	if (f->names)
		for (size_t i = 0; i < f->n; i++)
			free(f->names[i]);
	free(f->names);
	free(f->values);
	of_sensitive_release(&f->oc);
	free(f);
}

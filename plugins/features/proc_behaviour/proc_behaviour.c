// SPDX-License-Identifier: MIT
/*
 * proc_behaviour feature: process behaviour per window and key: fork, exec, exit and thread
 * rates, how processes end (short-lived, failed, signalled), distinct programs and the
 * typical age at exit (proc_features.h lists the vector). Windows and keys are the disk
 * features' (disk_window, disk_params): the same parameters, bounds and quiet-key rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"
#include "proc_features.h"
#include "window_stage.h"

struct proc_behaviour {
	struct window_stage ws;
	double values[PF_NFEATURES];
};

static void *acc_new(void *ctx)
{
	struct pf_acc *a = malloc(sizeof(*a));

	(void)ctx;
	if (a)
		pf_acc_init(a);
	return a;
}

static void acc_reset(void *ctx, void *acc)
{
	(void)ctx;
	pf_acc_reset(acc);
}

static void acc_free(void *ctx, void *acc)
{
	(void)ctx;
	pf_acc_fini(acc);
	free(acc);
}

static int emit(void *ctx, struct dw_slot *slot)
{
	struct proc_behaviour *f = ctx;

	pf_compute(slot->acc, dw_seconds(&f->ws.win, slot), f->values);
	struct anomon_vector v = {
		.start_ns = slot->start_ns,
		.end_ns = slot->end_ns,
		.key = slot->key,
		.flags = slot->flags,
		.n = PF_NFEATURES,
		.names = pf_names,
		.values = f->values,
		.events = slot->events,
	};
	return f->ws.host->emit_vector(f->ws.s, &v);
}

static void pb_destroy(void *state);

static int pb_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct proc_behaviour *f = calloc(1, sizeof(*f));
	int err;

	*state = NULL;
	if (!f)
		return -ENOMEM;
	err = ws_params(&f->ws, host, s);
	if (!err) {
		err = host->set_schema(s, PF_NFEATURES, pf_names);
		if (err)
			host->error(s, "declaring the feature names: %s", strerror(-err));
	}
	if (!err) {
		struct dw_ops ops = {acc_new, acc_reset, acc_free, emit};
		err = ws_windows(&f->ws, &ops, f);
	}
	if (err) {
		pb_destroy(f);
		return err;
	}
	*state = f;
	return 0;
}

static int pb_on_event(void *state, const struct anomon_event *ev)
{
	struct proc_behaviour *f = state;
	const struct anomon_proc *p = ev->data;
	int err, err2;

	if (strcmp(ev->type, ANOMON_EV_PROC) != 0 || !p || ev->size < sizeof(*p))
		return -EINVAL;
	struct dw_slot *slot = ws_route(&f->ws, p->present & ANOMON_PROC_F_CGROUP, p->cgroup_id,
					ev->ts_ns, &err);
	if (!slot)
		return -ENOMEM;
	err2 = pf_add(slot->acc, p);
	if (err2)
		return err2; /* counted as a drop of the stage; the window goes on */
	err2 = dw_count(&f->ws.win, slot);
	return err ? err : err2;
}

static void pb_stop(void *state)
{
	struct proc_behaviour *f = state;

	ws_stop(&f->ws);
}

static void pb_destroy(void *state)
{
	struct proc_behaviour *f = state;

	if (!f)
		return;
	ws_fini(&f->ws);
	free(f);
}

static const struct anomon_param pb_params[] = {
	DISK_PARAMS_WINDOW,
	{NULL, 0, NULL, false, NULL},
};

static const char *const pb_consumes[] = {ANOMON_EV_PROC, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_FEATURE,
	.name = "proc_behaviour",
	.version = "1.0.0",
	.description = "Process behaviour per window and key: fork, exec, exit and thread rates, "
		       "short-lived, failed and signalled exits, distinct programs, age at exit",
	.params = pb_params,
	.consumes = pb_consumes,
	.init = pb_init,
	.stop = pb_stop,
	.destroy = pb_destroy,
	.on_event = pb_on_event,
};

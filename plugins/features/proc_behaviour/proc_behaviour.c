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
#include <time.h>

#include "anomon_plugin.h"
#include "disk_params.h"
#include "disk_window.h"
#include "proc_features.h"

struct proc_behaviour {
	const struct anomon_host *host;
	anomon_stage *s;
	struct disk_params p;
	struct dw_table win;
	uint64_t drops_seen;   /* input_drops() when last looked */
	uint64_t cut_reported; /* windows cut short by max_keys, already counted as drops */
	bool bound_logged;
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

	pf_compute(slot->acc, dw_seconds(&f->win, slot), f->values);
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
	return f->host->emit_vector(f->s, &v);
}

static void pb_destroy(void *state);

static int pb_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct proc_behaviour *f = calloc(1, sizeof(*f));
	int err;

	*state = NULL;
	if (!f)
		return -ENOMEM;
	f->host = host;
	f->s = s;
	err = disk_params_read(host, s, &f->p);
	if (!err) {
		err = host->set_schema(s, PF_NFEATURES, pf_names);
		if (err)
			host->error(s, "declaring the feature names: %s", strerror(-err));
	}
	if (!err) {
		struct dw_ops ops = {acc_new, acc_reset, acc_free, emit};
		err = dw_init(&f->win, f->p.window_events ? 0 : f->p.window_ns,
			      f->p.window_events, f->p.max_keys, &ops, f);
	}
	if (err) {
		pb_destroy(f);
		return err;
	}
	*state = f;
	return 0;
}

/* Lost events cannot be told apart by key: every window open when the input collectors
 * report new drops misses some. */
static void note_drops(struct proc_behaviour *f)
{
	uint64_t drops = f->host->input_drops(f->s);

	if (drops != f->drops_seen) {
		f->drops_seen = drops;
		dw_mark_open(&f->win, ANOMON_WINDOW_INCOMPLETE);
	}
}

/* When a key went quiet: arrival time, not event time, so a replay read at full speed
 * closes no window early. */
static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A window cut short by an eviction lost the rest of its events to a second window, so
 * it counts as a drop. */
static void bound_report(struct proc_behaviour *f)
{
	const struct dw_stats *st = &f->win.stats;

	if (st->evicted && !f->bound_logged) {
		f->bound_logged = true;
		f->host->log(f->s, ANOMON_LOG_INFO, "max_keys %zu reached: new keys evict the least "
			     "recently seen", f->p.max_keys);
	}
	if (st->cut_short > f->cut_reported) {
		f->host->add_drops(f->s, st->cut_short - f->cut_reported);
		f->cut_reported = st->cut_short;
	}
}

static int pb_on_event(void *state, const struct anomon_event *ev)
{
	struct proc_behaviour *f = state;
	const struct anomon_proc *p = ev->data;
	int err, err2;

	if (strcmp(ev->type, ANOMON_EV_PROC) != 0 || !p || ev->size < sizeof(*p))
		return -EINVAL;
	/* One window per container: the host's key for the cgroup ("host" without one). */
	const char *key = f->p.by_cgroup && (p->present & ANOMON_PROC_F_CGROUP) && p->cgroup_id
				  ? f->host->container(f->s, p->cgroup_id)->key
				  : "host";
	note_drops(f);
	struct dw_slot *slot = dw_route(&f->win, key, ev->ts_ns, mono_ns(), &err);
	bound_report(f);
	if (!slot)
		return -ENOMEM;
	err2 = pf_add(slot->acc, p);
	if (err2)
		return err2; /* counted as a drop of the stage; the window goes on */
	err2 = dw_count(&f->win, slot);
	return err ? err : err2;
}

static void pb_stop(void *state)
{
	struct proc_behaviour *f = state;
	const struct dw_stats *st = &f->win.stats;

	/* The collectors, stopped first, reported their last drops. */
	note_drops(f);
	dw_flush(&f->win);
	f->host->log(f->s, ANOMON_LOG_INFO, "keys: at most %zu held at once (max_keys %zu), %zu "
		     "now; %llu windows closed after their key went quiet, %llu keys forgotten "
		     "after going quiet, %llu evicted at the bound (%llu open windows cut short)",
		     st->held_max, f->p.max_keys, dw_keys(&f->win),
		     (unsigned long long)st->closed_quiet, (unsigned long long)st->forgotten,
		     (unsigned long long)st->evicted, (unsigned long long)st->cut_short);
}

static void pb_destroy(void *state)
{
	struct proc_behaviour *f = state;

	if (!f)
		return;
	dw_fini(&f->win);
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

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cgroups.h"
#include "log.h"
#include "privileges.h"
#include "record_json.h"
#include "reload.h"
#include "sink_gate.h"
#include "run.h"
#include "stage.h"

struct runner {
	struct pipeline *pl;
	const struct run_opts *o;
	uv_loop_t loop;
	uv_signal_t sigint, sigterm, sighup;
	uv_timer_t duration, shutdown, sweep;
	bool stopping;
	bool privileges_dropped;
	const char *why;
	int status; /* exit status a failing stage asked for */
	unsigned sweeps;
};

static void stop_all(struct runner *r)
{
	/* Collectors first, so that what they flush still flows through started features,
	 * models and sinks; each group is stopped after the one that feeds it. */
	for (size_t i = 0; i < r->pl->n; i++)
		stage_stop(r->pl->stages[i]);
}

/* Closing libuv's handler restores the default action, which would end the process: a
 * SIGHUP that comes while the pipeline is torn down is ignored instead. It stays blocked
 * in between (plugins' threads block it from birth, see stage.c), so none can land on the
 * default action; one pending meanwhile is discarded when it becomes ignored. */
static void close_sighup(struct runner *r)
{
	sigset_t hup, old;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &hup, &old);
	uv_close((uv_handle_t *)&r->sighup, NULL);
	signal(SIGHUP, SIG_IGN);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void on_shutdown(uv_timer_t *t)
{
	struct runner *r = t->data;
	log_info("stopping: %s", r->why);
	stop_all(r);
	for (size_t i = 0; i < r->pl->n; i++)
		sink_gate_report(r->pl->stages[i], 0, true);
	for (size_t i = r->pl->n; i-- > 0;)
		stage_destroy(r->pl->stages[i]);
	uv_close((uv_handle_t *)&r->sigint, NULL);
	uv_close((uv_handle_t *)&r->sigterm, NULL);
	close_sighup(r);
	uv_close((uv_handle_t *)&r->duration, NULL);
	uv_close((uv_handle_t *)&r->shutdown, NULL);
	uv_close((uv_handle_t *)&r->sweep, NULL);
}

/* Every 5 s: rate-limit summaries that are due, forgetting removed cgroups (so a long run's
 * cache does not grow without bound), and at -v a line of statistics now and then. */
static void on_sweep(uv_timer_t *t)
{
	struct runner *r = t->data;
	uint64_t now = host_api.now_ns(NULL);
	for (size_t i = 0; i < r->pl->n; i++)
		sink_gate_report(r->pl->stages[i], now, false);
	unsigned n = cgroups_sweep();
	if (n)
		log_debug("forgot %u removed cgroups (%zu cached)", n, cgroups_cached());
	/* Every 30 s at -v: one line of what each stage passed on and lost so far. */
	if (++r->sweeps % 6 == 0 && log_verbosity >= ANOMON_LOG_INFO) {
		char line[1024];
		size_t off = 0;
		for (size_t i = 0; i < r->pl->n && off < sizeof(line); i++) {
			const anomon_stage *s = r->pl->stages[i];
			off += (size_t)snprintf(line + off, sizeof(line) - off,
						"%s%s out %" PRIu64 " dropped %" PRIu64, i ? "; " : "",
						s->name, s->out, s->drops);
		}
		log_info("so far: %s", line);
	}
}

static const struct anomon_container *container_by_id(uint64_t id)
{
	return &cgroups_lookup(id)->pub;
}

static const struct anomon_container *container_by_key(const char *key)
{
	const struct cgroup_entry *e = cgroups_by_key(key);
	return e ? &e->pub : NULL;
}

/* Shut down from a fresh loop turn, never from inside a plugin's own callback. */
static void request_shutdown(struct runner *r, const char *why)
{
	if (r->stopping)
		return;
	r->stopping = true;
	r->why = why;
	uv_timer_start(&r->shutdown, on_shutdown, 0, 0);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct runner *r = h->data;
	if (r->stopping) {
		/* A second Ctrl-C while flushing: the user wants out now. */
		log_warn("second %s: exiting without flushing", strsignal(signum));
		_exit(130);
	}
	request_shutdown(r, signum == SIGINT ? "interrupted" : "terminated");
}

static bool all_collectors_ended(const struct pipeline *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->stages[i]->desc->kind == ANOMON_KIND_COLLECTOR && !pl->stages[i]->ended)
			return false;
	return true;
}

static void on_sighup(uv_signal_t *h, int signum)
{
	(void)signum;
	struct runner *r = h->data;
	if (r->stopping) {
		log_warn("SIGHUP while stopping (%s): not reloaded", r->why);
		return;
	}
	if (!r->o->reloadable) {
		log_warn("SIGHUP: %s; nothing reloaded", r->o->no_reload);
		return;
	}
	struct reload_opts ro = {.sets = r->o->sets, .n_sets = r->o->n_sets,
				 .privileges_dropped = r->privileges_dropped};
	switch (reload_pipeline(r->pl, &ro)) {
	case RELOAD_DONE:
		/* The collectors that were still reading may be the ones removed. */
		if (all_collectors_ended(r->pl))
			request_shutdown(r, "end of input");
		break;
	case RELOAD_REFUSED:
		break;
	case RELOAD_START_FAILED:
		if (!r->status)
			r->status = 1;
		request_shutdown(r, "a stage failed to start after a reload");
		break;
	}
}

static void on_duration(uv_timer_t *t)
{
	request_shutdown(t->data, "duration reached");
}

static void on_all_ended(struct pipeline *pl)
{
	request_shutdown(pl->runner, "end of input");
}

static int exit_code(int rc);

static void on_fail(anomon_stage *s, int err)
{
	struct runner *r = s->pl->runner;
	stage_report(s, "run", err);
	if (!r->status)
		r->status = exit_code(err);
	request_shutdown(r, "a stage failed");
}

static void print_stats(const struct pipeline *pl)
{
	uint64_t drops = 0;
	for (size_t i = 0; i < pl->n; i++)
		drops += pl->stages[i]->drops;
	enum anomon_log_level lvl = drops ? ANOMON_LOG_WARN : ANOMON_LOG_INFO;
	if ((int)lvl > log_verbosity)
		return;
	for (size_t i = 0; i < pl->n; i++) {
		const anomon_stage *s = pl->stages[i];
		char filtered[96] = "";
		if (s->filtered)
			snprintf(filtered, sizeof(filtered), " filtered %" PRIu64, s->filtered);
		else if (s->suppressed)
			snprintf(filtered, sizeof(filtered), " suppressed %" PRIu64, s->suppressed);
		log_msg(lvl, "%-16s %-9s in %" PRIu64 " out %" PRIu64 " dropped %" PRIu64 "%s", s->name,
			loader_kind_name(s->desc->kind), s->in, s->out, s->drops, filtered);
	}
}

static int init_all(struct pipeline *pl, size_t *inited)
{
	for (*inited = 0; *inited < pl->n; (*inited)++) {
		int rc = stage_init(pl->stages[*inited]);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < pl->n; i++) {
		int rc = stage_check(pl->stages[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void drain(uv_loop_t *loop)
{
	/* Let close callbacks of handles the stages closed run, then close the loop. */
	uv_run(loop, UV_RUN_DEFAULT);
	if (uv_loop_close(loop) == UV_EBUSY)
		log_debug("event loop closed with handles still open");
}

/* -EINVAL from a plugin means the user's configuration is wrong (exit 2); anything else
 * is a failure of the machine or the kernel (exit 1). */
static int exit_code(int rc)
{
	return rc == -EINVAL ? 2 : 1;
}

int run_pipeline(struct pipeline *pl, const struct run_opts *o)
{
	struct runner r = {.pl = pl, .o = o};
	if (uv_loop_init(&r.loop) < 0) {
		log_error("cannot create the event loop");
		return 1;
	}
	pl->loop = &r.loop;
	pl->runner = &r;
	pl->on_all_ended = on_all_ended;
	pl->on_fail = on_fail;
	if (cgroups_open(NULL) < 0)
		log_info("no cgroup v2 hierarchy: events are attributed to the host only");
	record_json_set_resolvers(container_by_id, container_by_key);

	/* Installed before the stages load: a SIGHUP meanwhile is a reload once they run. */
	if (!o->validate_only) {
		uv_signal_init(&r.loop, &r.sighup);
		r.sighup.data = &r;
		uv_signal_start(&r.sighup, on_sighup, SIGHUP);
	}
	size_t inited = 0;
	int rc = init_all(pl, &inited);
	if (rc < 0 || o->validate_only) {
		for (size_t i = pl->n; i-- > 0;)
			stage_destroy(pl->stages[i]);
		if (!o->validate_only)
			close_sighup(&r);
		drain(&r.loop);
		pl->loop = NULL;
		cgroups_close();
		return rc < 0 ? exit_code(rc) : 0;
	}

	uv_signal_init(&r.loop, &r.sigint);
	uv_signal_init(&r.loop, &r.sigterm);
	uv_timer_init(&r.loop, &r.duration);
	uv_timer_init(&r.loop, &r.shutdown);
	uv_timer_init(&r.loop, &r.sweep);
	r.sigint.data = r.sigterm.data = r.duration.data = r.shutdown.data = r.sweep.data = &r;
	pl->started_ns = host_api.now_ns(NULL);
	uv_timer_start(&r.sweep, on_sweep, 5000, 5000);
	uv_signal_start(&r.sigint, on_signal, SIGINT);
	uv_signal_start(&r.sigterm, on_signal, SIGTERM);
	/* A sink whose reader went away gets EPIPE from write(); the signal would kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (o->duration_s > 0)
		uv_timer_start(&r.duration, on_duration, (uint64_t)(o->duration_s * 1000.0 + 0.5), 0);

	/* Sinks first, collectors last: nothing is produced before its consumers listen. */
	int status = 0;
	for (size_t i = pl->n; i-- > 0;) {
		rc = stage_start(pl->stages[i]);
		if (rc < 0) {
			status = exit_code(rc);
			request_shutdown(&r, "a stage failed to start");
			break;
		}
	}
	/* Everything is loaded, attached and open: give up what a running pipeline does not need. */
	if (status == 0 && !o->keep_privileges) {
		if (privileges_drop(o->user) < 0) {
			status = 1;
			request_shutdown(&r, "cannot drop privileges");
		} else {
			r.privileges_dropped = true;
		}
	}
	uv_run(&r.loop, UV_RUN_DEFAULT);
	drain(&r.loop);
	pl->loop = NULL;
	if (status == 0)
		status = r.status;
	if (status == 0)
		print_stats(pl);
	record_json_set_resolvers(NULL, NULL);
	cgroups_close();
	return status;
}

/* The life of one stage: init, check, start, stop, destroy. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "json_locate.h"
#include "log.h"
#include "paths.h"
#include "pipeline.h"
#include "stage.h"

/* "FILE:LINE:COL: collectors[0] (replay): message", the position that of the stage. */
void stage_report(anomon_stage *s, const char *what, int rc)
{
	char file[4096] = "anomon";
	if (s->pl) {
		struct jpath_elem path[2] = {{.key = pipeline_group_names[s->group]}, {.index = s->index}};
		int line, col;
		if (s->group >= 0 && json_locate(s->pl->text, s->pl->text_len, path, 2, false, &line,
						 &col) == 0)
			snprintf(file, sizeof(file), "%s:%d:%d", s->pl->file, line, col);
		else
			snprintf(file, sizeof(file), "%s", s->pl->file);
	}
	if (s->error)
		log_error("%s: %s (%s): %s", file, s->where[0] ? s->where : s->name, s->name, s->error);
	else
		log_error("%s: %s (%s): %s failed: %s", file, s->where[0] ? s->where : s->name, s->name,
			  what, strerror(-rc));
	free(s->error);
	s->error = NULL;
}

/* A thread a plugin creates (a sink's worker, a library's I/O thread) inherits the signal
 * mask of the loop thread that called it: with the run's signals blocked during init and
 * start, only the loop thread ever receives them. Otherwise a SIGHUP could land on another
 * thread in the instant at shutdown when libuv has restored its default action. */
static void block_run_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int stage_init(anomon_stage *s)
{
	void *state = NULL;
	sigset_t old;
	block_run_signals(&old);
	int rc = s->desc->init(&host_api, s, &state);
	restore_signals(&old);
	if (rc < 0) {
		stage_report(s, "init", rc);
		stage_close_handles(s);
		return rc;
	}
	s->state = state;
	s->inited = true;
	return 0;
}

int stage_check(anomon_stage *s)
{
	if (!s->desc->check)
		return 0;
	int rc = s->desc->check(s->state);
	if (rc < 0)
		stage_report(s, "check", rc);
	return rc;
}

int stage_start(anomon_stage *s)
{
	sigset_t old;
	block_run_signals(&old);
	int rc = s->desc->start ? s->desc->start(s->state) : 0;
	restore_signals(&old);
	if (rc < 0) {
		stage_report(s, "start", rc);
		return rc;
	}
	s->started = true;
	return 0;
}

void stage_stop(anomon_stage *s)
{
	if (!s->started)
		return;
	if (s->desc->stop)
		s->desc->stop(s->state);
	s->started = false;
}

void stage_destroy(anomon_stage *s)
{
	if (!s->inited)
		return;
	s->desc->destroy(s->state);
	s->state = NULL;
	s->inited = false;
	stage_close_handles(s);
}

int stage_params_init(anomon_stage *s)
{
	char err[512];
	if (params_init(&s->params, s->plugin->params, err, sizeof(err)) < 0) {
		log_error("%s: %s", s->plugin->path, err);
		return -EINVAL;
	}
	for (size_t i = 0; i < s->params.n; i++)
		if (param_resolve_path(&s->params.v[i], paths_data_dir()) < 0)
			return -ENOMEM;
	return 0;
}

int stage_set_assignment(anomon_stage *s, const char *assign, const char *what,
			 const char *origin)
{
	const char *eq = strchr(assign, '=');
	char param[128], err[512];
	if (!eq || eq == assign) {
		log_error("%s %s: expected PARAM=VALUE", origin, what);
		return -EINVAL;
	}
	snprintf(param, sizeof(param), "%.*s", (int)(eq - assign), assign);
	struct param_value *pv = params_find(&s->params, param);
	if (!pv) {
		params_unknown_message(s->plugin->params, s->desc->name, param, err, sizeof(err));
		log_error("%s %s: %s", origin, what, err);
		return -EINVAL;
	}
	pv->set = true;
	if (param_set_text(pv, eq + 1, err, sizeof(err)) < 0) {
		log_error("%s %s: %s", origin, what, err);
		return -EINVAL;
	}
	return 0;
}

anomon_stage *stage_new_standalone(const struct plugin_info *p, const char *const *sets,
				   size_t n_sets, const char *origin)
{
	anomon_stage *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->plugin = p;
	s->desc = p->desc;
	s->group = -1;
	s->name = strdup(p->desc->name);
	if (stage_params_init(s) < 0) {
		stage_free(s);
		return NULL;
	}
	for (size_t i = 0; i < n_sets; i++) {
		if (stage_set_assignment(s, sets[i], sets[i], origin) < 0) {
			stage_free(s);
			return NULL;
		}
	}
	return s;
}

const char *stage_error(const anomon_stage *s)
{
	return s->error;
}

void stage_free(anomon_stage *s)
{
	if (!s)
		return;
	params_free(&s->params);
	free(s->error);
	free(s->name);
	free(s);
}

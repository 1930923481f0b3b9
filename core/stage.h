/* One plugin instance of a pipeline, and the host API it is handed. */
#ifndef ANOMON_STAGE_H
#define ANOMON_STAGE_H

#include "anomon_plugin.h"
#include "loader.h"

extern const struct anomon_host host_api;

/*
 * A stage outside any pipeline, for commands that call a plugin's fit/score directly
 * (anomon train). `sets` are "PARAM=VALUE" strings typed by the plugin's parameter table;
 * a bad one is reported on stderr (naming `origin`, e.g. "--set") and NULL returned.
 */
anomon_stage *stage_new_standalone(const struct plugin_info *p, const char *const *sets,
				   size_t n_sets, const char *origin);
/* Give s its plugin's parameters at their defaults (relative default paths resolved against
 * the data directory). */
int stage_params_init(anomon_stage *s);
/* Set "PARAM=VALUE" on s, typed by its table; reports "ORIGIN WHAT: reason" on failure. */
int stage_set_assignment(anomon_stage *s, const char *assign, const char *what,
			 const char *origin);
/* The message a plugin left with host->error, or NULL. */
const char *stage_error(const anomon_stage *s);
void stage_free(anomon_stage *s);

#endif

/* Lifecycle inside a pipeline. Each reports a failure once, with the file and stage, and
 * returns the plugin's negative errno. */
int stage_init(anomon_stage *s);
int stage_check(anomon_stage *s);
int stage_start(anomon_stage *s);
void stage_stop(anomon_stage *s);
void stage_destroy(anomon_stage *s);
/* Print the failure of `what` once, with the file, position and stage; the plugin's own
 * message (host->error) when it left one. */
void stage_report(anomon_stage *s, const char *what, int rc);
/* Close the stage's timers and fd watches (host_api.c). */
void stage_close_handles(anomon_stage *s);

/* Reloading a running pipeline from its file (SIGHUP). */
#ifndef ANOMON_RELOAD_H
#define ANOMON_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline.h"

struct reload_opts {
	const char *const *sets;  /* --set overrides of the command line, applied again */
	size_t n_sets;
	bool privileges_dropped;  /* new stages may be refused what needs root */
};

enum reload_result {
	RELOAD_DONE,          /* the new pipeline runs */
	RELOAD_REFUSED,       /* the file or a new stage failed its checks: nothing changed */
	RELOAD_START_FAILED,  /* a new stage failed to start after the stages it replaces
			       * were stopped: the pipeline is incomplete */
};

/*
 * Re-read pl->file into the running pipeline pl. The new file is parsed, the overrides
 * applied, the stages wired, and every new or changed stage initialised and checked while
 * pl runs on; any failure is reported (as `anomon validate` would) and leaves pl untouched.
 * Only then are changed and removed stages stopped (collectors first, so what they flush
 * still flows) and destroyed, outputs rewired, and new stages started (sinks first).
 * A stage whose group, plugin, name, parameter values and inputs are the same, and whose
 * inputs declare the same feature names, keeps its instance and its counters.
 * Counts pl->reloads and pl->reloads_failed.
 */
enum reload_result reload_pipeline(struct pipeline *pl, const struct reload_opts *o);

#endif

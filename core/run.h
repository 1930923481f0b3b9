/* Running a wired pipeline on the event loop, or only validating it. */
#ifndef ANOMON_RUN_H
#define ANOMON_RUN_H

#include <stdbool.h>

#include "pipeline.h"

struct run_opts {
	double duration_s;   /* 0: until a signal or the end of every collector's input */
	bool validate_only;  /* init and check every stage, start nothing */
	const char *user;    /* switch to this user once started */
	bool keep_privileges; /* do not drop capabilities once started */
	/* SIGHUP re-reads the pipeline's file (anomon run FILE) with these --set overrides;
	 * without a file it logs no_reload, why there is nothing to re-read. */
	bool reloadable;
	const char *no_reload;
	const char *const *sets;
	size_t n_sets;
};

/* Returns the process exit status: 0 clean end, 1 runtime failure, 2 configuration error. */
int run_pipeline(struct pipeline *pl, const struct run_opts *o);

#endif

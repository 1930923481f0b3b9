/* A pipeline: its stages as the JSON file describes them, their parameters and wiring. */
#ifndef ANOMON_PIPELINE_H
#define ANOMON_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "loader.h"
#include "params.h"

struct stage_handle;
struct pipeline;

struct anomon_stage {
	struct pipeline *pl;         /* NULL for a standalone stage */
	const struct plugin_info *plugin;
	const struct anomon_plugin *desc;
	char *name;
	char where[40];              /* "collectors[0]": its place in the file */
	struct param_values params;
	void *state;
	bool inited, started, ended;
	struct anomon_stage **inputs, **outputs;
	size_t n_inputs, n_outputs;
	char **schema;               /* feature names declared with set_schema */
	size_t n_schema;
	uint64_t in, out, drops;
	char *error;                 /* left by host->error */
	struct stage_handle *handles; /* timers and fd watches, closed on destroy */
	int group;                   /* index into pipeline_group_names, -1 standalone */
	size_t index;                /* position within its group */
	char **input_names;          /* "inputs" as written, when explicit */
	size_t n_input_names;
	bool explicit_inputs;
	int filter_state;            /* 0 not read yet, 1 no filter, 2 filtering */
	struct filter_slot *filter_cache; /* decisions per cgroup id (filter.c) */
	uint64_t filtered;           /* events the filter held back */
	struct sink_gate *gate;      /* sinks: min_score / only_abnormal / rate_limit */
	uint64_t suppressed;         /* verdicts the gate held back */
	uint64_t latency_count[ANOMON_LATENCY_BUCKETS]; /* models: time in on_vector */
	uint64_t latency_sum_ns, calls;
};

/* The four groups in file order; a stage's kind decides its group. */
enum { PIPELINE_GROUPS = 4 };
extern const char *const pipeline_group_names[PIPELINE_GROUPS];

struct pipeline {
	char *file;                  /* as given, for messages */
	char *base_dir;              /* relative paths in the file are relative to this */
	char *text;
	size_t text_len;
	struct loader *loader;
	struct anomon_stage **stages; /* collectors, features, models, sinks */
	size_t n;
	struct uv_loop_s *loop;      /* while running */
	char *name;                  /* "name" in the file, else the file's base name */
	uint64_t started_ns;         /* when the run started (wall clock) */
	uint64_t reloads;            /* SIGHUP reloads attempted, and those that failed */
	uint64_t reloads_failed;
	void (*on_all_ended)(struct pipeline *pl); /* set by the runner */
	void (*on_fail)(struct anomon_stage *s, int err); /* set by the runner */
	void *runner;
};

/*
 * Parse and check a pipeline: JSON syntax, sections and keys, plugin names and kinds,
 * parameters against each plugin's table. Every problem is reported on stderr as
 * "FILE:LINE:COL: PATH: what was expected"; returns NULL if there was any. Relative paths
 * (ANOMON_PARAM_PATH) in the text are resolved against base_dir.
 */
struct pipeline *pipeline_parse(const char *file, const char *base_dir, const char *text,
				size_t len, struct loader *loader);
/* Read the file, then pipeline_parse. */
struct pipeline *pipeline_load(const char *file, struct loader *loader);
/* Apply "STAGE.PARAM=VALUE" overrides; returns 0 or -EINVAL after reporting. */
int pipeline_apply_sets(struct pipeline *pl, const char *const *sets, size_t n);
/* Append a stage of `plugin` with "PARAM=VALUE" params (anomon record's dataset sink). */
int pipeline_append(struct pipeline *pl, const char *plugin, const char *const *params,
		    size_t n, const char *origin);
/* Connect stages (explicit inputs or the default order) and check that every consumer gets
 * a type it takes. Returns 0 or -EINVAL after reporting. */
int pipeline_wire(struct pipeline *pl);
void pipeline_free(struct pipeline *pl);
/* The stage called `name`, or NULL. */
struct anomon_stage *pipeline_find_stage(struct pipeline *pl, const char *name);
/* Free one stage that no pipeline lists any more (destroyed, or never initialised). */
void pipeline_stage_free(struct anomon_stage *s);


/* Whether a stage of this kind accepts events of `type` (features: their consumes list,
 * "*" for any; sinks: everything they have on_event for). */
bool stage_accepts_event(const struct anomon_stage *s, const char *type);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * anomon_plugin.h — the anomon plugin ABI.
 *
 * This header is the only public interface between the anomon host and its plugins.
 * A plugin is a shared object that exports exactly one symbol, ANOMON_PLUGIN_SYMBOL
 * ("anomon_plugin_v1"), a `const struct anomon_plugin`. The host reads and checks that
 * descriptor (ABI major, struct size, kind, name, parameter table, event types) before it
 * calls anything in the plugin, and refuses the file with a message naming it otherwise.
 *
 * Conventions that hold for every callback and host function below:
 *  - Threading: the host runs one event loop on one thread. Every plugin callback is called
 *    on that thread, and host functions may only be called from it (that is, from inside a
 *    callback). A plugin that runs threads of its own hands data to the loop through a file
 *    descriptor it watches with host->watch_fd (a pipe or an eventfd). Threads created
 *    from init or start begin with SIGHUP, SIGINT and SIGTERM blocked (the loop thread
 *    handles them); a thread should not unblock them.
 *  - Memory: records (events, vectors, verdicts) passed to a callback are borrowed for the
 *    duration of that call only; copy what you keep. Records passed to host->emit_* are
 *    borrowed by the host for the call only; the host delivers them synchronously to the
 *    downstream stages before emit returns. Strings returned by host functions are owned by
 *    the host and live as long as the stage, unless said otherwise.
 *  - Errors: functions return 0 on success or a negative errno value. A callback that fails
 *    should first describe the failure with host->error(); the host prints it once, with the
 *    pipeline file and stage as context.
 *  - Versioning: ANOMON_ABI_MAJOR changes when an existing field or meaning changes; the host
 *    refuses plugins of another major. ANOMON_ABI_MINOR grows when fields are appended at the
 *    end of a struct; every struct that can grow starts with its own size so both sides can
 *    tell which fields the other knows.
 */
#ifndef ANOMON_PLUGIN_H
#define ANOMON_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANOMON_ABI_MAJOR 1
#define ANOMON_ABI_MINOR 2
#define ANOMON_PLUGIN_SYMBOL "anomon_plugin_v1"

#if defined(__GNUC__)
#define ANOMON_EXPORT __attribute__((visibility("default")))
#define ANOMON_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ANOMON_EXPORT
#define ANOMON_PRINTF(a, b)
#endif

/* Define the descriptor of a plugin: `ANOMON_PLUGIN = { ... };` */
#define ANOMON_PLUGIN ANOMON_EXPORT const struct anomon_plugin anomon_plugin_v1

/* ------------------------------------------------------------------------------------------ */
/* Kinds and parameters                                                                        */

enum anomon_kind {
	ANOMON_KIND_COLLECTOR = 1, /* produces events */
	ANOMON_KIND_FEATURE = 2,   /* consumes events, produces feature vectors */
	ANOMON_KIND_MODEL = 3,     /* consumes feature vectors, produces verdicts */
	ANOMON_KIND_SINK = 4,      /* consumes any record and delivers it somewhere */
};

enum anomon_param_type {
	ANOMON_PARAM_STRING = 1,
	ANOMON_PARAM_INT = 2,      /* signed 64-bit integer */
	ANOMON_PARAM_NUMBER = 3,   /* double */
	ANOMON_PARAM_BOOL = 4,     /* JSON true/false; "true"/"false"/"1"/"0" on the command line */
	ANOMON_PARAM_DURATION = 5, /* "10s", "500ms", "2m", "1h", "250us"; a bare number is seconds */
	ANOMON_PARAM_SIZE = 6,     /* "64M", "4k", "1G" (powers of 1024); a bare number is bytes */
	ANOMON_PARAM_LIST = 7,     /* JSON array of strings; comma-separated on the command line */
	/* A file path, read with param_string. The host resolves a relative path against the
	 * directory of the pipeline file that set it; from --set, against the working directory;
	 * a default or a value of the built-in pipeline, against anomon's data directory (the
	 * source tree when run from the build tree, else $prefix/share/anomon). "-" (standard
	 * input/output) and absolute paths are kept as they are. */
	ANOMON_PARAM_PATH = 8,
};

/*
 * One entry of a plugin's parameter table; the table ends with an entry whose name is NULL.
 * `def` is the default written as it would be on the command line ("10s", "a,b", "true"), or
 * NULL for none. The host checks every default against its type when it loads the plugin.
 */
struct anomon_param {
	const char *name;
	enum anomon_param_type type;
	const char *def;
	bool required;
	const char *description;
};

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                     */

/* Event type names defined by the SDK. Plugins may define further types by name. */
#define ANOMON_EV_RUNQ_HIST "runq_hist"
#define ANOMON_EV_OPEN "open"
#define ANOMON_EV_BIO "bio"
#define ANOMON_EV_PROC "proc" /* ABI 1.2 */

/* Generic event envelope. `data` points to the type's struct (below) of `size` bytes. */
struct anomon_event {
	const char *type;  /* event type name */
	uint64_t ts_ns;    /* event time, nanoseconds since the Unix epoch (CLOCK_REALTIME) */
	const void *data;
	size_t size;
};

#define ANOMON_COMM_LEN 16

/* runq_hist: run-queue lengths sampled over one window, for one CPU, one cgroup or the host. */
enum anomon_runq_source {
	ANOMON_RUNQ_HOST = 0,
	ANOMON_RUNQ_CPU = 1,
	ANOMON_RUNQ_CGROUP = 2,
};

struct anomon_runq_hist {
	uint64_t start_ns, end_ns;     /* the window the samples cover */
	enum anomon_runq_source source;
	int32_t cpu;                   /* for ANOMON_RUNQ_CPU, else -1 */
	uint64_t cgroup_id;            /* for ANOMON_RUNQ_CGROUP, else 0 */
	uint32_t nbins;                /* bins[i] counts samples whose queue length was i */
	const uint64_t *bins;
	uint64_t overflow;             /* samples with a queue length >= nbins */
	uint64_t samples;              /* sum of bins and overflow */
	/* ABI 1.2: demand, measured when cpu_samples > 0 (check the event's size first). */
	uint64_t runnable;    /* over the samples of every CPU, the source's runnable CFS tasks
			       * on the sampled CPU (running or waiting) */
	uint64_t crowded;     /* samples in which at least two of them were on that CPU */
	uint64_t cpu_samples; /* samples taken on the CPUs in the window: runnable / cpu_samples
			       * is the mean number of the source's tasks ready to run, per CPU */
};
/* The size of a runq_hist event from a producer built against ABI 1.1 (no demand). */
#define ANOMON_RUNQ_HIST_SIZE_1_1 offsetof(struct anomon_runq_hist, runnable)

/* Presence bits: a replayed log may lack fields that a live collector has. */
enum anomon_open_field {
	ANOMON_OPEN_TID = 1u << 0,
	ANOMON_OPEN_UID = 1u << 1,
	ANOMON_OPEN_CGROUP = 1u << 2,
	ANOMON_OPEN_FLAGS = 1u << 3,
	ANOMON_OPEN_MODE = 1u << 4,
};

struct anomon_open {
	uint32_t present;      /* ANOMON_OPEN_* bits of the optional fields that are set */
	uint32_t pid, tid, uid;
	uint64_t cgroup_id;
	char comm[ANOMON_COMM_LEN];
	int32_t flags;         /* open(2) flags */
	uint32_t mode;
	int32_t fd;            /* -1 on failure */
	int32_t err;           /* errno, 0 on success */
	const char *path;      /* NUL-terminated */
	size_t path_len;
};

enum anomon_bio_field {
	ANOMON_BIO_PID = 1u << 0,
	ANOMON_BIO_CGROUP = 1u << 1,
	ANOMON_BIO_RWBS = 1u << 2,
	ANOMON_BIO_SECTOR = 1u << 3,
	ANOMON_BIO_BYTES = 1u << 4,
	ANOMON_BIO_QUEUE = 1u << 5,
	ANOMON_BIO_SERVICE = 1u << 6,
	ANOMON_BIO_DISK = 1u << 7,
};

struct anomon_bio {
	uint32_t present;      /* ANOMON_BIO_* bits of the optional fields that are set */
	uint32_t pid;
	char comm[ANOMON_COMM_LEN];
	uint64_t cgroup_id;
	char disk[32];
	char rwbs[8];          /* "R", "W", "RA", "WS", "FF", ... */
	uint64_t sector;
	uint64_t bytes;
	uint64_t queue_ns;     /* insert to issue */
	uint64_t service_ns;   /* issue to completion */
};

/* proc (ABI 1.2): a process was created, executed a new program, or ended. */
enum anomon_proc_kind {
	ANOMON_PROC_FORK = 1, /* a new process (or thread, with ANOMON_PROC_THREAD) */
	ANOMON_PROC_EXEC = 2, /* a process replaced its program */
	ANOMON_PROC_EXIT = 3, /* a process ended (or a thread, with ANOMON_PROC_THREAD) */
};

enum anomon_proc_flag {
	ANOMON_PROC_THREAD = 1u << 0,   /* FORK/EXIT of a thread, not of a whole process */
	ANOMON_PROC_SIGNALED = 1u << 1, /* EXIT: ended by a signal (exit_code holds its number) */
};

enum anomon_proc_field {
	ANOMON_PROC_F_UID = 1u << 0,
	ANOMON_PROC_F_CGROUP = 1u << 1,
	ANOMON_PROC_F_AGE = 1u << 2,      /* age_ns is set */
	ANOMON_PROC_F_FILENAME = 1u << 3, /* filename is set */
};

struct anomon_proc {
	uint32_t present;       /* ANOMON_PROC_F_* bits of the optional fields that are set */
	uint32_t kind;          /* enum anomon_proc_kind */
	uint32_t flags;         /* ANOMON_PROC_* flags */
	uint32_t pid;           /* the process (thread-group id): the new one for FORK */
	uint32_t tid;           /* the thread: the new one for FORK */
	uint32_t ppid;          /* the parent process */
	uint32_t uid;
	int32_t exit_code;      /* EXIT: the exit status (0-255), or the signal number */
	uint64_t cgroup_id;
	uint64_t age_ns;        /* EXIT: how long the process (or thread) lived */
	char comm[ANOMON_COMM_LEN]; /* FORK: the parent's (the child's is the same); EXEC: the new */
	const char *filename;   /* EXEC: the program executed, as the kernel resolved it */
};

/* Feature vector: one window of one key, as produced by a feature plugin. */
enum anomon_window_flag {
	ANOMON_WINDOW_INCOMPLETE = 1u << 0, /* events were dropped in this window */
};

struct anomon_vector {
	uint64_t start_ns, end_ns;
	const char *key;             /* "host", a container id, or a cgroup path */
	uint32_t flags;              /* ANOMON_WINDOW_* */
	size_t n;
	const char *const *names;    /* n feature names, stable for the stage's lifetime */
	const double *values;        /* n values */
	uint64_t events;             /* events the window was built from */
};

struct anomon_contribution {
	const char *feature;
	double value;        /* the feature's value in this window */
	double weight;       /* its contribution to the score; sign says which way it pushed */
};

/* Where a feature normally lies (ABI 1.1). */
struct anomon_range {
	double low, high;
};

struct anomon_verdict {
	uint64_t start_ns, end_ns;
	const char *key;
	uint32_t flags;              /* ANOMON_WINDOW_* copied from the vector */
	int label;                   /* 0 normal, 1 abnormal, -1 not judged (e.g. skipped window) */
	double score;                /* probability of abnormal, 0..1 */
	const char *model;           /* model name */
	const char *model_version;
	size_t n_top;
	const struct anomon_contribution *top; /* most contributing features, strongest first */
	/* ABI 1.1. The host reads these only from models built against 1.1 or later (it knows
	 * by their descriptor's abi_minor) and passes them as NULL from older ones. */
	const char *basis;                  /* what the score compares against, e.g. "own
					     * baseline" or "host baseline (learning)"; or NULL */
	const struct anomon_range *normal;  /* NULL, or n_top ranges: where top[i].feature
					     * normally lies for this key */
};

enum anomon_record_kind {
	ANOMON_RECORD_EVENT = 1,
	ANOMON_RECORD_VECTOR = 2,
	ANOMON_RECORD_VERDICT = 3,
};

/* Who a cgroup belongs to, as the host recognises it from the cgroup v2 path alone (Docker,
 * containerd/CRI, CRI-O, Podman, Kubernetes pods, LXC, systemd services, nested layouts).
 * Strings are NULL when absent. */
struct anomon_container {
	const char *key;       /* what windows are keyed by: "host", a container's 12-character
	                          short id, an LXC name or systemd unit, else the cgroup path;
	                          "cgroup:<id>" for an id that names no live cgroup */
	const char *cgroup;    /* path below the cgroup v2 root, "/" for the root */
	const char *runtime;   /* "docker", "containerd", "crio", "podman", "kubernetes", "lxc",
	                          "systemd"; "crio-conmon"/"podman-conmon" for their monitors;
	                          NULL for the host and plain cgroups */
	const char *id;        /* full container id (or LXC name, unit name) */
	const char *short_id;  /* first 12 characters of id */
	const char *pod_uid;   /* Kubernetes pod uid */
	const char *name;      /* container name, where readable without asking a daemon */
};

/* One stage's counters, for sinks that export anomon's own metrics. */
#define ANOMON_LATENCY_BUCKETS 10
struct anomon_stage_stats {
	const char *name;          /* stage name */
	const char *plugin;        /* plugin name */
	enum anomon_kind kind;
	uint64_t in;               /* records delivered to the stage */
	uint64_t out;              /* records it emitted */
	uint64_t drops;            /* records it lost or failed on */
	uint64_t filtered;         /* events held back by containers_only/include/exclude */
	uint64_t suppressed;       /* sinks: verdicts held back by min_score/only_abnormal/rate */
	/* Time spent in the stage's data callbacks (models: scoring latency), as a cumulative
	 * histogram: latency_count[i] calls took at most latency_le_ns[i]; the last bound is
	 * UINT64_MAX. */
	const uint64_t *latency_le_ns;
	uint64_t latency_count[ANOMON_LATENCY_BUCKETS];
	uint64_t latency_sum_ns;
	uint64_t calls;
};

/* ------------------------------------------------------------------------------------------ */
/* Training (optional, models)                                                                 */

/* A labelled dataset, row-major. Borrowed for the duration of the call. */
struct anomon_dataset {
	size_t rows, cols;
	const char *const *names; /* cols feature names */
	const double *x;          /* rows * cols values */
	const int *y;             /* rows labels, 0 or 1 */
};

/* ------------------------------------------------------------------------------------------ */
/* The host API                                                                                */

typedef struct anomon_stage anomon_stage;  /* one plugin instance in a pipeline (opaque) */
typedef struct anomon_timer anomon_timer;  /* opaque */
typedef struct anomon_watch anomon_watch;  /* opaque */

enum anomon_log_level {
	ANOMON_LOG_ERROR = 0,
	ANOMON_LOG_WARN = 1,
	ANOMON_LOG_INFO = 2,  /* shown with -v */
	ANOMON_LOG_DEBUG = 3, /* shown with -vv */
};

enum anomon_fd_events {
	ANOMON_FD_READ = 1,
	ANOMON_FD_WRITE = 2,
};

typedef void (*anomon_timer_cb)(void *arg);
/* `events` are the ANOMON_FD_* that are ready; a negative value is an error (-errno). */
typedef void (*anomon_fd_cb)(void *arg, int fd, int events);

struct anomon_host {
	uint32_t struct_size;  /* sizeof(struct anomon_host) as the host knows it */
	uint32_t abi_major, abi_minor;

	/* Log a line, prefixed with the stage's name, filtered by the run's verbosity. */
	void (*log)(anomon_stage *s, enum anomon_log_level level, const char *fmt, ...)
		ANOMON_PRINTF(3, 4);
	/* Describe why the current callback fails; the host prints it once with context.
	 * Call it before returning a negative value from init/start/check/fit. */
	void (*error)(anomon_stage *s, const char *fmt, ...) ANOMON_PRINTF(2, 3);

	/* Hand a record to the downstream stages (synchronously). Collectors emit events,
	 * features vectors, models verdicts. Returns 0, or -EINVAL for a record of the wrong
	 * kind for this stage. */
	int (*emit_event)(anomon_stage *s, const struct anomon_event *ev);
	int (*emit_vector)(anomon_stage *s, const struct anomon_vector *v);
	int (*emit_verdict)(anomon_stage *s, const struct anomon_verdict *v);

	/* Count records this stage lost (ring-buffer reserve failures, queue overflow, a sink
	 * that could not deliver). Shown at exit and in metrics. */
	void (*add_drops)(anomon_stage *s, uint64_t n);

	/* Timers and fd watches run cb on the loop thread. `first_ms` 0 fires on the next loop
	 * iteration; `repeat_ms` 0 fires once. `out` may be NULL when the plugin never stops the
	 * handle itself: a one-shot timer started that way frees itself after it fires, so
	 * re-arming with a new one-shot timer costs nothing. A handle returned in `out` stays
	 * valid until timer_stop/unwatch_fd or the stage's destroy, also after a one-shot timer
	 * fired; stopping it from inside its own callback is safe. The host closes every handle
	 * still open when the stage is destroyed. */
	int (*timer_start)(anomon_stage *s, uint64_t first_ms, uint64_t repeat_ms,
			   anomon_timer_cb cb, void *arg, anomon_timer **out);
	void (*timer_stop)(anomon_timer *t);
	int (*watch_fd)(anomon_stage *s, int fd, int events, anomon_fd_cb cb, void *arg,
			anomon_watch **out);
	void (*unwatch_fd)(anomon_watch *w);

	/* Typed parameter getters. The host has validated every parameter against the plugin's
	 * table before init, so a getter of the declared type always succeeds; it returns the
	 * default when the pipeline did not set the parameter (0, "", false or an empty list when
	 * there is no default). Asking for a name not in the table, or with the wrong type, is a
	 * plugin bug: the host logs it and returns the zero value. */
	const char *(*param_string)(anomon_stage *s, const char *name);
	int64_t (*param_int)(anomon_stage *s, const char *name);
	double (*param_number)(anomon_stage *s, const char *name);
	bool (*param_bool)(anomon_stage *s, const char *name);
	uint64_t (*param_duration_ns)(anomon_stage *s, const char *name);
	uint64_t (*param_size)(anomon_stage *s, const char *name);
	/* Returns the number of items; *items (may be NULL if count is 0) is owned by the host. */
	size_t (*param_list)(anomon_stage *s, const char *name, const char *const **items);
	/* True when the pipeline or the command line set the parameter explicitly. */
	bool (*param_is_set)(anomon_stage *s, const char *name);

	/* The stage's name in the pipeline (the plugin name unless the pipeline renamed it). */
	const char *(*stage_name)(anomon_stage *s);
	/* Current time, nanoseconds since the Unix epoch. */
	uint64_t (*now_ns)(anomon_stage *s);

	/* Collectors: this stage will produce nothing more (end of a replayed file). When every
	 * collector has ended, the host stops the pipeline cleanly: windows are flushed, sinks
	 * drained, and `anomon run` exits 0. */
	void (*end_of_stream)(anomon_stage *s);

	/* Features: declare the names of the vector this stage emits, once, in init. The names
	 * are copied. Models read them with input_schema to check a model file at validate time. */
	int (*set_schema)(anomon_stage *s, size_t n, const char *const *names);
	/* Models: the feature names the upstream stages declared. Returns -ENOENT if no upstream
	 * declared one, -EINVAL if upstreams disagree. */
	int (*input_schema)(anomon_stage *s, size_t *n, const char *const **names);

	/* Serialise a record as one line of JSON (no newline) into buf, snprintf-style: returns
	 * the length the full line needs; the output is complete only if that is < cap. The same
	 * stable field names are used by every sink that writes JSON. */
	int (*format_json)(anomon_stage *s, enum anomon_record_kind kind, const void *record,
			   char *buf, size_t cap);

	/* The container (or the host) a cgroup v2 id belongs to, cached by the host; never NULL.
	 * Id 0 means "no cgroup known" and gives the host. Valid until the current callback
	 * returns: copy the key if you keep it. Features key their windows by `key`, and the host
	 * adds the container to every JSON record whose key or cgroup id it knows. */
	const struct anomon_container *(*container)(anomon_stage *s, uint64_t cgroup_id);
	/* Whether the stage's common parameters containers_only / include / exclude let events
	 * of this cgroup through. The host applies them before delivering events to a feature
	 * and after a collector emits; a collector that can filter in the kernel calls this to
	 * fill its cgroup map (and need not, for correctness). */
	bool (*cgroup_wanted)(anomon_stage *s, uint64_t cgroup_id);
	/* The container a window key (from `container`) stands for, or NULL for a key the host
	 * did not hand out. For sinks that show names rather than keys. */
	const struct anomon_container *(*container_of_key)(anomon_stage *s, const char *key);
	/* Counters of every stage of the pipeline, in pipeline order: fills up to cap entries
	 * and returns how many stages there are. Strings live as long as the pipeline. */
	size_t (*stats)(anomon_stage *s, struct anomon_stage_stats *out, size_t cap);
	/* Name of the pipeline (its "name", else the file's base name) and the time it started,
	 * nanoseconds since the Unix epoch. */
	const char *(*pipeline_name)(anomon_stage *s);
	uint64_t (*started_ns)(anomon_stage *s);
	/* A running stage cannot go on (a strict replay met a bad line, a device vanished):
	 * describe why with error() first. The host prints it once, stops the pipeline cleanly
	 * (what was produced is still flushed) and `anomon run` exits 2 for -EINVAL, else 1. */
	void (*fail)(anomon_stage *s, int err);
	/* Features: events lost upstream so far (the drops the stage's input collectors
	 * reported), cumulative. A window open while it grows is ANOMON_WINDOW_INCOMPLETE. */
	uint64_t (*input_drops)(anomon_stage *s);
	/* Collectors that apply containers_only/include/exclude in the kernel: count the events
	 * held back there, so they appear with the host's own `filtered` count in statistics. */
	void (*add_filtered)(anomon_stage *s, uint64_t n);

	/* ABI 1.1 (check struct_size before calling). Times the pipeline was reloaded on
	 * SIGHUP since start, successful or not. */
	uint64_t (*reloads)(anomon_stage *s, uint64_t *failed);
};

/* ------------------------------------------------------------------------------------------ */
/* The descriptor                                                                              */

struct anomon_plugin {
	uint32_t abi_major;    /* ANOMON_ABI_MAJOR; the host refuses any other major */
	uint32_t abi_minor;    /* ANOMON_ABI_MINOR the plugin was built with */
	uint32_t struct_size;  /* sizeof(struct anomon_plugin) */
	enum anomon_kind kind;
	const char *name;         /* required: [a-z0-9_-]+, unique among loaded plugins */
	const char *version;      /* required: the plugin's own version, e.g. "1.0.0" */
	const char *description;  /* required: one line */
	const struct anomon_param *params; /* optional: NULL-name-terminated table */
	/* NULL-terminated lists of event type names. Collectors: the types they may produce
	 * (required). Features: the types they accept (required; "*" accepts any). Models and
	 * sinks leave consumes NULL: models take vectors, sinks take every record. */
	const char *const *produces;
	const char *const *consumes;

	/* Required. Create the stage's state from its parameters (read them with the host's
	 * getters) and store it in *state. Acquire resources here (open files, load BPF
	 * programs) but produce nothing until start. Called for `anomon run` and for
	 * `anomon validate`. */
	int (*init)(const struct anomon_host *host, anomon_stage *s, void **state);
	/* Optional. Check what validate can check without running: attach points exist on
	 * this kernel, a model file matches the input schema. Called after every init. */
	int (*check)(void *state);
	/* Optional. Start producing: attach probes, arm timers, watch fds. Called in pipeline
	 * order after every stage has been initialised and checked; sinks start first. */
	int (*start)(void *state);
	/* Optional. Stop producing and flush: collectors detach and deliver what they hold,
	 * features close their open windows and emit them, models and sinks flush. Called in
	 * pipeline order (collectors first) when the run ends; emitting from stop is allowed. */
	void (*stop)(void *state);
	/* Required. Release everything; the state is not used again. Called once after init
	 * succeeded, also when a later stage failed and start was never called. */
	void (*destroy)(void *state);

	/* Data callbacks, by kind. Features: on_event (required). Models: on_vector (required).
	 * Sinks: any of the three (a sink without a callback for a record kind ignores it).
	 * The record is borrowed for the call. A negative return counts as a drop for this
	 * stage; it does not stop the pipeline. */
	int (*on_event)(void *state, const struct anomon_event *ev);
	int (*on_vector)(void *state, const struct anomon_vector *v);
	int (*on_verdict)(void *state, const struct anomon_verdict *v);

	/* Optional (models): train from a labelled dataset. Parameters come from the stage as
	 * in init (init is not called on a training stage). fit stores an opaque model in
	 * *model; score returns the probability of abnormal for one row of ds->cols values;
	 * save writes the model atomically to path, embedding metadata_json (an object the
	 * host builds: data files and hashes, rows, seed, metrics) in its training metadata;
	 * free releases the model. */
	int (*fit)(const struct anomon_host *host, anomon_stage *s, const struct anomon_dataset *ds,
		   void **model);
	double (*score)(const void *model, const double *x);
	int (*save)(const void *model, const char *metadata_json, const char *path);
	void (*free_model)(void *model);
};

#ifdef __cplusplus
}
#endif

#endif /* ANOMON_PLUGIN_H */

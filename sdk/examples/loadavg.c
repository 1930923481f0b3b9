/* An out-of-tree anomon collector: samples /proc/loadavg and emits a custom "loadavg" event.
 * It shows the whole plugin surface: a descriptor, a parameter table with typed getters, a
 * timer, a plugin-defined event type, errors with host->error, and end_of_stream.
 *
 * Build it with nothing but the SDK:
 *   cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags anomon-plugin) \
 *      -o loadavg.so loadavg.c
 * and load it with `anomon run --plugin-dir DIR pipeline.json`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anomon_plugin.h>

/* Event types are named; this one is ours. Consumers that know the name can read the struct. */
#define LOADAVG_EVENT "loadavg"

struct loadavg_event {
	double load1, load5, load15;
	unsigned running, total;
};

struct loadavg {
	const struct anomon_host *host;
	anomon_stage *stage;
	char path[256];
	uint64_t interval_ms;
	int64_t count, emitted;
	anomon_timer *timer;
};

static void sample(void *arg)
{
	struct loadavg *la = arg;
	struct loadavg_event e = {0};
	FILE *f = fopen(la->path, "r");
	if (!f || fscanf(f, "%lf %lf %lf %u/%u", &e.load1, &e.load5, &e.load15, &e.running,
			 &e.total) != 5) {
		la->host->log(la->stage, ANOMON_LOG_WARN, "cannot read %s", la->path);
		la->host->add_drops(la->stage, 1);
	} else {
		struct anomon_event ev = {
			.type = LOADAVG_EVENT,
			.ts_ns = la->host->now_ns(la->stage),
			.data = &e,
			.size = sizeof(e),
		};
		la->host->emit_event(la->stage, &ev);
		la->emitted++;
	}
	if (f)
		fclose(f);
	if (la->count > 0 && la->emitted >= la->count) {
		la->host->timer_stop(la->timer);
		la->timer = NULL;
		la->host->end_of_stream(la->stage);
	}
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct loadavg *la = calloc(1, sizeof(*la));
	if (!la)
		return -ENOMEM;
	la->host = host;
	la->stage = s;
	snprintf(la->path, sizeof(la->path), "%s", host->param_string(s, "path"));
	la->interval_ms = host->param_duration_ns(s, "interval") / 1000000u;
	la->count = host->param_int(s, "count");
	if (la->interval_ms == 0 || la->count < 0) {
		host->error(s, "interval must be at least 1ms and count at least 0");
		free(la);
		return -EINVAL;
	}
	FILE *f = fopen(la->path, "r");
	if (!f) {
		host->error(s, "%s: %s", la->path, strerror(errno));
		free(la);
		return -EINVAL;
	}
	fclose(f);
	*state = la;
	return 0;
}

static int start(void *state)
{
	struct loadavg *la = state;
	return la->host->timer_start(la->stage, 0, la->interval_ms, sample, la, &la->timer);
}

static void stop(void *state)
{
	struct loadavg *la = state;
	la->host->timer_stop(la->timer);
	la->timer = NULL;
}

static void destroy(void *state)
{
	free(state);
}

static const struct anomon_param params[] = {
	{"interval", ANOMON_PARAM_DURATION, "1s", false, "time between samples"},
	{"count", ANOMON_PARAM_INT, "0", false, "stop after this many samples (0: never)"},
	{"path", ANOMON_PARAM_STRING, "/proc/loadavg", false, "file to read"},
	{NULL, 0, NULL, false, NULL},
};

static const char *const produces[] = {LOADAVG_EVENT, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "loadavg",
	.version = "0.1.0",
	.description = "Example: samples /proc/loadavg as \"loadavg\" events",
	.params = params,
	.produces = produces,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
};

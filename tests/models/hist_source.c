/* A test collector: run-queue histograms from a text file, so that the baseline model can
 * be driven through the real runqlen_hist feature with chosen keys, times and drops.
 *   one line: START_SECONDS KEY DROPS COUNT_0 COUNT_1 ...
 * KEY is "host" or "cg:ID" (a cgroup id; one that names no cgroup gets the key "cgroup:ID");
 * DROPS > 0 reports lost events first, so the window is incomplete. Each histogram covers
 * [START, START + span). Everything is emitted at start, then the stream ends. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomon_plugin.h"

#define MAX_BINS 64

struct src {
	const struct anomon_host *host;
	anomon_stage *s;
	char *path;
	uint64_t span_ns;
};

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct src *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->host = host;
	c->s = s;
	c->path = strdup(host->param_string(s, "path"));
	c->span_ns = host->param_duration_ns(s, "span");
	if (!c->path) {
		free(c);
		return -ENOMEM;
	}
	*state = c;
	return 0;
}

static void emit_all(void *arg)
{
	struct src *c = arg;
	FILE *f = fopen(c->path, "r");
	char line[4096], key[64];
	uint64_t bins[MAX_BINS];

	if (!f) {
		c->host->error(c->s, "%s: %s", c->path, strerror(errno));
		c->host->fail(c->s, -EINVAL);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		double start;
		unsigned long long drops;
		int off = 0;
		if (sscanf(line, "%lf %63s %llu %n", &start, key, &drops, &off) < 3)
			continue;
		uint32_t nb = 0;
		uint64_t total = 0;
		char *p = line + off, *end;
		while (nb < MAX_BINS) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			bins[nb++] = v;
			total += v;
			p = end;
		}
		struct anomon_runq_hist h = {
			.start_ns = (uint64_t)(start * 1e9),
			.end_ns = (uint64_t)(start * 1e9) + c->span_ns,
			.source = ANOMON_RUNQ_HOST,
			.cpu = -1,
			.nbins = nb,
			.bins = bins,
			.samples = total,
		};
		if (!strncmp(key, "cg:", 3)) {
			h.source = ANOMON_RUNQ_CGROUP;
			h.cgroup_id = strtoull(key + 3, NULL, 10);
		}
		if (drops)
			c->host->add_drops(c->s, drops);
		struct anomon_event ev = {
			.type = ANOMON_EV_RUNQ_HIST,
			.ts_ns = h.end_ns,
			.data = &h,
			.size = sizeof(h),
		};
		c->host->emit_event(c->s, &ev);
	}
	fclose(f);
	c->host->end_of_stream(c->s);
}

static int start(void *state)
{
	struct src *c = state;
	return c->host->timer_start(c->s, 0, 0, emit_all, c, NULL);
}

static void destroy(void *state)
{
	struct src *c = state;
	free(c->path);
	free(c);
}

static const struct anomon_param params[] = {
	{"path", ANOMON_PARAM_PATH, NULL, true, "the histograms, one a line"},
	{"span", ANOMON_PARAM_DURATION, "2s", false, "the time one histogram covers"},
	{NULL, 0, NULL, false, NULL},
};

static const char *const produces[] = {ANOMON_EV_RUNQ_HIST, NULL};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "hist_source",
	.version = "1.0.0",
	.description = "Test collector: run-queue histograms read from a text file",
	.params = params,
	.produces = produces,
	.init = init,
	.start = start,
	.destroy = destroy,
};

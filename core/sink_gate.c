#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "params.h"
#include "pipeline.h"
#include "sink_gate.h"

/* Keys come and go with containers: the table is bounded, the least recently seen key is
 * evicted (its pending summary reported first). */
#define GATE_MAX_KEYS 4096
/* Buckets are found through an index on their key (open addressing, at most half full):
 * a verdict costs one probe, not a scan of every key. */
#define GATE_INDEX (2 * GATE_MAX_KEYS)

const struct anomon_param sink_gate_params[] = {
	{"min_score", ANOMON_PARAM_NUMBER, "0", false,
	 "deliver only verdicts scoring at least this"},
	{"only_abnormal", ANOMON_PARAM_BOOL, "false", false, "deliver only abnormal verdicts"},
	{"rate_limit", ANOMON_PARAM_INT, "0", false,
	 "at most this many verdicts per key per rate_window (0: no limit)"},
	{"rate_window", ANOMON_PARAM_DURATION, "60s", false,
	 "the period of rate_limit and of suppression summaries"},
	{NULL, 0, NULL, false, NULL},
};

struct bucket {
	char *key;
	double tokens;
	uint64_t refilled_ns, seen_ns;
	uint64_t suppressed, suppressed_abnormal, first_suppressed_ns;
};

struct sink_gate {
	bool active;
	double min_score;
	bool only_abnormal;
	int64_t rate_limit;
	uint64_t window_ns;
	struct bucket *b;
	int32_t *index;     /* GATE_INDEX cells: a bucket's position in b, or -1 */
	size_t n;
	uint64_t evicted;   /* keys forgotten to make room, reported at the end */
};

static struct sink_gate *gate_of(anomon_stage *s)
{
	if (s->gate)
		return s->gate;
	struct sink_gate *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	const struct param_value *pv;
	if ((pv = params_cfind(&s->params, "min_score")))
		g->min_score = pv->d;
	if ((pv = params_cfind(&s->params, "only_abnormal")))
		g->only_abnormal = pv->b;
	if ((pv = params_cfind(&s->params, "rate_limit")))
		g->rate_limit = pv->i;
	if ((pv = params_cfind(&s->params, "rate_window")))
		g->window_ns = pv->u ? pv->u : 1;
	g->active = g->min_score > 0 || g->only_abnormal || g->rate_limit > 0;
	s->gate = g;
	return g;
}

static void summarise(anomon_stage *s, struct sink_gate *g, struct bucket *b)
{
	if (!b->suppressed)
		return;
	log_msg(ANOMON_LOG_WARN, "[%s] %s: %" PRIu64 " verdicts (%" PRIu64 " abnormal) suppressed "
		"by rate_limit in the last %.0f s", s->name, b->key, b->suppressed,
		b->suppressed_abnormal, (double)g->window_ns / 1e9);
	b->suppressed = b->suppressed_abnormal = 0;
}

static size_t key_cell(const char *key)
{
	uint64_t h = 14695981039346656037ull;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32)) & (GATE_INDEX - 1);
}

/* The index cell holding key, or the empty cell where it would go. */
static size_t index_probe(const struct sink_gate *g, const char *key)
{
	size_t i = key_cell(key);
	while (g->index[i] >= 0 && strcmp(g->b[g->index[i]].key, key) != 0)
		i = (i + 1) & (GATE_INDEX - 1);
	return i;
}

/* Take key out of the index and re-seat the run after it (linear probing deletion). */
static void index_remove(struct sink_gate *g, const char *key)
{
	size_t i = index_probe(g, key);
	g->index[i] = -1;
	for (size_t j = (i + 1) & (GATE_INDEX - 1); g->index[j] >= 0; j = (j + 1) & (GATE_INDEX - 1)) {
		int32_t pos = g->index[j];
		g->index[j] = -1;
		g->index[index_probe(g, g->b[pos].key)] = pos;
	}
}

static struct bucket *bucket_of(anomon_stage *s, struct sink_gate *g, const char *key,
				uint64_t now)
{
	if (!g->b) {
		g->b = calloc(GATE_MAX_KEYS, sizeof(*g->b));
		g->index = malloc(GATE_INDEX * sizeof(*g->index));
		if (!g->b || !g->index) {
			free(g->b);
			free(g->index);
			g->b = NULL;
			g->index = NULL;
			return NULL;
		}
		memset(g->index, 0xff, GATE_INDEX * sizeof(*g->index)); /* every cell -1 */
	}
	size_t cell = index_probe(g, key);
	if (g->index[cell] >= 0)
		return &g->b[g->index[cell]];
	char *copy = strdup(key);
	if (!copy)
		return NULL;
	struct bucket *b;
	if (g->n < GATE_MAX_KEYS) {
		b = &g->b[g->n++];
	} else {
		b = &g->b[0];
		for (size_t i = 1; i < g->n; i++)
			if (g->b[i].seen_ns < b->seen_ns)
				b = &g->b[i];
		summarise(s, g, b);
		index_remove(g, b->key);
		free(b->key);
		g->evicted++;
		cell = index_probe(g, key); /* the removal may have moved the empty cell */
	}
	*b = (struct bucket){.key = copy, .tokens = (double)g->rate_limit, .refilled_ns = now};
	g->index[cell] = (int32_t)(b - g->b);
	return b;
}

bool sink_gate_pass(anomon_stage *s, const struct anomon_verdict *v, uint64_t now)
{
	struct sink_gate *g = gate_of(s);
	if (!g || !g->active)
		return true;
	if (v->score < g->min_score || (g->only_abnormal && v->label != 1)) {
		s->suppressed++;
		return false;
	}
	if (g->rate_limit <= 0)
		return true;
	struct bucket *b = bucket_of(s, g, v->key ? v->key : "", now);
	if (!b)
		return true;
	b->seen_ns = now;
	/* Refill continuously: rate_limit tokens per window, at most rate_limit held. */
	b->tokens += (double)(now - b->refilled_ns) * (double)g->rate_limit / (double)g->window_ns;
	if (b->tokens > (double)g->rate_limit)
		b->tokens = (double)g->rate_limit;
	b->refilled_ns = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	if (!b->suppressed)
		b->first_suppressed_ns = now;
	b->suppressed++;
	b->suppressed_abnormal += v->label == 1;
	s->suppressed++;
	return false;
}

void sink_gate_report(anomon_stage *s, uint64_t now, bool all)
{
	struct sink_gate *g = s->gate;
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct bucket *b = &g->b[i];
		if (b->suppressed && (all || now - b->first_suppressed_ns >= g->window_ns))
			summarise(s, g, b);
	}
	if (all && g->evicted)
		log_msg(ANOMON_LOG_INFO, "[%s] rate_limit: %" PRIu64 " keys evicted, least recently "
			"seen first (at most %d held)", s->name, g->evicted, GATE_MAX_KEYS);
}

void sink_gate_free(anomon_stage *s)
{
	struct sink_gate *g = s->gate;
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->b[i].key);
	free(g->b);
	free(g->index);
	free(g);
	s->gate = NULL;
}

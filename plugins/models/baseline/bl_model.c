#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bl_model.h"

struct bl_key {
	char *name;
	struct bl_key *hnext;       /* hash chain */
	struct bl_key *prev, *next; /* recency list, most recent first */
	uint64_t first_ns, last_ns, epoch_ns;
	uint32_t learned;
	uint32_t profiled;          /* learned when range[] was read, PROFILE_NONE: never */
	uint32_t eligible;          /* windows fit to learn from since the baseline was ready */
	bool ready;
	struct bl_range *range;     /* n ranges, after the sketches */
	struct bl_sketch sk[];
};

/* Ranges are read again after this many learnt windows (every window while a baseline is
 * young): a few windows more or less do not move a range learnt from hundreds. */
#define PROFILE_EVERY 16
#define PROFILE_YOUNG 64

struct bl_model {
	struct bl_config cfg;
	size_t n;
	char **names;
	struct bl_key **buckets;
	size_t nbuckets, nkeys;
	struct bl_key *head, *tail;
	struct bl_key *host; /* what every key's windows teach: the fallback of new keys */
	uint64_t evicted, forgotten;
	uint64_t first_ns; /* the first window of any key */
	/* Absence is counted from the first window of this run, so that time the agent was
	 * not running does not make keys loaded from the state file look gone. */
	uint64_t run_ns, swept_ns;
	size_t names_bytes;
	bool dirty;
};

/* Weights grow as 2^(t / halflife) rather than old weights decaying; past 2^RESCALE_BITS
 * the key's weights are scaled down and its epoch moved on, so floats never overflow. */
#define RESCALE_BITS 32

static size_t key_size(size_t n)
{
	return sizeof(struct bl_key) + n * (sizeof(struct bl_sketch) + sizeof(struct bl_range));
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct bl_key *key_alloc(size_t n, const char *name)
{
	struct bl_key *k = calloc(1, key_size(n));
	if (!k)
		return NULL;
	k->range = (struct bl_range *)(void *)&k->sk[n];
	k->profiled = PROFILE_NONE;
	k->name = strdup(name);
	if (!k->name) {
		free(k);
		return NULL;
	}
	return k;
}

static void key_free(struct bl_key *k)
{
	if (k) {
		free(k->name);
		free(k);
	}
}

int bl_model_new(const struct bl_config *cfg, size_t n, const char *const *names,
		 struct bl_model **out)
{
	struct bl_model *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	if (m->cfg.max_keys < 1)
		m->cfg.max_keys = 1;
	m->n = n;
	m->nbuckets = 64;
	while (m->nbuckets < m->cfg.max_keys && m->nbuckets < (1u << 24))
		m->nbuckets <<= 1;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	m->names = calloc(n ? n : 1, sizeof(*m->names));
	m->host = key_alloc(n, "");
	if (!m->buckets || !m->names || !m->host) {
		bl_model_free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		m->names[i] = strdup(names[i]);
		if (!m->names[i]) {
			bl_model_free(m);
			return -ENOMEM;
		}
		m->names_bytes += strlen(names[i]) + 1;
	}
	*out = m;
	return 0;
}

void bl_model_free(struct bl_model *m)
{
	if (!m)
		return;
	for (struct bl_key *k = m->head, *next; k; k = next) {
		next = k->next;
		key_free(k);
	}
	key_free(m->host);
	if (m->names)
		for (size_t i = 0; i < m->n; i++)
			free(m->names[i]);
	free(m->names);
	free(m->buckets);
	free(m);
}

static void list_unlink(struct bl_model *m, struct bl_key *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		m->head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	else
		m->tail = k->prev;
	k->prev = k->next = NULL;
}

static void list_push_front(struct bl_model *m, struct bl_key *k)
{
	k->prev = NULL;
	k->next = m->head;
	if (m->head)
		m->head->prev = k;
	m->head = k;
	if (!m->tail)
		m->tail = k;
}

static void list_push_back(struct bl_model *m, struct bl_key *k)
{
	k->next = NULL;
	k->prev = m->tail;
	if (m->tail)
		m->tail->next = k;
	m->tail = k;
	if (!m->head)
		m->head = k;
}

static struct bl_key **bucket_of(struct bl_model *m, const char *name)
{
	return &m->buckets[hash_str(name) & (m->nbuckets - 1)];
}

static struct bl_key *find(struct bl_model *m, const char *name)
{
	for (struct bl_key *k = *bucket_of(m, name); k; k = k->hnext)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static void remove_key(struct bl_model *m, struct bl_key *k)
{
	struct bl_key **p = bucket_of(m, k->name);
	while (*p != k)
		p = &(*p)->hnext;
	*p = k->hnext;
	list_unlink(m, k);
	m->nkeys--;
	key_free(k);
}

/* A key not seen before; the least recently seen one makes room when the table is full. */
static struct bl_key *insert(struct bl_model *m, const char *name, bool front)
{
	if (m->nkeys >= m->cfg.max_keys) {
		if (!front)
			return NULL;
		remove_key(m, m->tail);
		m->evicted++;
	}
	struct bl_key *k = key_alloc(m->n, name);
	if (!k)
		return NULL;
	struct bl_key **b = bucket_of(m, name);
	k->hnext = *b;
	*b = k;
	if (front)
		list_push_front(m, k);
	else
		list_push_back(m, k);
	m->nkeys++;
	return k;
}

/* Windows wanted before a baseline is complete. */
static uint32_t target_windows(const struct bl_model *m, uint64_t start_ns, uint64_t end_ns)
{
	if (m->cfg.learn_windows)
		return m->cfg.learn_windows;
	uint64_t len = end_ns > start_ns ? end_ns - start_ns : 1;
	uint64_t t = (m->cfg.learn_ns + len - 1) / len;
	return t < 1 ? 1 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static double window_weight(const struct bl_model *m, struct bl_key *k, uint64_t t)
{
	if (!m->cfg.halflife_ns)
		return 1;
	if (!k->epoch_ns)
		k->epoch_ns = t;
	double h = (double)m->cfg.halflife_ns;
	double e = ((double)t - (double)k->epoch_ns) / h;
	if (e > RESCALE_BITS) {
		double shift = floor(e);
		for (size_t j = 0; j < m->n; j++)
			bl_sketch_scale(&k->sk[j], exp2(-shift));
		k->epoch_ns += (uint64_t)(shift * h);
		e -= shift;
	}
	return exp2(e < -RESCALE_BITS ? -RESCALE_BITS : e);
}

static void learn(struct bl_model *m, struct bl_key *k, uint64_t start_ns, uint64_t end_ns,
		  const double *x)
{
	double w = window_weight(m, k, end_ns);
	for (size_t j = 0; j < m->n; j++)
		bl_sketch_add(&k->sk[j], x[j], w);
	if (!k->learned)
		k->first_ns = start_ns;
	if (k->learned < UINT32_MAX)
		k->learned++;
	m->dirty = true;
}

/* A complete baseline goes on learning (drift) from one in MATURE_STRIDE windows fit for
 * it: neighbouring windows say much the same, and learning costs more than scoring. */
#define MATURE_STRIDE 4

static bool learn_sampled(struct bl_model *m, struct bl_key *k, uint64_t start_ns,
			  uint64_t end_ns, const double *x)
{
	if (k->ready && k->eligible++ % MATURE_STRIDE)
		return false;
	learn(m, k, start_ns, end_ns, x);
	return true;
}

/* The scale departures on a feature are measured on: linear near 0, logarithmic above,
 * so that twice as many opens weigh alike in a quiet and a busy container. The linear part
 * reaches min_scale, or a hundredth of the range's largest bound when that is more: below
 * it, how small a count is says nothing (a range of 0 to 110 forks a second spans two
 * decades that matter, not the seven down to 0.01), while ratios keep min_scale. */
static double feature_scale(const struct bl_model *m, const struct bl_range *r)
{
	double big = fmax(fabs((double)r->lo), fabs((double)r->hi));
	return fmax(m->cfg.min_scale, big * BL_LINEAR_FRACTION);
}

static double to_scale(const struct bl_model *m, const struct bl_range *r, double x)
{
	return m->cfg.log_unit > 0 ? asinh(x / feature_scale(m, r)) : x;
}

/* A range's bounds on that scale, and the unit of its departures. */
static void derive(const struct bl_model *m, struct bl_range *r)
{
	if (m->cfg.log_unit > 0) {
		r->tlo = (float)to_scale(m, r, r->lo);
		r->thi = (float)to_scale(m, r, r->hi);
		r->unit = (float)fmax(m->cfg.range_scale * ((double)r->thi - r->tlo),
				      m->cfg.log_unit);
	} else {
		double mag = fmax(fabs((double)r->lo), fabs((double)r->hi));
		r->tlo = r->lo;
		r->thi = r->hi;
		r->unit = (float)fmax(fmax(m->cfg.range_scale * ((double)r->hi - r->lo),
					   m->cfg.rel_scale * mag), m->cfg.min_scale);
	}
}

void bl_model_refresh_ranges(struct bl_model *m)
{
	for (struct bl_key *k = m->host; k; k = k == m->host ? m->head : k->next)
		if (k->profiled != PROFILE_NONE)
			for (size_t j = 0; j < m->n; j++)
				derive(m, &k->range[j]);
}

/* Where each feature normally lies and the unit its departures are measured in. */
static void profile(const struct bl_model *m, struct bl_key *k)
{
	if (k->profiled == k->learned ||
	    (k->profiled != PROFILE_NONE && k->learned >= PROFILE_YOUNG &&
	     k->learned - k->profiled < PROFILE_EVERY))
		return;
	double ps[2] = {m->cfg.tail, 1 - m->cfg.tail}, q[2];
	for (size_t j = 0; j < m->n; j++) {
		struct bl_range *r = &k->range[j];
		bl_sketch_quantiles(&k->sk[j], ps, 2, q);
		r->lo = (float)q[0];
		r->hi = (float)q[1];
		derive(m, r);
	}
	k->profiled = k->learned;
}

/* Keep top[0..*nt) ordered by departure, then by distance from the middle of the range. */
static void keep_top(struct bl_departure *top, double *rank2, size_t k, size_t *nt,
		     const struct bl_departure *d, double r2)
{
	double r1 = fabs(d->weight);
	size_t i = *nt;
	if (!k)
		return;
	if (*nt == k) {
		double l1 = fabs(top[k - 1].weight);
		if (r1 < l1 || (r1 == l1 && !(r2 > rank2[k - 1])))
			return;
		i = k - 1;
	} else {
		(*nt)++;
	}
	while (i > 0) {
		double p1 = fabs(top[i - 1].weight);
		if (r1 < p1 || (r1 == p1 && !(r2 > rank2[i - 1])))
			break;
		top[i] = top[i - 1];
		rank2[i] = rank2[i - 1];
		i--;
	}
	top[i] = *d;
	rank2[i] = r2;
}

#define MAX_DEPARTURE 1e9 /* JSON has no infinity */

static double score(const struct bl_model *m, struct bl_key *base, const double *x,
		    struct bl_departure *top, size_t k, size_t *nt)
{
	double sum = 0, rank2[64];
	if (k > 64)
		k = 64;
	*nt = 0;
	profile(m, base);
	for (size_t j = 0; j < m->n; j++) {
		const struct bl_range *r = &base->range[j];
		double d = 0, tx = x[j];
		if (x[j] > r->hi || x[j] < r->lo)
			tx = to_scale(m, r, x[j]);
		if (x[j] > r->hi)
			d = (tx - r->thi) / r->unit;
		else if (x[j] < r->lo)
			d = -(r->tlo - tx) / r->unit;
		if (!(fabs(d) <= MAX_DEPARTURE))
			d = isnan(d) ? 0 : d > 0 ? MAX_DEPARTURE : -MAX_DEPARTURE;
		if (m->cfg.max_combine)
			sum = fmax(sum, d * d);
		else
			sum += d * d;
		struct bl_departure dep = {.feature = j, .value = x[j], .weight = d,
					   .low = r->lo, .high = r->hi};
		double mid = fabs(x[j] - ((double)r->lo + r->hi) / 2) /
			     fmax((double)r->hi - r->lo, m->cfg.min_scale);
		keep_top(top, rank2, k, nt, &dep, isfinite(mid) ? mid : 0);
	}
	double dist = sqrt(sum) / m->cfg.margin;
	return 1 - exp2(-dist * dist);
}

static bool gone_for_good(const struct bl_model *m, const struct bl_key *k, uint64_t now,
			  uint64_t win)
{
	uint64_t last = k->last_ns > m->run_ns ? k->last_ns : m->run_ns;
	uint64_t gone = now > last ? now - last : 0;
	if (k->ready)
		return m->cfg.forget_ns && gone >= m->cfg.forget_ns;
	/* Still learning: what is lost is at most what was seen. */
	uint64_t seen = k->learned && k->last_ns > k->first_ns ? k->last_ns - k->first_ns : 0;
	uint64_t keep = seen > BL_GONE_WINDOWS * win ? seen : BL_GONE_WINDOWS * win;
	if (m->cfg.forget_ns && keep > m->cfg.forget_ns)
		keep = m->cfg.forget_ns;
	return gone >= keep;
}

/* Forget the keys of containers that are gone, from the least recently seen, once per
 * window of time: without it every short-lived container would hold its state until
 * max_keys evicts it. Keys seen in the last BL_GONE_WINDOWS windows are not looked at. */
static void sweep(struct bl_model *m, uint64_t now, uint64_t win)
{
	if (!m->run_ns)
		m->run_ns = now - win; /* the start of its first window */
	if (now < m->swept_ns + win)
		return;
	m->swept_ns = now;
	for (struct bl_key *k = m->tail, *prev; k; k = prev) {
		prev = k->prev;
		if (k->last_ns + BL_GONE_WINDOWS * win > now)
			break;
		if (gone_for_good(m, k, now, win)) {
			remove_key(m, k);
			m->forgotten++;
		}
	}
}

int bl_judge(struct bl_model *m, const char *key, uint64_t start_ns, uint64_t end_ns,
	     bool complete, const double *x, struct bl_departure *top, size_t k,
	     struct bl_result *res)
{
	/* Count windows (and a replay's bursts) can be much shorter than a second: absence is
	 * measured in windows of at least one. */
	uint64_t win = end_ns > start_ns ? end_ns - start_ns : 0;
	sweep(m, end_ns, win > BL_GONE_MIN_WINDOW_NS ? win : BL_GONE_MIN_WINDOW_NS);
	struct bl_key *kk = find(m, key);
	if (!kk) {
		kk = insert(m, key, true);
		if (!kk)
			return -ENOMEM;
	} else if (kk != m->head) {
		list_unlink(m, kk);
		list_push_front(m, kk);
	}
	if (end_ns > kk->last_ns)
		kk->last_ns = end_ns;
	if (end_ns > m->host->last_ns)
		m->host->last_ns = end_ns;

	uint32_t target = target_windows(m, start_ns, end_ns);
	memset(res, 0, sizeof(*res));
	res->top = top;
	res->target = target;
	/* Progress as it was when the window was judged. */
	res->learned = kk->learned < target ? kk->learned : target;
	struct bl_key *base = kk->ready ? kk : m->host->ready ? m->host : NULL;
	if (base) {
		res->basis = base == kk ? BL_OWN : BL_HOST;
		res->score = score(m, base, x, top, k, &res->n_top);
		res->abnormal = res->score >= m->cfg.threshold;
	}
	if (!m->first_ns || start_ns < m->first_ns)
		m->first_ns = start_ns;
	/* Learn only what is complete and was not judged abnormal: an attack must not become
	 * the norm, however long it lasts. */
	if (complete && !res->abnormal) {
		res->learnt = learn_sampled(m, kk, start_ns, end_ns, x);
		/* The "host" key sums up the whole machine (or measures another queue): the
		 * fallback of new containers is what containers here do. */
		if (strcmp(key, BL_HOST_KEY))
			learn_sampled(m, m->host, start_ns, end_ns, x);
		if (!kk->ready && kk->learned >= target)
			kk->ready = true;
	}
	/* The host-wide baseline is complete when the learning period is over (a key has
	 * learnt, or that much window time has passed) and it holds enough windows. */
	if (!m->host->ready && m->host->learned >= (target < BL_HOST_MIN ? target : BL_HOST_MIN) &&
	    (kk->ready || end_ns - m->first_ns >= (uint64_t)target * (end_ns - start_ns)))
		m->host->ready = true;
	return 0;
}

size_t bl_model_memory(const struct bl_model *m)
{
	size_t b = sizeof(*m) + m->nbuckets * sizeof(*m->buckets) + m->n * sizeof(char *) +
		   m->names_bytes + key_size(m->n);
	for (const struct bl_key *k = m->head; k; k = k->next)
		b += key_size(m->n) + strlen(k->name) + 1;
	return b;
}

size_t bl_model_keys(const struct bl_model *m) { return m->nkeys; }
uint64_t bl_model_evicted(const struct bl_model *m) { return m->evicted; }
uint64_t bl_model_forgotten(const struct bl_model *m) { return m->forgotten; }
bool bl_model_dirty(const struct bl_model *m) { return m->dirty; }
void bl_model_clean(struct bl_model *m) { m->dirty = false; }
bool bl_model_host_ready(const struct bl_model *m) { return m->host->ready; }
size_t bl_model_n(const struct bl_model *m) { return m->n; }
const char *const *bl_model_names(const struct bl_model *m)
{
	return (const char *const *)m->names;
}

static void fill_state(struct bl_key *k, struct bl_key_state *out)
{
	out->eligible = k->eligible;
	out->profiled = k->profiled;
	out->range = k->range;
	out->name = k->name;
	out->first_ns = k->first_ns;
	out->last_ns = k->last_ns;
	out->epoch_ns = k->epoch_ns;
	out->learned = k->learned;
	out->ready = k->ready;
	out->sketch = k->sk;
}

void bl_model_host_state(struct bl_model *m, struct bl_key_state *out)
{
	fill_state(m->host, out);
}

bool bl_model_next_key(struct bl_model *m, struct bl_key **it, struct bl_key_state *out)
{
	*it = *it ? (*it)->next : m->head;
	if (!*it)
		return false;
	fill_state(*it, out);
	return true;
}

static void set_fields(struct bl_key *k, const struct bl_key_state *in)
{
	k->eligible = in->eligible;
	k->profiled = in->profiled;
	k->first_ns = in->first_ns;
	k->last_ns = in->last_ns;
	k->epoch_ns = in->epoch_ns;
	k->learned = in->learned;
	k->ready = in->ready;
}

int bl_model_add_key(struct bl_model *m, const struct bl_key_state *in,
		     struct bl_sketch **sketch, struct bl_range **range)
{
	if (find(m, in->name))
		return -EEXIST;
	if (m->nkeys >= m->cfg.max_keys)
		return -ENOSPC;
	struct bl_key *k = insert(m, in->name, false);
	if (!k)
		return -ENOMEM;
	set_fields(k, in);
	*sketch = k->sk;
	*range = k->range;
	return 0;
}

void bl_model_set_host(struct bl_model *m, const struct bl_key_state *in,
		       struct bl_sketch **sketch, struct bl_range **range)
{
	set_fields(m->host, in);
	*sketch = m->host->sk;
	*range = m->host->range;
}

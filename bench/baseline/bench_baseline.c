/* The baseline model's costs, and a re-scorer for recorded runs.
 *
 *   bench_baseline cost [KEYS] [FEATURES]
 *     memory of KEYS keys' learning state (accounted bytes and the RSS they added) and the
 *     time to judge one window: score only, and score and learn; "name value" lines.
 *   bench_baseline rescore RECORDS [NAME=VALUE]...
 *     feed the vectors of an anomon NDJSON record stream (stdout format=json with the feature
 *     stages among the sink's inputs) to one model per feature stage, in order, and print
 *     the verdicts as NDJSON (record, stage, key, start, end, model, label, score, basis),
 *     to compare settings on one live recording. NAME: learn_windows, learn (seconds),
 *     adapt (seconds), margin, min_scale, rel_scale, range_scale, tail, threshold.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bl_model.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* our CPU time: the machine is shared */
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

/* xorshift: the same numbers on every run. */
static uint64_t rng = 88172645463325252ull;
static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int cost(size_t keys, size_t n)
{
	struct bl_config cfg = {
		.learn_windows = 150, .halflife_ns = 86400ull * 1000000000u, .margin = 3,
		.min_scale = 0.01, .rel_scale = BL_REL_SCALE, .range_scale = BL_RANGE_SCALE, .log_unit = BL_LOG_UNIT,
		.tail = BL_TAIL, .threshold = 0.5, .max_keys = keys,
	};
	char **names = calloc(n, sizeof(*names));
	double *x = calloc(n, sizeof(*x));
	struct bl_departure top[3];
	struct bl_result res;
	struct bl_model *m;
	char key[32];

	for (size_t j = 0; j < n; j++)
		if (asprintf(&names[j], "feature_%zu", j) < 0)
			return 1;
	long rss0 = rss_bytes();
	if (bl_model_new(&cfg, n, (const char *const *)names, &m))
		return 1;
	/* Every key learns 200 windows of varied values: sketches at full capacity. */
	uint64_t t = 1700000000ull * 1000000000u;
	for (int w = 0; w < 200; w++, t += 2000000000u)
		for (size_t k = 0; k < keys; k++) {
			snprintf(key, sizeof(key), "container-%06zu", k);
			for (size_t j = 0; j < n; j++)
				x[j] = (double)j + urand();
			if (bl_judge(m, key, t, t + 2000000000u, true, x, top, 3, &res))
				return 1;
		}
	long rss1 = rss_bytes();
	printf("keys %zu\nfeatures %zu\naccounted_bytes %zu\nrss_delta_bytes %ld\n", keys, n,
	       bl_model_memory(m), rss1 - rss0);

	/* Judging: the same keys in turn, as windows arrive. */
	size_t reps = 200000;
	double t0 = now_s();
	for (size_t i = 0; i < reps; i++) {
		snprintf(key, sizeof(key), "container-%06zu", i % keys);
		x[i % n] = (double)(i % n) + urand();
		bl_judge(m, key, t, t + 2000000000u, false, x, top, 3, &res);
	}
	double score_ns = (now_s() - t0) / (double)reps * 1e9;
	t0 = now_s();
	for (size_t i = 0; i < reps; i++, t += 1000000u) {
		snprintf(key, sizeof(key), "container-%06zu", i % keys);
		x[i % n] = (double)(i % n) + urand();
		bl_judge(m, key, t, t + 2000000000u, true, x, top, 3, &res);
	}
	double learn_ns = (now_s() - t0) / (double)reps * 1e9;
	printf("score_ns %.0f\nscore_learn_ns %.0f\n", score_ns, learn_ns);
	bl_model_free(m);
	for (size_t j = 0; j < n; j++)
		free(names[j]);
	free(names);
	free(x);
	return 0;
}

static uint64_t parse_ts(const char *s)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	uint64_t ns = (uint64_t)timegm(&tm) * 1000000000u;
	if (p && *p == '.') {
		uint64_t f = 0, scale = 1000000000u;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			f += (uint64_t)(*p - '0') * scale;
		}
		ns += f;
	}
	return ns;
}

struct stage {
	char *name;
	struct bl_model *m;
	size_t n;
	char **names;
	double *x;
};

static int rescore(const char *path, int argc, char **argv)
{
	struct bl_config cfg = {
		.learn_ns = 1800ull * 1000000000u, .halflife_ns = 86400ull * 1000000000u,
		.margin = 3, .min_scale = 0.01, .rel_scale = BL_REL_SCALE,
		.range_scale = BL_RANGE_SCALE, .log_unit = BL_LOG_UNIT, .tail = BL_TAIL, .threshold = 0.5, .max_keys = 1000,
	};
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return 2;
		*eq = '\0';
		double v = atof(eq + 1);
		if (!strcmp(argv[i], "learn_windows")) cfg.learn_windows = (uint32_t)v;
		else if (!strcmp(argv[i], "learn")) cfg.learn_ns = (uint64_t)(v * 1e9);
		else if (!strcmp(argv[i], "adapt")) cfg.halflife_ns = (uint64_t)(v * 1e9);
		else if (!strcmp(argv[i], "margin")) cfg.margin = v;
		else if (!strcmp(argv[i], "min_scale")) cfg.min_scale = v;
		else if (!strcmp(argv[i], "rel_scale")) cfg.rel_scale = v;
		else if (!strcmp(argv[i], "range_scale")) cfg.range_scale = v;
		else if (!strcmp(argv[i], "tail")) cfg.tail = v;
		else if (!strcmp(argv[i], "log_unit")) cfg.log_unit = v;
		else if (!strcmp(argv[i], "max_combine")) cfg.max_combine = v != 0;
		else if (!strcmp(argv[i], "threshold")) cfg.threshold = v;
		else {
			fprintf(stderr, "unknown setting %s\n", argv[i]);
			return 2;
		}
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	struct stage stages[8];
	size_t nst = 0;
	char *line = NULL;
	size_t cap = 0;
	struct bl_departure top[3];
	struct bl_result res;
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, "\"record\":\"vector\""))
			continue;
		json_t *r = json_loads(line, 0, NULL);
		if (!r)
			continue;
		const char *sn = json_string_value(json_object_get(r, "stage"));
		json_t *feat = json_object_get(r, "features");
		struct stage *st = NULL;
		for (size_t i = 0; i < nst; i++)
			if (!strcmp(stages[i].name, sn))
				st = &stages[i];
		if (!st && nst < 8) {
			st = &stages[nst++];
			st->name = strdup(sn);
			st->n = json_object_size(feat);
			st->names = calloc(st->n, sizeof(char *));
			st->x = calloc(st->n, sizeof(double));
			size_t j = 0;
			const char *k;
			json_t *v;
			json_object_foreach(feat, k, v) st->names[j++] = strdup(k);
			if (bl_model_new(&cfg, st->n, (const char *const *)st->names, &st->m))
				return 1;
		}
		if (!st)
			continue;
		for (size_t j = 0; j < st->n; j++)
			st->x[j] = json_number_value(json_object_get(feat, st->names[j]));
		const char *key = json_string_value(json_object_get(r, "key"));
		const char *s0 = json_string_value(json_object_get(r, "start"));
		const char *s1 = json_string_value(json_object_get(r, "end"));
		bool complete = !json_is_true(json_object_get(r, "incomplete"));
		bl_judge(st->m, key, parse_ts(s0), parse_ts(s1), complete, st->x, top, 3, &res);
		if (res.basis != BL_NONE)
			printf("{\"record\":\"verdict\",\"stage\":\"%s\",\"key\":\"%s\",\"start\":\"%s\","
			       "\"end\":\"%s\",\"model\":\"%s\",\"label\":\"%s\",\"score\":%.4f,"
			       "\"basis\":\"%s\",\"top\":\"%s\"}\n", st->name, key, s0, s1,
			       strstr(st->name, "disk") ? "baseline-disk"
			       : strstr(st->name, "proc") ? "baseline-proc" : "baseline-cpu",
			       res.abnormal ? "abnormal" : "normal", res.score,
			       res.basis == BL_OWN ? "own baseline" : "host baseline",
			       res.n_top ? st->names[res.top[0].feature] : "");
		json_decref(r);
	}
	free(line);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "cost"))
		return cost(argc > 2 ? (size_t)atol(argv[2]) : 1000,
			    argc > 3 ? (size_t)atol(argv[3]) : 68);
	if (argc >= 3 && !strcmp(argv[1], "rescore"))
		return rescore(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: bench_baseline cost [KEYS] [FEATURES] | rescore RECORDS [NAME=VALUE]...\n");
	return 2;
}

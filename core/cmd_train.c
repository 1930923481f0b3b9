#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "cmd_train.h"
#include "dataset.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "stage.h"

/* What train and eval share: options, data, the plugin. */
struct job {
	struct cli_common common;
	const char *model, *out, *plugin;
	const char **data;
	size_t n_data;
	const char **sets;
	size_t n_sets;
	long cv;
	uint64_t seed;
	bool seed_set, json;
	struct dataset ds;
	struct loader *loader;
	const struct plugin_info *info;
	anomon_stage *stage;
};

static void job_free(struct job *j)
{
	if (j->stage)
		stage_free(j->stage);
	if (j->loader)
		loader_close(j->loader);
	dataset_free(&j->ds);
	free(j->data);
	free(j->sets);
	cli_common_free(&j->common);
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static const char train_usage[] =
	"usage: anomon train --model NAME --data FILE... --out MODEL [--cv K] [--seed N]\n"
	"                    [--set PARAM=VALUE]... [--json]\n"
	"Fit a model file with the model plugin NAME (logreg, forest, ...) from labelled CSV or\n"
	"JSONL datasets, and print its metrics on the training set (and K-fold CV with --cv).\n"
	"  --model NAME      model plugin to train\n"
	"  --data FILE...    datasets (CSV with a label column, or dataset-sink JSONL)\n"
	"  --out MODEL       model file to write (atomically)\n"
	"  --cv K            also report stratified K-fold cross-validation\n"
	"  --seed N          seed of the CV folds and of the plugin's own \"seed\" parameter\n"
	"  --set PARAM=VALUE training parameter of the plugin (anomon plugins info NAME)\n"
	"  --json            print one JSON object\n" CLI_COMMON_HELP;

static const char eval_usage[] =
	"usage: anomon eval --model MODEL --data FILE... [--set PARAM=VALUE]... [--json]\n"
	"Score a model file on labelled datasets and print its metrics.\n"
	"  --model MODEL     model file (its \"plugin\" names the plugin that reads it)\n"
	"  --data FILE...    datasets (CSV with a label column, or dataset-sink JSONL)\n"
	"  --plugin NAME     model plugin, when the file does not say\n"
	"  --set PARAM=VALUE stage parameter, e.g. threshold=0.7\n"
	"  --json            print one JSON object\n" CLI_COMMON_HELP;

/* Returns -1 to go on, else the exit code. */
static int parse(struct job *j, int argc, char **argv, bool train)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "cv", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 'S' },
		{ "set", required_argument, NULL, 's' },
		{ "plugin", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = train ? train_usage : eval_usage, *cmd = train ? "train" : "eval";
	bool collecting = false;  /* after --data, bare words are more data files */
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	/* '-' in front: bare words arrive in order as option 1, so "--data a b" works. */
	while ((c = getopt_long(argc, argv, "-m:d:o:s:vqhP:", opts, NULL)) != -1) {
		if (cli_common_option(&j->common, c, optarg))
			continue;
		switch (c) {
		case 1:
			if (!collecting) {
				fprintf(stderr, "anomon %s: unexpected argument \"%s\"\n%s", cmd,
					optarg, usage);
				return 2;
			}
			/* fallthrough */
		case 'd':
			collecting = true;
			if (push(&j->data, &j->n_data, optarg))
				return 1;
			continue;
		case 'm':
			j->model = optarg;
			break;
		case 'o':
			if (!train)
				goto bad;
			j->out = optarg;
			break;
		case 'k':
			if (!train)
				goto bad;
			j->cv = strtol(optarg, &end, 10);
			if (*end || end == optarg || j->cv < 2 || j->cv > 1000) {
				fprintf(stderr, "anomon %s: --cv: expected an integer from 2 to 1000, "
					"got \"%s\"\n", cmd, optarg);
				return 2;
			}
			break;
		case 'S':
			if (!train)
				goto bad;
			errno = 0;
			j->seed = strtoull(optarg, &end, 10);
			if (*end || end == optarg || errno || *optarg == '-' ||
			    j->seed > INT64_MAX) {
				fprintf(stderr, "anomon %s: --seed: expected a non-negative integer, "
					"got \"%s\"\n", cmd, optarg);
				return 2;
			}
			j->seed_set = true;
			break;
		case 's':
			if (!strchr(optarg, '=')) {
				fprintf(stderr, "anomon %s: --set: expected PARAM=VALUE, got \"%s\"\n",
					cmd, optarg);
				return 2;
			}
			if (push(&j->sets, &j->n_sets, optarg))
				return 1;
			break;
		case 'p':
			if (train)
				goto bad;
			j->plugin = optarg;
			break;
		case 'j':
			j->json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto bad;
		}
		collecting = false;
		continue;
bad:
		fprintf(stderr, "anomon %s: unknown or incomplete option \"%s\"\n%s", cmd,
			argv[optind - 1], usage);
		return 2;
	}
	if (!j->model || !j->n_data || (train && !j->out)) {
		fprintf(stderr, "anomon %s: --model, --data%s are required\n%s", cmd,
			train ? " and --out" : "", usage);
		return 2;
	}
	return -1;
}

static int load_data(struct job *j)
{
	char err[1024];

	for (size_t i = 0; i < j->n_data; i++) {
		int rc = dataset_load(&j->ds, j->data[i], err, sizeof(err));

		if (rc) {
			fprintf(stderr, "anomon: %s\n", err);
			return rc == -ENOMEM ? 1 : 2;
		}
	}
	return 0;
}

/* Find a model plugin; for training it must have the training entries. */
static int find_plugin(struct job *j, const char *name, bool train)
{
	const struct anomon_plugin *d;

	j->loader = loader_open(j->common.plugin_dirs, j->common.n_plugin_dirs);
	if (!j->loader)
		return 1;
	j->info = loader_find(j->loader, name);
	if (!j->info) {
		fprintf(stderr, "anomon: no plugin named \"%s\" (see anomon plugins list)\n", name);
		return 2;
	}
	d = j->info->desc;
	if (d->kind != ANOMON_KIND_MODEL) {
		fprintf(stderr, "anomon: %s: plugin \"%s\" is a %s, not a model\n", j->info->path,
			name, loader_kind_name(d->kind));
		return 2;
	}
	if (train && (!d->fit || !d->score || !d->save || !d->free_model)) {
		fprintf(stderr, "anomon: %s: model plugin \"%s\" cannot be trained by anomon (it has "
			"no fit, score, save and free_model entries)\n", j->info->path, name);
		return 2;
	}
	return 0;
}

static bool has_param(const struct anomon_plugin *d, const char *name)
{
	for (const struct anomon_param *p = d->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return true;
	return false;
}

/* The rows of ds whose fold is (or is not) f, as a dataset view over a copy. */
struct subset {
	size_t rows;
	double *x;
	int *y;
};

static int take(const struct dataset *ds, const size_t *fold, size_t f, bool in,
		struct subset *out)
{
	out->rows = 0;
	out->x = malloc((ds->rows ? ds->rows : 1) * ds->cols * sizeof(double));
	out->y = malloc((ds->rows ? ds->rows : 1) * sizeof(int));
	if (!out->x || !out->y)
		return -ENOMEM;
	for (size_t i = 0; i < ds->rows; i++) {
		if ((fold[i] == f) != in)
			continue;
		memcpy(out->x + out->rows * ds->cols, ds->x + i * ds->cols,
		       ds->cols * sizeof(double));
		out->y[out->rows++] = ds->y[i];
	}
	return 0;
}

static void subset_free(struct subset *s)
{
	free(s->x);
	free(s->y);
}

/* Fit with the plugin; on failure prints the plugin's message and returns an exit code. */
static int fit(struct job *j, size_t rows, const double *x, const int *y, void **model)
{
	const struct anomon_plugin *d = j->info->desc;
	struct anomon_dataset ds = { rows, j->ds.cols, (const char *const *)j->ds.names, x, y };
	int rc = d->fit(&host_api, j->stage, &ds, model);

	if (rc) {
		const char *msg = stage_error(j->stage);

		fprintf(stderr, "anomon train: %s: %s\n", d->name, msg ? msg : strerror(-rc));
		return rc == -EINVAL || rc == -ERANGE ? 2 : 1;
	}
	return 0;
}

static int score_rows(const struct job *j, const void *model, size_t rows, const double *x,
		      double *score)
{
	for (size_t i = 0; i < rows; i++) {
		score[i] = j->info->desc->score(model, x + i * j->ds.cols);
		if (!(score[i] >= 0 && score[i] <= 1)) {
			fprintf(stderr, "anomon: %s: score %g of row %zu is not a probability\n",
				j->info->desc->name, score[i], i);
			return 1;
		}
	}
	return 0;
}

/* A JSON number, or null for NaN (an undefined figure). */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *metrics_json(const struct metrics *m)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I}}", "accuracy", num(m->accuracy),
			 "precision", num(m->precision), "recall", num(m->recall), "f1",
			 num(m->f1), "roc_auc", num(m->roc_auc), "confusion", "tn",
			 (json_int_t)m->tn, "fp", (json_int_t)m->fp, "fn", (json_int_t)m->fn,
			 "tp", (json_int_t)m->tp);
}

#define N_FIGURES 5
static const char *const figure_names[N_FIGURES] = { "accuracy", "precision", "recall", "f1",
						     "roc_auc" };

static void figures(const struct metrics *m, double out[N_FIGURES])
{
	out[0] = m->accuracy;
	out[1] = m->precision;
	out[2] = m->recall;
	out[3] = m->f1;
	out[4] = m->roc_auc;
}

/* Stratified K-fold: fit on K-1 folds, score the held-out one. */
static int cross_validate(struct job *j, json_t **cv_out, double mean[N_FIGURES],
			  double spread[N_FIGURES])
{
	size_t k = (size_t)j->cv, *fold = malloc(j->ds.rows * sizeof(size_t));
	double *per = calloc(k * N_FIGURES, sizeof(double)), col[1000];
	int rc = 0;

	if (!fold || !per) {
		rc = 1;
		goto out;
	}
	if (metrics_kfold(j->ds.y, j->ds.rows, k, j->seed, fold)) {
		fprintf(stderr, "anomon train: --cv %zu: each class needs at least %zu rows "
			"(%zu normal, %zu abnormal)\n", k, k, j->ds.rows - dataset_positives(&j->ds),
			dataset_positives(&j->ds));
		rc = 2;
		goto out;
	}
	for (size_t f = 0; f < k && !rc; f++) {
		struct subset tr = { 0 }, te = { 0 };
		void *model = NULL;
		double *score = NULL;
		struct metrics m;

		if (take(&j->ds, fold, f, false, &tr) || take(&j->ds, fold, f, true, &te) ||
		    !(score = malloc((te.rows ? te.rows : 1) * sizeof(double))))
			rc = 1;
		if (!rc)
			rc = fit(j, tr.rows, tr.x, tr.y, &model);
		if (!rc)
			rc = score_rows(j, model, te.rows, te.x, score);
		if (!rc && metrics_compute(te.y, score, NULL, te.rows, &m))
			rc = 1;
		if (!rc)
			figures(&m, per + f * N_FIGURES);
		if (model)
			j->info->desc->free_model(model);
		free(score);
		subset_free(&tr);
		subset_free(&te);
	}
	if (rc)
		goto out;
	*cv_out = json_pack("{s:I,s:I}", "k", (json_int_t)k, "seed", (json_int_t)j->seed);
	for (int i = 0; i < N_FIGURES; i++) {
		for (size_t f = 0; f < k; f++)
			col[f] = per[f * N_FIGURES + i];
		metrics_mean_std(col, k, &mean[i], &spread[i]);
		json_object_set_new(*cv_out, figure_names[i],
				    json_pack("{s:o,s:o}", "mean", num(mean[i]), "std",
					      num(spread[i])));
	}
out:
	free(fold);
	free(per);
	return rc;
}

/* What was trained on, with what: embedded in the model file. No clock, no absolute
 * paths beyond what the user typed, so that the same command gives the same file. */
static json_t *metadata(const struct job *j, json_t *train_metrics, json_t *cv)
{
	json_t *files = json_array(), *params = json_object();
	const struct anomon_plugin *d = j->info->desc;

	for (size_t i = 0; i < j->ds.n_files; i++)
		json_array_append_new(files, json_pack("{s:s,s:s,s:I}", "path", j->ds.files[i].path,
						       "sha256", j->ds.files[i].sha256, "rows",
						       (json_int_t)j->ds.files[i].rows));
	for (const struct anomon_param *p = d->params; p && p->name; p++) {
		const struct anomon_host *h = &host_api;
		json_t *v = NULL;

		switch (p->type) {
		case ANOMON_PARAM_STRING:
			v = json_string(h->param_string(j->stage, p->name));
			break;
		case ANOMON_PARAM_INT:
			v = json_integer(h->param_int(j->stage, p->name));
			break;
		case ANOMON_PARAM_NUMBER:
			v = num(h->param_number(j->stage, p->name));
			break;
		case ANOMON_PARAM_BOOL:
			v = json_boolean(h->param_bool(j->stage, p->name));
			break;
		default:
			continue; /* durations, sizes, lists: not training knobs */
		}
		json_object_set_new(params, p->name, v);
	}
	return json_pack("{s:s,s:o,s:I,s:I,s:I,s:I,s:o,s:{s:O,s:O}}", "plugin", d->name, "data",
			 files, "rows", (json_int_t)j->ds.rows, "positives",
			 (json_int_t)dataset_positives(&j->ds), "features", (json_int_t)j->ds.cols,
			 "seed", (json_int_t)j->seed, "params", params, "metrics", "training",
			 train_metrics, "cv", cv ? cv : json_null());
}

static void print_confusion(const struct metrics *m)
{
	printf("confusion matrix (rows: true class, columns: predicted)\n"
	       "              normal  abnormal\n"
	       "  normal    %8zu  %8zu\n"
	       "  abnormal  %8zu  %8zu\n", m->tn, m->fp, m->fn, m->tp);
}

static void print_metrics(const char *what, const struct metrics *m)
{
	printf("%s: accuracy %.3f  precision %.3f  recall %.3f  F1 %.3f  ROC AUC ", what,
	       m->accuracy, m->precision, m->recall, m->f1);
	if (isfinite(m->roc_auc))
		printf("%.3f\n", m->roc_auc);
	else
		printf("n/a (one class)\n");
	print_confusion(m);
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));

	if (s)
		puts(s);
	free(s);
}

static int train(struct job *j)
{
	size_t pos = dataset_positives(&j->ds), n_sets = j->n_sets;
	const char **sets = NULL;
	char seed_set[64];
	void *model = NULL;
	double *score = NULL, mean[N_FIGURES], spread[N_FIGURES];
	struct metrics m;
	json_t *cv = NULL, *meta = NULL, *tm = NULL;
	char *meta_text = NULL;
	int rc;

	if (pos == 0 || pos == j->ds.rows) {
		fprintf(stderr, "anomon train: all %zu rows are labelled %s; training needs both "
			"normal and abnormal rows\n", j->ds.rows, pos ? "abnormal" : "normal");
		return 2;
	}
	rc = find_plugin(j, j->model, true);
	if (rc)
		return rc;
	/* --seed is the plugin's seed too, unless --set gives it one. */
	sets = calloc(n_sets + 1, sizeof(*sets));
	if (!sets)
		return 1;
	if (n_sets)
		memcpy(sets, j->sets, n_sets * sizeof(*sets));
	if (j->seed_set && has_param(j->info->desc, "seed")) {
		bool given = false;

		for (size_t i = 0; i < j->n_sets; i++)
			given |= !strncmp(j->sets[i], "seed=", 5);
		if (!given) {
			snprintf(seed_set, sizeof(seed_set), "seed=%" PRIu64, j->seed);
			sets[n_sets++] = seed_set;
		}
	}
	j->stage = stage_new_standalone(j->info, sets, n_sets, "--set");
	free(sets);
	if (!j->stage)
		return 2;
	if (j->cv && (rc = cross_validate(j, &cv, mean, spread)))
		goto out;
	rc = fit(j, j->ds.rows, j->ds.x, j->ds.y, &model);
	if (rc)
		goto out;
	score = malloc(j->ds.rows * sizeof(double));
	if (!score || (rc = score_rows(j, model, j->ds.rows, j->ds.x, score)) ||
	    metrics_compute(j->ds.y, score, NULL, j->ds.rows, &m)) {
		rc = 1;
		goto out;
	}
	tm = metrics_json(&m);
	meta = metadata(j, tm, cv);
	meta_text = meta ? json_dumps(meta, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
	if (!meta_text) {
		rc = 1;
		goto out;
	}
	rc = j->info->desc->save(model, meta_text, j->out);
	if (rc) {
		fprintf(stderr, "anomon train: cannot write %s: %s\n", j->out, strerror(-rc));
		rc = 1;
		goto out;
	}
	if (j->json) {
		json_t *o = json_deep_copy(tm);

		json_object_set_new(o, "model", json_string(j->info->desc->name));
		json_object_set_new(o, "out", json_string(j->out));
		json_object_set_new(o, "rows", json_integer((json_int_t)j->ds.rows));
		if (cv)
			json_object_set(o, "cv", cv);
		print_json(o);
		json_decref(o);
	} else {
		printf("trained %s on %zu rows (%zu abnormal) x %zu features from %zu file%s: %s\n",
		       j->info->desc->name, j->ds.rows, pos, j->ds.cols, j->ds.n_files,
		       j->ds.n_files == 1 ? "" : "s", j->out);
		print_metrics("training set", &m);
		if (cv) {
			printf("%ld-fold stratified CV (seed %" PRIu64 "), mean ± std over folds:\n",
			       j->cv, j->seed);
			for (int i = 0; i < N_FIGURES; i++)
				printf("  %-9s %.3f ± %.3f\n", figure_names[i], mean[i], spread[i]);
		}
	}
out:
	if (model)
		j->info->desc->free_model(model);
	free(score);
	free(meta_text);
	json_decref(meta);
	json_decref(tm);
	json_decref(cv);
	return rc;
}

/* ---- eval: score through the plugin's own pipeline path (init, check, on_vector) ---- */

/* The stage is opaque and eval runs one at a time: the capture lives here. */
static struct {
	const struct dataset *ds;
	double score;
	int label;
	bool got;
} eval_capture;

static int eval_emit_verdict(anomon_stage *s, const struct anomon_verdict *v)
{
	(void)s;
	eval_capture.score = v->score;
	eval_capture.label = v->label;
	eval_capture.got = true;
	return 0;
}

/* The dataset plays the upstream feature stage, so check() compares names with it. */
static int eval_input_schema(anomon_stage *s, size_t *n, const char *const **names)
{
	(void)s;
	*n = eval_capture.ds->cols;
	*names = (const char *const *)eval_capture.ds->names;
	return 0;
}

/* The plugin a model file names, read from its top-level "plugin" key. */
static int model_plugin(const char *path, char *name, size_t cap)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *p;

	if (!root) {
		if (je.line > 0)
			fprintf(stderr, "anomon eval: %s:%d:%d: %s\n", path, je.line, je.column,
				je.text);
		else
			fprintf(stderr, "anomon eval: %s: %s\n", path, je.text);
		return 2;
	}
	p = json_object_get(root, "plugin");
	if (!json_is_string(p)) {
		fprintf(stderr, "anomon eval: %s: plugin: expected the name of the model plugin "
			"(or give --plugin NAME)\n", path);
		json_decref(root);
		return 2;
	}
	snprintf(name, cap, "%s", json_string_value(p));
	json_decref(root);
	return 0;
}

static int eval(struct job *j)
{
	struct anomon_host host = host_api;
	const struct anomon_plugin *d;
	char plugin[128], *model_set = NULL;
	const char **sets = NULL;
	void *state = NULL;
	double *score = NULL;
	int *pred = NULL, rc;
	struct metrics m;

	if (j->plugin)
		snprintf(plugin, sizeof(plugin), "%s", j->plugin);
	else if ((rc = model_plugin(j->model, plugin, sizeof(plugin))))
		return rc;
	rc = find_plugin(j, plugin, false);
	if (rc)
		return rc;
	d = j->info->desc;
	if (!has_param(d, "model")) {
		fprintf(stderr, "anomon eval: %s: plugin \"%s\" has no \"model\" parameter to load "
			"a file with\n", j->info->path, plugin);
		return 2;
	}
	sets = calloc(j->n_sets + 1, sizeof(*sets));
	if (!sets || asprintf(&model_set, "model=%s", j->model) < 0) {
		free(sets);
		return 1;
	}
	sets[0] = model_set;
	if (j->n_sets)
		memcpy(sets + 1, j->sets, j->n_sets * sizeof(*sets));
	j->stage = stage_new_standalone(j->info, sets, j->n_sets + 1, "--set");
	free(sets);
	free(model_set);
	if (!j->stage)
		return 2;
	host.emit_verdict = eval_emit_verdict;
	host.input_schema = eval_input_schema;
	eval_capture.ds = &j->ds;
	rc = d->init(&host, j->stage, &state);
	if (!rc && d->check)
		rc = d->check(state);
	if (rc) {
		const char *msg = stage_error(j->stage);

		fprintf(stderr, "anomon eval: %s\n", msg ? msg : strerror(-rc));
		rc = 2;
		goto out;
	}
	score = malloc(j->ds.rows * sizeof(double));
	pred = malloc(j->ds.rows * sizeof(int));
	if (!score || !pred) {
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < j->ds.rows; i++) {
		struct anomon_vector v = {
			.key = "eval",
			.n = j->ds.cols,
			.names = (const char *const *)j->ds.names,
			.values = j->ds.x + i * j->ds.cols,
		};

		eval_capture.got = false;
		if (d->on_vector(state, &v) < 0 || !eval_capture.got) {
			fprintf(stderr, "anomon eval: %s gave no verdict for row %zu\n", plugin, i);
			rc = 1;
			goto out;
		}
		score[i] = eval_capture.score;
		pred[i] = eval_capture.label;
	}
	if (metrics_compute(j->ds.y, score, pred, j->ds.rows, &m)) {
		rc = 1;
		goto out;
	}
	if (j->json) {
		json_t *o = metrics_json(&m);

		json_object_set_new(o, "model", json_string(j->model));
		json_object_set_new(o, "rows", json_integer((json_int_t)j->ds.rows));
		print_json(o);
		json_decref(o);
	} else {
		printf("evaluated %s on %zu rows (%zu abnormal) from %zu file%s\n", j->model,
		       j->ds.rows, dataset_positives(&j->ds), j->ds.n_files,
		       j->ds.n_files == 1 ? "" : "s");
		print_metrics("metrics", &m);
	}
out:
	if (state)
		d->destroy(state);
	free(score);
	free(pred);
	return rc;
}

int cmd_train(int argc, char **argv)
{
	struct job j = { 0 };
	int rc = parse(&j, argc, argv, true);

	if (rc < 0)
		rc = load_data(&j);
	if (rc == 0 && j.ds.rows)
		rc = train(&j);
	job_free(&j);
	return rc;
}

int cmd_eval(int argc, char **argv)
{
	struct job j = { 0 };
	int rc = parse(&j, argc, argv, false);

	if (rc < 0)
		rc = load_data(&j);
	if (rc == 0 && j.ds.rows)
		rc = eval(&j);
	job_free(&j);
	return rc;
}

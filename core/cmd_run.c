/* anomon run | validate | record */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "paths.h"
#include "pipeline.h"
#include "run.h"
#include "stage.h"

static const char run_help[] =
	"usage: anomon run [PIPELINE] [OPTIONS]\n"
	"\n"
	"Run PIPELINE (a JSON file) until Ctrl-C, SIGTERM, --duration, or the end of every\n"
	"collector's input. Without PIPELINE, run the built-in CPU pipeline\n"
	"(pipelines/cpu.json, embedded at build time).\n"
	"On the way out, collectors stop, open windows are flushed and sinks drained.\n"
	"\n"
	"SIGHUP re-reads PIPELINE (and applies --set again): stages whose plugin, name,\n"
	"parameters and inputs did not change keep running, changed ones are restarted. A\n"
	"file with any error is refused and the running pipeline goes on unchanged.\n"
	"\n"
	"options:\n"
	"  --set STAGE.PARAM=VALUE  override a parameter of a stage (typed by the plugin's\n"
	"                           parameter table; lists are comma-separated); repeatable\n"
	"  --duration SECONDS       stop after SECONDS (decimals allowed)\n"
	"  --user USER              run as USER once every stage has started\n"
	"  --keep-privileges        keep every capability while running\n"
	CLI_COMMON_HELP
	"\n"
	"Privileges: live eBPF collectors need root, or CAP_BPF, CAP_PERFMON and\n"
	"CAP_DAC_READ_SEARCH (for cgroup ids), while they load and attach. Once every stage\n"
	"has started, anomon keeps only CAP_DAC_READ_SEARCH (ring buffers, maps and perf\n"
	"events stay readable through their open descriptors) and sets no_new_privs; with\n"
	"--user it also switches to that user. A CPU coming online after that is not\n"
	"sampled until the next start, and a reload that adds or changes an eBPF collector\n"
	"is refused unless anomon runs with --keep-privileges.\n";

static const char validate_help[] =
	"usage: anomon validate [PIPELINE] [OPTIONS]\n"
	"\n"
	"Load PIPELINE and every plugin it names, check parameters and wiring, initialise and\n"
	"check each stage (for eBPF collectors: that BPF is usable and their attach points\n"
	"exist on this kernel), then release everything. Nothing is started.\n"
	"\n"
	"options:\n"
	"  --set STAGE.PARAM=VALUE  as for run\n"
	CLI_COMMON_HELP;

static const char record_help[] =
	"usage: anomon record PIPELINE --label LABEL --out FILE [OPTIONS]\n"
	"\n"
	"Run PIPELINE with a dataset sink appended that writes every feature vector, labelled\n"
	"LABEL (normal, abnormal, 0 or 1), to FILE as JSON lines for \"anomon train\". FILE\n"
	"appears only when the run ends cleanly.\n"
	"\n"
	"options:\n"
	"  --label LABEL            the label of every vector recorded\n"
	"  --out FILE               the dataset to write\n"
	"  --set STAGE.PARAM=VALUE  as for run\n"
	"  --duration SECONDS       stop after SECONDS\n"
	CLI_COMMON_HELP;

enum mode { MODE_RUN, MODE_VALIDATE, MODE_RECORD };

/* The dataset sink reads the vectors of every feature stage. */
static int append_dataset_sink(struct pipeline *pl, const char *label, const char *out)
{
	char label_arg[256], path_arg[4096];
	snprintf(label_arg, sizeof(label_arg), "label=%s", label);
	snprintf(path_arg, sizeof(path_arg), "path=%s", out);
	const char *params[] = {path_arg, label_arg};
	if (pipeline_append(pl, "dataset", params, 2, "record:") < 0)
		return -EINVAL;
	anomon_stage *sink = NULL;
	for (size_t i = 0; i < pl->n; i++)
		if (pl->stages[i]->desc->kind == ANOMON_KIND_SINK && !strcmp(pl->stages[i]->desc->name, "dataset"))
			sink = pl->stages[i];
	size_t n = 0;
	for (size_t i = 0; i < pl->n; i++)
		n += pl->stages[i]->desc->kind == ANOMON_KIND_FEATURE;
	if (n == 0) {
		log_error("%s: record needs a feature stage whose vectors it can write", pl->file);
		return -EINVAL;
	}
	sink->explicit_inputs = true;
	sink->input_names = calloc(n, sizeof(char *));
	for (size_t i = 0; i < pl->n; i++)
		if (pl->stages[i]->desc->kind == ANOMON_KIND_FEATURE)
			sink->input_names[sink->n_input_names++] = strdup(pl->stages[i]->name);
	return 0;
}

static void describe(const struct pipeline *pl)
{
	printf("%s: ok:", pl->file);
	for (size_t i = 0; i < pl->n; i++) {
		const anomon_stage *s = pl->stages[i];
		printf("%s %s", i ? "," : "", s->name);
		if (strcmp(s->name, s->desc->name))
			printf(" (%s)", s->desc->name);
	}
	printf("\n");
}

int cmd_run(int argc, char **argv)
{
	enum mode mode = !strcmp(argv[0], "validate") ? MODE_VALIDATE
			 : !strcmp(argv[0], "record") ? MODE_RECORD
							: MODE_RUN;
	static const struct option opts[] = {
		{"set", required_argument, NULL, 's'},
		{"duration", required_argument, NULL, 'd'},
		{"label", required_argument, NULL, 'l'},
		{"out", required_argument, NULL, 'o'},
		{"user", required_argument, NULL, 'u'},
		{"keep-privileges", no_argument, NULL, 'K'},
		CLI_COMMON_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct cli_common common = {0};
	const char **sets = NULL;
	size_t n_sets = 0;
	struct run_opts ro = {.validate_only = mode == MODE_VALIDATE};
	const char *label = NULL, *out = NULL;
	int opt, status = 2;
	struct loader *loader = NULL;
	struct pipeline *pl = NULL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "vqhP:", opts, NULL)) != -1) {
		if (cli_common_option(&common, opt, optarg))
			continue;
		switch (opt) {
		case 's': {
			const char **ns = realloc(sets, (n_sets + 1) * sizeof(*ns));
			if (!ns)
				goto out;
			sets = ns;
			sets[n_sets++] = optarg;
			break;
		}
		case 'd': {
			char *end;
			ro.duration_s = strtod(optarg, &end);
			if (*end || end == optarg || !(ro.duration_s > 0) || ro.duration_s > 1e9) {
				log_error("--duration %s: expected a positive number of seconds", optarg);
				goto out;
			}
			break;
		}
		case 'l':
			label = optarg;
			break;
		case 'u':
			ro.user = optarg;
			break;
		case 'K':
			ro.keep_privileges = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			if (mode == MODE_RUN)
				fputs(run_help, stdout);
			else
				fputs(mode == MODE_VALIDATE ? validate_help : record_help, stdout);
			status = 0;
			goto out;
		default:
			fprintf(stderr, "\"anomon %s --help\" lists the options\n", argv[0]);
			goto out;
		}
	}
	if ((mode != MODE_RECORD && (label || out)) || (mode == MODE_VALIDATE && ro.duration_s)) {
		log_error("%s: --label, --out%s belong to other commands", argv[0],
			  mode == MODE_VALIDATE ? " and --duration" : "");
		goto out;
	}
	if (argc - optind > 1) {
		log_error("%s: one pipeline at a time (got \"%s\" and \"%s\")", argv[0], argv[optind],
			  argv[optind + 1]);
		goto out;
	}
	if (ro.user && !getpwnam(ro.user)) {
		log_error("--user %s: no such user", ro.user);
		goto out;
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	if (mode == MODE_RECORD && (!file || !label || !out)) {
		log_error("record: needs PIPELINE, --label and --out; see \"anomon record --help\"");
		goto out;
	}

	/* Until the run loop handles SIGHUP (a reload), one must not end the process. */
	if (mode != MODE_VALIDATE)
		signal(SIGHUP, SIG_IGN);
	loader = loader_open(common.plugin_dirs, common.n_plugin_dirs);
	if (!loader || loader_refused(loader))
		goto out;
	if (file)
		pl = pipeline_load(file, loader);
	else
	{
		/* Resolved as if it were the file it was built from, pipelines/cpu.json. */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/pipelines", paths_data_dir());
		pl = pipeline_parse(cli_default_pipeline_name, dir, cli_default_pipeline,
				    strlen(cli_default_pipeline), loader);
	}
	if (!pl || pipeline_apply_sets(pl, sets, n_sets) < 0)
		goto out;
	if (mode == MODE_RECORD && append_dataset_sink(pl, label, out) < 0)
		goto out;
	if (pipeline_wire(pl) < 0)
		goto out;
	ro.reloadable = mode == MODE_RUN && file;
	ro.no_reload = mode == MODE_RECORD ? "anomon record does not reload its pipeline"
					   : "the built-in pipeline has no file to re-read";
	ro.sets = sets;
	ro.n_sets = n_sets;
	status = run_pipeline(pl, &ro);
	if (status == 0 && mode == MODE_VALIDATE)
		describe(pl);
out:
	pipeline_free(pl);
	loader_close(loader);
	free(sets);
	cli_common_free(&common);
	return status;
}

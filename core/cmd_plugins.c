/* anomon plugins list | info: generated from the descriptors, never by hand. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "loader.h"
#include "log.h"
#include "params.h"
#include "suggest.h"

static const char plugins_help[] =
	"usage: anomon plugins list [--json] [OPTIONS]\n"
	"       anomon plugins info NAME [--json] [OPTIONS]\n"
	"\n"
	"list: every plugin found on the search path: name, kind, version, description\n"
	"(with -v, the file too). info: one plugin's ABI, file, event types and parameters.\n"
	"A file on the search path that is not a valid plugin is reported and makes the\n"
	"exit status 2.\n"
	"\n"
	"options:\n"
	"  --json            print JSON instead of text\n"
	CLI_COMMON_HELP;

static json_t *str_list_json(const char *const *l)
{
	json_t *a = json_array();
	for (size_t i = 0; l && l[i]; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static json_t *plugin_json(const struct plugin_info *p)
{
	const struct anomon_plugin *d = p->desc;
	char abi[32];
	snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
	json_t *params = json_array();
	for (size_t i = 0; p->params[i].name; i++) {
		const struct anomon_param *pp = &p->params[i];
		json_array_append_new(params,
				      json_pack("{s:s, s:s, s:o, s:b, s:s}", "name", pp->name, "type",
						param_type_name(pp->type), "default",
						pp->def ? json_string(pp->def) : json_null(), "required",
						pp->required, "description",
						pp->description ? pp->description : ""));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "name", d->name,
			 "kind", loader_kind_name(d->kind), "version", d->version, "abi", abi, "path",
			 p->path, "description", d->description, "produces",
			 str_list_json(d->produces), "consumes", str_list_json(d->consumes), "params",
			 params, "trainable", d->fit != NULL);
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(j);
}

static void list_text(const struct loader *l)
{
	size_t n = loader_count(l);
	printf("%-16s %-10s %-9s %s\n", "NAME", "KIND", "VERSION", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		const struct plugin_info *p = loader_at(l, i);
		printf("%-16s %-10s %-9s %s\n", p->desc->name, loader_kind_name(p->desc->kind),
		       p->desc->version, p->desc->description);
		if (log_verbosity >= ANOMON_LOG_INFO)
			printf("%-16s %s\n", "", p->path);
	}
}

static void print_list_line(const char *label, const char *const *l)
{
	printf("%-12s ", label);
	if (!l || !l[0])
		printf("-");
	for (size_t i = 0; l && l[i]; i++)
		printf("%s%s", i ? ", " : "", l[i]);
	printf("\n");
}

static void info_text(const struct plugin_info *p)
{
	const struct anomon_plugin *d = p->desc;
	printf("%-12s %s\n%-12s %s\n%-12s %s\n%-12s %u.%u\n%-12s %s\n%-12s %s\n", "name:", d->name,
	       "kind:", loader_kind_name(d->kind), "version:", d->version, "abi:", d->abi_major,
	       d->abi_minor, "path:", p->path, "description:", d->description);
	if (d->kind == ANOMON_KIND_COLLECTOR)
		print_list_line("produces:", d->produces);
	if (d->kind == ANOMON_KIND_FEATURE) {
		print_list_line("consumes:", d->consumes);
		printf("%-12s feature vectors\n", "produces:");
	}
	if (d->kind == ANOMON_KIND_MODEL)
		printf("%-12s feature vectors\n%-12s verdicts\n%-12s %s\n", "consumes:", "produces:",
		       "trainable:", d->fit ? "yes (anomon train --model NAME)" : "no");
	if (d->kind == ANOMON_KIND_SINK)
		printf("%-12s %s%s%s\n", "consumes:", d->on_event ? "events " : "",
		       d->on_vector ? "vectors " : "", d->on_verdict ? "verdicts" : "");
	size_t n = param_table_len(p->params);
	printf("parameters:%s\n", n ? "" : " none");
	for (size_t i = 0; i < n; i++) {
		const struct anomon_param *pp = &p->params[i];
		char def[96];
		if (pp->required)
			snprintf(def, sizeof(def), "required");
		else if (pp->def)
			snprintf(def, sizeof(def), "default \"%s\"", pp->def);
		else
			snprintf(def, sizeof(def), "optional");
		printf("  %-18s %-16s %-22s %s\n", pp->name, param_type_name(pp->type), def,
		       pp->description ? pp->description : "");
	}
}

int cmd_plugins(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CLI_COMMON_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct cli_common common = {0};
	bool json = false;
	int opt, status = 2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vqhP:", opts, NULL)) != -1) {
		if (cli_common_option(&common, opt, optarg))
			continue;
		if (opt == 'j') {
			json = true;
		} else if (opt == 'h') {
			fputs(plugins_help, stdout);
			cli_common_free(&common);
			return 0;
		} else {
			fputs("\"anomon plugins --help\" lists the options\n", stderr);
			cli_common_free(&common);
			return 2;
		}
	}
	const char *sub = optind < argc ? argv[optind] : NULL;
	bool list = sub && !strcmp(sub, "list") && optind + 1 == argc;
	bool info = sub && !strcmp(sub, "info") && optind + 2 == argc;
	if (!list && !info) {
		log_error("plugins: expected \"list\" or \"info NAME\"; see \"anomon plugins --help\"");
		cli_common_free(&common);
		return 2;
	}
	struct loader *l = loader_open(common.plugin_dirs, common.n_plugin_dirs);
	if (!l) {
		cli_common_free(&common);
		return 1;
	}
	status = loader_refused(l) ? 2 : 0;
	if (list) {
		if (json) {
			json_t *a = json_array();
			for (size_t i = 0; i < loader_count(l); i++)
				json_array_append_new(a, plugin_json(loader_at(l, i)));
			print_json(a);
		} else {
			list_text(l);
		}
	} else {
		const char *name = argv[optind + 1];
		const struct plugin_info *p = loader_find(l, name);
		if (p && json) {
			print_json(plugin_json(p));
		} else if (p) {
			info_text(p);
		} else {
			size_t n = loader_count(l);
			const char **names = calloc(n ? n : 1, sizeof(*names));
			for (size_t i = 0; names && i < n; i++)
				names[i] = loader_at(l, i)->desc->name;
			const char *close = names ? suggest_closest(name, names, n) : NULL;
			if (close)
				log_error("no plugin named \"%s\"; did you mean \"%s\"?", name, close);
			else
				log_error("no plugin named \"%s\"; \"anomon plugins list\" shows them", name);
			free(names);
			status = 2;
		}
	}
	loader_close(l);
	cli_common_free(&common);
	return status;
}

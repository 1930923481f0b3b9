/* Sub-commands of the anomon command line and what they share. */
#ifndef ANOMON_CLI_H
#define ANOMON_CLI_H

#include <stddef.h>

/* Options every command takes: -v/-q and --plugin-dir. */
struct cli_common {
	const char **plugin_dirs;
	size_t n_plugin_dirs;
};

int cmd_run(int argc, char **argv);      /* run, validate and record */
int cmd_plugins(int argc, char **argv);

/* Apply a common option; returns 1 if `opt` was one, 0 if not. */
int cli_common_option(struct cli_common *c, int opt, const char *arg);
void cli_common_free(struct cli_common *c);

/* The built-in default pipeline (pipelines/cpu.json at build time). */
extern const char cli_default_pipeline[];
extern const char cli_default_pipeline_name[];

#define CLI_COMMON_LONG_OPTIONS                                                              \
	{"plugin-dir", required_argument, NULL, 'P'}, {"verbose", no_argument, NULL, 'v'},   \
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},         \
		{"allow-unsafe-plugins", no_argument, NULL, 'U'}

#define CLI_COMMON_HELP                                                                      \
	"  --plugin-dir DIR  also load plugins from DIR (a directory or one .so file);\n"    \
	"                    may be repeated; searched after the built-in plugins and\n"     \
	"                    $ANOMON_PLUGIN_PATH (colon-separated)\n"                        \
	"  --allow-unsafe-plugins  load plugins even from files or directories that\n"       \
	"                    users other than root (or you) could write\n"                  \
	"  -v, --verbose     more detail on stderr (-vv for debug)\n"                        \
	"  -q, --quiet       errors only\n"                                                  \
	"  -h, --help        this help\n"

#endif

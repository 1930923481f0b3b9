#include <stdlib.h>

#include "anomon_plugin.h"
#include "cli.h"
#include "loader.h"
#include "log.h"

int cli_common_option(struct cli_common *c, int opt, const char *arg)
{
	switch (opt) {
	case 'P': {
		const char **nd = realloc(c->plugin_dirs, (c->n_plugin_dirs + 1) * sizeof(*nd));
		if (!nd)
			return 1;
		c->plugin_dirs = nd;
		c->plugin_dirs[c->n_plugin_dirs++] = arg;
		return 1;
	}
	case 'v':
		if (log_verbosity < ANOMON_LOG_DEBUG)
			log_verbosity++;
		return 1;
	case 'q':
		log_verbosity = ANOMON_LOG_ERROR;
		return 1;
	case 'U':
		loader_allow_unsafe = true;
		return 1;
	}
	return 0;
}

void cli_common_free(struct cli_common *c)
{
	free(c->plugin_dirs);
	c->plugin_dirs = NULL;
	c->n_plugin_dirs = 0;
}

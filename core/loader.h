/* Finding, opening and checking plugin shared objects. */
#ifndef ANOMON_LOADER_H
#define ANOMON_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "anomon_plugin.h"

struct plugin_info {
	const struct anomon_plugin *desc;
	/* The plugin's parameters followed by the host's common ones (containers_only, include,
	 * exclude for collectors and features); NULL-name-terminated. */
	const struct anomon_param *params;
	char *path;     /* the .so it came from */
	void *handle;   /* dlopen handle */
};

struct loader;

/* Load plugins from files or directories that others could write to (--allow-unsafe-plugins).
 * Off by default: anomon runs as root, and a plugin runs with its privileges. */
extern bool loader_allow_unsafe;

/*
 * Scan the plugin search path: each of extra (a directory or a .so file, from --plugin-dir),
 * then $ANOMON_PLUGIN_PATH (colon-separated), the build tree when this binary runs from it,
 * and the install directory. Every file refused is reported on stderr with one line naming it
 * and the reason. Returns NULL only on allocation failure.
 */
struct loader *loader_open(const char *const *extra, size_t n_extra);
/* Number of files refused while scanning. */
size_t loader_refused(const struct loader *l);
const struct plugin_info *loader_find(const struct loader *l, const char *name);
size_t loader_count(const struct loader *l);
const struct plugin_info *loader_at(const struct loader *l, size_t i);
void loader_close(struct loader *l);

const char *loader_kind_name(enum anomon_kind kind);

/* The parameters the host adds to every collector and feature. */
extern const struct anomon_param loader_common_params[];

#endif

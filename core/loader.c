#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "log.h"
#include "params.h"
#include "paths.h"
#include "sink_gate.h"

struct loader {
	struct plugin_info *plugins;
	size_t n, cap;
	size_t refused;
};

const char *loader_kind_name(enum anomon_kind kind)
{
	switch (kind) {
	case ANOMON_KIND_COLLECTOR: return "collector";
	case ANOMON_KIND_FEATURE: return "feature";
	case ANOMON_KIND_MODEL: return "model";
	case ANOMON_KIND_SINK: return "sink";
	}
	return "unknown";
}

static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Parameter names appear in "--set STAGE.NAME=VALUE", so no '.', '=' or ','. */
static bool valid_param_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static bool nonempty_list(const char *const *l)
{
	return l && l[0];
}

const struct anomon_param loader_common_params[] = {
	{"containers_only", ANOMON_PARAM_BOOL, "false", false,
	 "ignore events of the host and of cgroups that are not containers"},
	{"include", ANOMON_PARAM_LIST, "", false,
	 "only these containers: ids (12+ characters), names, \"host\", or cgroup path globs"},
	{"exclude", ANOMON_PARAM_LIST, "", false,
	 "never these containers (same forms as include)"},
	{NULL, 0, NULL, false, NULL},
};

/* What the host adds to a plugin's own parameters, by kind. */
static const struct anomon_param *reserved_params(enum anomon_kind kind)
{
	if (kind == ANOMON_KIND_COLLECTOR || kind == ANOMON_KIND_FEATURE)
		return loader_common_params;
	if (kind == ANOMON_KIND_SINK)
		return sink_gate_params;
	return NULL;
}

/* Everything the host relies on, checked before any plugin code runs. Writes the reason. */
static int check_descriptor(const struct anomon_plugin *d, char *why, size_t len)
{
	if (d->abi_major != ANOMON_ABI_MAJOR) {
		snprintf(why, len, "ABI major version %u, this anomon supports %u", d->abi_major,
			 ANOMON_ABI_MAJOR);
		return -1;
	}
	/* A plugin of our minor or older must have exactly our layout (we have one minor so
	 * far); a newer minor may only have appended fields, which we do not read. */
	if ((d->abi_minor <= ANOMON_ABI_MINOR && d->struct_size != sizeof(*d)) ||
	    (d->abi_minor > ANOMON_ABI_MINOR && d->struct_size < sizeof(*d))) {
		snprintf(why, len, "descriptor size %u, expected %zu for ABI %u.%u", d->struct_size,
			 sizeof(*d), d->abi_major, d->abi_minor);
		return -1;
	}
	if (d->kind < ANOMON_KIND_COLLECTOR || d->kind > ANOMON_KIND_SINK) {
		snprintf(why, len, "unknown plugin kind %d", (int)d->kind);
		return -1;
	}
	if (!valid_name(d->name)) {
		snprintf(why, len, "invalid plugin name (expected 1-64 characters of a-z 0-9 _ -)");
		return -1;
	}
	if (!d->version || !*d->version || !d->description || !*d->description) {
		snprintf(why, len, "plugin \"%s\" lacks a version or description", d->name);
		return -1;
	}
	if (!d->init || !d->destroy) {
		snprintf(why, len, "plugin \"%s\" lacks the required init or destroy callback", d->name);
		return -1;
	}
	const char *missing = NULL;
	switch (d->kind) {
	case ANOMON_KIND_COLLECTOR:
		if (!nonempty_list(d->produces))
			missing = "a produces list";
		break;
	case ANOMON_KIND_FEATURE:
		if (!nonempty_list(d->consumes))
			missing = "a consumes list";
		else if (!d->on_event)
			missing = "on_event";
		break;
	case ANOMON_KIND_MODEL:
		if (!d->on_vector)
			missing = "on_vector";
		break;
	case ANOMON_KIND_SINK:
		if (!d->on_event && !d->on_vector && !d->on_verdict)
			missing = "a data callback (on_event, on_vector or on_verdict)";
		break;
	}
	if (missing) {
		snprintf(why, len, "%s plugin \"%s\" lacks %s", loader_kind_name(d->kind), d->name,
			 missing);
		return -1;
	}
	if ((d->fit || d->score || d->save || d->free_model) &&
	    !(d->fit && d->score && d->save && d->free_model)) {
		snprintf(why, len, "plugin \"%s\" has only some of fit, score, save, free_model", d->name);
		return -1;
	}
	size_t n = param_table_len(d->params);
	for (size_t i = 0; i < n; i++) {
		const struct anomon_param *p = &d->params[i];
		if (!valid_param_name(p->name)) {
			snprintf(why, len, "parameter %zu of \"%s\" has an invalid name (expected "
				 "1-64 characters of A-Z a-z 0-9 _)", i, d->name);
			return -1;
		}
		if (p->type < ANOMON_PARAM_STRING || p->type > ANOMON_PARAM_PATH) {
			snprintf(why, len, "parameter \"%s\" of \"%s\" has an unknown type %d", p->name,
				 d->name, (int)p->type);
			return -1;
		}
		const struct anomon_param *reserved = reserved_params(d->kind);
		for (size_t j = 0; reserved && reserved[j].name; j++) {
			if (strcmp(reserved[j].name, p->name) == 0) {
				snprintf(why, len, "parameter \"%s\" of \"%s\" is one the host provides "
					 "to every %s", p->name, d->name, loader_kind_name(d->kind));
				return -1;
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->params[j].name, p->name) == 0) {
				snprintf(why, len, "parameter \"%s\" of \"%s\" is declared twice", p->name,
					 d->name);
				return -1;
			}
		}
	}
	struct param_values pv;
	char err[256];
	if (params_init(&pv, d->params, err, sizeof(err)) < 0) {
		snprintf(why, len, "plugin \"%s\": %s", d->name, err);
		return -1;
	}
	params_free(&pv);
	return 0;
}

/* The table a stage of this plugin is checked against: its own, then the common ones. */
static struct anomon_param *full_table(const struct anomon_plugin *d)
{
	size_t n = param_table_len(d->params);
	const struct anomon_param *extra = reserved_params(d->kind);
	size_t nc = param_table_len(extra);
	struct anomon_param *t = calloc(n + nc + 1, sizeof(*t));
	if (!t)
		return NULL;
	if (n)
		memcpy(t, d->params, n * sizeof(*t));
	if (nc)
		memcpy(t + n, extra, nc * sizeof(*t));
	return t;
}

bool loader_allow_unsafe;

/* Why `path` could be replaced by another user, or NULL. The plugin and the directory
 * holding it must belong to root (or to us) and be writable by nobody else (group root
 * aside); directories must not be writable by others unless sticky (like /tmp).
 * Group-writable ancestors are tolerated: Debian's /usr/local is group staff by policy. */
static const char *unsafe_reason(const char *path, char *why, size_t len)
{
	char buf[PATH_MAX];
	if (!realpath(path, buf))
		return NULL; /* dlopen will say what is wrong with it */
	uid_t me = geteuid();
	for (int depth = 0;; depth++) {
		struct stat st;
		if (stat(buf, &st) < 0)
			return NULL;
		bool near = depth < 2; /* the file and its directory */
		bool writable = (st.st_mode & S_IWOTH) ||
				(near && (st.st_mode & S_IWGRP) && st.st_gid != 0);
		if (st.st_uid != 0 && st.st_uid != me) {
			snprintf(why, len, "%s belongs to uid %u, neither root nor us", buf,
				 (unsigned)st.st_uid);
			return why;
		}
		/* In a sticky directory (like /tmp) nobody else can rename or remove our file. */
		if (writable && (depth == 0 || !(st.st_mode & S_ISVTX))) {
			snprintf(why, len, "%s is writable by other users (mode %04o)", buf,
				 (unsigned)(st.st_mode & 07777));
			return why;
		}
		char *slash = strrchr(buf, '/');
		if (!slash)
			break;
		if (slash == buf) {
			if (!buf[1])
				break;
			buf[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
	return NULL;
}

static void refuse(struct loader *l, const char *path, const char *fmt, const char *why)
{
	log_error(fmt, path, why);
	l->refused++;
}

static void load_file(struct loader *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->plugins[i].path, path) == 0)
			return; /* the same file reached twice through the search path */
	char unsafe[PATH_MAX + 128];
	if (!loader_allow_unsafe && unsafe_reason(path, unsafe, sizeof(unsafe))) {
		log_error("%s: plugin refused: %s; fix the permissions, or pass "
			  "--allow-unsafe-plugins", path, unsafe);
		l->refused++;
		return;
	}
	dlerror();
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		log_error("%s: cannot load plugin: %s (run \"ldd %s\" to see missing libraries)", path,
			  e ? e : "unknown error", path);
		dlerror(); /* glibc frees the message at the next call */
		l->refused++;
		return;
	}
	const struct anomon_plugin *d = dlsym(h, ANOMON_PLUGIN_SYMBOL);
	if (!d) {
		refuse(l, path, "%s: not an anomon plugin (%s)", "no " ANOMON_PLUGIN_SYMBOL " symbol");
		dlclose(h);
		return;
	}
	char why[512];
	if (check_descriptor(d, why, sizeof(why)) < 0) {
		refuse(l, path, "%s: plugin refused: %s", why);
		dlclose(h);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->plugins[i].desc->name, d->name) == 0) {
			snprintf(why, sizeof(why), "duplicate plugin name \"%s\" (already loaded from %s)",
				 d->name, l->plugins[i].path);
			refuse(l, path, "%s: plugin refused: %s", why);
			dlclose(h);
			return;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct plugin_info *np = realloc(l->plugins, cap * sizeof(*np));
		if (!np) {
			dlclose(h);
			return;
		}
		l->plugins = np;
		l->cap = cap;
	}
	struct anomon_param *table = full_table(d);
	if (!table) {
		dlclose(h);
		return;
	}
	l->plugins[l->n++] = (struct plugin_info){.desc = d, .params = table, .path = strdup(path),
						  .handle = h};
	log_debug("loaded plugin %s %s from %s", d->name, d->version, path);
}

static int so_filter(const struct dirent *e)
{
	size_t len = strlen(e->d_name);
	return e->d_name[0] != '.' && (len <= 3 || strcmp(e->d_name + len - 3, ".so") == 0 ||
				       e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
}

static void scan_dir(struct loader *l, const char *dir, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, so_filter, alphasort);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		struct stat st;
		size_t len = strlen(ents[i]->d_name);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (depth > 0)
					scan_dir(l, path, depth - 1);
			} else if (S_ISREG(st.st_mode) && len > 3 &&
				   strcmp(ents[i]->d_name + len - 3, ".so") == 0) {
				load_file(l, path);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

/* `must_exist`: the user named this entry (--plugin-dir), so its absence is an error. */
static void add_entry(struct loader *l, const char *entry, int depth, bool must_exist)
{
	struct stat st;
	if (stat(entry, &st) < 0) {
		if (must_exist) {
			log_error("--plugin-dir %s: %s", entry, strerror(errno));
			l->refused++;
		} else {
			log_debug("plugin path %s: %s", entry, strerror(errno));
		}
		return;
	}
	if (S_ISDIR(st.st_mode))
		scan_dir(l, entry, depth);
	else
		load_file(l, entry);
}

struct loader *loader_open(const char *const *extra, size_t n_extra)
{
	struct loader *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	if (paths_in_build_tree())
		add_entry(l, ANOMON_BUILD_ROOT "/plugins", 3, false);
	else
		add_entry(l, ANOMON_PLUGIN_DIR, 0, false);
	const char *env = getenv("ANOMON_PLUGIN_PATH");
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;
		for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			add_entry(l, tok, 0, false);
		free(copy);
	}
	for (size_t i = 0; i < n_extra; i++)
		add_entry(l, extra[i], 0, true);
	return l;
}

size_t loader_refused(const struct loader *l)
{
	return l->refused;
}

const struct plugin_info *loader_find(const struct loader *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->plugins[i].desc->name, name) == 0)
			return &l->plugins[i];
	return NULL;
}

size_t loader_count(const struct loader *l)
{
	return l->n;
}

const struct plugin_info *loader_at(const struct loader *l, size_t i)
{
	return i < l->n ? &l->plugins[i] : NULL;
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		/* Leave the code mapped under sanitizers so leak reports can name plugin frames. */
#if !defined(__SANITIZE_ADDRESS__)
		dlclose(l->plugins[i].handle);
#endif
		free(l->plugins[i].path);
		free((void *)l->plugins[i].params);
	}
	free(l->plugins);
	free(l);
}

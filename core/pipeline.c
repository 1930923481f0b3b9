#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filter.h"
#include "json_locate.h"
#include "sink_gate.h"
#include "log.h"
#include "pipeline.h"
#include "stage.h"
#include "suggest.h"

const char *const pipeline_group_names[PIPELINE_GROUPS] = {"collectors", "features", "models",
							  "sinks"};
static const enum anomon_kind group_kinds[PIPELINE_GROUPS] = {
	ANOMON_KIND_COLLECTOR, ANOMON_KIND_FEATURE, ANOMON_KIND_MODEL, ANOMON_KIND_SINK};

/* Report "FILE:LINE:COL: PATH: message", the position found by rescanning the text. */
static void pl_verror(const struct pipeline *pl, const struct jpath_elem *path, size_t depth,
		      bool at_key, const char *label, const char *fmt, va_list ap)
{
	char where[256] = "", msg[1024];
	size_t off = 0;
	for (size_t i = 0; i < depth && off < sizeof(where); i++) {
		if (path[i].key)
			off += (size_t)snprintf(where + off, sizeof(where) - off, "%s%s", i ? "." : "",
						path[i].key);
		else
			off += (size_t)snprintf(where + off, sizeof(where) - off, "[%zu]", path[i].index);
	}
	if (label && off < sizeof(where))
		snprintf(where + off, sizeof(where) - off, " (%s)", label);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	int line, col;
	if (pl->text && json_locate(pl->text, pl->text_len, path, depth, at_key, &line, &col) == 0)
		log_error("%s:%d:%d: %s%s%s", pl->file, line, col, where, *where ? ": " : "", msg);
	else
		log_error("%s: %s%s%s", pl->file, where, *where ? ": " : "", msg);
}

static void pl_error(const struct pipeline *pl, const struct jpath_elem *path, size_t depth,
		     bool at_key, const char *fmt, ...) ANOMON_PRINTF(5, 6);

static void pl_error(const struct pipeline *pl, const struct jpath_elem *path, size_t depth,
		     bool at_key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pl_verror(pl, path, depth, at_key, NULL, fmt, ap);
	va_end(ap);
}

static void unknown_key(const struct pipeline *pl, const struct jpath_elem *path, size_t depth,
			const char *const *allowed, size_t n)
{
	const char *key = path[depth - 1].key;
	const char *close = suggest_closest(key, allowed, n);
	char list[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < n && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", allowed[i]);
	if (close)
		pl_error(pl, path, depth, true, "unknown key \"%s\"; did you mean \"%s\"?", key, close);
	else
		pl_error(pl, path, depth, true, "unknown key \"%s\"; expected one of %s", key, list);
}

static void unknown_plugin(const struct pipeline *pl, const struct jpath_elem *path,
			   size_t depth, const char *name)
{
	size_t n = loader_count(pl->loader);
	const char **names = calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; names && i < n; i++)
		names[i] = loader_at(pl->loader, i)->desc->name;
	const char *close = names ? suggest_closest(name, names, n) : NULL;
	if (close)
		pl_error(pl, path, depth, false, "unknown plugin \"%s\"; did you mean \"%s\"?", name,
			 close);
	else
		pl_error(pl, path, depth, false,
			 "unknown plugin \"%s\"; \"anomon plugins list\" shows the plugins found", name);
	free(names);
}

static bool valid_stage_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

struct anomon_stage *pipeline_find_stage(struct pipeline *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->stages[i]->name && strcmp(pl->stages[i]->name, name) == 0)
			return pl->stages[i];
	return NULL;
}

static int add_stage(struct pipeline *pl, struct anomon_stage *s)
{
	struct anomon_stage **ns = realloc(pl->stages, (pl->n + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	pl->stages = ns;
	pl->stages[pl->n++] = s;
	return 0;
}

/* A fresh stage of plugin p with default parameters; NULL if a default is broken, which the
 * loader has already ruled out. */
static struct anomon_stage *stage_new(struct pipeline *pl, const struct plugin_info *p,
				      int group, size_t index)
{
	struct anomon_stage *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pl = pl;
	s->plugin = p;
	s->desc = p->desc;
	if (stage_params_init(s) < 0) {
		params_free(&s->params);
		free(s);
		return NULL;
	}
	s->group = group;
	s->index = index;
	if (group >= 0)
		snprintf(s->where, sizeof(s->where), "%s[%zu]", pipeline_group_names[group], index);
	return s;
}

/* Default names are the plugin's; a second stage of the same plugin becomes NAME-2. */
static char *unique_name(struct pipeline *pl, const char *base)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%s", base);
	for (int k = 2; pipeline_find_stage(pl, buf); k++)
		snprintf(buf, sizeof(buf), "%s-%d", base, k);
	return strdup(buf);
}

static int parse_params(struct pipeline *pl, struct anomon_stage *s, json_t *params,
			struct jpath_elem *path)
{
	int bad = 0;
	if (!json_is_object(params)) {
		pl_error(pl, path, 3, false, "expected object of parameters, got %s", param_json_type_name(params));
		return -1;
	}
	const char *key;
	json_t *val;
	json_object_foreach(params, key, val) {
		path[3] = (struct jpath_elem){.key = key};
		struct param_value *pv = params_find(&s->params, key);
		char err[512];
		if (!pv) {
			params_unknown_message(s->plugin->params, s->desc->name, key, err, sizeof(err));
			pl_error(pl, path, 4, true, "%s", err);
			bad = -1;
			continue;
		}
		pv->set = true;
		if (param_set_json(pv, val, err, sizeof(err)) < 0) {
			pl_error(pl, path, 4, false, "%s", err);
			bad = -1;
		} else if (param_resolve_path(pv, pl->base_dir) < 0) {
			bad = -1;
		}
	}
	return bad;
}

static int parse_stage(struct pipeline *pl, int g, size_t i, json_t *obj)
{
	static const char *const keys[] = {"plugin", "name", "params", "inputs"};
	struct jpath_elem path[4] = {{.key = pipeline_group_names[g]}, {.index = i}};
	if (!json_is_object(obj)) {
		pl_error(pl, path, 2, false, "expected object with \"plugin\", got %s", param_json_type_name(obj));
		return -1;
	}
	int bad = 0;
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		bool known = false;
		for (size_t k = 0; k < 4; k++)
			known |= strcmp(key, keys[k]) == 0;
		if (!known) {
			path[2] = (struct jpath_elem){.key = key};
			unknown_key(pl, path, 3, keys, 4);
			bad = -1;
		}
	}
	json_t *plugin = json_object_get(obj, "plugin");
	path[2] = (struct jpath_elem){.key = "plugin"};
	if (!plugin) {
		pl_error(pl, path, 2, false, "missing \"plugin\": the name of the %s to run",
			 loader_kind_name(group_kinds[g]));
		return -1;
	}
	if (!json_is_string(plugin)) {
		pl_error(pl, path, 3, false, "expected plugin name (string), got %s", param_json_type_name(plugin));
		return -1;
	}
	const struct plugin_info *p = loader_find(pl->loader, json_string_value(plugin));
	if (!p) {
		unknown_plugin(pl, path, 3, json_string_value(plugin));
		return -1;
	}
	if (p->desc->kind != group_kinds[g]) {
		pl_error(pl, path, 3, false, "\"%s\" is a %s plugin, not a %s", p->desc->name,
			 loader_kind_name(p->desc->kind), loader_kind_name(group_kinds[g]));
		return -1;
	}
	struct anomon_stage *s = stage_new(pl, p, g, i);
	if (!s || add_stage(pl, s) < 0) {
		free(s);
		return -1;
	}
	json_t *name = json_object_get(obj, "name");
	if (name) {
		path[2] = (struct jpath_elem){.key = "name"};
		if (!json_is_string(name) || !valid_stage_name(json_string_value(name))) {
			pl_error(pl, path, 3, false, "expected a stage name of letters, digits, _ and -");
			bad = -1;
		} else if (pipeline_find_stage(pl, json_string_value(name))) {
			pl_error(pl, path, 3, false, "another stage is already named \"%s\"",
				 json_string_value(name));
			bad = -1;
		} else {
			s->name = strdup(json_string_value(name));
		}
	}
	if (!s->name)
		s->name = unique_name(pl, p->desc->name);
	json_t *params = json_object_get(obj, "params");
	if (params) {
		path[2] = (struct jpath_elem){.key = "params"};
		if (parse_params(pl, s, params, path) < 0)
			bad = -1;
	}
	json_t *inputs = json_object_get(obj, "inputs");
	if (inputs) {
		path[2] = (struct jpath_elem){.key = "inputs"};
		size_t k;
		json_t *item;
		if (!json_is_array(inputs)) {
			pl_error(pl, path, 3, false, "expected list of stage names, got %s",
				 param_json_type_name(inputs));
			return -1;
		}
		s->explicit_inputs = true;
		s->input_names = calloc(json_array_size(inputs) + 1, sizeof(char *));
		json_array_foreach(inputs, k, item) {
			if (!json_is_string(item)) {
				path[3] = (struct jpath_elem){.index = k};
				pl_error(pl, path, 4, false, "expected stage name (string), got %s",
					 param_json_type_name(item));
				bad = -1;
				continue;
			}
			s->input_names[s->n_input_names++] = strdup(json_string_value(item));
		}
	}
	return bad;
}

static bool blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]))
			return false;
	return true;
}

struct pipeline *pipeline_parse(const char *file, const char *base_dir, const char *text,
				size_t len, struct loader *loader)
{
	static const char *const top_keys[] = {"name", "description", "collectors", "features",
					       "models", "sinks"};
	struct pipeline *pl = calloc(1, sizeof(*pl));
	if (!pl)
		return NULL;
	pl->file = strdup(file);
	pl->loader = loader;
	pl->base_dir = base_dir ? strdup(base_dir) : NULL;
	pl->text = malloc(len + 1);
	if (!pl->file || !pl->text) {
		pipeline_free(pl);
		return NULL;
	}
	memcpy(pl->text, text, len);
	pl->text[len] = '\0';
	pl->text_len = len;
	if (blank(text, len)) {
		log_error("%s: empty file; expected a JSON object with \"collectors\" and \"sinks\"",
			  file);
		pipeline_free(pl);
		return NULL;
	}
	json_error_t e;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		log_error("%s:%d:%d: invalid JSON: %s", file, e.line, e.column, e.text);
		pipeline_free(pl);
		return NULL;
	}
	int bad = 0;
	if (!json_is_object(root)) {
		log_error("%s:1:1: expected a JSON object with \"collectors\" and \"sinks\", got %s",
			  file, param_json_type_name(root));
		bad = -1;
		goto out;
	}
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		struct jpath_elem path[1] = {{.key = key}};
		bool known = false;
		for (size_t k = 0; k < 6; k++)
			known |= strcmp(key, top_keys[k]) == 0;
		if (!known) {
			unknown_key(pl, path, 1, top_keys, 6);
			bad = -1;
		}
	}
	for (int g = 0; g < PIPELINE_GROUPS; g++) {
		json_t *arr = json_object_get(root, pipeline_group_names[g]);
		struct jpath_elem path[1] = {{.key = pipeline_group_names[g]}};
		if (!arr)
			continue;
		if (!json_is_array(arr)) {
			pl_error(pl, path, 1, false, "expected list of stages, got %s", param_json_type_name(arr));
			bad = -1;
			continue;
		}
		size_t i;
		json_t *item;
		json_array_foreach(arr, i, item)
			if (parse_stage(pl, g, i, item) < 0)
				bad = -1;
	}
	json_t *name = json_object_get(root, "name");
	if (json_is_string(name)) {
		pl->name = strdup(json_string_value(name));
	} else {
		const char *slash = strrchr(file, '/');
		const char *base = slash ? slash + 1 : file;
		const char *dot = strrchr(base, '.');
		pl->name = strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
	}
	for (size_t k = 0; k < 2; k++) {
		json_t *v = json_object_get(root, top_keys[k]);
		struct jpath_elem path[1] = {{.key = top_keys[k]}};
		if (v && !json_is_string(v)) {
			pl_error(pl, path, 1, false, "expected string, got %s", param_json_type_name(v));
			bad = -1;
		}
	}
out:
	json_decref(root);
	if (bad) {
		pipeline_free(pl);
		return NULL;
	}
	return pl;
}

struct pipeline *pipeline_load(const char *file, struct loader *loader)
{
	struct stat st;
	if (stat(file, &st) < 0) {
		log_error("%s: cannot read pipeline: %s", file, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory; expected a pipeline JSON file", file);
		return NULL;
	}
	FILE *f = fopen(file, "rb");
	if (!f) {
		log_error("%s: cannot read pipeline: %s", file, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? 2 * cap : 8192;
			if (cap > (64u << 20)) {
				log_error("%s: larger than 64 MiB; not a pipeline", file);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	bool err = ferror(f);
	fclose(f);
	if (err) {
		log_error("%s: cannot read pipeline: %s", file, strerror(errno));
		free(buf);
		return NULL;
	}
	char *copy = strdup(file);
	char *slash = copy ? strrchr(copy, '/') : NULL;
	const char *dir = !copy ? NULL : !slash ? "." : slash == copy ? "/" : (*slash = '\0', copy);
	struct pipeline *pl = pipeline_parse(file, dir, buf ? buf : "", len, loader);
	free(copy);
	free(buf);
	return pl;
}

static void stage_names_list(struct pipeline *pl, char *out, size_t cap)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < pl->n && off < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? ", " : "", pl->stages[i]->name);
}

static const char *closest_stage(struct pipeline *pl, const char *name)
{
	const char *names[256];
	size_t n = pl->n < 256 ? pl->n : 256;
	for (size_t i = 0; i < n; i++)
		names[i] = pl->stages[i]->name;
	return suggest_closest(name, names, n);
}

int pipeline_apply_sets(struct pipeline *pl, const char *const *sets, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(sets[i], '.');
		const char *eq = strchr(sets[i], '=');
		if (!dot || !eq || dot > eq || dot == sets[i]) {
			log_error("--set %s: expected STAGE.PARAM=VALUE", sets[i]);
			bad = -EINVAL;
			continue;
		}
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(dot - sets[i]), sets[i]);
		struct anomon_stage *s = pipeline_find_stage(pl, name);
		if (!s) {
			const char *close = closest_stage(pl, name);
			char list[512];
			stage_names_list(pl, list, sizeof(list));
			if (close)
				log_error("--set %s: no stage named \"%s\"; did you mean \"%s\"?", sets[i],
					  name, close);
			else
				log_error("--set %s: no stage named \"%s\"; the stages are %s", sets[i],
					  name, list);
			bad = -EINVAL;
			continue;
		}
		if (stage_set_assignment(s, dot + 1, sets[i], "--set") < 0)
			bad = -EINVAL;
	}
	return bad;
}

int pipeline_append(struct pipeline *pl, const char *plugin, const char *const *params,
		    size_t n, const char *origin)
{
	const struct plugin_info *p = loader_find(pl->loader, plugin);
	if (!p) {
		log_error("%s: plugin \"%s\" not found", origin, plugin);
		return -ENOENT;
	}
	int g = (int)p->desc->kind - 1;
	size_t index = 0;
	for (size_t i = 0; i < pl->n; i++)
		index += pl->stages[i]->group == g;
	struct anomon_stage *s = stage_new(pl, p, g, index);
	if (!s || add_stage(pl, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	s->name = unique_name(pl, plugin);
	/* Keep the groups in order: move the new stage after the last of its group. */
	size_t pos = pl->n - 1;
	while (pos > 0 && pl->stages[pos - 1]->group > g) {
		pl->stages[pos] = pl->stages[pos - 1];
		pos--;
	}
	pl->stages[pos] = s;
	for (size_t i = 0; i < n; i++)
		if (stage_set_assignment(s, params[i], params[i], origin) < 0)
			return -EINVAL;
	return 0;
}

static int link_input(struct anomon_stage *s, struct anomon_stage *in)
{
	struct anomon_stage **a = realloc(s->inputs, (s->n_inputs + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	s->inputs = a;
	s->inputs[s->n_inputs++] = in;
	struct anomon_stage **b = realloc(in->outputs, (in->n_outputs + 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	in->outputs = b;
	in->outputs[in->n_outputs++] = s;
	return 0;
}

bool stage_accepts_event(const struct anomon_stage *s, const char *type)
{
	if (s->desc->kind == ANOMON_KIND_SINK)
		return s->desc->on_event != NULL;
	if (s->desc->kind != ANOMON_KIND_FEATURE)
		return false;
	for (const char *const *c = s->desc->consumes; *c; c++)
		if (strcmp(*c, "*") == 0 || strcmp(*c, type) == 0)
			return true;
	return false;
}

static void join_list(const char *const *l, char *out, size_t cap)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; l && l[i] && off < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? ", " : "", l[i]);
}

/* Whether in can feed s, and why not. */
static bool compatible(const struct anomon_stage *s, const struct anomon_stage *in, char *why,
		       size_t cap)
{
	const struct anomon_plugin *d = s->desc, *id = in->desc;
	char prod[256], cons[256];
	if (id->kind == ANOMON_KIND_SINK) {
		snprintf(why, cap, "\"%s\" is a sink and produces nothing", in->name);
		return false;
	}
	switch (d->kind) {
	case ANOMON_KIND_COLLECTOR:
		snprintf(why, cap, "collectors take no inputs");
		return false;
	case ANOMON_KIND_FEATURE:
		if (id->kind != ANOMON_KIND_COLLECTOR) {
			snprintf(why, cap, "\"%s\" is a %s; features read events from collectors",
				 in->name, loader_kind_name(id->kind));
			return false;
		}
		for (const char *const *t = id->produces; *t; t++)
			if (stage_accepts_event(s, *t))
				return true;
		join_list(id->produces, prod, sizeof(prod));
		join_list(d->consumes, cons, sizeof(cons));
		snprintf(why, cap, "input \"%s\" produces %s events, but %s consumes only %s", in->name,
			 prod, d->name, cons);
		return false;
	case ANOMON_KIND_MODEL:
		if (id->kind != ANOMON_KIND_FEATURE) {
			snprintf(why, cap, "\"%s\" is a %s; models read feature vectors from features",
				 in->name, loader_kind_name(id->kind));
			return false;
		}
		return true;
	case ANOMON_KIND_SINK: {
		bool ok = (id->kind == ANOMON_KIND_COLLECTOR && d->on_event) ||
			  (id->kind == ANOMON_KIND_FEATURE && d->on_vector) ||
			  (id->kind == ANOMON_KIND_MODEL && d->on_verdict);
		if (!ok) {
			static const char *const what[] = {"", "events", "feature vectors", "verdicts"};
			snprintf(why, cap, "input \"%s\" produces %s, which sink %s does not take",
				 in->name, what[id->kind], d->name);
		}
		return ok;
	}
	}
	return false;
}

static void stage_error_at(struct pipeline *pl, struct anomon_stage *s, bool at_inputs,
			   const char *fmt, ...) ANOMON_PRINTF(4, 5);

/* "FILE:L:C: sinks[0] (stdout): message" — the stage's place, then its name. */
static void stage_error_at(struct pipeline *pl, struct anomon_stage *s, bool at_inputs,
			   const char *fmt, ...)
{
	struct jpath_elem path[3] = {{.key = pipeline_group_names[s->group]}, {.index = s->index},
				     {.key = "inputs"}};
	va_list ap;
	va_start(ap, fmt);
	pl_verror(pl, path, at_inputs ? 3 : 2, false, s->name, fmt, ap);
	va_end(ap);
}

static int check_required(struct pipeline *pl, struct anomon_stage *s)
{
	int bad = 0;
	for (size_t i = 0; i < s->params.n; i++) {
		const struct param_value *pv = &s->params.v[i];
		if (pv->spec->required && !pv->set) {
			stage_error_at(pl, s, false,
				       "missing required parameter \"%s\" (%s); set it in \"params\" "
				       "or with --set %s.%s=VALUE",
				       pv->spec->name, param_type_name(pv->spec->type), s->name,
				       pv->spec->name);
			bad = -EINVAL;
		}
	}
	return bad;
}

int pipeline_wire(struct pipeline *pl)
{
	int bad = 0;
	size_t count[PIPELINE_GROUPS] = {0};
	for (size_t i = 0; i < pl->n; i++)
		count[pl->stages[i]->group]++;
	if (count[0] == 0) {
		log_error("%s: no collectors; a pipeline needs at least one stage in \"collectors\"",
			  pl->file);
		return -EINVAL;
	}
	if (count[3] == 0) {
		log_error("%s: no sinks; add one to \"sinks\", e.g. {\"plugin\": \"stdout\"}", pl->file);
		return -EINVAL;
	}
	for (size_t i = 0; i < pl->n; i++) {
		struct anomon_stage *s = pl->stages[i];
		if (check_required(pl, s) < 0)
			bad = -EINVAL;
		char why[768];
		if (s->explicit_inputs) {
			if (s->group == 0 && s->n_input_names) {
				stage_error_at(pl, s, true, "%s", "collectors take no inputs");
				bad = -EINVAL;
				continue;
			}
			for (size_t k = 0; k < s->n_input_names; k++) {
				struct anomon_stage *in = pipeline_find_stage(pl, s->input_names[k]);
				if (!in || in == s) {
					const char *close = in ? NULL : closest_stage(pl, s->input_names[k]);
					if (in)
						snprintf(why, sizeof(why), "a stage cannot read its own output");
					else if (close)
						snprintf(why, sizeof(why),
							 "no stage named \"%s\"; did you mean \"%s\"?",
							 s->input_names[k], close);
					else
						snprintf(why, sizeof(why), "no stage named \"%s\"",
							 s->input_names[k]);
					stage_error_at(pl, s, true, "%s", why);
					bad = -EINVAL;
				} else if (!compatible(s, in, why, sizeof(why))) {
					stage_error_at(pl, s, true, "%s", why);
					bad = -EINVAL;
				} else if (link_input(s, in) < 0) {
					return -ENOMEM;
				}
			}
		} else if (s->group > 0) {
			/* Default: the previous group; sinks take the last non-empty group. */
			int from = s->group - 1;
			if (s->group == 3)
				while (from > 0 && count[from] == 0)
					from--;
			for (size_t k = 0; k < pl->n; k++) {
				struct anomon_stage *in = pl->stages[k];
				if (in->group != from)
					continue;
				if (!compatible(s, in, why, sizeof(why))) {
					stage_error_at(pl, s, false, "%s", why);
					bad = -EINVAL;
				} else if (link_input(s, in) < 0) {
					return -ENOMEM;
				}
			}
		}
		if (s->group > 0 && s->n_inputs == 0 && !bad) {
			static const char *const feeders[] = {"", "collector", "feature", "other"};
			if (s->explicit_inputs)
				stage_error_at(pl, s, true, "nothing to read from: the list is empty");
			else
				stage_error_at(pl, s, false, "nothing to read from: no %s stage feeds it",
					       feeders[s->group]);
			bad = -EINVAL;
		}
	}
	return bad;
}

void pipeline_stage_free(struct anomon_stage *s)
{
	if (!s)
		return;
	params_free(&s->params);
	for (size_t k = 0; k < s->n_input_names; k++)
		free(s->input_names[k]);
	free(s->input_names);
	for (size_t k = 0; k < s->n_schema; k++)
		free(s->schema[k]);
	free(s->schema);
	free(s->inputs);
	free(s->outputs);
	free(s->error);
	free(s->name);
	filter_free(s);
	sink_gate_free(s);
	free(s);
}

void pipeline_free(struct pipeline *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		pipeline_stage_free(pl->stages[i]);
	free(pl->stages);
	free(pl->name);
	free(pl->text);
	free(pl->file);
	free(pl->base_dir);
	free(pl);
}

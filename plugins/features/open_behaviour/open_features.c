// SPDX-License-Identifier: MIT
/* open_features: the feature vector of a window of opens (see the header). */
#include "open_features.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stat_names[OF_STATS] = {
	"open_count", "open_rate", "open_fail_ratio", "open_enoent_ratio",
	"open_eacces_ratio", "open_other_fail_ratio", "open_paths_ratio", "open_dirs_ratio",
	"open_procs", "open_comms", "open_write_ratio", "open_creat_ratio",
	"open_trunc_ratio", "open_sensitive", "open_sensitive_ratio", "open_relative_ratio",
	"open_path_len", "open_path_depth",
};

int of_names(const struct of_config *c, char **names)
{
	size_t n = of_nfeatures(c);

	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		int rc = i < OF_STATS ? asprintf(&names[i], "%s", stat_names[i])
				      : asprintf(&names[i], "open_tok_%zu", i - OF_STATS);
		if (rc < 0) {
			names[i] = NULL; /* asprintf leaves it undefined on failure */
			of_names_free(c, names);
			return -ENOMEM;
		}
	}
	return 0;
}

void of_names_free(const struct of_config *c, char **names)
{
	for (size_t i = 0; i < of_nfeatures(c); i++) {
		free(names[i]);
		names[i] = NULL;
	}
}

int of_acc_init(struct of_acc *a, const struct of_config *c)
{
	memset(a, 0, sizeof(*a));
	if (c->tokens > OF_MAX_TOKENS)
		return -EINVAL;
	if (c->tokens && !(a->tok = calloc(c->tokens, sizeof(*a->tok))))
		return -ENOMEM;
	return 0;
}

void of_acc_reset(struct of_acc *a, const struct of_config *c)
{
	struct hash_set sets[4] = {a->paths, a->dirs, a->pids, a->comms};
	double *tok = a->tok;

	for (int i = 0; i < 4; i++)
		hash_set_clear(&sets[i]);
	if (tok)
		memset(tok, 0, c->tokens * sizeof(*tok));
	memset(a, 0, sizeof(*a));
	a->paths = sets[0];
	a->dirs = sets[1];
	a->pids = sets[2];
	a->comms = sets[3];
	a->tok = tok;
}

void of_acc_fini(struct of_acc *a)
{
	hash_set_free(&a->paths);
	hash_set_free(&a->dirs);
	hash_set_free(&a->pids);
	hash_set_free(&a->comms);
	free(a->tok);
	a->tok = NULL;
}

static void byte_set(const char *s, size_t len, uint64_t set[4])
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		set[b >> 6] |= 1ull << (b & 63);
	}
}

bool of_is_sensitive(const struct of_config *c, const char *path)
{
	/* Which bytes the path holds: a literal with a byte the path lacks cannot be in it,
	 * which rules out most patterns for most paths without a string search. */
	uint64_t in_path[4] = {0};
	if (c->literals)
		byte_set(path, strlen(path), in_path);
	for (size_t i = 0; i < c->nsensitive; i++) {
		const struct of_literal *l = c->literals ? &c->literals[i] : NULL;
		if (l && l->text &&
		    ((l->bytes[0] & ~in_path[0]) | (l->bytes[1] & ~in_path[1]) |
		     (l->bytes[2] & ~in_path[2]) | (l->bytes[3] & ~in_path[3]) ||
		     (l->anchored ? strncmp(path, l->text, l->len) != 0 : !strstr(path, l->text))))
			continue;
		if (fnmatch(c->sensitive[i], path, 0) == 0)
			return true;
	}
	return false;
}

/* The longest run of ordinary characters before the first bracket expression or escape:
 * without FNM_PATHNAME, FNM_PERIOD or FNM_CASEFOLD such a run matches only itself, so a
 * matching path contains it. Brackets end the search, as their end is subtle to find. */
static void find_literal(const char *pat, struct of_literal *l)
{
	size_t best = 0, best_at = 0, run = 0;
	size_t i = 0;
	for (; pat[i] && pat[i] != '[' && pat[i] != '\\'; i++) {
		if (pat[i] == '*' || pat[i] == '?') {
			run = 0;
			continue;
		}
		if (++run > best) {
			best = run;
			best_at = i + 1 - run;
		}
	}
	l->len = best;
	l->anchored = best_at == 0;
	l->text = best ? strndup(pat + best_at, best) : NULL;
	byte_set(pat + best_at, best, l->bytes);
}

int of_sensitive_prepare(struct of_config *c)
{
	if (!c->nsensitive)
		return 0;
	c->literals = calloc(c->nsensitive, sizeof(*c->literals));
	if (!c->literals)
		return -ENOMEM;
	for (size_t i = 0; i < c->nsensitive; i++) {
		find_literal(c->sensitive[i], &c->literals[i]);
		if (c->literals[i].len && !c->literals[i].text) {
			of_sensitive_release(c);
			return -ENOMEM;
		}
	}
	return 0;
}

void of_sensitive_release(struct of_config *c)
{
	if (c->literals)
		for (size_t i = 0; i < c->nsensitive; i++)
			free(c->literals[i].text);
	free(c->literals);
	c->literals = NULL;
}

static bool is_letter(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

size_t of_tokens(const char *path, uint32_t width, void (*fn)(void *arg, uint32_t bucket),
		 void *arg)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)path;

	while (*p) {
		if (!is_letter(*p)) {
			p++;
			continue;
		}
		char tok[OF_TOKEN_MAX_LEN];
		size_t len = 0;
		for (; is_letter(*p); p++)
			if (len < sizeof(tok))
				tok[len++] = (char)(*p | 0x20); /* ASCII lower case */
		n++;
		if (width && fn)
			fn(arg, (uint32_t)(hash_bytes(tok, len) % width));
	}
	return n;
}

static void count_token(void *arg, uint32_t bucket)
{
	((double *)arg)[bucket] += 1.0;
}

/* Number of components: non-empty runs between slashes. */
static size_t depth_of(const char *path, size_t len)
{
	size_t d = 0;
	for (size_t i = 0; i < len; i++)
		if (path[i] != '/' && (i == 0 || path[i - 1] == '/'))
			d++;
	return d;
}

int of_add(struct of_acc *a, const struct of_config *c, const struct anomon_open *ev)
{
	const char *path = ev->path ? ev->path : "";
	size_t len = ev->path_len ? strnlen(path, ev->path_len) : strlen(path);
	const char *slash = memrchr(path, '/', len);
	/* The directory of a bare name is the one it was resolved against: unknown, so all
	 * bare names share the directory "". */
	size_t dlen = slash ? (size_t)(slash - path) + (slash == path) : 0;

	a->opens++;
	if (ev->fd < 0 || ev->err != 0) {
		a->failed++;
		if (ev->err == ENOENT)
			a->enoent++;
		else if (ev->err == EACCES || ev->err == EPERM)
			a->eacces++;
	}
	if (ev->present & ANOMON_OPEN_FLAGS) {
		int acc = ev->flags & O_ACCMODE;
		a->flagged++;
		a->writes += acc == O_WRONLY || acc == O_RDWR;
		a->creates += (ev->flags & O_CREAT) != 0;
		a->truncs += (ev->flags & O_TRUNC) != 0;
	}
	if (c->nsensitive && of_is_sensitive(c, path))
		a->sensitive++;
	a->relative += len > 0 && path[0] != '/';
	a->path_len += (double)len;
	a->depth += (double)depth_of(path, len);
	uint64_t dir_hash, path_hash = hash_bytes_and_prefix(path, len, dlen, &dir_hash);
	if (hash_set_add(&a->paths, path_hash) < 0 || hash_set_add(&a->dirs, dir_hash) < 0 ||
	    hash_set_add(&a->pids, hash_bytes(&ev->pid, sizeof(ev->pid))) < 0 ||
	    hash_set_add(&a->comms, hash_bytes(ev->comm, strnlen(ev->comm, ANOMON_COMM_LEN))) < 0)
		return -ENOMEM;
	if (c->tokens)
		of_tokens(path, c->tokens, count_token, a->tok);
	return 0;
}

void of_compute(const struct of_acc *a, const struct of_config *c, double seconds, double *out)
{
	double n = a->opens ? (double)a->opens : 1.0; /* an empty window gives zeros */
	size_t k = 0;

	out[k++] = (double)a->opens;
	out[k++] = seconds > 0 ? a->opens / seconds : 0.0;
	out[k++] = a->failed / n;
	out[k++] = a->enoent / n;
	out[k++] = a->eacces / n;
	out[k++] = (a->failed - a->enoent - a->eacces) / n;
	out[k++] = a->paths.n / n;
	out[k++] = a->dirs.n / n;
	out[k++] = (double)a->pids.n;
	out[k++] = (double)a->comms.n;
	out[k++] = a->writes / n;
	out[k++] = a->creates / n;
	out[k++] = a->truncs / n;
	out[k++] = (double)a->sensitive;
	out[k++] = a->sensitive / n;
	out[k++] = a->relative / n;
	out[k++] = a->path_len / n;
	out[k++] = a->depth / n;
	for (uint32_t i = 0; i < c->tokens; i++)
		out[k++] = a->tok[i] / n;
}

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

bool of_is_sensitive(const struct of_config *c, const char *path)
{
	for (size_t i = 0; i < c->nsensitive; i++)
		if (fnmatch(c->sensitive[i], path, 0) == 0)
			return true;
	return false;
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
	if (hash_set_add(&a->paths, hash_bytes(path, len)) < 0 ||
	    hash_set_add(&a->dirs, hash_bytes(path, dlen)) < 0 ||
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

/* SPDX-License-Identifier: MIT */
/*
 * open_features — the feature vector of the open() calls of one window.
 *
 * In order (ratios are over the window's opens; flag ratios count only opens whose flags
 * the collector knew, so a replayed bpftrace log, which has none, gives 0):
 *   open_count            opens in the window
 *   open_rate             opens per second
 *   open_fail_ratio       failed opens
 *   open_enoent_ratio     failed with ENOENT
 *   open_eacces_ratio     failed with EACCES or EPERM
 *   open_other_fail_ratio failed with another errno
 *   open_paths_ratio      distinct paths per open
 *   open_dirs_ratio       distinct directories per open
 *   open_procs            distinct processes (pids)
 *   open_comms            distinct command names
 *   open_write_ratio      opened for writing (O_WRONLY or O_RDWR)
 *   open_creat_ratio      with O_CREAT
 *   open_trunc_ratio      with O_TRUNC
 *   open_sensitive        opens of sensitive paths (patterns, see of_is_sensitive)
 *   open_sensitive_ratio  the same per open
 *   open_relative_ratio   relative paths (resolved against a directory fd or the cwd)
 *   open_path_len         mean path length in bytes
 *   open_path_depth       mean number of path components
 *   open_tok_0 .. open_tok_{W-1}  hashed path tokens per open (the hashing trick): a path
 *                         is cut into tokens at every character that is not a letter; each
 *                         token (lower-cased, at most 32 bytes) adds 1 to bucket
 *                         fnv1a(token) mod W. Digits never form tokens, so /proc/1234/environ
 *                         and /proc/99/environ count alike.
 */
#ifndef OPEN_FEATURES_H
#define OPEN_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "hash_set.h"

#define OF_STATS 18
#define OF_MAX_TOKENS 4096
#define OF_TOKEN_MAX_LEN 32

/* A literal every path matching a pattern contains (at its start when anchored). */
struct of_literal {
	char *text;                      /* NULL: the pattern has none worth checking */
	size_t len;
	bool anchored;
	uint64_t bytes[4];               /* the byte values text holds, as a 256-bit set */
};

struct of_config {
	uint32_t tokens;                 /* W, the width of the token hash, 0 for none */
	size_t nsensitive;
	const char *const *sensitive;    /* fnmatch(3) patterns without FNM_PATHNAME */
	struct of_literal *literals;     /* optional, from of_sensitive_prepare */
};

/* The default sensitive-path patterns, comma-separated (the `sensitive` param default):
 * password and group shadows, sudo rules; private keys and credential stores in home
 * directories and system-wide; other processes' environments (not /proc/self); Kubernetes
 * service-account tokens and mounted secrets. */
#define OF_DEFAULT_SENSITIVE                                                                 \
	"/etc/shadow*,/etc/gshadow*,/etc/sudoers*,/etc/security/opasswd,"                    \
	"*/.ssh/id_*,*/.ssh/authorized_keys,/etc/ssh/ssh_host_*key,*/.gnupg/*,"              \
	"*/.aws/credentials,*/.docker/config.json,*/.kube/config,*/.netrc,*/.pgpass,"        \
	"*/.git-credentials,*/.bash_history,/etc/ssl/private/*,*.pem,*.key,"                 \
	"/proc/[0-9]*/environ,"                                                              \
	"*/secrets/kubernetes.io/serviceaccount/*,/run/secrets/*"

struct of_acc {
	uint64_t opens, failed, enoent, eacces, flagged, writes, creates, truncs;
	uint64_t sensitive, relative;
	double path_len, depth;
	struct hash_set paths, dirs, pids, comms;
	double *tok;  /* W counts */
};

static inline size_t of_nfeatures(const struct of_config *c)
{
	return OF_STATS + c->tokens;
}

/* Names into names[of_nfeatures(c)], each malloc'ed; 0 or -ENOMEM (names then all NULL). */
int of_names(const struct of_config *c, char **names);
void of_names_free(const struct of_config *c, char **names);

int of_acc_init(struct of_acc *a, const struct of_config *c);
void of_acc_reset(struct of_acc *a, const struct of_config *c);
void of_acc_fini(struct of_acc *a);

/* Add one open event. Returns 0 or -ENOMEM. */
int of_add(struct of_acc *a, const struct of_config *c, const struct anomon_open *ev);

/* Write the vector of a window that lasted `seconds` into out[of_nfeatures(c)]. */
void of_compute(const struct of_acc *a, const struct of_config *c, double seconds, double *out);

/* True when path matches one of the configured sensitive patterns. */
bool of_is_sensitive(const struct of_config *c, const char *path);
/* Find each pattern's literal, so of_is_sensitive calls fnmatch only for paths that contain
 * it (fnmatch on every open was most of a replay's time). 0 or -ENOMEM. */
int of_sensitive_prepare(struct of_config *c);
void of_sensitive_release(struct of_config *c);

/* Call fn(bucket) for every token of path (see above); returns the number of tokens. */
size_t of_tokens(const char *path, uint32_t width, void (*fn)(void *arg, uint32_t bucket),
		 void *arg);

#endif

/* cgroup v2 ids (as bpf_get_current_cgroup_id() returns them) to paths and containers. */
#ifndef ANOMON_CGROUPS_H
#define ANOMON_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "anomon_plugin.h"
#include "container.h"

/* Entries held at most: a host creating cgroups faster than the sweep forgets them, or a
 * replayed log full of ids from another host, must not grow the cache without limit. */
#define CGROUPS_MAX 16384

struct cgroup_entry {
	uint64_t id;
	uint64_t used;            /* lookup tick of the last use, for eviction */
	bool resolved;            /* false: the id named no live cgroup when last looked up */
	uint64_t looked_ns;       /* monotonic time of the last lookup */
	char *path;               /* below the v2 root: "/" or "/system.slice/x.scope" */
	bool container;           /* ref holds a container or service */
	struct container_ref ref;
	char key[160];            /* what windows and verdicts are keyed by */
	struct anomon_container pub; /* the view handed to plugins */
};

/* Find the cgroup v2 hierarchy (pure v2 or hybrid) from /proc/self/mountinfo, or use
 * `root` when not NULL (tests). Returns 0, or -ENOENT when there is none. */
int cgroups_open(const char *root);
void cgroups_close(void);
/* The v2 mount point, or NULL. */
const char *cgroups_root(void);

/* Cached lookup; never NULL. An id that resolves to no cgroup gives key "cgroup:<id>" and
 * is looked up again after a few seconds. Id 0 (no cgroup known) is the host. When
 * CGROUPS_MAX entries are cached, a new id first evicts the least recently used half: an
 * entry stays valid until the current callback returns only if no new id is looked up
 * meanwhile (new ids evict old entries, never recently used ones). */
const struct cgroup_entry *cgroups_lookup(uint64_t id);
/* The entry that produced `key`, or NULL (keys are unique per container). */
const struct cgroup_entry *cgroups_by_key(const char *key);
/* Drop entries whose cgroup has gone; returns how many. */
unsigned cgroups_sweep(void);
size_t cgroups_cached(void);
/* Entries evicted by the CGROUPS_MAX bound since cgroups_open. */
uint64_t cgroups_evicted(void);

#endif

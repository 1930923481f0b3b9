#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"

/* kernfs file handles (FILEID_KERNFS) carry the 64-bit node id that
 * bpf_get_current_cgroup_id() returns, so open_by_handle_at turns an id into a directory
 * without walking the tree. */
#define FILEID_KERNFS 0xfe
#define RETRY_NS (5ull * 1000000000ull)

static struct {
	char *root;
	size_t root_len;
	int root_fd;
	struct cgroup_entry **slots; /* open addressing on id; NULL = empty */
	struct cgroup_entry **keys;  /* the same entries, open addressing on their key */
	size_t cap, used;
	uint64_t tick;               /* lookups so far: the age of an entry's last use */
	uint64_t evicted;
} cg = {.root_fd = -1};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The first cgroup2 mount in mountinfo (field 5 is the mount point, after " - " the type). */
static char *find_v2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return NULL;
	char line[4096], *found = NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - cgroup2 ");
		if (!dash)
			continue;
		char *save = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 1; tok && i < 5; i++)
			tok = strtok_r(NULL, " ", &save);
		if (tok)
			found = strdup(tok);
	}
	fclose(f);
	return found;
}

int cgroups_open(const char *root)
{
	cgroups_close();
	cg.root = root ? strdup(root) : find_v2_mount();
	if (!cg.root)
		return -ENOENT;
	cg.root_len = strlen(cg.root);
	while (cg.root_len > 1 && cg.root[cg.root_len - 1] == '/')
		cg.root[--cg.root_len] = '\0';
	cg.root_fd = open(cg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg.root_fd < 0) {
		free(cg.root);
		cg.root = NULL;
		return -errno;
	}
	return 0;
}

static void entry_free(struct cgroup_entry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e);
}

void cgroups_close(void)
{
	for (size_t i = 0; i < cg.cap; i++)
		entry_free(cg.slots[i]);
	free(cg.slots);
	free(cg.keys);
	cg.slots = cg.keys = NULL;
	cg.cap = cg.used = 0;
	cg.tick = cg.evicted = 0;
	if (cg.root_fd >= 0)
		close(cg.root_fd);
	cg.root_fd = -1;
	free(cg.root);
	cg.root = NULL;
}

const char *cgroups_root(void)
{
	return cg.root;
}

size_t cgroups_cached(void)
{
	return cg.used;
}

uint64_t cgroups_evicted(void)
{
	return cg.evicted;
}

static size_t slot_of(uint64_t id, size_t cap)
{
	/* Fibonacci hashing: cgroup ids are small sequential integers. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* Keys are looked up for every record a sink writes (its container): hashed, not scanned. */
static size_t key_slot(const char *key, size_t cap)
{
	uint64_t h = 14695981039346656037ull;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static void key_insert(struct cgroup_entry **keys, size_t cap, struct cgroup_entry *e)
{
	size_t s = key_slot(e->key, cap);
	while (keys[s])
		s = (s + 1) & (cap - 1);
	keys[s] = e;
}

/* Take e out of the key table and re-seat the run after it (linear probing deletion).
 * Call before its key changes or it is freed. */
static void key_remove(struct cgroup_entry *e)
{
	size_t i = key_slot(e->key, cg.cap);
	while (cg.keys[i] != e)
		i = (i + 1) & (cg.cap - 1);
	cg.keys[i] = NULL;
	for (size_t j = (i + 1) & (cg.cap - 1); cg.keys[j]; j = (j + 1) & (cg.cap - 1)) {
		struct cgroup_entry *m = cg.keys[j];
		cg.keys[j] = NULL;
		key_insert(cg.keys, cg.cap, m);
	}
}

static int grow(void)
{
	size_t cap = cg.cap ? cg.cap * 2 : 256;
	struct cgroup_entry **slots = calloc(cap, sizeof(*slots));
	struct cgroup_entry **keys = calloc(cap, sizeof(*keys));
	if (!slots || !keys) {
		free(slots);
		free(keys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cg.cap; i++) {
		struct cgroup_entry *e = cg.slots[i];
		if (!e)
			continue;
		size_t s = slot_of(e->id, cap);
		while (slots[s])
			s = (s + 1) & (cap - 1);
		slots[s] = e;
		key_insert(keys, cap, e);
	}
	free(cg.slots);
	free(cg.keys);
	cg.slots = slots;
	cg.keys = keys;
	cg.cap = cap;
	return 0;
}

/* Path below the root of the cgroup with this id, or NULL if there is none (now). */
static char *resolve(uint64_t id)
{
	if (cg.root_fd < 0)
		return NULL;
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh = {.handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS}};
	memcpy(h.fh.f_handle, &id, sizeof(id));
	int fd = open_by_handle_at(cg.root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	if ((size_t)n < cg.root_len || memcmp(path, cg.root, cg.root_len) != 0)
		return NULL;
	const char *rel = path + cg.root_len;
	return strdup(*rel ? rel : "/");
}

/* Docker keeps each container's name in its config; read it without asking the daemon.
 * The file name is built from a validated hex id only. */
static void docker_name(struct container_ref *ref)
{
	if (strlen(ref->id) != 64)
		return;
	char file[160];
	snprintf(file, sizeof(file), "/var/lib/docker/containers/%s/config.v2.json", ref->id);
	struct stat st;
	if (stat(file, &st) < 0 || st.st_size > (16 << 20))
		return;
	json_t *j = json_load_file(file, 0, NULL);
	const char *name = json_string_value(json_object_get(j, "Name"));
	if (name) {
		while (*name == '/')
			name++;
		snprintf(ref->name, sizeof(ref->name), "%s", name);
	}
	json_decref(j);
}

static void describe(struct cgroup_entry *e)
{
	memset(&e->pub, 0, sizeof(e->pub));
	e->container = e->path && container_recognise(e->path, &e->ref);
	if (e->container && !strcmp(e->ref.runtime, "docker"))
		docker_name(&e->ref);
	if (!e->resolved)
		snprintf(e->key, sizeof(e->key), "cgroup:%" PRIu64, e->id);
	else if (e->container)
		snprintf(e->key, sizeof(e->key), "%s",
			 strcmp(e->ref.runtime, "systemd") && strcmp(e->ref.runtime, "lxc") ? e->ref.short_id
											       : e->ref.id);
	else if (!strcmp(e->path, "/"))
		snprintf(e->key, sizeof(e->key), "host");
	else
		snprintf(e->key, sizeof(e->key), "%s", e->path);
	e->pub.key = e->key;
	e->pub.cgroup = e->path;
	if (e->container) {
		e->pub.runtime = e->ref.runtime;
		e->pub.id = e->ref.id;
		e->pub.short_id = e->ref.short_id;
		e->pub.pod_uid = e->ref.pod_uid[0] ? e->ref.pod_uid : NULL;
		e->pub.name = e->ref.name[0] ? e->ref.name : NULL;
	}
}

/* Remove slot i and re-seat the run after it (linear probing deletion). */
static void remove_slot(size_t i)
{
	key_remove(cg.slots[i]);
	entry_free(cg.slots[i]);
	cg.slots[i] = NULL;
	cg.used--;
	for (size_t j = (i + 1) & (cg.cap - 1); cg.slots[j]; j = (j + 1) & (cg.cap - 1)) {
		struct cgroup_entry *e = cg.slots[j];
		cg.slots[j] = NULL;
		size_t s = slot_of(e->id, cg.cap);
		while (cg.slots[s])
			s = (s + 1) & (cg.cap - 1);
		cg.slots[s] = e;
	}
}

/* The cache is full: forget the entries used less recently than the midpoint between the
 * oldest and the newest use, in one pass, so a flood of new ids costs O(1) per id. */
static void evict_older_half(void)
{
	uint64_t oldest = UINT64_MAX;
	for (size_t i = 0; i < cg.cap; i++)
		if (cg.slots[i] && cg.slots[i]->used < oldest)
			oldest = cg.slots[i]->used;
	uint64_t cut = oldest + (cg.tick - oldest) / 2;
	for (size_t i = 0; i < cg.cap;) {
		if (cg.slots[i] && cg.slots[i]->used <= cut) {
			remove_slot(i);
			cg.evicted++;
			continue; /* slot i may hold a moved entry now */
		}
		i++;
	}
}

static struct cgroup_entry host_entry = {.resolved = true, .path = "/", .key = "host",
					 .pub = {.key = "host", .cgroup = "/"}};

const struct cgroup_entry *cgroups_lookup(uint64_t id)
{
	if (id == 0)
		return &host_entry;
	if (cg.cap) {
		for (size_t s = slot_of(id, cg.cap); cg.slots[s]; s = (s + 1) & (cg.cap - 1)) {
			struct cgroup_entry *e = cg.slots[s];
			if (e->id != id)
				continue;
			e->used = ++cg.tick;
			if (e->resolved || mono_ns() - e->looked_ns < RETRY_NS)
				return e;
			/* An id that named nothing a while ago: a cgroup created since? */
			key_remove(e);
			e->path = resolve(id);
			e->resolved = e->path != NULL;
			e->looked_ns = mono_ns();
			describe(e);
			key_insert(cg.keys, cg.cap, e);
			return e;
		}
	}
	if (cg.used >= CGROUPS_MAX)
		evict_older_half();
	if ((cg.used + 1) * 2 > cg.cap && grow() < 0)
		return &host_entry;
	struct cgroup_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return &host_entry;
	e->id = id;
	e->used = ++cg.tick;
	e->path = resolve(id);
	e->resolved = e->path != NULL;
	e->looked_ns = mono_ns();
	describe(e);
	size_t s = slot_of(id, cg.cap);
	while (cg.slots[s])
		s = (s + 1) & (cg.cap - 1);
	cg.slots[s] = e;
	key_insert(cg.keys, cg.cap, e);
	cg.used++;
	return e;
}

const struct cgroup_entry *cgroups_by_key(const char *key)
{
	if (!strcmp(key, "host"))
		return &host_entry;
	if (!cg.cap)
		return NULL;
	for (size_t s = key_slot(key, cg.cap); cg.keys[s]; s = (s + 1) & (cg.cap - 1))
		if (!strcmp(cg.keys[s]->key, key))
			return cg.keys[s];
	return NULL;
}

unsigned cgroups_sweep(void)
{
	unsigned removed = 0;
	for (size_t i = 0; i < cg.cap;) {
		struct cgroup_entry *e = cg.slots[i];
		if (e) {
			char *now = resolve(e->id);
			bool gone = !now && (e->resolved || mono_ns() - e->looked_ns >= RETRY_NS);
			free(now);
			if (gone) {
				remove_slot(i);
				removed++;
				continue; /* slot i may hold a moved entry now */
			}
		}
		i++;
	}
	return removed;
}

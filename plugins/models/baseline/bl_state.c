#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bl_state.h"

#define MAGIC "ANOMONBL"
#define VERSION 1
#define MAX_FILE (1ull << 31)

/* ---- writing ---- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void put(struct wbuf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_le(struct wbuf *b, uint64_t v, int bytes)
{
	uint8_t t[8];
	for (int i = 0; i < bytes; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	put(b, t, (size_t)bytes);
}

static void put_f32(struct wbuf *b, float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof(u));
	put_le(b, u, 4);
}

static void put_str(struct wbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (n > UINT16_MAX)
		n = UINT16_MAX;
	put_le(b, n, 2);
	put(b, s, n);
}

static void put_key(struct wbuf *b, const struct bl_key_state *k, size_t n)
{
	put_str(b, k->name);
	put_le(b, k->first_ns, 8);
	put_le(b, k->last_ns, 8);
	put_le(b, k->epoch_ns, 8);
	put_le(b, k->learned, 4);
	put_le(b, k->eligible, 4);
	put_le(b, k->profiled, 4);
	put_le(b, k->ready, 1);
	for (size_t j = 0; k->profiled != PROFILE_NONE && j < n; j++) {
		put_f32(b, k->range[j].lo);
		put_f32(b, k->range[j].hi);
		put_f32(b, k->range[j].tlo);
		put_f32(b, k->range[j].thi);
		put_f32(b, k->range[j].unit);
	}
	for (size_t j = 0; j < n; j++) {
		const struct bl_sketch *sk = &k->sketch[j];
		put_le(b, sk->k, 1);
		for (int i = 0; i < sk->k; i++)
			put_f32(b, sk->mean[i]);
		for (int i = 0; i < sk->k; i++)
			put_f32(b, sk->weight[i]);
	}
}

int bl_state_encode(struct bl_model *m, uint8_t **buf, size_t *len)
{
	struct wbuf b = {0};
	size_t n = bl_model_n(m);
	const char *const *names = bl_model_names(m);
	struct bl_key_state ks;
	struct bl_key *it = NULL;

	put(&b, MAGIC, 8);
	put_le(&b, VERSION, 4);
	put_le(&b, BL_SKETCH_K, 4);
	put_le(&b, n, 4);
	for (size_t j = 0; j < n; j++)
		put_str(&b, names[j]);
	bl_model_host_state(m, &ks);
	put_key(&b, &ks, n);
	put_le(&b, bl_model_keys(m), 4);
	while (bl_model_next_key(m, &it, &ks))
		put_key(&b, &ks, n);
	if (!b.oom)
		put_le(&b, crc32(0, b.p, (uInt)b.len), 4);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*buf = b.p;
	*len = b.len;
	return 0;
}

/* ---- reading ---- */

struct rbuf {
	const uint8_t *p;
	size_t len, pos;
	const char *what;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct rbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct rbuf *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	int n = snprintf(r->err, r->errlen, "%s: ", r->what);
	if (n < 0 || (size_t)n >= r->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool need(struct rbuf *r, size_t n, const char *what)
{
	if (r->failed)
		return false;
	if (r->len - r->pos < n) {
		fail(r, "truncated at byte %zu: expected %s", r->len, what);
		return false;
	}
	return true;
}

static uint64_t get_le(struct rbuf *r, int bytes, const char *what)
{
	uint64_t v = 0;
	if (!need(r, (size_t)bytes, what))
		return 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
	r->pos += (size_t)bytes;
	return v;
}

static float get_f32(struct rbuf *r, const char *what)
{
	uint32_t u = (uint32_t)get_le(r, 4, what);
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

/* A string of the file (not NUL-terminated): its bytes and length. */
static const uint8_t *get_str(struct rbuf *r, size_t *n, const char *what)
{
	*n = (size_t)get_le(r, 2, what);
	if (!need(r, *n, what))
		return NULL;
	const uint8_t *s = r->p + r->pos;
	r->pos += *n;
	return s;
}

static void list_names(char *out, size_t cap, const char *const *names, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && i < 3 && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", names[i]);
	if (n > 3 && used < cap)
		snprintf(out + used, cap - used, ", ...");
}

static bool check_names(struct rbuf *r, struct bl_model *m)
{
	size_t n = bl_model_n(m), fn = (size_t)get_le(r, 4, "the feature count");
	const char *const *names = bl_model_names(m);
	const char **file_names = NULL;
	char mine[256], theirs[256];
	bool ok = false;

	if (r->failed)
		return false;
	if (fn > 1000000) {
		fail(r, "byte %zu: implausible feature count %zu", r->pos - 4, fn);
		return false;
	}
	file_names = calloc(fn ? fn : 1, sizeof(*file_names));
	if (!file_names) {
		fail(r, "out of memory");
		return false;
	}
	for (size_t j = 0; j < fn; j++) {
		size_t len;
		const uint8_t *s = get_str(r, &len, "a feature name");
		if (!s)
			goto out;
		char *name = strndup((const char *)s, len);
		if (!name) {
			fail(r, "out of memory");
			goto out;
		}
		file_names[j] = name;
	}
	list_names(mine, sizeof(mine), names, n);
	list_names(theirs, sizeof(theirs), file_names, fn);
	if (fn != n) {
		fail(r, "learnt for another feature set: %zu features (%s), this pipeline gives "
		     "%zu (%s); move the file away or set another state path", fn, theirs, n, mine);
		goto out;
	}
	for (size_t j = 0; j < n; j++)
		if (strcmp(file_names[j], names[j])) {
			fail(r, "learnt for another feature set: feature %zu is \"%s\" there, \"%s\" "
			     "in this pipeline; move the file away or set another state path", j,
			     file_names[j], names[j]);
			goto out;
		}
	ok = true;
out:
	for (size_t j = 0; j < fn; j++)
		free((char *)file_names[j]);
	free(file_names);
	return ok;
}

static bool get_key_fields(struct rbuf *r, struct bl_key_state *k)
{
	k->first_ns = get_le(r, 8, "the first window of a key");
	k->last_ns = get_le(r, 8, "the last window of a key");
	k->epoch_ns = get_le(r, 8, "the epoch of a key");
	k->learned = (uint32_t)get_le(r, 4, "the windows a key learnt");
	k->eligible = (uint32_t)get_le(r, 4, "the windows a key could learn");
	k->profiled = (uint32_t)get_le(r, 4, "when a key's ranges were read");
	uint64_t ready = get_le(r, 1, "the ready flag of a key");
	if (!r->failed && ready > 1)
		fail(r, "byte %zu: ready flag %u (expected 0 or 1)", r->pos - 1, (unsigned)ready);
	k->ready = ready == 1;
	return !r->failed;
}

static bool get_ranges(struct rbuf *r, struct bl_range *rg, size_t n, const char *key)
{
	for (size_t j = 0; j < n && !r->failed; j++) {
		size_t at = r->pos;
		float lo = get_f32(r, "a range"), hi = get_f32(r, "a range");
		float tlo = get_f32(r, "a range"), thi = get_f32(r, "a range");
		float unit = get_f32(r, "a departure unit");
		if (!r->failed && !(isfinite(lo) && isfinite(hi) && lo <= hi && isfinite(tlo) &&
				    isfinite(thi) && tlo <= thi && isfinite(unit) && unit > 0))
			fail(r, "byte %zu: %s: feature %zu: a range needs finite bounds in order and "
			     "a unit > 0", at, key, j);
		rg[j] = (struct bl_range){lo, hi, tlo, thi, unit};
	}
	return !r->failed;
}

static bool get_sketches(struct rbuf *r, struct bl_sketch *sk, size_t n, const char *key)
{
	for (size_t j = 0; j < n && !r->failed; j++) {
		size_t at = r->pos;
		struct bl_sketch s = {.k = (uint8_t)get_le(r, 1, "a sketch size")};
		if (r->failed)
			break;
		if (s.k > BL_SKETCH_K) {
			fail(r, "byte %zu: %s: sketch of %u centroids (at most %d)", at, key,
			     (unsigned)s.k, BL_SKETCH_K);
			break;
		}
		for (int i = 0; i < s.k; i++)
			s.mean[i] = get_f32(r, "a centroid mean");
		for (int i = 0; i < s.k; i++)
			s.weight[i] = get_f32(r, "a centroid weight");
		if (!r->failed && !bl_sketch_valid(&s))
			fail(r, "byte %zu: %s: feature %zu: centroids must be finite, in increasing "
			     "order, with weights >= 0", at, key, j);
		sk[j] = s;
	}
	return !r->failed;
}

int bl_state_decode(struct bl_model *m, const uint8_t *buf, size_t len, const char *what,
		    char *err, size_t errlen)
{
	struct rbuf r = {.p = buf, .len = len, .what = what, .err = err, .errlen = errlen};
	size_t n = bl_model_n(m);
	struct bl_sketch *sk;
	struct bl_range *rg;
	struct bl_key_state ks = {.name = ""};
	char name[256];

	if (len < 8 || memcmp(buf, MAGIC, 8)) {
		fail(&r, "not a baseline state file (it does not start with \"%s\")", MAGIC);
		return -EINVAL;
	}
	r.pos = 8;
	uint32_t version = (uint32_t)get_le(&r, 4, "the format version");
	if (!r.failed && version != VERSION)
		fail(&r, "format version %u (this anomon reads %d)", version, VERSION);
	uint32_t cap = (uint32_t)get_le(&r, 4, "the sketch capacity");
	if (!r.failed && cap != BL_SKETCH_K)
		fail(&r, "sketch capacity %u (this anomon uses %d)", cap, BL_SKETCH_K);
	if (r.failed)
		return -EINVAL;
	/* The checksum before anything else is believed: truncation and damage show here. */
	if (len < r.pos + 4) {
		fail(&r, "truncated at byte %zu: expected the feature count", len);
		return -EINVAL;
	}
	uint32_t stored = (uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 |
			  (uint32_t)buf[len - 2] << 16 | (uint32_t)buf[len - 1] << 24;
	if (crc32(0, buf, (uInt)(len - 4)) != stored) {
		fail(&r, "damaged or truncated (%zu bytes, checksum does not match)", len);
		return -EINVAL;
	}
	r.len = len - 4;
	if (!check_names(&r, m))
		return -EINVAL;

	size_t hl;
	const uint8_t *hs = get_str(&r, &hl, "the host baseline");
	if (hs && hl) {
		fail(&r, "byte %zu: the host baseline must have an empty name", r.pos - hl);
		return -EINVAL;
	}
	if (!hs || !get_key_fields(&r, &ks))
		return -EINVAL;
	bl_model_set_host(m, &ks, &sk, &rg);
	if ((ks.profiled != PROFILE_NONE && !get_ranges(&r, rg, n, "host baseline")) ||
	    !get_sketches(&r, sk, n, "host baseline"))
		return -EINVAL;

	uint32_t nkeys = (uint32_t)get_le(&r, 4, "the key count");
	for (uint32_t i = 0; i < nkeys && !r.failed; i++) {
		size_t at = r.pos, kl;
		const uint8_t *ksn = get_str(&r, &kl, "a key name");
		if (!ksn)
			break;
		if (kl == 0 || kl >= sizeof(name) || memchr(ksn, 0, kl)) {
			fail(&r, "byte %zu: key %u: a name of 1 to %zu bytes without NUL", at, i,
			     sizeof(name) - 1);
			break;
		}
		memcpy(name, ksn, kl);
		name[kl] = '\0';
		ks.name = name;
		if (!get_key_fields(&r, &ks))
			break;
		int rc = bl_model_add_key(m, &ks, &sk, &rg);
		if (rc == -ENOSPC) {
			/* The least recently seen keys do not fit: skip what is left. */
			r.pos = r.len;
			break;
		}
		if (rc == -EEXIST) {
			fail(&r, "byte %zu: key \"%s\" appears twice", at, name);
			break;
		}
		if (rc) {
			fail(&r, "out of memory");
			break;
		}
		if ((ks.profiled != PROFILE_NONE && !get_ranges(&r, rg, n, name)) ||
		    !get_sketches(&r, sk, n, name))
			break;
	}
	if (!r.failed && r.pos != r.len)
		fail(&r, "byte %zu: %zu bytes after the last key", r.pos, r.len - r.pos);
	if (r.failed)
		return -EINVAL;
	bl_model_refresh_ranges(m);
	return 0;
}

/* ---- files ---- */

static int mkdir_parents(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; ; p++) {
			if (*p == '/' || *p == '\0') {
				char c = *p;
				*p = '\0';
				if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
					rc = -errno;
					break;
				}
				*p = c;
				if (!c)
					break;
			}
		}
	}
	free(dir);
	return rc;
}

int bl_state_save(struct bl_model *m, const char *path, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *tmp = NULL;
	int fd = -1, rc;

	rc = bl_state_encode(m, &buf, &len);
	if (rc) {
		snprintf(err, errlen, "%s: cannot save: out of memory", path);
		return rc;
	}
	rc = mkdir_parents(path);
	if (rc) {
		snprintf(err, errlen, "%s: cannot create its directory: %s", path, strerror(-rc));
		goto out;
	}
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: cannot save: out of memory", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
		goto out;
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(-rc));
			goto out;
		}
		done += (size_t)w;
	}
	if (fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot rename %s into place: %s", path, tmp,
			 strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(buf);
	return rc;
}

int bl_state_load(struct bl_model *m, const char *path, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		snprintf(err, errlen, "%s: %s", path,
			 rc == -EINVAL ? "not a regular file" : strerror(-rc));
		close(fd);
		return rc;
	}
	if ((uint64_t)st.st_size > MAX_FILE) {
		snprintf(err, errlen, "%s: %lld bytes is too large for a state file", path,
			 (long long)st.st_size);
		close(fd);
		return -EINVAL;
	}
	size_t len = (size_t)st.st_size, got = 0;
	buf = malloc(len ? len : 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return rc;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = bl_state_decode(m, buf, got, path, err, errlen);
	free(buf);
	return rc;
}

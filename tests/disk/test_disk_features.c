// SPDX-License-Identifier: MIT
/* Unit tests of the disk feature math: open and bio vectors, windows per key, hash sets. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bio_features.h"
#include "disk_window.h"
#include "hash_set.h"
#include "open_features.h"

/* Indices of the open statistics (open_features.h). */
enum {
	O_COUNT, O_RATE, O_FAIL, O_ENOENT, O_EACCES, O_OTHER, O_PATHS, O_DIRS, O_PROCS, O_COMMS,
	O_WRITE, O_CREAT_, O_TRUNC_, O_SENS, O_SENS_RATIO, O_REL, O_LEN, O_DEPTH,
};
/* Indices of the bio features (bio_features.h). */
enum {
	B_COUNT, B_IOPS, B_BPS, B_SIZE, B_READ, B_WRITE, B_DISCARD, B_FLUSH, B_SYNC, B_SEQ,
	B_P50, B_P95, B_P99, B_MAX, B_QMEAN, B_QP95, B_ISSUERS, B_DISKS,
};

static struct anomon_open open_ev(uint32_t pid, const char *comm, const char *path, int fd,
				  int err, int flags)
{
	struct anomon_open o = {.pid = pid, .fd = fd, .err = err, .path = path,
				.path_len = strlen(path)};
	snprintf(o.comm, sizeof(o.comm), "%s", comm);
	if (flags >= 0) {
		o.present |= ANOMON_OPEN_FLAGS;
		o.flags = flags;
	}
	return o;
}

/* Split the default pattern list as the host would split a list parameter. */
static size_t default_patterns(char *buf, size_t cap, const char **out, size_t max)
{
	size_t n = 0;
	snprintf(buf, cap, "%s", OF_DEFAULT_SENSITIVE);
	for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ","))
		out[n++] = tok;
	return n;
}

static void test_open_names(void **st)
{
	(void)st;
	struct of_config c = {.tokens = 3};
	char *names[OF_STATS + 3];

	assert_int_equal(of_nfeatures(&c), OF_STATS + 3);
	assert_int_equal(of_names(&c, names), 0);
	assert_string_equal(names[O_COUNT], "open_count");
	assert_string_equal(names[O_EACCES], "open_eacces_ratio");
	assert_string_equal(names[O_DEPTH], "open_path_depth");
	assert_string_equal(names[OF_STATS], "open_tok_0");
	assert_string_equal(names[OF_STATS + 2], "open_tok_2");
	of_names_free(&c, names);
	assert_null(names[0]);
}

static void test_open_window(void **st)
{
	(void)st;
	char buf[1024];
	const char *pats[64];
	struct of_config c = {.tokens = 0};
	c.nsensitive = default_patterns(buf, sizeof(buf), pats, 64);
	c.sensitive = pats;
	struct anomon_open ev[] = {
		open_ev(10, "cat", "/etc/passwd", 3, 0, O_RDONLY),
		open_ev(10, "cat", "/etc/shadow", -1, EACCES, O_RDONLY),
		open_ev(11, "touch", "/tmp/x", -1, ENOENT, O_WRONLY | O_CREAT | O_TRUNC),
		open_ev(12, "cat", "rel/file", 4, 0, -1), /* flags unknown */
		open_ev(12, "cat", "/etc/passwd", 5, 0, O_RDWR),
		open_ev(12, "cat", "/etc/passwd", -1, EPERM, O_RDONLY),
		open_ev(12, "cat", "/x", -1, ENAMETOOLONG, O_RDONLY),
		open_ev(12, "cat", "/home/u/.ssh/id_ed25519", 6, 0, O_RDONLY),
	};
	struct of_acc a;
	double v[OF_STATS];

	assert_int_equal(of_acc_init(&a, &c), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(of_add(&a, &c, &ev[i]), 0);
	of_compute(&a, &c, 2.0, v);
	assert_float_equal(v[O_COUNT], 8, 1e-12);
	assert_float_equal(v[O_RATE], 4, 1e-12);
	assert_float_equal(v[O_FAIL], 4 / 8.0, 1e-12);
	assert_float_equal(v[O_ENOENT], 1 / 8.0, 1e-12);
	assert_float_equal(v[O_EACCES], 2 / 8.0, 1e-12);
	assert_float_equal(v[O_OTHER], 1 / 8.0, 1e-12);
	/* paths: /etc/passwd /etc/shadow /tmp/x rel/file /x /home/u/.ssh/id_ed25519 */
	assert_float_equal(v[O_PATHS], 6 / 8.0, 1e-12);
	/* dirs: /etc /tmp rel / /home/u/.ssh */
	assert_float_equal(v[O_DIRS], 5 / 8.0, 1e-12);
	assert_float_equal(v[O_PROCS], 3, 1e-12);
	assert_float_equal(v[O_COMMS], 2, 1e-12);
	/* writes: O_WRONLY and O_RDWR, among 8 opens (7 with flags) */
	assert_float_equal(v[O_WRITE], 2 / 8.0, 1e-12);
	assert_float_equal(v[O_CREAT_], 1 / 8.0, 1e-12);
	assert_float_equal(v[O_TRUNC_], 1 / 8.0, 1e-12);
	assert_float_equal(v[O_SENS], 2, 1e-12); /* shadow, ssh key */
	assert_float_equal(v[O_SENS_RATIO], 2 / 8.0, 1e-12);
	assert_float_equal(v[O_REL], 1 / 8.0, 1e-12);
	assert_float_equal(v[O_LEN], (11 + 11 + 6 + 8 + 11 + 11 + 2 + 23) / 8.0, 1e-12);
	assert_float_equal(v[O_DEPTH], (2 + 2 + 2 + 2 + 2 + 2 + 1 + 4) / 8.0, 1e-12);

	/* After a reset the next window starts from nothing. */
	of_acc_reset(&a, &c);
	assert_int_equal(of_add(&a, &c, &ev[0]), 0);
	of_compute(&a, &c, 1.0, v);
	assert_float_equal(v[O_COUNT], 1, 1e-12);
	assert_float_equal(v[O_FAIL], 0, 1e-12);
	assert_float_equal(v[O_PATHS], 1, 1e-12);
	assert_float_equal(v[O_SENS], 0, 1e-12);
	of_acc_fini(&a);
}

static void test_open_empty(void **st)
{
	(void)st;
	struct of_config c = {.tokens = 4};
	struct of_acc a;
	double v[OF_STATS + 4];

	assert_int_equal(of_acc_init(&a, &c), 0);
	of_compute(&a, &c, 2.0, v);
	for (size_t i = 0; i < OF_STATS + 4; i++)
		assert_float_equal(v[i], 0.0, 0.0);
	of_acc_fini(&a);
	c.tokens = OF_MAX_TOKENS + 1;
	assert_int_equal(of_acc_init(&a, &c), -EINVAL);
}

static void test_sensitive_defaults(void **st)
{
	(void)st;
	char buf[1024];
	const char *pats[64];
	struct of_config c = {0};
	c.nsensitive = default_patterns(buf, sizeof(buf), pats, 64);
	c.sensitive = pats;
	const char *yes[] = {"/etc/shadow", "/etc/gshadow-", "/etc/sudoers.d/90-cloud",
			     "/root/.ssh/id_rsa", "/home/a/.aws/credentials", "/proc/1234/environ",
			     "/var/run/secrets/kubernetes.io/serviceaccount/token",
			     "/etc/ssl/private/server.key", "/home/a/.kube/config"};
	const char *no[] = {"/etc/passwd", "/proc/self/environ", "/usr/lib/libc.so.6",
			    "/home/a/notes.txt", "/etc/ssh/sshd_config"};
	/* The same answers with and without the literal prefilter. */
	for (int prepared = 0; prepared < 2; prepared++) {
		if (prepared)
			assert_int_equal(of_sensitive_prepare(&c), 0);
		for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
			assert_true(of_is_sensitive(&c, yes[i]));
		for (size_t i = 0; i < sizeof(no) / sizeof(*no); i++)
			assert_false(of_is_sensitive(&c, no[i]));
	}
	of_sensitive_release(&c);
}

/* The prefilter must never hide a match fnmatch would find: every pattern against every
 * path, prefiltered or not, including patterns whose literal is anchored, floating, cut by
 * brackets or escapes, or absent. */
static void test_sensitive_prefilter(void **st)
{
	(void)st;
	const char *pats[] = {"/etc/shadow*", "*/.ssh/id_*", "*.pem", "/proc/[0-9]*/environ",
			      "a?c", "*", "x\\*y*", "*[ab]/lit/*", "?etc/*", "/dev/[!n]ull*"};
	const char *paths[] = {"/etc/shadow", "/etc/shadow-", "/x/etc/shadow", "/h/.ssh/id_rsa",
			       ".ssh/id_", "/a/b.pem", "/a/b.pem.bak", "/proc/12/environ",
			       "/proc/x/environ", "abc", "aXc", "x*yz", "xay", "/a/lit/z",
			       "/c/lit/z", "/etc/x", "xetc/y", "/dev/full", "/dev/null", ""};
	size_t np = sizeof(pats) / sizeof(*pats), nx = sizeof(paths) / sizeof(*paths);
	struct of_config plain = {.nsensitive = 1}, pre = {.nsensitive = 1};
	for (size_t i = 0; i < np; i++) {
		plain.sensitive = pre.sensitive = &pats[i];
		assert_int_equal(of_sensitive_prepare(&pre), 0);
		for (size_t j = 0; j < nx; j++)
			assert_int_equal(of_is_sensitive(&plain, paths[j]),
					 of_is_sensitive(&pre, paths[j]));
		of_sensitive_release(&pre);
	}
	/* and the filter does filter: the literal of the pattern is found */
	pre.sensitive = &pats[1];
	assert_int_equal(of_sensitive_prepare(&pre), 0);
	assert_string_equal(pre.literals[0].text, "/.ssh/id_");
	assert_false(pre.literals[0].anchored);
	of_sensitive_release(&pre);
	pre.sensitive = &pats[3];
	assert_int_equal(of_sensitive_prepare(&pre), 0);
	assert_string_equal(pre.literals[0].text, "/proc/");
	assert_true(pre.literals[0].anchored);
	of_sensitive_release(&pre);
}

static void record_bucket(void *arg, uint32_t b)
{
	uint32_t *seen = arg;
	seen[++seen[0]] = b;
}

static void test_tokens(void **st)
{
	(void)st;
	uint32_t a[16] = {0}, b[16] = {0}, c[16] = {0};

	/* digits never make tokens; case does not matter */
	assert_int_equal(of_tokens("/proc/1234/environ", 1000, record_bucket, a), 2);
	assert_int_equal(of_tokens("/PROC/99/Environ", 1000, record_bucket, b), 2);
	assert_int_equal(a[0], 2);
	assert_memory_equal(a, b, sizeof(a));
	/* separators are any non-letter; an empty or letterless path has no token */
	assert_int_equal(of_tokens("lib-x86_64.so.6", 1000, record_bucket, c), 3); /* lib x so */
	assert_int_equal(of_tokens("/123/456", 1000, NULL, NULL), 0);
	assert_int_equal(of_tokens("", 1000, NULL, NULL), 0);
	/* tokens longer than the limit hash by their first bytes */
	uint32_t d[4] = {0}, e[4] = {0};
	of_tokens("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1000, record_bucket, d);
	of_tokens("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 1000, record_bucket, e);
	assert_int_equal(d[1], e[1]);

	/* in the vector, buckets count tokens per open */
	struct of_config cfg = {.tokens = 8};
	struct of_acc acc;
	double v[OF_STATS + 8], sum = 0;
	struct anomon_open o1 = open_ev(1, "x", "/proc/1/environ", 3, 0, -1);
	struct anomon_open o2 = open_ev(1, "x", "/etc/hosts", 3, 0, -1);
	assert_int_equal(of_acc_init(&acc, &cfg), 0);
	of_add(&acc, &cfg, &o1);
	of_add(&acc, &cfg, &o2);
	of_compute(&acc, &cfg, 1.0, v);
	for (int i = 0; i < 8; i++)
		sum += v[OF_STATS + i];
	assert_float_equal(sum, 4 / 2.0, 1e-12);
	of_acc_fini(&acc);
}

static struct anomon_bio bio_ev(uint32_t pid, const char *disk, const char *rwbs,
				uint64_t sector, uint64_t bytes, double lat_ms, double q_ms)
{
	struct anomon_bio b = {
		.present = ANOMON_BIO_PID | ANOMON_BIO_RWBS | ANOMON_BIO_SECTOR |
			   ANOMON_BIO_BYTES | ANOMON_BIO_SERVICE | ANOMON_BIO_QUEUE |
			   ANOMON_BIO_DISK,
		.pid = pid, .sector = sector, .bytes = bytes,
		.service_ns = (uint64_t)(lat_ms * 1e6), .queue_ns = (uint64_t)(q_ms * 1e6),
	};
	snprintf(b.disk, sizeof(b.disk), "%s", disk);
	snprintf(b.rwbs, sizeof(b.rwbs), "%s", rwbs);
	return b;
}

static void test_bio_window(void **st)
{
	(void)st;
	struct anomon_bio ev[] = {
		bio_ev(1, "vda", "R", 1000, 4096, 1.0, 0.1),    /* first on vda: not judged */
		bio_ev(1, "vda", "RA", 1008, 4096, 2.0, 0.2),   /* right after: sequential */
		bio_ev(2, "vda", "WS", 900000, 8192, 3.0, 0.3), /* far: random */
		bio_ev(2, "vdb", "W", 5, 4096, 4.0, 0.4),       /* first on vdb */
		bio_ev(3, "vda", "D", 900016, 0, 5.0, 0.5),     /* follows the WS: sequential */
		bio_ev(3, "vda", "FF", 0, 0, 6.0, 0.6),         /* flush, sector 0: random */
		bio_ev(1, "vdb", "R", 100000, 4096, 7.0, 0.7),  /* random */
		bio_ev(1, "vda", "FWS", 8, 4096, 8.0, 0.8),     /* sequential after the flush */
		bio_ev(1, "vda", "R", 20000, 4096, 9.0, 0.9),
		bio_ev(1, "vda", "R", 21000, 4096, 10.0, 1.0),
	};
	struct bf_acc a;
	double v[BF_NFEATURES];

	bf_acc_init(&a);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(bf_add(&a, &ev[i]), 0);
	bf_compute(&a, 2.0, v);
	assert_float_equal(v[B_COUNT], 10, 1e-12);
	assert_float_equal(v[B_IOPS], 5, 1e-12);
	assert_float_equal(v[B_BPS], (4096 * 7 + 8192) / 2.0, 1e-9);
	assert_float_equal(v[B_SIZE], (4096 * 7 + 8192) / 10.0, 1e-9);
	assert_float_equal(v[B_READ], 5 / 10.0, 1e-12);
	assert_float_equal(v[B_WRITE], 3 / 10.0, 1e-12);
	assert_float_equal(v[B_DISCARD], 1 / 10.0, 1e-12);
	assert_float_equal(v[B_FLUSH], 2 / 10.0, 1e-12);
	assert_float_equal(v[B_SYNC], 2 / 10.0, 1e-12);
	/* judged: 8 (all but the first on each disk); sequential: 1008, 900016, 8 */
	assert_float_equal(v[B_SEQ], 3 / 8.0, 1e-12);
	assert_float_equal(v[B_P50], 5.0, 1e-9);
	assert_float_equal(v[B_P95], 10.0, 1e-9);
	assert_float_equal(v[B_P99], 10.0, 1e-9);
	assert_float_equal(v[B_MAX], 10.0, 1e-9);
	assert_float_equal(v[B_QMEAN], 0.55, 1e-9);
	assert_float_equal(v[B_QP95], 1.0, 1e-9);
	assert_float_equal(v[B_ISSUERS], 3, 1e-12);
	assert_float_equal(v[B_DISKS], 2, 1e-12);

	/* Continuity carries over a reset: the next window's first request is judged. */
	bf_acc_reset(&a);
	struct anomon_bio next = bio_ev(1, "vda", "R", 21008, 4096, 1.0, 0.0);
	assert_int_equal(bf_add(&a, &next), 0);
	bf_compute(&a, 2.0, v);
	assert_float_equal(v[B_COUNT], 1, 1e-12);
	assert_float_equal(v[B_SEQ], 1.0, 1e-12);
	assert_float_equal(v[B_ISSUERS], 1, 1e-12);
	bf_acc_fini(&a);
}

static void test_bio_sparse(void **st)
{
	(void)st;
	/* The original script's 5 columns: no rwbs, sector, bytes or queue time. */
	struct anomon_bio b = {.present = ANOMON_BIO_PID | ANOMON_BIO_SERVICE | ANOMON_BIO_DISK,
			       .pid = 7, .service_ns = 2000000};
	struct bf_acc a;
	double v[BF_NFEATURES];

	bf_acc_init(&a);
	assert_int_equal(bf_add(&a, &b), 0);
	assert_int_equal(bf_add(&a, &b), 0);
	bf_compute(&a, 1.0, v);
	assert_float_equal(v[B_COUNT], 2, 0);
	assert_float_equal(v[B_READ] + v[B_WRITE] + v[B_SEQ] + v[B_QMEAN] + v[B_BPS], 0, 0);
	assert_float_equal(v[B_P50], 2.0, 1e-9);
	bf_acc_fini(&a);
	double sorted[] = {1, 2, 3, 4};
	assert_float_equal(bf_percentile(sorted, 4, 50), 2, 0);
	assert_float_equal(bf_percentile(sorted, 4, 51), 3, 0);
	assert_float_equal(bf_percentile(sorted, 4, 0), 1, 0);
	assert_float_equal(bf_percentile(sorted, 0, 50), 0, 0);
}

/* A window table whose accumulators count events, recording what it emits. */
struct emitted {
	char key[DW_KEY_LEN];
	uint64_t start, end, events, acc;
	uint32_t flags;
};
struct sink {
	struct emitted e[32];
	size_t n;                 /* windows kept in e */
	uint64_t windows, events; /* all windows emitted, and their events */
};

static void *cnt_new(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(uint64_t));
}
static void cnt_reset(void *ctx, void *acc)
{
	(void)ctx;
	*(uint64_t *)acc = 0;
}
static void cnt_free(void *ctx, void *acc)
{
	(void)ctx;
	free(acc);
}
static int cnt_emit(void *ctx, struct dw_slot *s)
{
	struct sink *k = ctx;
	k->windows++;
	k->events += *(uint64_t *)s->acc;
	if (k->n == sizeof(k->e) / sizeof(k->e[0]))
		return 0;
	struct emitted *e = &k->e[k->n++];
	snprintf(e->key, sizeof(e->key), "%s", s->key);
	e->start = s->start_ns;
	e->end = s->end_ns;
	e->events = s->events;
	e->acc = *(uint64_t *)s->acc;
	e->flags = s->flags;
	return 0;
}

/* An event at ts that arrives at `now` on the caller's clock. */
static int feed_at(struct dw_table *t, const char *key, uint64_t ts, uint64_t now)
{
	int err;
	struct dw_slot *s = dw_route(t, key, ts, now, &err);
	assert_non_null(s);
	(*(uint64_t *)s->acc)++;
	int err2 = dw_count(t, s);
	return err ? err : err2;
}

/* Every event arriving at once, as a replay read at full speed does. */
static int feed(struct dw_table *t, const char *key, uint64_t ts)
{
	return feed_at(t, key, ts, 1);
}

#define SEC 1000000000ull

static void test_time_windows(void **st)
{
	(void)st;
	struct dw_ops ops = {cnt_new, cnt_reset, cnt_free, cnt_emit};
	struct dw_table t;
	struct sink k = {0};

	assert_int_equal(dw_init(&t, 0, 0, 64, &ops, &k), -EINVAL);
	assert_int_equal(dw_init(&t, 2 * SEC, 0, 0, &ops, &k), -EINVAL);
	assert_int_equal(dw_init(&t, 2 * SEC, 0, 64, &ops, &k), 0);
	feed(&t, "host", 101 * SEC + 1);  /* window [100, 102) */
	feed(&t, "host", 101 * SEC + 5);
	feed(&t, "42", 101 * SEC);        /* another key, same window */
	assert_int_equal(k.n, 0);
	feed(&t, "host", 100 * SEC + 9);  /* late but inside: joins */
	feed(&t, "host", 102 * SEC);      /* at the end: closes [100, 102) */
	assert_int_equal(k.n, 1);
	assert_string_equal(k.e[0].key, "host");
	assert_int_equal(k.e[0].start, 100 * SEC);
	assert_int_equal(k.e[0].end, 102 * SEC);
	assert_int_equal(k.e[0].events, 3);
	assert_int_equal(k.e[0].acc, 3);
	feed(&t, "host", 107 * SEC);      /* a gap: [102, 104) closes, no empty windows */
	assert_int_equal(k.n, 2);
	assert_int_equal(k.e[1].start, 102 * SEC);
	assert_int_equal(k.e[1].acc, 1);
	feed(&t, "", 107 * SEC);          /* no key means the host */
	/* many keys grow the table without losing any */
	char key[DW_KEY_LEN];
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "%d", 1000 + i);
		feed(&t, key, 110 * SEC);
	}
	assert_int_equal(k.n, 2);
	assert_int_equal(dw_flush(&t), 0);
	assert_int_equal(k.n, 2 + 1 + 1 + 20); /* "42", "host" [106,108), 20 keys */
	uint64_t total = 0;
	for (size_t i = 0; i < k.n; i++) {
		total += k.e[i].acc;
		if (strcmp(k.e[i].key, "host") == 0 && k.e[i].start == 106 * SEC)
			assert_int_equal(k.e[i].acc, 2);
	}
	assert_int_equal(total, 3 + 1 + 1 + 2 + 20);
	/* a second flush has nothing left */
	assert_int_equal(dw_flush(&t), 0);
	assert_int_equal(k.n, 24);
	dw_fini(&t);
}

static void test_count_windows(void **st)
{
	(void)st;
	struct dw_ops ops = {cnt_new, cnt_reset, cnt_free, cnt_emit};
	struct dw_table t;
	struct sink k = {0};

	assert_int_equal(dw_init(&t, 0, 3, 64, &ops, &k), 0);
	for (int i = 0; i < 7; i++)
		feed(&t, "host", 10 * SEC + (uint64_t)i * SEC / 2);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.e[0].events, 3);
	assert_int_equal(k.e[0].start, 10 * SEC);
	assert_int_equal(k.e[0].end, 11 * SEC);
	assert_int_equal(k.e[1].start, 11 * SEC + SEC / 2);
	struct dw_slot fake = {.first_ns = 5, .last_ns = 5};
	assert_float_equal(dw_seconds(&t, &fake), 0.001, 1e-15); /* at least 1 ms */
	fake.last_ns = 5 + 2 * SEC;
	assert_float_equal(dw_seconds(&t, &fake), 2.0, 1e-12);
	dw_flush(&t);
	assert_int_equal(k.n, 3);
	assert_int_equal(k.e[2].events, 1);
	dw_fini(&t);
}

/* At most max_keys keys: a new one evicts the least recently seen, whose open window is
 * emitted (flagged incomplete when cut short before its end); no event is lost. */
static void test_key_bound(void **st)
{
	(void)st;
	struct dw_ops ops = {cnt_new, cnt_reset, cnt_free, cnt_emit};
	struct dw_table t;
	struct sink k = {0};
	char key[DW_KEY_LEN];

	assert_int_equal(dw_init(&t, 2 * SEC, 0, 3, &ops, &k), 0);
	feed(&t, "a", 100 * SEC);
	feed(&t, "b", 100 * SEC);
	feed(&t, "c", 100 * SEC);
	feed(&t, "a", 101 * SEC);       /* a is now the most recently seen, b the least */
	assert_int_equal(dw_keys(&t), 3);
	feed(&t, "d", 101 * SEC);       /* evicts b, its window [100, 102) not over */
	assert_int_equal(dw_keys(&t), 3);
	assert_int_equal(k.n, 1);
	assert_string_equal(k.e[0].key, "b");
	assert_int_equal(k.e[0].events, 1);
	assert_true(k.e[0].flags & ANOMON_WINDOW_INCOMPLETE);
	feed(&t, "e", 102 * SEC);       /* evicts c: its window has ended, complete */
	assert_int_equal(k.n, 2);
	assert_string_equal(k.e[1].key, "c");
	assert_false(k.e[1].flags & ANOMON_WINDOW_INCOMPLETE);
	/* a thousand short-lived keys never hold more than 3 */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "/churn/%d", i);
		feed(&t, key, 103 * SEC);
		assert_true(dw_keys(&t) <= 3);
	}
	dw_flush(&t);
	assert_int_equal(k.events, 6 + 1000);
	assert_int_equal(k.windows, 6 + 1000 - 1); /* a's two events made one window */
	assert_int_equal(t.stats.held_max, 3);
	assert_int_equal(t.stats.evicted, 2 + 1000);
	/* b; then e and 997 churn keys ([102, 104) not over), not a and d ([100, 102) over) */
	assert_int_equal(t.stats.cut_short, 1 + 1 + 997);
	/* a key longer than a slot holds is one key, known by its beginning */
	memset(key, 'x', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	size_t before = t.stats.evicted;
	feed(&t, key, 104 * SEC);
	feed(&t, key, 104 * SEC);
	assert_int_equal(t.stats.evicted, before + 1);
	dw_fini(&t);
}

/* Keys that go quiet: their window is closed after a window and a grace period without
 * events (arrival clock), and the key forgotten after two windows and the grace period;
 * not while the event clock says the window is still running. */
static void test_quiet_keys(void **st)
{
	(void)st;
	struct dw_ops ops = {cnt_new, cnt_reset, cnt_free, cnt_emit};
	struct dw_table t;
	struct sink k = {0};

	assert_int_equal(dw_init(&t, 2 * SEC, 0, 64, &ops, &k), 0);
	feed_at(&t, "gone", 100 * SEC, 10 * SEC);
	feed_at(&t, "busy", 100 * SEC, 10 * SEC);
	feed_at(&t, "busy", 101 * SEC, 11 * SEC);
	feed_at(&t, "busy", 102 * SEC + 500000000, 12 * SEC + SEC / 2);
	assert_int_equal(k.n, 1);             /* busy's [100, 102) */
	assert_int_equal(dw_keys(&t), 2);
	feed_at(&t, "busy", 103 * SEC + 100, 13 * SEC + 100); /* gone: quiet 3 s, closed */
	assert_int_equal(k.n, 2);
	assert_string_equal(k.e[1].key, "gone");
	assert_int_equal(k.e[1].events, 1);
	assert_int_equal(dw_keys(&t), 2);
	feed_at(&t, "busy", 105 * SEC + 200, 15 * SEC + 200); /* gone: quiet 5 s, forgotten */
	assert_int_equal(dw_keys(&t), 1);
	assert_int_equal(t.stats.closed_quiet, 1);
	assert_int_equal(t.stats.forgotten, 1);
	/* the event clock lags (a replay slower than real time): nothing closes early */
	feed_at(&t, "slow", 106 * SEC, 16 * SEC);             /* [106, 108) */
	feed_at(&t, "busy", 106 * SEC + 1, 30 * SEC);         /* busy's [104, 106) is over */
	assert_int_equal(t.stats.closed_quiet, 2);
	assert_string_equal(k.e[k.n - 1].key, "busy");
	assert_int_equal(k.e[k.n - 1].start, 104 * SEC);
	feed_at(&t, "busy", 108 * SEC, 31 * SEC);             /* now slow's is */
	assert_int_equal(t.stats.closed_quiet, 3);
	assert_string_equal(k.e[k.n - 2].key, "slow");
	assert_string_equal(k.e[k.n - 1].key, "busy");
	dw_fini(&t);
}

static void test_hash_set(void **st)
{
	(void)st;
	struct hash_set s = {0};

	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(hash_set_add(&s, hash_bytes(&i, sizeof(i))), 1);
	for (uint64_t i = 0; i < 1000; i += 7)
		assert_int_equal(hash_set_add(&s, hash_bytes(&i, sizeof(i))), 0);
	assert_int_equal(s.n, 1000);
	assert_int_equal(hash_set_add(&s, 0), 1); /* 0 is stored, as 1 */
	hash_set_clear(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(hash_set_add(&s, 5), 1);
	hash_set_free(&s);
	assert_null(s.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_names),
		cmocka_unit_test(test_open_window),
		cmocka_unit_test(test_open_empty),
		cmocka_unit_test(test_sensitive_defaults),
		cmocka_unit_test(test_sensitive_prefilter),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_bio_window),
		cmocka_unit_test(test_bio_sparse),
		cmocka_unit_test(test_time_windows),
		cmocka_unit_test(test_count_windows),
		cmocka_unit_test(test_key_bound),
		cmocka_unit_test(test_quiet_keys),
		cmocka_unit_test(test_hash_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

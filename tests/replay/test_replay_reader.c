/* Unit tests of the replay reader on recorded logs: sections, histograms, datasets, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"

#ifndef FORMATS
#error "FORMATS and DATASETS must name the fixture directories"
#endif

struct seen {
	size_t open, bio, hist, lost_recs;
	uint64_t lost, failed_opens, bytes, untimed;
	uint64_t hist_bins[8][8]; /* first 8 bins of the first 8 histograms */
	uint64_t hist_samples[8], hist_run[8];
	uint64_t last_t_ns, max_seq, runs;
	char first_path[64], first_comm[16];
	int fail_at;              /* return -ECANCELED on this record (1-based), 0 never */
};

static int collect(void *arg, const struct replay_rec *r)
{
	struct seen *s = arg;
	size_t n = s->open + s->bio + s->hist + s->lost_recs + 1;
	if (s->fail_at && (int)n == s->fail_at)
		return -ECANCELED;
	switch (r->kind) {
	case REPLAY_REC_OPEN:
		if (!s->open++) {
			snprintf(s->first_path, sizeof(s->first_path), "%.*s", (int)r->open.path_len,
				 r->open.path);
			snprintf(s->first_comm, sizeof(s->first_comm), "%s", r->open.comm);
		}
		s->failed_opens += r->open.fd < 0;
		s->untimed += !r->timed;
		if (r->seq > s->max_seq)
			s->max_seq = r->seq;
		if (r->run + 1 > s->runs)
			s->runs = r->run + 1;
		break;
	case REPLAY_REC_BIO:
		s->bio++;
		s->bytes += r->bio.bytes;
		s->last_t_ns = r->t_ns;
		break;
	case REPLAY_REC_HIST:
		if (s->hist < 8) {
			for (uint32_t i = 0; i < 8 && i < r->hist.nbins; i++)
				s->hist_bins[s->hist][i] = r->hist.bins[i];
			s->hist_samples[s->hist] = r->hist.samples;
			s->hist_run[s->hist] = r->run;
		}
		s->hist++;
		break;
	case REPLAY_REC_LOST:
		s->lost_recs++;
		s->lost += r->lost;
		break;
	}
	return 0;
}

/* What a run of the reader gave: records (in `s`), rejected lines and the first message. */
struct run {
	int rc;             /* 0, or the first error that is not a rejected line */
	unsigned rejects;
	char first[512];
	char last[512];
};

/* Feed a whole text line by line the way the plugin does; rejected lines are counted and
 * the reading goes on. */
static void read_text(struct replay_reader *rd, const char *text, size_t size, struct seen *s,
		      struct run *run)
{
	const char *p = text, *end = text + size;
	memset(run, 0, sizeof(*run));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int err = replay_reader_feed(rd, p, len, collect, s);
		if (err == -EINVAL) {
			if (!run->rejects++)
				snprintf(run->first, sizeof(run->first), "%s", replay_reader_error(rd));
			snprintf(run->last, sizeof(run->last), "%s", replay_reader_error(rd));
		} else if (err) {
			run->rc = err;
			return;
		}
		p += len + (nl != NULL);
	}
	run->rc = replay_reader_finish(rd, collect, s);
}

static char *slurp(const char *dir, const char *name, size_t *size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void read_file(const char *dir, const char *name, enum replay_format fmt, int label,
		      struct seen *s, struct run *run)
{
	struct replay_reader_opts o = {.format = fmt, .nbins = 100, .label = label};
	struct replay_reader *rd = replay_reader_new(&o, name);
	size_t size;
	char *text = slurp(dir, name, &size);
	read_text(rd, text, size, s, run);
	replay_reader_free(rd);
	free(text);
}

static void read_string(const char *text, enum replay_format fmt, struct seen *s,
			struct run *run)
{
	struct replay_reader_opts o = {.format = fmt, .nbins = 100, .label = -1};
	struct replay_reader *rd = replay_reader_new(&o, "t.log");
	read_text(rd, text, strlen(text), s, run);
	replay_reader_free(rd);
}

/* Figures below were counted from the fixtures independently (see tests/replay/README.md). */
static void opensnoop_log(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_file(FORMATS, "opensnoop.log", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rc, 0);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(s.open, 3874);
	assert_int_equal(s.failed_opens, 722);
	assert_int_equal(s.untimed, 3874);
	assert_string_equal(s.first_path, "/dev/null");
	assert_string_equal(s.first_comm, "bash");
	assert_int_equal(s.bio + s.hist, 0);
	/* The same file read as what it is. */
	struct seen t = {0};
	read_file(FORMATS, "opensnoop.log", REPLAY_FMT_OPENSNOOP, -1, &t, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(t.open, 3874);
	/* And as what it is not: every data line is rejected, none crashes the reader. */
	struct seen u = {0};
	read_file(FORMATS, "opensnoop.log", REPLAY_FMT_BIOSNOOP, -1, &u, &run);
	assert_int_equal(run.rc, 0);
	assert_int_equal(u.open + u.bio, 0);
	assert_int_equal(run.rejects, 3874 + 1); /* and the opensnoop header */
}

static void biosnoop_logs(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_file(FORMATS, "biosnoop.log", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(s.bio, 528);
	assert_int_equal(s.bytes, 42786816);
	assert_int_equal(s.last_t_ns, 2792000000ull);
	struct seen t = {0};
	read_file(FORMATS, "biosnoop5.log", REPLAY_FMT_AUTO, -1, &t, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(t.bio, 528);
	assert_int_equal(t.last_t_ns, 2824000000ull);
	struct seen u = {0};
	read_file(FORMATS, "biosnoop5.log", REPLAY_FMT_BIOSNOOP5, -1, &u, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(u.bio, 528);
}

static void runqlen_log(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_file(FORMATS, "runqlen.log", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(s.hist, 5);
	/* Bins by value, not by position: the third histogram starts at [1, 2). */
	assert_int_equal(s.hist_bins[0][0], 250);
	assert_int_equal(s.hist_bins[1][0], 46);
	assert_int_equal(s.hist_bins[1][1], 204);
	assert_int_equal(s.hist_bins[1][2], 205);
	assert_int_equal(s.hist_bins[1][3], 5);
	assert_int_equal(s.hist_samples[1], 460);
	assert_int_equal(s.hist_bins[2][0], 0);
	assert_int_equal(s.hist_bins[2][1], 249);
	assert_int_equal(s.hist_bins[2][2], 250);
	assert_int_equal(s.hist_samples[2], 499);
	assert_int_equal(s.hist_bins[3][2], 40);
	assert_int_equal(s.hist_bins[4][0], 91);
	assert_int_equal(s.hist_run[4], 4);
	struct seen t = {0};
	read_file(FORMATS, "runqlen.log", REPLAY_FMT_RUNQLEN, -1, &t, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(t.hist, 5);
}

static void mixed_log(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	const char *log = "Attaching 6 probes...\n"
			  "Tracing open syscalls... Hit Ctrl-C to end.\n"
			  "PID    COMM               FD ERR PATH\n"
			  "1      a                   3   0 /x\n"
			  "Lost 12 events\n"
			  "2      b                  -1   2 /y\n"
			  "TIME(ms)     COMM             DISK    PID    LAT(ms)\n"
			  "10           dd               vda     3      1\n"
			  "@runqlen: \n"
			  "[0, 1)  5 |@@|\n"
			  "[7, 8)  2 |@|\n"
			  "[100, ...)  1 |@|\n"
			  "(..., 0)  4 |@|\n"
			  "@start[12]: 345\n"
			  "11           dd               vda     3      0\n"
			  "@runqlen: \n"
			  "[1, 2)  1 |@|";
	read_string(log, REPLAY_FMT_AUTO, &s, &run);
	assert_int_equal(run.rc, 0);
	assert_int_equal(run.rejects, 0);
	/* After a histogram, lines are read in the section before it (biosnoop5). */
	assert_int_equal(s.bio, 2);
	assert_int_equal(s.lost, 12);
	assert_int_equal(s.hist, 2);
	assert_int_equal(s.hist_bins[0][0], 9);
	assert_int_equal(s.hist_bins[0][7], 2);
	assert_int_equal(s.hist_samples[0], 12);
	assert_int_equal(s.hist_bins[1][1], 1);
	assert_int_equal(s.open, 2);
}

/* Without a header, auto reads the layout the first data line fits, and says so. */
static void headerless(void **ctx)
{
	(void)ctx;
	static const struct {
		const char *text;
		enum replay_format want;
		size_t open, bio;
	} cases[] = {
		{"1 sh 3 0 /x\n2 sh -1 2 /y z\n", REPLAY_FMT_OPENSNOOP, 2, 0},
		{"10 dd vda 3 1\n11 dd vda 3 0.5\n", REPLAY_FMT_BIOSNOOP5, 0, 2},
		{"2.656 bash 29578 vda RA 12654392 16384 0.315\n", REPLAY_FMT_BIOSNOOP, 0, 1},
		{"1.5 7 sh 3 0 /x\n", REPLAY_FMT_OPENSNOOP, 1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s = {0};
		struct run run;
		struct replay_reader_opts o = {.format = REPLAY_FMT_AUTO, .nbins = 100, .label = -1};
		struct replay_reader *rd = replay_reader_new(&o, "t.log");
		read_text(rd, cases[i].text, strlen(cases[i].text), &s, &run);
		assert_int_equal(run.rejects, 0);
		assert_int_equal(replay_reader_format(rd), cases[i].want);
		struct replay_detection d;
		replay_reader_detection(rd, &d);
		assert_int_equal(d.detections, 1);
		assert_int_equal(d.line, 1);
		assert_string_equal(d.how, "data line");
		assert_int_equal(s.open, cases[i].open);
		assert_int_equal(s.bio, cases[i].bio);
		replay_reader_free(rd);
	}
}

/* bcc's biosnoop -Q adds QUE(ms) before LAT(ms): it is the queue time, marked present. */
static int check_queue(void *arg, const struct replay_rec *r)
{
	unsigned *n = arg;
	assert_int_equal(r->kind, REPLAY_REC_BIO);
	assert_true(r->bio.present & ANOMON_BIO_QUEUE);
	assert_int_equal(r->bio.queue_ns, 12000);
	assert_int_equal(r->bio.service_ns, 315000);
	assert_int_equal(r->bio.bytes, 16384);
	assert_string_equal(r->bio.comm, "bash");
	(*n)++;
	return 0;
}

static void biosnoop_queue(void **ctx)
{
	(void)ctx;
	struct replay_reader_opts o = {.format = REPLAY_FMT_AUTO, .nbins = 100, .label = -1};
	struct replay_reader *rd = replay_reader_new(&o, "t.log");
	const char *lines[] = {
		"TIME(s)     COMM           PID     DISK      T SECTOR     BYTES  QUE(ms) LAT(ms)",
		"2.656 bash           29578   vda       RA 12654392   16384   0.012   0.315\r",
	};
	unsigned n = 0;
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(replay_reader_feed(rd, lines[i], strlen(lines[i]), check_queue, &n),
				 0);
	assert_int_equal(n, 1);
	replay_reader_free(rd);
}

/* Each bad line is rejected with its position and what was expected; the next one is read. */
static void rejects_go_on(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_string("PID COMM FD ERR PATH\n1 a 3 0 /x\n1 a 3 2 /y\n4 d 3 0 /z\n", REPLAY_FMT_AUTO,
		    &s, &run);
	assert_int_equal(run.rejects, 1);
	assert_string_equal(run.first, "t.log:3:3: expected COMM (at most 15 characters) then FD "
			    "and ERR (FD -1 with ERR > 0, or FD >= 0 with ERR 0), then PATH");
	assert_int_equal(s.open, 2);

	memset(&s, 0, sizeof(s));
	read_string("garbage\n1 a 3 0 /x\n", REPLAY_FMT_AUTO, &s, &run);
	assert_int_equal(run.rejects, 1);
	assert_non_null(strstr(run.first, "t.log:1:1: expected a header"));
	assert_int_equal(s.open, 1);

	read_string("TIME(ms) COMM DISK PID LAT(ms)\n1 a 3 0 /x\n", REPLAY_FMT_OPENSNOOP, &s, &run);
	assert_int_equal(run.rejects, 1);
	assert_non_null(strstr(run.first, "t.log:1:1: expected a opensnoop log, found a biosnoop5"));

	memset(&s, 0, sizeof(s));
	read_string("@runqlen:\n[0, 2) 5\n[0, 1) 3\n@runqlen:\n[1, 2) 1\n", REPLAY_FMT_AUTO, &s,
		    &run);
	/* The broken bucket drops its histogram and the buckets after it; the next one counts. */
	assert_int_equal(run.rejects, 2);
	assert_non_null(strstr(run.first, "t.log:2:1: expected buckets of width 1"));
	assert_int_equal(s.hist, 1);
	assert_int_equal(s.hist_bins[0][1], 1);

	read_string("@runqlen[3]:\n[0, 1) 5\n", REPLAY_FMT_AUTO, &s, &run);
	assert_non_null(strstr(run.first, "unkeyed"));
	read_string("@runqlen:\n", REPLAY_FMT_BIOSNOOP, &s, &run);
	assert_int_equal(run.rejects, 1);
	read_string("@runqlen:\n[0, 1) 5\nfoo\n", REPLAY_FMT_RUNQLEN, &s, &run);
	assert_int_equal(run.rejects, 1);
	assert_non_null(strstr(run.first, "t.log:3:1: expected a histogram"));
}

/* Buckets out of order or repeated add up by value; counts that would overflow saturate;
 * ranges beyond the bins go to overflow; negative and oversized numbers are rejected. */
static void hostile_histograms(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_string("@runqlen:\n[3, 4) 1\n[0, 1) 2\n[3, 4) 4\n[150, 151) 5\n[100, ...) 6\n"
		    "[-1, 0) 7\n[0, 1) -5\n[0, 1) 99999999999999999999\n"
		    "[2, 3) 18446744073709551615\n[2, 3) 1\n",
		    REPLAY_FMT_AUTO, &s, &run);
	/* "[-1, 0)" is rejected and drops the histogram; the four buckets after it belong to no
	 * histogram and are rejected too. */
	assert_int_equal(s.hist, 0);
	assert_int_equal(run.rejects, 5);
	memset(&s, 0, sizeof(s));
	read_string("@runqlen:\n[3, 4) 1\n[0, 1) 2\n[3, 4) 4\n[150, 151) 5\n[100, ...) 6\n"
		    "[2, 3) 18446744073709551615\n[2, 3) 1\n\n",
		    REPLAY_FMT_AUTO, &s, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(s.hist, 1);
	assert_int_equal(s.hist_bins[0][0], 2);
	assert_int_equal(s.hist_bins[0][3], 5);
	assert_int_equal(s.hist_bins[0][2], UINT64_MAX);
	assert_int_equal(s.hist_samples[0], UINT64_MAX);
}

static void hostile_numbers(void **ctx)
{
	(void)ctx;
	const char *bad[] = {
		"-5 sh 3 0 /x", "99999999999 sh 3 0 /x", "1 sh 3 -4 /x", "1 sh 2147483648 0 /x",
		"1 sh -2 5 /x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s = {0};
		struct run run;
		read_string(bad[i], REPLAY_FMT_OPENSNOOP, &s, &run);
		assert_int_equal(run.rejects, 1);
		assert_int_equal(s.open, 0);
	}
	const char *badbio[] = {
		"18446744073709551616.1 dd 1 vda R 1 1 1", "1.0 dd -1 vda R 1 1 1",
		"1.0 dd 1 vda R -1 1 1", "1.0 dd 1 vda R 1 99999999999999999999 1",
		"1.0 dd 1 vda R 1 1 -0.5", "1.0 dd 1 vda RWRWRWRW 1 1 1",
	};
	for (size_t i = 0; i < sizeof(badbio) / sizeof(badbio[0]); i++) {
		struct seen s = {0};
		struct run run;
		read_string(badbio[i], REPLAY_FMT_BIOSNOOP, &s, &run);
		assert_int_equal(run.rejects, 1);
		assert_int_equal(s.bio, 0);
	}
}

static void callback_error_stops(void **ctx)
{
	(void)ctx;
	struct seen s = {.fail_at = 3};
	struct run run;
	read_file(FORMATS, "opensnoop.log", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rc, -ECANCELED);
	assert_int_equal(s.open, 2);
}

/* A line too long to hold is counted where it stood. */
static void reject_by_caller(void **ctx)
{
	(void)ctx;
	struct replay_reader_opts o = {.format = REPLAY_FMT_AUTO, .nbins = 100, .label = -1};
	struct replay_reader *rd = replay_reader_new(&o, "t.log");
	struct seen s = {0};
	assert_int_equal(replay_reader_feed(rd, "PID COMM FD ERR PATH", 20, collect, &s), 0);
	assert_int_equal(replay_reader_reject(rd, "expected a shorter line"), -EINVAL);
	assert_string_equal(replay_reader_error(rd), "t.log:2:1: expected a shorter line");
	assert_int_equal(replay_reader_feed(rd, "1 a 3 0 /x", 10, collect, &s), 0);
	assert_int_equal(replay_reader_line(rd), 3);
	replay_reader_restart(rd);
	assert_int_equal(replay_reader_line(rd), 0);
	/* The format in force survives a restart (a rotated file without its header). */
	assert_int_equal(replay_reader_feed(rd, "2 b 3 0 /y", 10, collect, &s), 0);
	assert_int_equal(s.open, 2);
	replay_reader_free(rd);
}

static void runqlen_csv(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	read_file(DATASETS, "runqlen_histograms.csv", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(s.hist, 81);
	assert_int_equal(s.hist_bins[0][0], 1925);
	assert_int_equal(s.hist_bins[0][1], 2);
	assert_int_equal(s.hist_samples[0], 1928);
	assert_int_equal(s.hist_samples[2], 1965);
	struct seen ab = {0};
	read_file(DATASETS, "runqlen_histograms.csv", REPLAY_FMT_CSV, 1, &ab, &run);
	assert_int_equal(ab.hist, 39);
	assert_int_equal(ab.hist_run[7], 7); /* runs are numbered among the rows kept */
	struct seen e = {0};
	read_string("label,runqlen_0,runqlen_1\n1,2\n", REPLAY_FMT_AUTO, &e, &run);
	assert_string_equal(run.first, "t.log:2: expected 3 comma-separated fields as in the "
			    "header, found 2");
	read_string("label,runqlen_0,x\n", REPLAY_FMT_AUTO, &e, &run);
	assert_non_null(strstr(run.first, "t.log:1:17: expected a column"));
	read_string("label,runqlen_0,runqlen_100\n2,1,1\n", REPLAY_FMT_AUTO, &e, &run);
	assert_non_null(strstr(run.first, "t.log:2:1: expected a label"));
	/* runqlen_100 is lhist's [100, ...) bucket: overflow with 100 bins. */
	struct seen o = {0};
	read_string("runqlen_0,runqlen_99,runqlen_100\n1,2,3\n", REPLAY_FMT_AUTO, &o, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(o.hist_samples[0], 6);
}

static void opensnoop_jsonl(void **ctx)
{
	(void)ctx;
	struct seen s = {0};
	struct run run;
	/* The shipped dataset has one damaged line (a bare path) in its 24th snippet: that
	 * snippet is rejected whole, the others are read. */
	read_file(DATASETS, "opensnoop_windows.jsonl", REPLAY_FMT_AUTO, -1, &s, &run);
	assert_int_equal(run.rc, 0);
	assert_int_equal(run.rejects, 1);
	assert_string_equal(run.first, "opensnoop_windows.jsonl:24: \"log\" line 2, column 1: "
			    "expected PID, an integer");
	assert_int_equal(s.runs, 60);
	struct seen ab = {0};
	read_file(DATASETS, "opensnoop_windows.jsonl", REPLAY_FMT_JSONL, 1, &ab, &run);
	assert_int_equal(run.rejects, 0);
	assert_int_equal(ab.runs, 13);
	assert_int_equal(ab.first_path[0], '/');
	struct seen e = {0};
	read_string("{\"label\": 3, \"log\": \"\"}\n", REPLAY_FMT_AUTO, &e, &run);
	assert_string_equal(run.first, "t.log:1:1: expected \"label\" to be 0 or 1");
	read_string("{\"log\": 1\n", REPLAY_FMT_JSONL, &e, &run);
	assert_non_null(strstr(run.first, "t.log:1:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opensnoop_log),
		cmocka_unit_test(biosnoop_logs),
		cmocka_unit_test(runqlen_log),
		cmocka_unit_test(mixed_log),
		cmocka_unit_test(headerless),
		cmocka_unit_test(biosnoop_queue),
		cmocka_unit_test(rejects_go_on),
		cmocka_unit_test(hostile_histograms),
		cmocka_unit_test(hostile_numbers),
		cmocka_unit_test(callback_error_stops),
		cmocka_unit_test(reject_by_caller),
		cmocka_unit_test(runqlen_csv),
		cmocka_unit_test(opensnoop_jsonl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

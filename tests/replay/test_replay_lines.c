/* Unit tests of the replay collector's line parsers and time parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"

#define L(s) (s), strlen(s)

static void open_line(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_open(L("29508  ls                 -1   2 /usr/lib/locale/x"),
					   false, &r, &col, &what), 0);
	assert_int_equal(r.kind, REPLAY_REC_OPEN);
	assert_false(r.timed);
	assert_int_equal(r.open.pid, 29508);
	assert_string_equal(r.open.comm, "ls");
	assert_int_equal(r.open.fd, -1);
	assert_int_equal(r.open.err, 2);
	assert_int_equal(r.open.path_len, strlen("/usr/lib/locale/x"));
	assert_memory_equal(r.open.path, "/usr/lib/locale/x", r.open.path_len);
	assert_int_equal(r.open.present, 0);
}

/* COMM with spaces and digits, PATH with spaces: FD/ERR are the first pair that fits. */
static void open_line_ambiguous(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_open(L("77 Web Content 1 3 0 /tmp/a b/c"), false, &r, &col,
					   &what), 0);
	assert_string_equal(r.open.comm, "Web Content 1");
	assert_int_equal(r.open.fd, 3);
	assert_int_equal(r.open.err, 0);
	assert_memory_equal(r.open.path, "/tmp/a b/c", r.open.path_len);
	/* A path that starts with digits stays the path. */
	assert_int_equal(replay_parse_open(L("5 sh 4 0 12 34"), false, &r, &col, &what), 0);
	assert_string_equal(r.open.comm, "sh");
	assert_int_equal(r.open.fd, 4);
	assert_memory_equal(r.open.path, "12 34", r.open.path_len);
	/* An empty path is an open of "". */
	assert_int_equal(replay_parse_open(L("5 sh -1 2"), false, &r, &col, &what), 0);
	assert_int_equal(r.open.path_len, 0);
}

static void open_line_timed(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_open(L("1.000250 42 cat 3 0 /etc/passwd"), true, &r, &col,
					   &what), 0);
	assert_true(r.timed);
	assert_int_equal(r.t_ns, 1000250000ull);
	assert_int_equal(r.open.pid, 42);
}

static void open_line_errors(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_open(L("tls/x86_64/libc.so.6"), false, &r, &col, &what),
			 -EINVAL);
	assert_int_equal(col, 1);
	assert_non_null(strstr(what, "PID"));
	/* FD 3 with ERR 2 is not something a tracer prints. */
	assert_int_equal(replay_parse_open(L("12 sh 3 2 /x"), false, &r, &col, &what), -EINVAL);
	assert_int_equal(col, 4);
	assert_non_null(strstr(what, "COMM"));
	/* COMM longer than the kernel's 15 characters. */
	assert_int_equal(replay_parse_open(L("12 a-very-long-command-name 3 0 /x"), false, &r, &col,
					   &what), -EINVAL);
	assert_int_equal(replay_parse_open(L("12 sh 3"), false, &r, &col, &what), -EINVAL);
}

static void bio_line(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_bio(L("2.792 cat            29580   vda       RA 35693568   "
					    "262144  4.121"), &r, &col, &what), 0);
	assert_int_equal(r.kind, REPLAY_REC_BIO);
	assert_int_equal(r.t_ns, 2792000000ull);
	assert_string_equal(r.bio.comm, "cat");
	assert_int_equal(r.bio.pid, 29580);
	assert_string_equal(r.bio.disk, "vda");
	assert_string_equal(r.bio.rwbs, "RA");
	assert_int_equal(r.bio.sector, 35693568);
	assert_int_equal(r.bio.bytes, 262144);
	assert_int_equal(r.bio.service_ns, 4121000);
	assert_int_equal(r.bio.present, ANOMON_BIO_PID | ANOMON_BIO_DISK | ANOMON_BIO_RWBS |
			 ANOMON_BIO_SECTOR | ANOMON_BIO_BYTES | ANOMON_BIO_SERVICE);
	assert_int_equal(replay_parse_bio(L("0.5 kworker/u8:2 x 9 sda W 1 4096 0.1"), &r, &col,
					    &what), 0);
	assert_string_equal(r.bio.comm, "kworker/u8:2 x");
	assert_int_equal(replay_parse_bio(L("2.7 cat 29580 vda RA 35693568 big 4.1"), &r, &col,
					    &what), -EINVAL);
	assert_int_equal(col, 31);
	assert_non_null(strstr(what, "BYTES"));
}

static void bio5_line(void **ctx)
{
	(void)ctx;
	struct replay_rec r;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_bio5(L("4607     kworker/u256:0 sda       5673       1"), &r,
					     &col, &what), 0);
	assert_int_equal(r.t_ns, 4607000000ull);
	assert_string_equal(r.bio.comm, "kworker/u256:0");
	assert_string_equal(r.bio.disk, "sda");
	assert_int_equal(r.bio.pid, 5673);
	assert_int_equal(r.bio.service_ns, 1000000);
	assert_int_equal(r.bio.present, ANOMON_BIO_PID | ANOMON_BIO_DISK | ANOMON_BIO_SERVICE);
	assert_int_equal(replay_parse_bio5(L("428 NetworkManager sda x 2"), &r, &col, &what),
			 -EINVAL);
	assert_int_equal(col, 24);
}

static void bucket_line(void **ctx)
{
	(void)ctx;
	int64_t lo;
	uint64_t hi, count;
	size_t col;
	const char *what;
	assert_int_equal(replay_parse_bucket(L("[2, 3)               205 |@@@@@   |"), &lo, &hi,
					     &count, &col, &what), 0);
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 3);
	assert_int_equal(count, 205);
	assert_int_equal(replay_parse_bucket(L("[100, ...)   7 |@|"), &lo, &hi, &count, &col,
					     &what), 0);
	assert_int_equal(lo, 100);
	assert_true(hi == UINT64_MAX);
	assert_int_equal(replay_parse_bucket(L("(..., 0)   3 |@|"), &lo, &hi, &count, &col,
					     &what), 0);
	assert_int_equal(lo, -1);
	assert_int_equal(count, 3);
	assert_int_equal(replay_parse_bucket(L("[1K, 2K)  9"), &lo, &hi, &count, &col, &what),
			 0);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 2048);
	assert_int_equal(replay_parse_bucket(L("[3, 2)  9"), &lo, &hi, &count, &col, &what),
			 -EINVAL);
	assert_int_equal(replay_parse_bucket(L("[0, 1)  nine |@|"), &lo, &hi, &count, &col,
					     &what), -EINVAL);
	assert_int_equal(col, 9);
	assert_int_equal(replay_parse_bucket(L("[0, 1)  9 x"), &lo, &hi, &count, &col, &what),
			 -EINVAL);
}

static void decimal(void **ctx)
{
	(void)ctx;
	uint64_t v;
	assert_int_equal(replay_parse_decimal_ns(L("2.656"), 1000000000ull, &v), 0);
	assert_int_equal(v, 2656000000ull);
	assert_int_equal(replay_parse_decimal_ns(L("0.0000000019"), 1000000000ull, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(replay_parse_decimal_ns(L("12"), 1000000ull, &v), 0);
	assert_int_equal(v, 12000000ull);
	assert_int_equal(replay_parse_decimal_ns(L("1."), 1, &v), -EINVAL);
	assert_int_equal(replay_parse_decimal_ns(L("-1"), 1, &v), -EINVAL);
	assert_int_equal(replay_parse_decimal_ns(L("99999999999999999999"), 1000, &v), -EINVAL);
}

static void start_time(void **ctx)
{
	(void)ctx;
	uint64_t v;
	assert_int_equal(replay_parse_start("now", &v), -EAGAIN);
	assert_int_equal(replay_parse_start("1700000000.5", &v), 0);
	assert_int_equal(v, 1700000000500000000ull);
	assert_int_equal(replay_parse_start("2023-11-14T22:13:20Z", &v), 0);
	assert_int_equal(v, 1700000000000000000ull);
	assert_int_equal(replay_parse_start("2023-11-14T23:13:20.25+01:00", &v), 0);
	assert_int_equal(v, 1700000000250000000ull);
	assert_int_equal(replay_parse_start("2023-02-30T00:00:00Z", &v), -EINVAL);
	assert_int_equal(replay_parse_start("2023-11-14 22:13:20", &v), -EINVAL);
	assert_int_equal(replay_parse_start("yesterday", &v), -EINVAL);
}

static void format_names(void **ctx)
{
	(void)ctx;
	enum replay_format f;
	assert_int_equal(replay_format_parse("biosnoop5", &f), 0);
	assert_int_equal(f, REPLAY_FMT_BIOSNOOP5);
	assert_int_equal(replay_format_parse("opensnoop-jsonl", &f), 0);
	assert_int_equal(f, REPLAY_FMT_JSONL);
	assert_int_equal(replay_format_parse("bt", &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_line),
		cmocka_unit_test(open_line_ambiguous),
		cmocka_unit_test(open_line_timed),
		cmocka_unit_test(open_line_errors),
		cmocka_unit_test(bio_line),
		cmocka_unit_test(bio5_line),
		cmocka_unit_test(bucket_line),
		cmocka_unit_test(decimal),
		cmocka_unit_test(start_time),
		cmocka_unit_test(format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

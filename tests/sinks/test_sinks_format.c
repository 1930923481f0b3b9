/* The host-free parts of the sinks: RFC 5424 messages, Prometheus text, NATS subjects, and
 * events parsed back from their JSON form. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nats_in_parse.h"
#include "nats_subject.h"
#include "prom_text.h"
#include "syslog_format.h"

static void syslog_severity_by_label_and_score(void **st)
{
	(void)st;
	assert_int_equal(syslog_severity(1, 0.95, 0.9), SYSLOG_CRIT);
	assert_int_equal(syslog_severity(1, 0.6, 0.9), SYSLOG_WARNING);
	assert_int_equal(syslog_severity(0, 0.99, 0.9), SYSLOG_INFO);
	assert_int_equal(syslog_severity(-1, 0.5, 0.9), SYSLOG_NOTICE);
	assert_int_equal(syslog_facility("daemon"), 3);
	assert_int_equal(syslog_facility("local7"), 23);
	assert_int_equal(syslog_facility("local8"), -1);
	assert_int_equal(syslog_facility("nope"), -1);
}

static void syslog_sd_escapes(void **st)
{
	(void)st;
	struct syslog_verdict v = {.key = "a\"b]c\\d", .label = "abnormal", .model = "m",
				   .score = 0.5, .start_ns = 0, .end_ns = 10000000000ull};
	char buf[512];
	int n = syslog_sd(buf, sizeof(buf), &v);
	assert_true(n > 0 && n < (int)sizeof(buf));
	assert_non_null(strstr(buf, "[anomon@32473 key=\"a\\\"b\\]c\\\\d\" label=\"abnormal\" score=\"0.5000\" model=\"m\""));
	assert_null(strstr(buf, "container="));
	assert_non_null(strstr(buf, "end=\"1970-01-01T00:00:10.000000Z\"]"));
	/* snprintf semantics: a short buffer gets a truncated, terminated prefix. */
	char small[8];
	assert_int_equal(syslog_sd(small, sizeof(small), &v), n);
	assert_int_equal(strlen(small), 7);
}

static void syslog_message_header(void **st)
{
	(void)st;
	char buf[256];
	syslog_message(buf, sizeof(buf), 3, 4, 1500000000123456789ull, "my host", "anomon", 42,
		       "verdict", "[x@1 a=\"b\"]", "hello");
	assert_string_equal(buf, "<28>1 2017-07-14T02:40:00.123456Z myhost anomon 42 verdict [x@1 a=\"b\"] hello");
	syslog_message(buf, sizeof(buf), 1, 6, 0, "", "a", 1, "m", NULL, NULL);
	assert_string_equal(buf, "<14>1 1970-01-01T00:00:00.000000Z - a 1 m -");
}

static void prom_escapes_and_numbers(void **st)
{
	(void)st;
	struct prom_text t = {0};
	prom_family(&t, "x_total", "counter", "a\\b\nc");
	const char *l[] = {"key", "q\"\\\n", "skip", NULL, "le", "+Inf", NULL};
	prom_sample(&t, "x_total", l, 3);
	prom_sample(&t, "y", NULL, 0.25);
	prom_sample(&t, "z", NULL, 1.0 / 0.0);
	assert_int_equal(t.err, 0);
	assert_string_equal(t.buf, "# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\n"
				   "x_total{key=\"q\\\"\\\\\\n\",le=\"+Inf\"} 3\ny 0.25\nz +Inf\n");
	prom_text_free(&t);
}

static void nats_subjects(void **st)
{
	(void)st;
	char buf[128];
	assert_true(nats_subject(buf, sizeof(buf), "anomon.{host}.{pipeline}.{kind}", "web.1",
				 "cpu *x>", "event.open") > 0);
	assert_string_equal(buf, "anomon.web_1.cpu__x_.event.open");
	assert_true(nats_subject(buf, sizeof(buf), "a.{host}", "", "p", "k") > 0);
	assert_string_equal(buf, "a._");
	assert_int_equal(nats_subject(buf, sizeof(buf), "a.{nope}", "h", "p", "k"), -1);
	assert_int_equal(nats_subject(buf, sizeof(buf), "a.{host", "h", "p", "k"), -1);
}

static void parse_runq_hist(void **st)
{
	(void)st;
	const char *j = "{\"record\":\"event\",\"type\":\"runq_hist\",\"time\":\"x\",\"ts_ns\":5,"
			"\"start\":\"2026-11-25T08:33:10.000000000Z\",\"end\":\"2026-11-25T08:33:20.5Z\","
			"\"source\":\"cgroup\",\"cgroup_id\":77,\"samples\":6,\"overflow\":1,\"bins\":[3,0,2]}";
	struct nats_in_event e;
	char err[128];
	assert_int_equal(nats_in_parse(j, strlen(j), &e, err, sizeof(err)), NATS_IN_EVENT);
	const struct anomon_runq_hist *h = e.ev.data;
	assert_string_equal(e.ev.type, "runq_hist");
	assert_int_equal(e.ev.size, sizeof(*h));
	assert_int_equal(h->source, ANOMON_RUNQ_CGROUP);
	assert_int_equal(h->cgroup_id, 77);
	assert_int_equal(h->nbins, 3);
	assert_int_equal(h->bins[2], 2);
	assert_int_equal(h->samples, 6);
	assert_int_equal(h->overflow, 1);
	assert_int_equal(h->end_ns - h->start_ns, 10500000000ull);
	assert_int_equal(h->start_ns % 1000000000ull, 0);
	nats_in_event_free(&e);
}

static void parse_open_and_bio(void **st)
{
	(void)st;
	const char *o = "{\"record\":\"event\",\"type\":\"open\",\"ts_ns\":1,\"pid\":9,\"uid\":0,"
			"\"comm\":\"cat\",\"fd\":-1,\"err\":2,\"path\":\"/etc/x\"}";
	struct nats_in_event e;
	char err[128];
	assert_int_equal(nats_in_parse(o, strlen(o), &e, err, sizeof(err)), NATS_IN_EVENT);
	const struct anomon_open *p = e.ev.data;
	assert_int_equal(p->pid, 9);
	assert_int_equal(p->present, ANOMON_OPEN_UID);
	assert_int_equal(p->fd, -1);
	assert_int_equal(p->err, 2);
	assert_string_equal(p->comm, "cat");
	assert_int_equal(p->path_len, 6);
	assert_memory_equal(p->path, "/etc/x", 6);
	nats_in_event_free(&e);
	const char *b = "{\"record\":\"event\",\"type\":\"bio\",\"ts_ns\":1,\"comm\":\"dd\","
			"\"disk\":\"vda\",\"rwbs\":\"W\",\"bytes\":4096,\"service_ns\":100}";
	assert_int_equal(nats_in_parse(b, strlen(b), &e, err, sizeof(err)), NATS_IN_EVENT);
	const struct anomon_bio *io = e.ev.data;
	assert_int_equal(io->present, ANOMON_BIO_DISK | ANOMON_BIO_RWBS | ANOMON_BIO_BYTES | ANOMON_BIO_SERVICE);
	assert_string_equal(io->disk, "vda");
	assert_int_equal(io->bytes, 4096);
	nats_in_event_free(&e);
}

static void parse_rejects(void **st)
{
	(void)st;
	struct nats_in_event e;
	char err[128];
	const char *v = "{\"record\":\"verdict\",\"key\":\"host\"}";
	assert_int_equal(nats_in_parse(v, strlen(v), &e, err, sizeof(err)), NATS_IN_NOT_EVENT);
	assert_int_equal(nats_in_parse("{", 1, &e, err, sizeof(err)), -EINVAL);
	const char *x = "{\"record\":\"event\",\"type\":\"open\",\"ts_ns\":1,\"pid\":-3}";
	assert_int_equal(nats_in_parse(x, strlen(x), &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"pid\""));
	const char *h = "{\"record\":\"event\",\"type\":\"runq_hist\",\"ts_ns\":1,\"start\":\"yesterday\"}";
	assert_int_equal(nats_in_parse(h, strlen(h), &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"start\""));
	const char *u = "{\"record\":\"event\",\"type\":\"mine\",\"ts_ns\":1}";
	assert_int_equal(nats_in_parse(u, strlen(u), &e, err, sizeof(err)), -ENOTSUP);
	uint64_t ns;
	assert_int_equal(nats_in_parse_time("2026-11-25T08:33:10+01:00", &ns), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syslog_severity_by_label_and_score),
		cmocka_unit_test(syslog_sd_escapes),
		cmocka_unit_test(syslog_message_header),
		cmocka_unit_test(prom_escapes_and_numbers),
		cmocka_unit_test(nats_subjects),
		cmocka_unit_test(parse_runq_hist),
		cmocka_unit_test(parse_open_and_bio),
		cmocka_unit_test(parse_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

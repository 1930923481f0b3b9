/* The host-free parts of the sinks: RFC 5424 messages, Prometheus text, NATS subjects, and
 * events parsed back from their JSON form (the core's writer, record_json, makes that form). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nats_in_parse.h"
#include "nats_subject.h"
#include "prom_text.h"
#include "record_json.h"
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

/* ev as every sink writes it, parsed back: the same type, time and size, and written again,
 * the same line (so nothing the writer says is lost on the way). */
static void roundtrip(const struct anomon_event *ev, struct nats_in_event *e)
{
	char line[4096], again[4096], err[256];
	int n = record_json(ANOMON_RECORD_EVENT, ev, "c", line, sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	int rc = nats_in_parse(line, (size_t)n, e, err, sizeof(err));
	if (rc != NATS_IN_EVENT)
		fail_msg("%s: %s", line, err);
	assert_string_equal(e->ev.type, ev->type);
	assert_int_equal(e->ev.ts_ns, ev->ts_ns);
	assert_int_equal(e->ev.size, ev->size);
	record_json(ANOMON_RECORD_EVENT, &e->ev, "c", again, sizeof(again));
	assert_string_equal(again, line);
}

static void assert_proc_equal(const struct anomon_proc *a, const struct anomon_proc *b)
{
	assert_int_equal(a->present, b->present);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_int_equal(a->cgroup_id, b->cgroup_id);
	assert_int_equal(a->age_ns, b->age_ns);
	assert_memory_equal(a->comm, b->comm, sizeof(a->comm));
	if (!a->filename || !b->filename)
		assert_ptr_equal(a->filename, b->filename);
	else
		assert_string_equal(a->filename, b->filename);
}

static void roundtrip_proc(const struct anomon_proc *p)
{
	struct anomon_event ev = {.type = ANOMON_EV_PROC, .ts_ns = 1795594269123456789ull,
				  .data = p, .size = sizeof(*p)};
	struct nats_in_event e;
	roundtrip(&ev, &e);
	assert_proc_equal(e.ev.data, p);
	nats_in_event_free(&e);
}

static void parse_proc_roundtrip(void **st)
{
	(void)st;
	/* A process forked, every optional field present. */
	struct anomon_proc fork = {.present = ANOMON_PROC_F_UID | ANOMON_PROC_F_CGROUP,
				   .kind = ANOMON_PROC_FORK, .pid = 4100, .tid = 4100, .ppid = 4000,
				   .uid = 1000, .cgroup_id = 123456789012ull};
	memcpy(fork.comm, "bash", 5);
	roundtrip_proc(&fork);
	/* A thread, from a source without uid or cgroup: absent, not zero. */
	struct anomon_proc thread = {.kind = ANOMON_PROC_FORK, .flags = ANOMON_PROC_THREAD,
				     .pid = 4100, .tid = 4101, .ppid = 4000};
	memcpy(thread.comm, "worker", 7);
	roundtrip_proc(&thread);
	/* An exec whose path and comm hold every kind of byte: invalid UTF-8 (0xff, 0x80, a
	 * lone lead byte), valid UTF-8, a control byte, quote and backslash, and the text \x41
	 * that is not an escape. */
	static const char path[] = "/opt/\xff\x80\xc3/a \"b\"\\c\x01\xc3\xa9\\x41\xfe";
	struct anomon_proc exec = {.present = ANOMON_PROC_F_UID | ANOMON_PROC_F_FILENAME,
				   .kind = ANOMON_PROC_EXEC, .pid = 4100, .tid = 4100, .ppid = 4000,
				   .filename = path};
	memcpy(exec.comm, "a\xff\\x41b", 8);
	roundtrip_proc(&exec);
	/* Exits: with a status, by a signal, a thread killed, and one without its age. */
	struct anomon_proc exit = {.present = ANOMON_PROC_F_CGROUP | ANOMON_PROC_F_AGE,
				   .kind = ANOMON_PROC_EXIT, .pid = 4100, .tid = 4100, .ppid = 4000,
				   .exit_code = 3, .cgroup_id = 77, .age_ns = 1500000000ull};
	memcpy(exit.comm, "false", 6);
	roundtrip_proc(&exit);
	exit.flags = ANOMON_PROC_SIGNALED;
	exit.exit_code = 9;
	roundtrip_proc(&exit);
	exit.flags = ANOMON_PROC_SIGNALED | ANOMON_PROC_THREAD;
	exit.tid = 4102;
	roundtrip_proc(&exit);
	exit.present = 0;
	exit.age_ns = 0;
	exit.cgroup_id = 0;
	exit.flags = 0;
	exit.exit_code = 0;
	roundtrip_proc(&exit);
}

static void parse_open_bytes(void **st)
{
	(void)st;
	/* A path's invalid bytes, written \xNN, come back as those bytes. */
	static const char path[] = "/tmp/\xff\x80x\\x7f\xc3\xa9";
	struct anomon_open o = {.present = ANOMON_OPEN_TID | ANOMON_OPEN_FLAGS, .pid = 5, .tid = 6,
				.flags = 0x241, .fd = 3, .path = path, .path_len = sizeof(path) - 1};
	memcpy(o.comm, "t\xfe", 3);
	struct anomon_event ev = {.type = ANOMON_EV_OPEN, .ts_ns = 7, .data = &o, .size = sizeof(o)};
	struct nats_in_event e;
	roundtrip(&ev, &e);
	const struct anomon_open *p = e.ev.data;
	assert_int_equal(p->present, o.present);
	assert_int_equal(p->tid, 6);
	assert_int_equal(p->flags, 0x241);
	assert_int_equal(p->path_len, o.path_len);
	assert_memory_equal(p->path, path, sizeof(path)); /* and its NUL */
	assert_memory_equal(p->comm, o.comm, sizeof(o.comm));
	nats_in_event_free(&e);
}

static void assert_runq_equal(const struct anomon_runq_hist *a, const struct anomon_runq_hist *b)
{
	assert_int_equal(a->start_ns, b->start_ns);
	assert_int_equal(a->end_ns, b->end_ns);
	assert_int_equal(a->source, b->source);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->cgroup_id, b->cgroup_id);
	assert_int_equal(a->nbins, b->nbins);
	assert_memory_equal(a->bins, b->bins, a->nbins * sizeof(*a->bins));
	assert_int_equal(a->overflow, b->overflow);
	assert_int_equal(a->samples, b->samples);
	assert_int_equal(a->runnable, b->runnable);
	assert_int_equal(a->crowded, b->crowded);
	assert_int_equal(a->cpu_samples, b->cpu_samples);
}

static void parse_runq_hist_roundtrip(void **st)
{
	(void)st;
	static const uint64_t bins[] = {5, 0, 3, 1};
	/* A cgroup's window with its demand. */
	struct anomon_runq_hist h = {.start_ns = 1795594260000000001ull,
				     .end_ns = 1795594270999999999ull, .source = ANOMON_RUNQ_CGROUP,
				     .cpu = -1, .cgroup_id = 4242, .nbins = 4, .bins = bins,
				     .overflow = 2, .samples = 11, .runnable = 37, .crowded = 9,
				     .cpu_samples = 22};
	struct anomon_event ev = {.type = ANOMON_EV_RUNQ_HIST, .ts_ns = h.end_ns, .data = &h,
				  .size = sizeof(h)};
	struct nats_in_event e;
	roundtrip(&ev, &e);
	assert_runq_equal(e.ev.data, &h);
	nats_in_event_free(&e);
	/* One CPU's, without demand (not measured: the fields are absent and read as 0). */
	h.source = ANOMON_RUNQ_CPU;
	h.cpu = 3;
	h.cgroup_id = 0;
	h.runnable = h.crowded = h.cpu_samples = 0;
	roundtrip(&ev, &e);
	assert_runq_equal(e.ev.data, &h);
	nats_in_event_free(&e);
	/* The host's, with demand. */
	h.source = ANOMON_RUNQ_HOST;
	h.cpu = -1;
	h.runnable = 1;
	h.cpu_samples = 1;
	roundtrip(&ev, &e);
	assert_runq_equal(e.ev.data, &h);
	nats_in_event_free(&e);
}

static void parse_proc_rejects(void **st)
{
	(void)st;
	struct nats_in_event e;
	char err[256];
	/* What the writer makes of a kind it does not know, and other malformed proc events:
	 * each refused with the field at fault. */
	struct anomon_proc odd = {.kind = 9, .pid = 1, .tid = 1};
	struct anomon_event ev = {.type = ANOMON_EV_PROC, .ts_ns = 1, .data = &odd,
				  .size = sizeof(odd)};
	char line[512];
	int n = record_json(ANOMON_RECORD_EVENT, &ev, "c", line, sizeof(line));
	assert_int_equal(nats_in_parse(line, (size_t)n, &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"kind\": expected \"fork\", \"exec\" or \"exit\"");
	static const struct {
		const char *json, *field;
	} bad[] = {
		{"\"kind\":\"vfork\",\"pid\":1,\"tid\":1,\"ppid\":0", "\"kind\""},
		{"\"pid\":1,\"tid\":1,\"ppid\":0", "\"kind\""},
		{"\"kind\":\"fork\",\"tid\":1,\"ppid\":0", "\"pid\""},
		{"\"kind\":\"fork\",\"pid\":1,\"ppid\":0", "\"tid\""},
		{"\"kind\":\"fork\",\"pid\":1,\"tid\":1", "\"ppid\""},
		{"\"kind\":\"fork\",\"pid\":1,\"tid\":1,\"ppid\":0,\"thread\":1", "\"thread\""},
		{"\"kind\":\"exit\",\"pid\":1,\"tid\":1,\"ppid\":0,\"signaled\":false", "\"exit_code\""},
		{"\"kind\":\"exit\",\"pid\":1,\"tid\":1,\"ppid\":0,\"exit_code\":0", "\"signaled\""},
		{"\"kind\":\"exec\",\"pid\":1,\"tid\":1,\"ppid\":0,\"filename\":3", "\"filename\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "{\"record\":\"event\",\"type\":\"proc\",\"ts_ns\":1,%s}",
			 bad[i].json);
		assert_int_equal(nats_in_parse(line, strlen(line), &e, err, sizeof(err)), -EINVAL);
		if (strncmp(err, bad[i].field, strlen(bad[i].field)))
			fail_msg("%s: %s, expected %s at fault", line, err, bad[i].field);
	}
	/* The least a fork needs. */
	snprintf(line, sizeof(line), "{\"record\":\"event\",\"type\":\"proc\",\"ts_ns\":1,%s}",
		 "\"kind\":\"fork\",\"pid\":1,\"tid\":1,\"ppid\":0");
	assert_int_equal(nats_in_parse(line, strlen(line), &e, err, sizeof(err)), NATS_IN_EVENT);
	const struct anomon_proc *p = e.ev.data;
	assert_int_equal(p->present, 0);
	assert_int_equal(p->flags, 0);
	assert_null(p->filename);
	nats_in_event_free(&e);
	const char *r = "{\"record\":\"event\",\"type\":\"runq_hist\",\"ts_ns\":1,"
			"\"start\":\"2026-11-25T08:33:10Z\",\"end\":\"2026-11-25T08:33:20Z\","
			"\"source\":\"host\",\"samples\":1,\"overflow\":0,\"bins\":[1],\"runnable\":-2}";
	assert_int_equal(nats_in_parse(r, strlen(r), &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"runnable\""));
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
		cmocka_unit_test(parse_proc_roundtrip),
		cmocka_unit_test(parse_open_bytes),
		cmocka_unit_test(parse_runq_hist_roundtrip),
		cmocka_unit_test(parse_proc_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* stdout sink: events, feature vectors and verdicts, one line each, as aligned text like
 * the original tools' columns or as NDJSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anomon_plugin.h"

struct out {
	const struct anomon_host *host;
	anomon_stage *stage;
	bool json, header;
	unsigned headers_done;   /* bit per header already printed */
	bool write_failed;
	char *line;              /* JSON line buffer */
	size_t line_cap;
};

enum header { H_OPEN = 1, H_BIO = 2, H_RUNQ = 4, H_VECTOR = 8, H_VERDICT = 16, H_OTHER = 32,
	      H_PROC = 64 };

static void clock_str(uint64_t ns, char *buf, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	localtime_r(&sec, &tm);
	size_t n = strftime(buf, cap, "%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%03u", (unsigned)(ns / 1000000u % 1000u));
}

static void check_write(struct out *o)
{
	if (ferror(stdout) && !o->write_failed) {
		o->write_failed = true;
		o->host->log(o->stage, ANOMON_LOG_WARN, "cannot write to standard output: %s; "
			     "records are counted as dropped", strerror(errno));
	}
}

static int emit_json(struct out *o, enum anomon_record_kind kind, const void *rec)
{
	int n = o->host->format_json(o->stage, kind, rec, o->line, o->line_cap);
	if (n < 0)
		return n;
	if ((size_t)n >= o->line_cap) {
		size_t cap = (size_t)n + 1;
		char *nl = realloc(o->line, cap);
		if (!nl)
			return -ENOMEM;
		o->line = nl;
		o->line_cap = cap;
		n = o->host->format_json(o->stage, kind, rec, o->line, o->line_cap);
	}
	o->line[n] = '\n';
	fwrite(o->line, 1, (size_t)n + 1, stdout);
	check_write(o);
	return o->write_failed ? -EIO : 0;
}

static void header(struct out *o, enum header h, const char *text)
{
	if (!o->header || (o->headers_done & h))
		return;
	o->headers_done |= h;
	fputs(text, stdout);
}

/* Containers by name where one is known, else by key (short id, unit, cgroup path). */
static const char *who(struct out *o, const char *key)
{
	const struct anomon_container *c = key ? o->host->container_of_key(o->stage, key) : NULL;
	return c && c->name ? c->name : key ? key : "-";
}

static const char *event_who(struct out *o, bool has_cgroup, uint64_t cgroup_id)
{
	if (!has_cgroup)
		return "-";
	const struct anomon_container *c = o->host->container(o->stage, cgroup_id);
	return c->name ? c->name : c->key;
}

/* Printable comm/path: control characters would break the columns or the terminal. */
static void put_clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
}

static int on_event(void *state, const struct anomon_event *ev)
{
	struct out *o = state;
	if (o->json)
		return emit_json(o, ANOMON_RECORD_EVENT, ev);
	char t[32];
	clock_str(ev->ts_ns, t, sizeof(t));
	if (!strcmp(ev->type, ANOMON_EV_OPEN) && ev->size >= sizeof(struct anomon_open)) {
		const struct anomon_open *e = ev->data;
		header(o, H_OPEN, "TIME         CONTAINER      PID     COMM              FD ERR PATH\n");
		printf("%-12s %-14.14s %-7" PRIu32 " %-16.16s %3" PRId32 " %3" PRId32 " ", t,
		       event_who(o, e->present & ANOMON_OPEN_CGROUP, e->cgroup_id), e->pid, e->comm,
		       e->fd, e->err);
		put_clean(e->path ? e->path : "", e->path ? e->path_len : 0);
		putchar('\n');
	} else if (!strcmp(ev->type, ANOMON_EV_BIO) && ev->size >= sizeof(struct anomon_bio)) {
		const struct anomon_bio *e = ev->data;
		char pid[16] = "-", sector[24] = "-", bytes[24] = "-", que[24] = "-", lat[24] = "-";
		if (e->present & ANOMON_BIO_PID)
			snprintf(pid, sizeof(pid), "%" PRIu32, e->pid);
		if (e->present & ANOMON_BIO_SECTOR)
			snprintf(sector, sizeof(sector), "%" PRIu64, e->sector);
		if (e->present & ANOMON_BIO_BYTES)
			snprintf(bytes, sizeof(bytes), "%" PRIu64, e->bytes);
		if (e->present & ANOMON_BIO_QUEUE)
			snprintf(que, sizeof(que), "%.3f", (double)e->queue_ns / 1e6);
		if (e->present & ANOMON_BIO_SERVICE)
			snprintf(lat, sizeof(lat), "%.3f", (double)e->service_ns / 1e6);
		header(o, H_BIO, "TIME         CONTAINER      COMM             PID     DISK     T    "
				 "SECTOR       BYTES     QUE(ms)  LAT(ms)\n");
		printf("%-12s %-14.14s %-16.16s %-7s %-8.8s %-4.4s %-12s %-9s %-8s %s\n", t,
		       event_who(o, e->present & ANOMON_BIO_CGROUP, e->cgroup_id), e->comm, pid,
		       (e->present & ANOMON_BIO_DISK) ? e->disk : "-",
		       (e->present & ANOMON_BIO_RWBS) ? e->rwbs : "-", sector, bytes, que, lat);
	} else if (!strcmp(ev->type, ANOMON_EV_PROC) && ev->size >= sizeof(struct anomon_proc)) {
		const struct anomon_proc *e = ev->data;
		static const char *const kinds[] = {"?", "fork", "exec", "exit"};
		const char *kind = e->kind <= ANOMON_PROC_EXIT ? kinds[e->kind] : "?";
		header(o, H_PROC, "TIME         CONTAINER      EVENT  PID     PPID    COMM             "
				  "DETAIL\n");
		/* Threads by their own id; an exit by its status and how long it lived; an exec
		 * by its program. */
		char detail[96] = "";
		int n = 0;
		if (e->flags & ANOMON_PROC_THREAD)
			n += snprintf(detail, sizeof(detail), " thread %" PRIu32, e->tid);
		if (e->kind == ANOMON_PROC_EXIT)
			n += snprintf(detail + n, sizeof(detail) - (size_t)n, " %s %" PRId32,
				      (e->flags & ANOMON_PROC_SIGNALED) ? "signal" : "code",
				      e->exit_code);
		if (e->kind == ANOMON_PROC_EXIT && (e->present & ANOMON_PROC_F_AGE))
			snprintf(detail + n, sizeof(detail) - (size_t)n, " after %.3fs",
				 (double)e->age_ns / 1e9);
		bool program = (e->present & ANOMON_PROC_F_FILENAME) && e->filename;
		printf("%-12s %-14.14s %-6s %-7" PRIu32 " %-7" PRIu32 " ", t,
		       event_who(o, e->present & ANOMON_PROC_F_CGROUP, e->cgroup_id), kind, e->pid,
		       e->ppid);
		if (detail[0] || program)
			printf("%-16.16s%s", e->comm, detail);
		else
			printf("%.16s", e->comm);
		if (program) {
			putchar(' ');
			put_clean(e->filename, strlen(e->filename));
		}
		putchar('\n');
	} else if (!strcmp(ev->type, ANOMON_EV_RUNQ_HIST) &&
		   ev->size >= ANOMON_RUNQ_HIST_SIZE_1_1) {
		const struct anomon_runq_hist *h = ev->data;
		char src[32];
		if (h->source == ANOMON_RUNQ_CPU)
			snprintf(src, sizeof(src), "cpu%" PRId32, h->cpu);
		else if (h->source == ANOMON_RUNQ_CGROUP)
			snprintf(src, sizeof(src), "%s", event_who(o, true, h->cgroup_id));
		else
			snprintf(src, sizeof(src), "host");
		header(o, H_RUNQ, "TIME         SOURCE                 SAMPLES  RUNQLEN:COUNT\n");
		printf("%-12s %-22s %-8" PRIu64 " ", t, src, h->samples);
		for (uint32_t i = 0; i < h->nbins; i++)
			if (h->bins[i])
				printf(" %" PRIu32 ":%" PRIu64, i, h->bins[i]);
		if (h->overflow)
			printf(" >=%" PRIu32 ":%" PRIu64, h->nbins, h->overflow);
		putchar('\n');
	} else {
		header(o, H_OTHER, "TIME         EVENT\n");
		printf("%-12s %s (%zu bytes)\n", t, ev->type, ev->size);
	}
	check_write(o);
	return o->write_failed ? -EIO : 0;
}

static int on_vector(void *state, const struct anomon_vector *v)
{
	struct out *o = state;
	if (o->json)
		return emit_json(o, ANOMON_RECORD_VECTOR, v);
	char t[32];
	clock_str(v->end_ns, t, sizeof(t));
	header(o, H_VECTOR, "TIME         KEY                  EVENTS   FEATURES\n");
	printf("%-12s %-20.20s %-8" PRIu64, t, who(o, v->key), v->events);
	/* A vector can have hundreds of features; the line shows the first few. */
	size_t shown = v->n < 8 ? v->n : 8;
	for (size_t i = 0; i < shown; i++)
		printf(" %s=%.4g", v->names[i], v->values[i]);
	if (v->n > shown)
		printf(" ... (+%zu)", v->n - shown);
	if (v->flags & ANOMON_WINDOW_INCOMPLETE)
		printf(" [incomplete]");
	putchar('\n');
	check_write(o);
	return o->write_failed ? -EIO : 0;
}

/* Where a feature normally lies, as "(normally 0.01-0.04)"; "to" when a bound is negative,
 * where a dash would read as a minus sign. */
static void print_range(const struct anomon_range *r)
{
	if (r->low == r->high)
		printf(" (normally %.3g)", r->low);
	else
		printf(" (normally %.3g%s%.3g)", r->low, r->low < 0 || r->high < 0 ? " to " : "-",
		       r->high);
}

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	struct out *o = state;
	if (o->json)
		return emit_json(o, ANOMON_RECORD_VERDICT, v);
	char t[32];
	clock_str(v->end_ns, t, sizeof(t));
	const char *label = v->label == 1 ? "abnormal" : v->label == 0 ? "normal" : "unjudged";
	header(o, H_VERDICT, "TIME         KEY                  LABEL     SCORE  MODEL            TOP\n");
	printf("%-12s %-20.20s %-9s %5.3f  %-16.16s", t, who(o, v->key), label, v->score,
	       v->model ? v->model : "-");
	for (size_t i = 0; i < v->n_top; i++) {
		printf(" %s=%.3g", v->top[i].feature, v->top[i].value);
		if (v->normal)
			print_range(&v->normal[i]);
	}
	if (v->basis)
		printf(" [%s]", v->basis);
	if (v->flags & ANOMON_WINDOW_INCOMPLETE)
		printf(" [incomplete]");
	putchar('\n');
	check_write(o);
	return o->write_failed ? -EIO : 0;
}

static void flush_tick(void *arg)
{
	struct out *o = arg;
	fflush(stdout);
	check_write(o);
}

static int init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	const char *format = host->param_string(s, "format");
	if (strcmp(format, "text") && strcmp(format, "json")) {
		host->error(s, "format: expected \"text\" or \"json\", got \"%s\"", format);
		return -EINVAL;
	}
	struct out *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->host = host;
	o->stage = s;
	o->json = !strcmp(format, "json");
	o->header = host->param_bool(s, "header");
	o->line_cap = 4096;
	o->line = malloc(o->line_cap);
	if (!o->line) {
		free(o);
		return -ENOMEM;
	}
	*state = o;
	return 0;
}

static int start(void *state)
{
	struct out *o = state;
	/* A terminal sees each line at once; a pipe or file gets whole buffers, flushed at
	 * least once a second so a reader is never far behind. */
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	return o->host->timer_start(o->stage, 1000, 1000, flush_tick, o, NULL);
}

static void stop(void *state)
{
	flush_tick(state);
}

static void destroy(void *state)
{
	struct out *o = state;
	fflush(stdout);
	free(o->line);
	free(o);
}

static const struct anomon_param params[] = {
	{"format", ANOMON_PARAM_STRING, "text", false, "\"text\" (aligned columns) or \"json\" (NDJSON)"},
	{"header", ANOMON_PARAM_BOOL, "true", false, "print a column header before the first line of each kind"},
	{NULL, 0, NULL, false, NULL},
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "stdout",
	.version = "1.0.0",
	.description = "Print events, feature vectors and verdicts to standard output as text or NDJSON",
	.params = params,
	.init = init,
	.start = start,
	.stop = stop,
	.destroy = destroy,
	.on_event = on_event,
	.on_vector = on_vector,
	.on_verdict = on_verdict,
};

/* The replay collector: emits the events of a recorded bpftrace/bcc log (or of the labelled
 * datasets the original tool shipped), so that every pipeline can run on recorded data.
 *
 * One streaming pass: a timer reads the file in bounded turns (so signals and the other
 * stages keep their share of the loop), pipes are read as they become readable, and with
 * `follow` a slower timer watches the file grow, rotate and shrink, like `tail -F`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "replay.h"

#define NSEC_PER_SEC 1000000000ull
/* How long one turn may read before the loop gets its turn again. */
#define TURN_BUDGET_NS (5 * 1000000ull)
/* Reading: fire on every loop turn. Follow: look at the file four times a second. */
#define READ_MS 1
#define PACED_MS 2
#define FOLLOW_MS 250
/* One rejected line in this many is reported, so that a garbage file cannot flood the log. */
#define REJECT_REPORT_EVERY 1000

struct pending {
	struct replay_rec rec;
	uint64_t ts;
	char *path;
	uint64_t *bins;
};

struct replay {
	const struct anomon_host *h;
	anomon_stage *s;
	const char *path;   /* the parameter, owned by the host */
	char *name;         /* in messages: the path, or "<stdin>" */
	struct replay_reader_opts ro;
	bool strict, follow;
	uint64_t span_ns;
	double speed;
	bool start_now;     /* `start` was "now": the time the replay starts */
	uint64_t base_ns;

	int fd;
	bool live;          /* a pipe, socket or terminal: read when readable */
	bool open_at_start; /* a FIFO: opening it waits for a writer */
	struct replay_file_id id;
	bool rotating;      /* follow: the path names a new file; finish this one first */
	bool idle;          /* follow: at the end of the file, polling it */
	bool eof;           /* no more input; what is queued still goes out */
	bool done;          /* end of stream said, or stopped */

	struct replay_input in;
	struct replay_reader *rd;
	anomon_timer *timer;
	uint64_t timer_ms;
	anomon_watch *watch;

	char *pathbuf;      /* NUL-terminated copy of an open's path, when it needs one */
	size_t pathbuf_cap;
	uint64_t read_ns;   /* when the bytes being parsed were read */
	uint64_t t0_ns;     /* monotonic start, for pacing */
	struct pending *q;  /* paced: the records of the last line, until due */
	size_t q_len, q_head, q_cap;

	uint64_t lines, events, rejects, detections;
	bool summarised;
};

static void on_tick(void *arg);

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------ */
/* Timestamps and emitting                                                                     */

static uint64_t rec_time(struct replay *st, const struct replay_rec *rec)
{
	if (rec->timed)
		return st->base_ns + rec->t_ns;
	if (rec->kind == REPLAY_REC_HIST)
		return st->base_ns + (rec->run + 1) * st->span_ns;
	if (rec->kind == REPLAY_REC_OPEN && rec->nseq) {
		/* A dataset snippet: its opens spread evenly over the run they came from. */
		uint64_t off = (uint64_t)((unsigned __int128)st->span_ns * rec->seq / rec->nseq);
		return st->base_ns + rec->run * st->span_ns + off;
	}
	/* A log without times (opensnoop): the time the line was read. */
	return st->read_ns;
}

static int emit(struct replay *st, const struct replay_rec *rec, uint64_t ts)
{
	struct anomon_event ev = {.ts_ns = ts};
	struct anomon_open open;
	struct anomon_runq_hist hist;

	switch (rec->kind) {
	case REPLAY_REC_LOST:
		/* The tracer lost these events: the windows they fall in are incomplete. */
		st->h->add_drops(st->s, rec->lost);
		return 0;
	case REPLAY_REC_OPEN:
		open = rec->open;
		/* Lines come NUL-terminated from the input buffer; a dataset snippet's do not. */
		if (open.path[open.path_len] != '\0') {
			if (open.path_len + 1 > st->pathbuf_cap) {
				char *p = realloc(st->pathbuf, open.path_len + 1);
				if (!p)
					return -ENOMEM;
				st->pathbuf = p;
				st->pathbuf_cap = open.path_len + 1;
			}
			memcpy(st->pathbuf, open.path, open.path_len);
			st->pathbuf[open.path_len] = '\0';
			open.path = st->pathbuf;
		}
		ev.type = ANOMON_EV_OPEN;
		ev.data = &open;
		ev.size = sizeof(open);
		break;
	case REPLAY_REC_BIO:
		ev.type = ANOMON_EV_BIO;
		ev.data = &rec->bio;
		ev.size = sizeof(rec->bio);
		break;
	case REPLAY_REC_HIST:
		hist = rec->hist;
		hist.end_ns = ts;
		hist.start_ns = ts >= st->span_ns ? ts - st->span_ns : 0;
		ev.type = ANOMON_EV_RUNQ_HIST;
		ev.data = &hist;
		ev.size = sizeof(hist);
		break;
	}
	st->events++;
	/* A downstream refusal is the host's to count; the replay goes on. */
	st->h->emit_event(st->s, &ev);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Pacing (speed > 0): reading waits while the records of the last line are not due, so the  */
/* queue never holds more than one line's worth.                                               */

static int queue_push(struct replay *st, const struct replay_rec *rec, uint64_t ts)
{
	if (st->q_len == st->q_cap) {
		size_t cap = st->q_cap ? 2 * st->q_cap : 16;
		struct pending *q = realloc(st->q, cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		st->q = q;
		st->q_cap = cap;
	}
	struct pending *p = &st->q[st->q_len];
	*p = (struct pending){.rec = *rec, .ts = ts};
	if (rec->kind == REPLAY_REC_OPEN) {
		p->path = strndup(rec->open.path, rec->open.path_len);
		if (!p->path)
			return -ENOMEM;
		p->rec.open.path = p->path;
	} else if (rec->kind == REPLAY_REC_HIST) {
		p->bins = malloc(rec->hist.nbins * sizeof(*p->bins));
		if (!p->bins)
			return -ENOMEM;
		memcpy(p->bins, rec->hist.bins, rec->hist.nbins * sizeof(*p->bins));
		p->rec.hist.bins = p->bins;
	}
	st->q_len++;
	return 0;
}

static void queue_pop(struct replay *st)
{
	struct pending *p = &st->q[st->q_head++];
	free(p->path);
	free(p->bins);
	if (st->q_head == st->q_len)
		st->q_head = st->q_len = 0;
}

/* Emit what is due: a record's time since the trace began, divided by speed, is how long
 * after the start it goes out. Returns true when nothing is left waiting. */
static bool drain_due(struct replay *st)
{
	uint64_t elapsed = mono_ns() - st->t0_ns;
	while (st->q_head < st->q_len) {
		struct pending *p = &st->q[st->q_head];
		uint64_t since = p->ts > st->base_ns ? p->ts - st->base_ns : 0;
		if ((double)since / st->speed > (double)elapsed)
			return false;
		emit(st, &p->rec, p->ts);
		queue_pop(st);
	}
	return true;
}

static int on_record(void *arg, const struct replay_rec *rec)
{
	struct replay *st = arg;
	uint64_t ts = rec_time(st, rec);
	/* A log's untimed opens have nothing to pace by: they go out as they are read. */
	bool untimed = rec->kind == REPLAY_REC_OPEN && !rec->timed && !rec->nseq;
	if (st->speed > 0 && !st->live && !(untimed && st->q_head == st->q_len))
		return queue_push(st, rec, ts);
	return emit(st, rec, ts);
}

/* ------------------------------------------------------------------------------------------ */
/* Lines                                                                                       */

static void summarise(struct replay *st)
{
	if (st->summarised)
		return;
	st->summarised = true;
	st->h->log(st->s, st->rejects ? ANOMON_LOG_WARN : ANOMON_LOG_INFO,
		   "%s: %llu lines read, %llu events emitted, %llu lines rejected", st->name,
		   (unsigned long long)st->lines, (unsigned long long)st->events,
		   (unsigned long long)st->rejects);
}

/* Say which layout `auto` chose, each time it chooses. */
static void note_detection(struct replay *st)
{
	struct replay_detection d;
	replay_reader_detection(st->rd, &d);
	if (d.detections == st->detections)
		return;
	st->detections = d.detections;
	if (st->ro.format == REPLAY_FMT_AUTO)
		st->h->log(st->s, ANOMON_LOG_INFO, "%s:%lu: format auto: reading %s (from a %s)",
			   st->name, d.line, replay_format_name(replay_reader_format(st->rd)),
			   d.how);
}

/* Returns 0 to go on, or a negative value that ends the input. */
static int feed_line(struct replay *st, enum replay_line_kind kind, const char *line, size_t len)
{
	st->lines++;
	int err = kind == REPLAY_LINE_TOO_LONG
			  ? replay_reader_reject(st->rd, "expected a line of at most 65536 bytes")
			  : replay_reader_feed(st->rd, line, len, on_record, st);
	note_detection(st);
	if (err != -EINVAL)
		return err;
	st->rejects++;
	if (st->strict) {
		/* What came before the bad line is still delivered; the run then fails. */
		st->h->error(st->s, "%s; stopping (strict)", replay_reader_error(st->rd));
		st->h->fail(st->s, -EINVAL);
		return -EINVAL;
	}
	if ((st->rejects - 1) % REJECT_REPORT_EVERY == 0)
		st->h->log(st->s, ANOMON_LOG_WARN, "%s; line skipped (rejected line %llu; one in "
			   "%d is reported)", replay_reader_error(st->rd),
			   (unsigned long long)st->rejects, REJECT_REPORT_EVERY);
	return 0;
}

static void set_timer(struct replay *st, uint64_t ms)
{
	if (st->timer && st->timer_ms == ms)
		return;
	if (st->timer)
		st->h->timer_stop(st->timer);
	st->timer = NULL;
	st->timer_ms = ms;
	if (ms && st->h->timer_start(st->s, ms == FOLLOW_MS ? ms : 0, ms, on_tick, st,
				     &st->timer) < 0)
		st->h->log(st->s, ANOMON_LOG_ERROR, "%s: cannot start a timer", st->name);
}

/* Everything read has gone out: tell the host this collector is done. */
static void end_stream(struct replay *st)
{
	if (st->done)
		return;
	st->done = true;
	set_timer(st, 0);
	if (st->watch) {
		st->h->unwatch_fd(st->watch);
		st->watch = NULL;
	}
	summarise(st);
	st->h->end_of_stream(st->s);
}

/* End of input: a last line without newline, a histogram still open. `err` ends it early
 * (a read error, strict mode). */
static void end_input(struct replay *st, int err)
{
	if (st->eof)
		return;
	st->eof = true;
	char *line;
	size_t len;
	if (!err && replay_input_rest(&st->in, &line, &len) == REPLAY_LINE_OK)
		err = feed_line(st, REPLAY_LINE_OK, line, len);
	if (!err)
		err = replay_reader_finish(st->rd, on_record, st);
	if (err && err != -EINVAL)
		st->h->log(st->s, ANOMON_LOG_ERROR, "%s: %s", st->name, strerror(-err));
	if (st->speed <= 0 || st->live || drain_due(st))
		end_stream(st);
}

/* ------------------------------------------------------------------------------------------ */
/* Files: read in turns from a timer; follow the file when asked                               */

static int open_path(struct replay *st)
{
	int fd = open(st->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct replay_file_id id;
	int err = replay_file_id(fd, &id);
	if (err) {
		close(fd);
		return err;
	}
	st->fd = fd;
	st->id = id;
	return 0;
}

/* Follow: the old file is read to its end; go on with the one the path names now. */
static void switch_file(struct replay *st)
{
	char *line;
	size_t len;
	/* Like tail -F, a last line without newline in the old file still counts. */
	if (replay_input_rest(&st->in, &line, &len) == REPLAY_LINE_OK &&
	    feed_line(st, REPLAY_LINE_OK, line, len) < 0) {
		end_input(st, -EINVAL);
		return;
	}
	replay_reader_finish(st->rd, on_record, st);
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->rotating = false;
	replay_input_reset(&st->in);
	st->in.offset = 0;
	replay_reader_restart(st->rd);
	int err = open_path(st);
	if (err) {
		/* Moved away and not yet created again: keep polling. */
		st->idle = true;
		set_timer(st, FOLLOW_MS);
		return;
	}
	st->h->log(st->s, ANOMON_LOG_INFO, "%s: a new file: reading it from the start", st->name);
	st->idle = false;
	set_timer(st, READ_MS);
}

static void at_eof(struct replay *st)
{
	if (!st->follow) {
		end_input(st, 0);
		return;
	}
	if (st->rotating) {
		switch_file(st);
		return;
	}
	st->idle = true;
	set_timer(st, FOLLOW_MS);
}

/* Follow, at the end of the file: look at what became of it. */
static void poll_file(struct replay *st)
{
	switch (replay_follow_check(st->fd, st->path, &st->id, st->in.offset)) {
	case REPLAY_SAME:
	case REPLAY_GONE:
		return;
	case REPLAY_GREW:
		break;
	case REPLAY_TRUNCATED:
		st->h->log(st->s, ANOMON_LOG_INFO, "%s: truncated: reading it from the start",
			   st->name);
		replay_reader_finish(st->rd, on_record, st);
		if (lseek(st->fd, 0, SEEK_SET) < 0) {
			end_input(st, -errno);
			return;
		}
		replay_input_reset(&st->in);
		st->in.offset = 0;
		replay_reader_restart(st->rd);
		break;
	case REPLAY_ROTATED:
		if (st->fd < 0) {
			switch_file(st);
			return;
		}
		st->rotating = true;
		break;
	}
	st->idle = false;
	set_timer(st, st->speed > 0 ? PACED_MS : READ_MS);
}

static void on_tick(void *arg)
{
	struct replay *st = arg;
	if (st->done)
		return;
	if (st->eof) {
		if (drain_due(st))
			end_stream(st);
		return;
	}
	if (st->idle) {
		poll_file(st);
		if (st->idle || st->done)
			return;
	}
	uint64_t deadline = mono_ns() + TURN_BUDGET_NS;
	for (unsigned n = 1; !st->eof; n++) {
		if (st->speed > 0 && !drain_due(st))
			return;
		char *line;
		size_t len;
		enum replay_line_kind k = replay_input_next(&st->in, &line, &len);
		if (k != REPLAY_LINE_NONE) {
			int err = feed_line(st, k, line, len);
			if (err) {
				end_input(st, err);
				return;
			}
			/* The clock is read once per 256 lines: it costs as much as a line. */
			if (!(n & 255) && mono_ns() > deadline)
				return;
			continue;
		}
		ssize_t got = replay_input_read(&st->in, st->fd);
		if (got > 0) {
			st->read_ns = st->h->now_ns(st->s);
		} else if (got == 0 || got == -EAGAIN) {
			at_eof(st);
			return;
		} else {
			st->h->log(st->s, ANOMON_LOG_ERROR, "%s: %s", st->name, strerror((int)-got));
			end_input(st, (int)got);
			return;
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Pipes: read as they become readable                                                         */

static void on_readable(void *arg, int fd, int events)
{
	struct replay *st = arg;
	(void)fd;
	if (st->done)
		return;
	ssize_t got = events < 0 ? events : replay_input_read(&st->in, st->fd);
	if (got == -EAGAIN)
		return;
	if (got <= 0) {
		if (got < 0)
			st->h->log(st->s, ANOMON_LOG_ERROR, "%s: %s", st->name, strerror((int)-got));
		end_input(st, (int)got);
		return;
	}
	st->read_ns = st->h->now_ns(st->s);
	char *line;
	size_t len;
	enum replay_line_kind k;
	while ((k = replay_input_next(&st->in, &line, &len)) != REPLAY_LINE_NONE) {
		int err = feed_line(st, k, line, len);
		if (err) {
			end_input(st, err);
			return;
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Stage callbacks                                                                             */

static int read_params(struct replay *st)
{
	const struct anomon_host *h = st->h;
	const char *fmt = h->param_string(st->s, "format");
	if (replay_format_parse(fmt, &st->ro.format)) {
		h->error(st->s, "format: expected one of %s, not \"%s\"", replay_format_names(),
			 fmt);
		return -EINVAL;
	}
	int64_t bins = h->param_int(st->s, "bins");
	if (bins < 1 || bins > 65536) {
		h->error(st->s, "bins: expected 1 to 65536, not %lld", (long long)bins);
		return -EINVAL;
	}
	st->ro.nbins = (uint32_t)bins;
	int64_t label = h->param_int(st->s, "label");
	if (label < -1 || label > 1) {
		h->error(st->s, "label: expected 0, 1 or -1 (all), not %lld", (long long)label);
		return -EINVAL;
	}
	st->ro.label = (int)label;
	st->strict = h->param_bool(st->s, "strict");
	st->follow = h->param_bool(st->s, "follow");
	st->span_ns = h->param_duration_ns(st->s, "span");
	if (st->span_ns == 0) {
		h->error(st->s, "span: expected a duration above zero");
		return -EINVAL;
	}
	st->speed = h->param_number(st->s, "speed");
	if (!(st->speed >= 0)) {
		h->error(st->s, "speed: expected 0 (as fast as possible) or a positive factor");
		return -EINVAL;
	}
	const char *start = h->param_string(st->s, "start");
	int err = replay_parse_start(start, &st->base_ns);
	if (err == -EAGAIN) {
		st->start_now = true;
	} else if (err) {
		h->error(st->s, "start: expected now, Unix seconds or an RFC 3339 time such as "
			 "2024-11-25T08:00:00Z, not \"%s\"", start);
		return -EINVAL;
	}
	st->path = h->param_string(st->s, "path");
	if (!*st->path) {
		h->error(st->s, "path: expected the log file to replay, or - for standard input");
		return -EINVAL;
	}
	if (st->follow && !strcmp(st->path, "-")) {
		h->error(st->s, "follow: expected a file path, not - (standard input is read until "
			 "it closes)");
		return -EINVAL;
	}
	return 0;
}

static int open_input(struct replay *st)
{
	struct stat sb;
	if (!strcmp(st->path, "-")) {
		st->fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
		if (st->fd < 0 || fstat(st->fd, &sb)) {
			st->h->error(st->s, "standard input: %s", strerror(errno));
			return -EINVAL;
		}
	} else if (stat(st->path, &sb)) {
		int err = errno;
		if (err == ENOENT && st->follow) {
			/* tail -F waits for the file to appear: so does follow. */
			st->h->log(st->s, ANOMON_LOG_WARN, "%s does not exist yet: waiting for it",
				   st->path);
			return 0;
		}
		st->h->error(st->s, "path: cannot read %s: %s", st->path, strerror(err));
		return -EINVAL;
	}
	if (S_ISDIR(sb.st_mode)) {
		st->h->error(st->s, "path: %s is a directory, expected a log file", st->path);
		return -EINVAL;
	}
	if (st->follow && !S_ISREG(sb.st_mode)) {
		st->h->error(st->s, "follow: expected a regular file; %s is not one (a pipe is read "
			     "until it closes anyway)", st->path);
		return -EINVAL;
	}
	if (S_ISFIFO(sb.st_mode) && st->fd < 0) {
		/* Opening a FIFO waits for a writer: that is for start, not validate. */
		st->open_at_start = st->live = true;
		return 0;
	}
	if (st->fd < 0) {
		int err = open_path(st);
		if (err) {
			st->h->error(st->s, "path: cannot open %s: %s", st->path, strerror(-err));
			return -EINVAL;
		}
	}
	/* Pipes, sockets and terminals are read when readable. epoll refuses regular files and
	 * devices such as /dev/null: those are read from the timer, where read never waits. */
	st->live = S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || isatty(st->fd);
	return 0;
}

static void replay_destroy(void *state);

static int replay_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	struct replay *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->h = host;
	st->s = s;
	st->fd = -1;
	st->detections = (uint64_t)-1;
	*state = st;
	int err = read_params(st);
	if (err)
		goto fail;
	st->name = strdup(strcmp(st->path, "-") ? st->path : "<stdin>");
	st->rd = st->name ? replay_reader_new(&st->ro, st->name) : NULL;
	if (!st->rd || replay_input_init(&st->in)) {
		err = -ENOMEM;
		goto fail;
	}
	st->detections = 0;
	err = open_input(st);
	if (!err)
		return 0;
fail:
	replay_destroy(st);
	*state = NULL;
	return err;
}

static int replay_start(void *state)
{
	struct replay *st = state;
	const struct anomon_host *h = st->h;
	st->read_ns = h->now_ns(st->s);
	if (st->start_now) {
		st->base_ns = st->read_ns;
		/* A recorded run of one span then falls into one window aligned on the clock. */
		if (!st->live)
			st->base_ns -= st->base_ns % st->span_ns;
	}
	st->t0_ns = mono_ns();
	if (st->open_at_start) {
		st->fd = open(st->path, O_RDONLY | O_CLOEXEC);
		if (st->fd < 0) {
			int err = errno;
			h->error(st->s, "path: cannot open %s: %s", st->path, strerror(err));
			return -err;
		}
	}
	if (st->live)
		return h->watch_fd(st->s, st->fd, ANOMON_FD_READ, on_readable, st, &st->watch);
	if (st->fd < 0) {
		/* follow, waiting for the file to appear */
		st->idle = true;
		set_timer(st, FOLLOW_MS);
	} else {
		set_timer(st, st->speed > 0 ? PACED_MS : READ_MS);
	}
	return st->timer ? 0 : -ENOMEM;
}

static void replay_stop(void *state)
{
	struct replay *st = state;
	set_timer(st, 0);
	if (st->watch) {
		st->h->unwatch_fd(st->watch);
		st->watch = NULL;
	}
	/* A live trace may be cut in the middle of a histogram: deliver what it holds. */
	if (!st->done && !st->eof && (st->live || st->follow))
		replay_reader_finish(st->rd, on_record, st);
	if (!st->done)
		summarise(st);
	st->done = true;
}

static void replay_destroy(void *state)
{
	struct replay *st = state;
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	while (st->q_head < st->q_len)
		queue_pop(st);
	free(st->q);
	replay_reader_free(st->rd);
	replay_input_free(&st->in);
	free(st->pathbuf);
	free(st->name);
	free(st);
}

static const struct anomon_param replay_params[] = {
	{"path", ANOMON_PARAM_STRING, NULL, true,
	 "the recorded log to read, or - for standard input (a pipe is read as it grows)"},
	{"format", ANOMON_PARAM_STRING, "auto", false,
	 "auto, runqlen, opensnoop, biosnoop, biosnoop5, runqlen-csv or opensnoop-jsonl"},
	{"follow", ANOMON_PARAM_BOOL, "false", false,
	 "keep reading the file as it grows, across rotation and truncation (like tail -F); "
	 "the stream never ends"},
	{"strict", ANOMON_PARAM_BOOL, "false", false,
	 "stop at the first line that does not fit, instead of counting and skipping it"},
	{"start", ANOMON_PARAM_STRING, "now", false,
	 "when the recorded trace began (times in the log count from it): now, Unix seconds, "
	 "or RFC 3339"},
	{"span", ANOMON_PARAM_DURATION, "10s", false,
	 "the time one histogram, dataset row or dataset snippet covers"},
	{"speed", ANOMON_PARAM_NUMBER, "0", false,
	 "0 replays as fast as possible, 1 in real time, 2 twice as fast"},
	{"bins", ANOMON_PARAM_INT, "100", false,
	 "histogram bins for run-queue lengths 0..bins-1; longer queues count as overflow"},
	{"label", ANOMON_PARAM_INT, "-1", false,
	 "datasets: replay only the rows labelled 0 or 1; -1 replays all"},
	{NULL, 0, NULL, false, NULL},
};

static const char *const replay_produces[] = {
	ANOMON_EV_RUNQ_HIST, ANOMON_EV_OPEN, ANOMON_EV_BIO, NULL,
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_COLLECTOR,
	.name = "replay",
	.version = "1.1.0",
	.description = "Replays recorded bpftrace/bcc logs (runqlen, opensnoop, biosnoop) and "
		       "labelled datasets as events",
	.params = replay_params,
	.produces = replay_produces,
	.init = replay_init,
	.start = replay_start,
	.stop = replay_stop,
	.destroy = replay_destroy,
};

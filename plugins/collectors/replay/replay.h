/* The replay collector's internals: recorded-log formats, the line parsers, the line reader,
 * the input buffer and the follow check. None of it depends on the host, so that unit tests
 * and the fuzz target link these files directly. */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "anomon_plugin.h"

enum replay_format {
	REPLAY_FMT_AUTO = 0,   /* decided by headers and line shapes, may change mid-file */
	REPLAY_FMT_RUNQLEN,    /* bpftrace `@runqlen:` lhist printouts */
	REPLAY_FMT_OPENSNOOP,  /* PID COMM FD ERR PATH (optionally TIME(s) first) */
	REPLAY_FMT_BIOSNOOP,   /* bcc: TIME(s) COMM PID DISK T SECTOR BYTES [QUE(ms)] LAT(ms) */
	REPLAY_FMT_BIOSNOOP5,  /* the original script: TIME(ms) COMM DISK PID LAT(ms) */
	REPLAY_FMT_CSV,        /* label,runqlen_0,...: one histogram per row */
	REPLAY_FMT_JSONL,      /* {"label": 0/1, "log": "..."}: one opensnoop run per line */
};

/* Parse a format name ("auto", "opensnoop", "runqlen-csv", ...); -EINVAL if unknown. */
int replay_format_parse(const char *name, enum replay_format *out);
/* The name of a format, as replay_format_parse accepts it. */
const char *replay_format_name(enum replay_format f);
/* The names replay_format_parse accepts, comma-separated, for messages. */
const char *replay_format_names(void);

enum replay_rec_kind {
	REPLAY_REC_OPEN = 1,
	REPLAY_REC_BIO,
	REPLAY_REC_HIST,
	REPLAY_REC_LOST,   /* "Lost N events": the tracer dropped records */
};

/*
 * One record read from a log. Pointers inside (open.path, hist.bins) belong to the reader or
 * to the line and are valid only during the callback.
 *
 * Time: a record is `timed` when its line carried a time, given as t_ns since the start of
 * the trace. Untimed opens of a dataset snippet carry their index `seq` among the `nseq` opens
 * of their `run`; untimed opens of a log have nseq 0 (they get the time they are read).
 * Histograms carry their index as `run`. The plugin turns that into wall-clock times.
 */
struct replay_rec {
	enum replay_rec_kind kind;
	unsigned long line;        /* 1-based line of the input it came from */
	bool timed;
	uint64_t t_ns;
	uint64_t run;
	uint64_t seq, nseq;
	union {
		struct anomon_open open;
		struct anomon_bio bio;
		struct anomon_runq_hist hist;
		uint64_t lost;
	};
};

typedef int (*replay_rec_cb)(void *arg, const struct replay_rec *rec);

struct replay_reader_opts {
	enum replay_format format;
	uint32_t nbins;    /* histogram bins; values >= nbins count as overflow */
	int label;         /* CSV/JSONL: keep only rows with this label; -1 keeps all */
};

struct replay_reader;

/* `name` names the input in messages (a file name or "<stdin>"). NULL on allocation failure. */
struct replay_reader *replay_reader_new(const struct replay_reader_opts *opts, const char *name);
void replay_reader_free(struct replay_reader *r);

/*
 * Feed one line (without its newline; a trailing '\r' is ignored). Calls cb for every record
 * the line completes. Returns 0; -EINVAL when the line does not fit (it is skipped and the
 * reader stays usable: replay_reader_error says where and what was expected); or the first
 * negative value cb returned.
 */
int replay_reader_feed(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		       void *arg);
/* Count a line that cannot be fed (too long to hold) as rejected for `why`: -EINVAL. */
int replay_reader_reject(struct replay_reader *r, const char *why);
/* End of input: deliver a histogram still being read. */
int replay_reader_finish(struct replay_reader *r, replay_rec_cb cb, void *arg);
/* A new input (rotated or truncated file): line numbers start again; the format in force and
 * the histogram count are kept. Call replay_reader_finish first to keep a histogram. */
void replay_reader_restart(struct replay_reader *r);

/* "FILE:LINE:COL: expected ..." for the last rejected line, or "" if none. */
const char *replay_reader_error(const struct replay_reader *r);
/* Lines fed so far (since the last restart). */
unsigned long replay_reader_line(const struct replay_reader *r);

/* The format in force (for auto: chosen by the last header or data line, AUTO if none yet),
 * and how and where it was chosen: `detections` grows at every change. */
enum replay_format replay_reader_format(const struct replay_reader *r);
struct replay_detection {
	uint64_t detections;
	unsigned long line;
	const char *how;   /* "header", "first data line", "histogram", ... */
};
void replay_reader_detection(const struct replay_reader *r, struct replay_detection *d);

/* Line parsers, one per layout. Each returns 0, or -EINVAL with *col set to the 1-based
 * column where the line stops fitting and *what to what was expected there. */
int replay_parse_open(const char *line, size_t len, bool with_time, struct replay_rec *rec,
		      size_t *col, const char **what);
/* bcc's layout; a decimal column between BYTES and LAT(ms) is QUE(ms) (biosnoop -Q). */
int replay_parse_bio(const char *line, size_t len, struct replay_rec *rec, size_t *col,
		     const char **what);
int replay_parse_bio5(const char *line, size_t len, struct replay_rec *rec, size_t *col,
		      const char **what);
/* "[lo, hi)  count |@@@|", "[hi, ...)", "(..., lo)": lo is -1 for the underflow bucket,
 * UINT64_MAX as hi for the open-ended one. */
int replay_parse_bucket(const char *line, size_t len, int64_t *lo, uint64_t *hi,
			uint64_t *count, size_t *col, const char **what);

/* A decimal number of `unit_ns` units ("2.656" seconds) as exact nanoseconds. */
int replay_parse_decimal_ns(const char *s, size_t len, uint64_t unit_ns, uint64_t *out);

/* `start` parameter: "now" (returns -EAGAIN: caller uses the clock), Unix seconds
 * ("1700000000.25"), or RFC 3339 ("2024-11-25T08:00:00Z", "...+01:00"). */
int replay_parse_start(const char *s, uint64_t *out_ns);

/* ------------------------------------------------------------------------------------------ */
/* Input buffer: splits what read() returns into lines, in bounded memory.                    */

#define REPLAY_MAX_LINE (64 * 1024)   /* longer lines are rejected, not held */
#define REPLAY_READ_CHUNK (64 * 1024)

struct replay_input {
	char *buf;           /* REPLAY_MAX_LINE + REPLAY_READ_CHUNK + 1 bytes */
	size_t start, len;   /* unconsumed bytes are buf[start, len) */
	bool overlong;       /* discarding the rest of a line that did not fit */
	uint64_t offset;     /* bytes read from the current file */
};

int replay_input_init(struct replay_input *in);
void replay_input_free(struct replay_input *in);
/* Forget buffered bytes (truncation, rotation). */
void replay_input_reset(struct replay_input *in);
/* One read() of at most REPLAY_READ_CHUNK bytes: > 0 bytes read, 0 at end of file, -errno
 * (-EAGAIN when a non-blocking fd has nothing). */
ssize_t replay_input_read(struct replay_input *in, int fd);

enum replay_line_kind {
	REPLAY_LINE_NONE = 0,   /* no complete line buffered */
	REPLAY_LINE_OK,
	REPLAY_LINE_TOO_LONG,   /* a line above REPLAY_MAX_LINE: reject it (reported once) */
};
/* The next complete line, NUL-terminated in place (newline and a '\r' before it removed). */
enum replay_line_kind replay_input_next(struct replay_input *in, char **line, size_t *len);
/* At end of input: a last line without newline, if any (same conventions). */
enum replay_line_kind replay_input_rest(struct replay_input *in, char **line, size_t *len);

/* ------------------------------------------------------------------------------------------ */
/* Follow: what happened to a followed file since we last read it.                            */

enum replay_change {
	REPLAY_SAME = 0,     /* nothing new */
	REPLAY_GREW,         /* more bytes after what was read */
	REPLAY_TRUNCATED,    /* smaller than what was read: read again from the start */
	REPLAY_ROTATED,      /* the path names another file now: finish this one, open that */
	REPLAY_GONE,         /* the path names nothing (between a rotation's mv and create) */
};

struct replay_file_id {
	dev_t dev;
	ino_t ino;
};

enum replay_change replay_follow_check(int fd, const char *path, const struct replay_file_id *id,
				       uint64_t offset);
int replay_file_id(int fd, struct replay_file_id *id);

#endif

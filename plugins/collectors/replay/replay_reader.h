/* The line reader's state, shared by the reader, the histogram accumulator, format detection
 * and the dataset formats (CSV, JSONL). */
#ifndef REPLAY_READER_H
#define REPLAY_READER_H

#include "replay.h"

#define REPLAY_MSG_LEN 512

/* A histogram being read, bucket by bucket. */
struct replay_hist_acc {
	bool open;
	unsigned long line;        /* its "@name:" line */
	uint32_t nbins;
	uint64_t *bins;            /* nbins counters */
	uint64_t overflow, samples;
	uint64_t emitted;          /* histograms delivered so far */
};

struct replay_reader {
	struct replay_reader_opts o;
	char *name;
	unsigned long line;        /* current line, 1-based */
	enum replay_format section; /* layout of the data lines now */
	bool open_timed;           /* the opensnoop header started with TIME(s) */
	bool seen_data;            /* any non-blank line yet (CSV/JSONL are detected first) */
	struct replay_detection det;

	struct replay_hist_acc hist;

	size_t csv_cols;
	int32_t *csv_map;          /* per column: a bin, CSV_LABEL or CSV_OVERFLOW */
	uint64_t csv_rows;
	uint64_t snippets;

	bool parse_failed;         /* the last error came from the input, not a callback */
	char err[REPLAY_MSG_LEN];
};

/* Record "NAME:LINE:COL: WHAT" (col 0 leaves the column out); returns -EINVAL. */
int replay_fail(struct replay_reader *r, size_t col, const char *fmt, ...)
	ANOMON_PRINTF(3, 4);

/* The format in force changed: remember how and where, for the plugin to say. */
void replay_detected(struct replay_reader *r, enum replay_format f, const char *how);

/* Detection (replay_detect.c). */
/* Lines every bpftrace/bcc log may hold that carry no record ("Attaching 6 probes..."). */
bool replay_is_noise(const char *line, size_t len);
/* "Lost 12 events" (bpftrace) or "Possibly lost 12 samples" (bcc): the tracer's own drops. */
bool replay_parse_lost(const char *line, size_t len, uint64_t *n);
enum replay_header {
	REPLAY_HDR_NONE,
	REPLAY_HDR_OPEN,
	REPLAY_HDR_OPEN_TIMED,
	REPLAY_HDR_BIO,
	REPLAY_HDR_BIO_QUEUE,
	REPLAY_HDR_BIO5,
};
enum replay_header replay_parse_header(const char *line, size_t len);
enum replay_format replay_header_format(enum replay_header h);
/* For a log without a header: the layout the first data line fits, AUTO if none. */
enum replay_format replay_guess_format(const char *line, size_t len, bool *open_timed);

/* Histograms (replay_runqlen.c). */
int replay_hist_init(struct replay_hist_acc *h, uint32_t nbins);
void replay_hist_free(struct replay_hist_acc *h);
void replay_hist_begin(struct replay_hist_acc *h, unsigned long line);
/* Add one bucket line to the open histogram; -EINVAL (with *why) if it does not fit. */
int replay_hist_bucket(struct replay_hist_acc *h, const char *line, size_t len, size_t *col,
		       const char **why, char *whybuf, size_t whycap);
/* Deliver the open histogram, if any, and close it. */
int replay_hist_flush(struct replay_hist_acc *h, replay_rec_cb cb, void *arg);
/* Drop the open histogram (a broken bucket: the rest cannot be trusted to it). */
void replay_hist_discard(struct replay_hist_acc *h);

/* Datasets (replay_datasets.c). */
int replay_csv_header(struct replay_reader *r, const char *line, size_t len);
int replay_csv_row(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		   void *arg);
int replay_jsonl_line(struct replay_reader *r, const char *line, size_t len, replay_rec_cb cb,
		      void *arg);

#endif

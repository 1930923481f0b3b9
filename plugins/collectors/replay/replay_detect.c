/* Telling a log's lines apart: the banners and warnings bpftrace and bcc print, their column
 * headers, and (for a log without a header) which layout a data line fits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "replay_reader.h"

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(s, prefix, n);
}

bool replay_is_noise(const char *line, size_t len)
{
	static const char *const prefixes[] = {
		"Attaching ", "Tracing ", "Warning: ", "WARNING: ", "cannot attach ",
		"Hit Ctrl-C", NULL,
	};
	for (size_t i = 0; prefixes[i]; i++)
		if (starts_with(line, len, prefixes[i]))
			return true;
	return false;
}

bool replay_parse_lost(const char *line, size_t len, uint64_t *n)
{
	char buf[96];
	if (len >= sizeof(buf) || !(starts_with(line, len, "Lost ") ||
				    starts_with(line, len, "Possibly lost ")))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	unsigned long long v;
	char word[16];
	int end = 0;
	if ((sscanf(buf, "Lost %llu %15s%n", &v, word, &end) == 2 ||
	     sscanf(buf, "Possibly lost %llu %15s%n", &v, word, &end) == 2) &&
	    (size_t)end == len) {
		*n = v;
		return true;
	}
	return false;
}

/* Headers are recognised by their column names, whatever the spacing between them. */
enum replay_header replay_parse_header(const char *line, size_t len)
{
	static const struct {
		const char *cols;
		enum replay_header h;
	} known[] = {
		{"PID COMM FD ERR PATH", REPLAY_HDR_OPEN},
		{"TIME(s) PID COMM FD ERR PATH", REPLAY_HDR_OPEN_TIMED},
		{"TIME(s) COMM PID DISK T SECTOR BYTES LAT(ms)", REPLAY_HDR_BIO},
		{"TIME(s) COMM PID DISK T SECTOR BYTES QUE(ms) LAT(ms)", REPLAY_HDR_BIO_QUEUE},
		{"TIME(ms) COMM DISK PID LAT(ms)", REPLAY_HDR_BIO5},
	};
	char norm[128];
	size_t n = 0;
	/* Every header starts with one of these; most data lines are cut short here. */
	if (!starts_with(line, len, "PID") && !starts_with(line, len, "TIME("))
		return REPLAY_HDR_NONE;
	for (size_t i = 0; i < len; i++) {
		bool space = line[i] == ' ' || line[i] == '\t';
		if (space && (n == 0 || norm[n - 1] == ' '))
			continue;
		if (n + 1 >= sizeof(norm))
			return REPLAY_HDR_NONE;
		norm[n++] = space ? ' ' : line[i];
	}
	if (n && norm[n - 1] == ' ')
		n--;
	norm[n] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(norm, known[i].cols))
			return known[i].h;
	return REPLAY_HDR_NONE;
}

enum replay_format replay_header_format(enum replay_header h)
{
	switch (h) {
	case REPLAY_HDR_OPEN:
	case REPLAY_HDR_OPEN_TIMED:
		return REPLAY_FMT_OPENSNOOP;
	case REPLAY_HDR_BIO:
	case REPLAY_HDR_BIO_QUEUE:
		return REPLAY_FMT_BIOSNOOP;
	case REPLAY_HDR_BIO5:
		return REPLAY_FMT_BIOSNOOP5;
	default:
		return REPLAY_FMT_AUTO;
	}
}

/* The layouts are told apart by their first column (bcc's TIME(s) has a decimal point) and
 * by the columns each can hold; an opensnoop line needs a PATH, which tells
 * "1 sh 3 0 /x" apart from the 5-column biosnoop "10 dd vda 3 1". */
enum replay_format replay_guess_format(const char *line, size_t len, bool *open_timed)
{
	struct replay_rec rec;
	size_t col;
	const char *what;
	*open_timed = false;
	if (!replay_parse_bio(line, len, &rec, &col, &what))
		return REPLAY_FMT_BIOSNOOP;
	if (!replay_parse_open(line, len, false, &rec, &col, &what) && rec.open.path_len)
		return REPLAY_FMT_OPENSNOOP;
	if (!replay_parse_bio5(line, len, &rec, &col, &what))
		return REPLAY_FMT_BIOSNOOP5;
	if (!replay_parse_open(line, len, true, &rec, &col, &what) && rec.open.path_len) {
		*open_timed = true;
		return REPLAY_FMT_OPENSNOOP;
	}
	return REPLAY_FMT_AUTO;
}

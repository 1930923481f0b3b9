/* libFuzzer target: any bytes through the input buffer and the replay reader, in every
 * format. Lines are split as the plugin splits them; nothing may crash or read out of
 * bounds, and every rejected line must leave a message. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

static int sink(void *arg, const struct replay_rec *r)
{
	uint64_t *sum = arg;
	/* Touch what the record points to so that sanitizers check it. */
	if (r->kind == REPLAY_REC_OPEN)
		for (size_t i = 0; i < r->open.path_len; i++)
			*sum += (unsigned char)r->open.path[i];
	if (r->kind == REPLAY_REC_HIST)
		for (uint32_t i = 0; i < r->hist.nbins; i++)
			*sum += r->hist.bins[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct replay_reader *r, enum replay_line_kind k, char *line, size_t len,
		 uint64_t *sum)
{
	int err = k == REPLAY_LINE_TOO_LONG ? replay_reader_reject(r, "too long")
					    : replay_reader_feed(r, line, len, sink, sum);
	if (err && (err != -EINVAL || !*replay_reader_error(r)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* The first byte picks the format, the bin count and the label. */
	struct replay_reader_opts o = {
		.format = (enum replay_format)(data[0] % 7),
		.nbins = (data[0] & 0x40) ? 3 : 100,
		.label = (data[0] & 0x20) ? 1 : -1,
	};
	struct replay_reader *r = replay_reader_new(&o, "fuzz");
	struct replay_input in;
	int p[2];
	if (!r || replay_input_init(&in) || pipe(p))
		abort();
	uint64_t sum = 0;
	size_t off = 1;
	char *line;
	size_t len;
	enum replay_line_kind k;
	/* Through a pipe in pieces of up to 4 KiB, as a live tracer would write them. */
	while (off < size) {
		size_t n = size - off < 4096 ? size - off : 4096;
		if (write(p[1], data + off, n) != (ssize_t)n || replay_input_read(&in, p[0]) <= 0)
			abort();
		off += n;
		while ((k = replay_input_next(&in, &line, &len)) != REPLAY_LINE_NONE)
			feed(r, k, line, len, &sum);
	}
	if ((k = replay_input_rest(&in, &line, &len)) != REPLAY_LINE_NONE)
		feed(r, k, line, len, &sum);
	if (replay_reader_finish(r, sink, &sum))
		abort();
	close(p[0]);
	close(p[1]);
	replay_input_free(&in);
	replay_reader_free(r);
	return 0;
}

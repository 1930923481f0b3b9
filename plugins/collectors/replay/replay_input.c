/* Splits the bytes read from a log into lines, in a buffer of fixed size: memory does not
 * grow with the file, and a line too long to hold is reported and skipped, not kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

#define BUF_CAP (REPLAY_MAX_LINE + REPLAY_READ_CHUNK)

int replay_input_init(struct replay_input *in)
{
	memset(in, 0, sizeof(*in));
	/* One byte more, so that a last line without newline can be terminated in place. */
	in->buf = malloc(BUF_CAP + 1);
	return in->buf ? 0 : -ENOMEM;
}

void replay_input_free(struct replay_input *in)
{
	free(in->buf);
	in->buf = NULL;
}

void replay_input_reset(struct replay_input *in)
{
	in->start = in->len = 0;
	in->overlong = false;
}

ssize_t replay_input_read(struct replay_input *in, int fd)
{
	if (in->start) {
		memmove(in->buf, in->buf + in->start, in->len - in->start);
		in->len -= in->start;
		in->start = 0;
	}
	/* replay_input_next keeps at most REPLAY_MAX_LINE bytes of a partial line, so a whole
	 * chunk always fits. */
	size_t room = BUF_CAP - in->len;
	ssize_t n;
	do
		n = read(fd, in->buf + in->len, room < REPLAY_READ_CHUNK ? room : REPLAY_READ_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	in->len += (size_t)n;
	in->offset += (uint64_t)n;
	return n;
}

static enum replay_line_kind take(struct replay_input *in, char *p, size_t l, size_t used,
				  char **line, size_t *len)
{
	in->start += used;
	p[l] = '\0';
	if (l && p[l - 1] == '\r')
		p[--l] = '\0';
	*line = p;
	*len = l;
	return REPLAY_LINE_OK;
}

enum replay_line_kind replay_input_next(struct replay_input *in, char **line, size_t *len)
{
	for (;;) {
		char *p = in->buf + in->start;
		size_t avail = in->len - in->start;
		char *nl = memchr(p, '\n', avail);
		if (in->overlong) {
			/* The rest of a line already reported as too long. */
			if (!nl) {
				in->start = in->len = 0;
				return REPLAY_LINE_NONE;
			}
			in->start += (size_t)(nl - p) + 1;
			in->overlong = false;
			continue;
		}
		if (!nl) {
			if (avail <= REPLAY_MAX_LINE)
				return REPLAY_LINE_NONE;
			in->overlong = true;
			in->start = in->len = 0;
			return REPLAY_LINE_TOO_LONG;
		}
		size_t l = (size_t)(nl - p);
		if (l > REPLAY_MAX_LINE) {
			in->start += l + 1;
			return REPLAY_LINE_TOO_LONG;
		}
		return take(in, p, l, l + 1, line, len);
	}
}

enum replay_line_kind replay_input_rest(struct replay_input *in, char **line, size_t *len)
{
	size_t avail = in->len - in->start;
	if (in->overlong || !avail) {
		replay_input_reset(in);
		return REPLAY_LINE_NONE;
	}
	enum replay_line_kind k = take(in, in->buf + in->start, avail, avail, line, len);
	in->start = in->len = 0;
	return k;
}

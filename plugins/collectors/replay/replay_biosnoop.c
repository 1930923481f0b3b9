/* biosnoop lines: bcc's `TIME(s) COMM PID DISK T SECTOR BYTES [QUE(ms)] LAT(ms)` and the
 * original script's `TIME(ms) COMM DISK PID LAT(ms)`. COMM may hold spaces, so columns are
 * taken from the right and COMM is what lies between TIME and them. */
#include <errno.h>
#include <string.h>

#include "replay.h"
#include "replay_lex.h"

static bool has_dot(const char *s, size_t len)
{
	return memchr(s, '.', len) != NULL;
}

int replay_parse_bio(const char *line, size_t len, struct replay_rec *rec, size_t *col,
		     const char **what)
{
	struct replay_tok t[REPLAY_MAX_TOKENS];
	size_t n = replay_tokenize(line, len, t);
	struct anomon_bio *b = &rec->bio;

	memset(rec, 0, sizeof(*rec));
	rec->kind = REPLAY_REC_BIO;
	if (n == 0 || replay_parse_decimal_ns(line + t[0].off, t[0].len, 1000000000ull, &rec->t_ns))
		return replay_parse_fail(col, what, n ? t[0].off : 0, "TIME(s), a number of seconds");
	rec->timed = true;
	/* BYTES is an integer; a decimal in its place is QUE(ms), printed by biosnoop -Q. */
	bool queue = n >= 8 && has_dot(line + t[n - 2].off, t[n - 2].len);
	size_t need = 7 + queue;
	if (n < need || n == REPLAY_MAX_TOKENS)
		return replay_parse_fail(col, what, len,
					 "8 columns: TIME(s) COMM PID DISK T SECTOR BYTES LAT(ms), "
					 "or 9 with QUE(ms) before LAT(ms)");
	const struct replay_tok *lat = &t[n - 1], *que = queue ? &t[n - 2] : NULL;
	const struct replay_tok *bytes = &t[n - 2 - queue], *sector = bytes - 1, *rwbs = bytes - 2;
	const struct replay_tok *disk = bytes - 3, *pid = bytes - 4;
	if (replay_parse_u32(line + pid->off, pid->len, &b->pid))
		return replay_parse_fail(col, what, pid->off, "PID, an integer");
	if (rwbs->len >= sizeof(b->rwbs))
		return replay_parse_fail(col, what, rwbs->off,
					 "T, a request type such as R, W, RA, WS");
	if (replay_parse_u64(line + sector->off, sector->len, &b->sector))
		return replay_parse_fail(col, what, sector->off, "SECTOR, an integer");
	if (replay_parse_u64(line + bytes->off, bytes->len, &b->bytes))
		return replay_parse_fail(col, what, bytes->off, "BYTES, an integer");
	if (que && replay_parse_decimal_ns(line + que->off, que->len, 1000000ull, &b->queue_ns))
		return replay_parse_fail(col, what, que->off, "QUE(ms), a number of milliseconds");
	if (replay_parse_decimal_ns(line + lat->off, lat->len, 1000000ull, &b->service_ns))
		return replay_parse_fail(col, what, lat->off, "LAT(ms), a number of milliseconds");
	if (pid > &t[1])
		replay_copy_field(b->comm, sizeof(b->comm), line + t[1].off,
				  pid[-1].off + pid[-1].len - t[1].off);
	replay_copy_field(b->disk, sizeof(b->disk), line + disk->off, disk->len);
	replay_copy_field(b->rwbs, sizeof(b->rwbs), line + rwbs->off, rwbs->len);
	b->present = ANOMON_BIO_PID | ANOMON_BIO_DISK | ANOMON_BIO_RWBS | ANOMON_BIO_SECTOR |
		     ANOMON_BIO_BYTES | ANOMON_BIO_SERVICE | (queue ? ANOMON_BIO_QUEUE : 0);
	return 0;
}

int replay_parse_bio5(const char *line, size_t len, struct replay_rec *rec, size_t *col,
		      const char **what)
{
	struct replay_tok t[REPLAY_MAX_TOKENS];
	size_t n = replay_tokenize(line, len, t);
	struct anomon_bio *b = &rec->bio;

	memset(rec, 0, sizeof(*rec));
	rec->kind = REPLAY_REC_BIO;
	if (n == 0 || replay_parse_decimal_ns(line + t[0].off, t[0].len, 1000000ull, &rec->t_ns))
		return replay_parse_fail(col, what, n ? t[0].off : 0,
					 "TIME(ms), a number of milliseconds");
	rec->timed = true;
	if (n < 4 || n == REPLAY_MAX_TOKENS)
		return replay_parse_fail(col, what, len, "5 columns: TIME(ms) COMM DISK PID LAT(ms)");
	const struct replay_tok *disk = &t[n - 3], *pid = &t[n - 2], *lat = &t[n - 1];
	if (replay_parse_u32(line + pid->off, pid->len, &b->pid))
		return replay_parse_fail(col, what, pid->off, "PID, an integer");
	if (replay_parse_decimal_ns(line + lat->off, lat->len, 1000000ull, &b->service_ns))
		return replay_parse_fail(col, what, lat->off, "LAT(ms), a number of milliseconds");
	if (n > 4)
		replay_copy_field(b->comm, sizeof(b->comm), line + t[1].off,
				  disk[-1].off + disk[-1].len - t[1].off);
	replay_copy_field(b->disk, sizeof(b->disk), line + disk->off, disk->len);
	b->present = ANOMON_BIO_PID | ANOMON_BIO_DISK | ANOMON_BIO_SERVICE;
	return 0;
}

/* opensnoop lines: `PID COMM FD ERR PATH` (bpftrace's opensnoop.bt and bcc), optionally with
 * bcc's `TIME(s)` first. COMM may hold spaces and digits and PATH runs to the end of the line,
 * so FD and ERR are found as the first pair of columns a tracer can print. */
#include <errno.h>
#include <string.h>

#include "replay.h"
#include "replay_lex.h"

/* bpftrace and bcc print FD -1 with ERR = errno on failure, FD >= 0 with ERR 0 on success;
 * that pairing is what tells the FD column apart from digits inside COMM. */
static bool open_result_fits(int32_t fd, int32_t err)
{
	return (fd >= 0 && err == 0) || (fd == -1 && err > 0 && err < 4096);
}

int replay_parse_open(const char *line, size_t len, bool with_time, struct replay_rec *rec,
		      size_t *col, const char **what)
{
	struct replay_tok t[REPLAY_MAX_TOKENS];
	size_t n = replay_tokenize(line, len, t), first = 0;

	memset(rec, 0, sizeof(*rec));
	rec->kind = REPLAY_REC_OPEN;
	if (with_time) {
		if (n == 0 || replay_parse_decimal_ns(line + t[0].off, t[0].len, 1000000000ull,
						      &rec->t_ns))
			return replay_parse_fail(col, what, n ? t[0].off : 0,
						 "TIME(s), a number of seconds");
		rec->timed = true;
		first = 1;
	}
	struct anomon_open *o = &rec->open;
	if (n <= first || replay_parse_u32(line + t[first].off, t[first].len, &o->pid))
		return replay_parse_fail(col, what, n > first ? t[first].off : len,
					 "PID, an integer");
	/* COMM spans tokens first+1 .. k-1, FD is token k, ERR token k+1. */
	for (size_t k = first + 2; k + 1 < n; k++) {
		size_t comm_off = t[first + 1].off, comm_len = t[k - 1].off + t[k - 1].len - comm_off;
		if (comm_len >= ANOMON_COMM_LEN)
			break;
		int32_t fd, err;
		if (replay_parse_i32(line + t[k].off, t[k].len, &fd) ||
		    replay_parse_i32(line + t[k + 1].off, t[k + 1].len, &err) ||
		    !open_result_fits(fd, err))
			continue;
		replay_copy_field(o->comm, sizeof(o->comm), line + comm_off, comm_len);
		o->fd = fd;
		o->err = err;
		size_t p = t[k + 1].off + t[k + 1].len;
		while (p < len && replay_is_space(line[p]))
			p++;
		o->path = line + p;
		o->path_len = len - p;
		return 0;
	}
	return replay_parse_fail(col, what, n > first + 1 ? t[first + 1].off : len,
				 "COMM (at most 15 characters) then FD and ERR (FD -1 with ERR > "
				 "0, or FD >= 0 with ERR 0), then PATH");
}

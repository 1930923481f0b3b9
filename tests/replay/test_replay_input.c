/* Unit tests of the input buffer (lines from read() in bounded memory) and of the follow
 * check (growth, truncation, rotation of a followed file). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "replay.h"

static char dir[] = "/tmp/replay-input-XXXXXX";

static int make_dir(void **ctx)
{
	(void)ctx;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **ctx)
{
	(void)ctx;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_file(const char *name, const char *data, size_t len, const char *mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, mode);
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int open_file(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	return fd;
}

/* Read everything as the plugin does; record each line's kind and length in order. */
struct got {
	size_t n;
	enum replay_line_kind kind[16];
	size_t len[16];
	char first[64];
	uint64_t lines;
};

static void drain(int fd, struct got *g)
{
	struct replay_input in;
	assert_int_equal(replay_input_init(&in), 0);
	memset(g, 0, sizeof(*g));
	for (;;) {
		char *line;
		size_t len;
		enum replay_line_kind k;
		while ((k = replay_input_next(&in, &line, &len)) != REPLAY_LINE_NONE) {
			if (k == REPLAY_LINE_OK)
				assert_int_equal(line[len], '\0');
			if (g->n < 16) {
				g->kind[g->n] = k;
				g->len[g->n] = k == REPLAY_LINE_OK ? len : 0;
				if (!g->n && k == REPLAY_LINE_OK)
					snprintf(g->first, sizeof(g->first), "%s", line);
			}
			g->n++;
		}
		ssize_t got = replay_input_read(&in, fd);
		assert_true(got >= 0);
		if (got == 0)
			break;
		/* Never more than a line's worth and a chunk are held. */
		assert_true(in.len - in.start <= REPLAY_MAX_LINE + REPLAY_READ_CHUNK);
	}
	char *line;
	size_t len;
	if (replay_input_rest(&in, &line, &len) == REPLAY_LINE_OK) {
		assert_int_equal(line[len], '\0');
		if (g->n < 16) {
			g->kind[g->n] = REPLAY_LINE_OK;
			g->len[g->n] = len;
		}
		g->n++;
	}
	replay_input_free(&in);
}

static void lines_across_chunks(void **ctx)
{
	(void)ctx;
	/* 20000 lines of 10 bytes: 200 kB, so lines straddle the 64 KiB reads. */
	char *buf = malloc(200000 + 1); /* room for the last snprintf NUL */
	for (int i = 0; i < 20000; i++)
		snprintf(buf + i * 10, 11, "%09d\n", i);
	write_file("chunks", buf, 200000, "w");
	free(buf);
	struct replay_input in;
	assert_int_equal(replay_input_init(&in), 0);
	int fd = open_file("chunks"), expect = 0;
	for (;;) {
		char *line;
		size_t len;
		while (replay_input_next(&in, &line, &len) == REPLAY_LINE_OK) {
			assert_int_equal(len, 9);
			assert_int_equal(atoi(line), expect++);
		}
		if (replay_input_read(&in, fd) == 0)
			break;
	}
	assert_int_equal(expect, 20000);
	assert_int_equal(in.offset, 200000);
	close(fd);
	replay_input_free(&in);
}

static void crlf_and_last_line(void **ctx)
{
	(void)ctx;
	const char text[] = "a b\r\n\r\nc\rd\nlast";
	write_file("crlf", text, sizeof(text) - 1, "w");
	struct got g;
	int fd = open_file("crlf");
	drain(fd, &g);
	close(fd);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.first, "a b");
	assert_int_equal(g.len[1], 0);
	assert_int_equal(g.len[2], 3); /* a lone \r inside a line stays */
	assert_int_equal(g.len[3], 4); /* the last line without newline */
}

static void long_lines(void **ctx)
{
	(void)ctx;
	/* A line of exactly the limit is read; one of 1 MiB is reported once and skipped
	 * without being held; the lines around it are intact. */
	size_t big = 1 << 20;
	char *buf = malloc(big + 2 * REPLAY_MAX_LINE + 64);
	size_t n = 0;
	n += (size_t)sprintf(buf + n, "first\n");
	memset(buf + n, 'x', REPLAY_MAX_LINE);
	n += REPLAY_MAX_LINE;
	buf[n++] = '\n';
	memset(buf + n, 'y', big);
	n += big;
	buf[n++] = '\n';
	n += (size_t)sprintf(buf + n, "after\n");
	memset(buf + n, 'z', REPLAY_MAX_LINE + 1);
	n += REPLAY_MAX_LINE + 1; /* too long, and at the end of the file without newline */
	write_file("long", buf, n, "w");
	free(buf);
	struct got g;
	int fd = open_file("long");
	drain(fd, &g);
	close(fd);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.kind[0], REPLAY_LINE_OK);
	assert_string_equal(g.first, "first");
	assert_int_equal(g.kind[1], REPLAY_LINE_OK);
	assert_int_equal(g.len[1], REPLAY_MAX_LINE);
	assert_int_equal(g.kind[2], REPLAY_LINE_TOO_LONG);
	assert_int_equal(g.kind[3], REPLAY_LINE_OK);
	assert_int_equal(g.len[3], 5);
	assert_int_equal(g.kind[4], REPLAY_LINE_TOO_LONG);
}

static void empty_and_binary(void **ctx)
{
	(void)ctx;
	write_file("empty", "", 0, "w");
	struct got g;
	int fd = open_file("empty");
	drain(fd, &g);
	close(fd);
	assert_int_equal(g.n, 0);
	/* NUL bytes do not end a line: lines are counted by '\n' alone. */
	const char bin[] = "\x00\x01\xff\n\x00\n\xfe";
	write_file("bin", bin, sizeof(bin) - 1, "w");
	fd = open_file("bin");
	drain(fd, &g);
	close(fd);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.len[0], 3);
	assert_int_equal(g.len[1], 1);
	assert_int_equal(g.len[2], 1);
}

static void follow_changes(void **ctx)
{
	(void)ctx;
	char path[256], moved[256];
	snprintf(path, sizeof(path), "%s/f.log", dir);
	snprintf(moved, sizeof(moved), "%s/f.log.1", dir);
	write_file("f.log", "0123456789\n", 11, "w");
	int fd = open_file("f.log");
	struct replay_file_id id;
	assert_int_equal(replay_file_id(fd, &id), 0);
	assert_int_equal(replay_follow_check(fd, path, &id, 11), REPLAY_SAME);
	assert_int_equal(replay_follow_check(fd, path, &id, 5), REPLAY_GREW);
	write_file("f.log", "abc\n", 4, "a");
	assert_int_equal(replay_follow_check(fd, path, &id, 11), REPLAY_GREW);
	write_file("f.log", "x\n", 2, "w"); /* truncated and rewritten shorter */
	assert_int_equal(replay_follow_check(fd, path, &id, 15), REPLAY_TRUNCATED);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(replay_follow_check(fd, path, &id, 2), REPLAY_GONE);
	/* Moved away, still written by the tracer that holds it open: read on. */
	write_file("f.log.1", "y\n", 2, "a");
	assert_int_equal(replay_follow_check(fd, path, &id, 2), REPLAY_GREW);
	assert_int_equal(replay_follow_check(fd, path, &id, 4), REPLAY_GONE);
	write_file("f.log", "new\n", 4, "w");
	assert_int_equal(replay_follow_check(fd, path, &id, 4), REPLAY_ROTATED);
	/* Not open yet (waiting for the file): any file at the path is news. */
	assert_int_equal(replay_follow_check(-1, path, &id, 0), REPLAY_ROTATED);
	unlink(path);
	assert_int_equal(replay_follow_check(-1, path, &id, 0), REPLAY_GONE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_across_chunks),
		cmocka_unit_test(crlf_and_last_line),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(empty_and_binary),
		cmocka_unit_test(follow_changes),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

/* Follow mode, like `tail -F`: what became of the followed path since the last read. A
 * rotation makes the path name a new file (mv then create); a truncation (copytruncate, or
 * `>` on a running log) makes the file shorter than what was read. */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "replay.h"

int replay_file_id(int fd, struct replay_file_id *id)
{
	struct stat sb;
	if (fstat(fd, &sb))
		return -errno;
	id->dev = sb.st_dev;
	id->ino = sb.st_ino;
	return 0;
}

enum replay_change replay_follow_check(int fd, const char *path, const struct replay_file_id *id,
				       uint64_t offset)
{
	struct stat ps, fs;
	/* A path we cannot stat (ENOENT, EACCES) has nothing to switch to. */
	bool gone = stat(path, &ps) != 0;
	if (!gone && (fd < 0 || ps.st_dev != id->dev || ps.st_ino != id->ino))
		return REPLAY_ROTATED;
	if (fd < 0)
		return REPLAY_GONE;
	if (fstat(fd, &fs))
		return REPLAY_SAME;
	/* Moved away or deleted, the file may still be written by whoever holds it open. */
	if ((uint64_t)fs.st_size > offset)
		return REPLAY_GREW;
	if (gone)
		return REPLAY_GONE;
	return (uint64_t)fs.st_size < offset ? REPLAY_TRUNCATED : REPLAY_SAME;
}

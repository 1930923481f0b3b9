/* dataset: writes labelled feature vectors as JSONL for `anomon train`, atomically. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anomon_plugin.h"
#include "dataset_line.h"

struct dataset_sink {
	const struct anomon_host *host;
	anomon_stage *s;
	char *path;
	char *tmp;       /* the file being written; renamed to path at stop */
	FILE *f;
	int label;
	uint64_t rows;
	bool warned;
};

static int parse_label(const char *s)
{
	if (!strcmp(s, "0") || !strcasecmp(s, "normal"))
		return 0;
	if (!strcmp(s, "1") || !strcasecmp(s, "abnormal"))
		return 1;
	return -1;
}

static int sink_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	const char *path = host->param_string(s, "path");
	const char *label = host->param_string(s, "label");
	struct dataset_sink *st;
	char *dir;
	int l = parse_label(label);

	if (!*path) {
		host->error(s, "path: expected the file to write the dataset to");
		return -EINVAL;
	}
	if (l < 0) {
		host->error(s, "label: expected normal, abnormal, 0 or 1, got \"%s\"", label);
		return -EINVAL;
	}
	/* Refuse an unwritable place now, so validate catches it before a long recording. */
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	if (access(dirname(dir), W_OK)) {
		int e = errno;

		host->error(s, "path: cannot write in the directory of %s: %s", path, strerror(e));
		free(dir);
		return -e;
	}
	free(dir);
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return -ENOMEM;
	}
	st->host = host;
	st->s = s;
	st->label = l;
	*state = st;
	return 0;
}

static int sink_start(void *state)
{
	struct dataset_sink *st = state;
	size_t len = strlen(st->path) + 16;
	int fd;

	st->tmp = malloc(len);
	if (!st->tmp)
		return -ENOMEM;
	snprintf(st->tmp, len, "%s.tmp.XXXXXX", st->path);
	fd = mkstemp(st->tmp);
	if (fd < 0) {
		int e = errno;

		st->host->error(st->s, "cannot create %s: %s", st->tmp, strerror(e));
		free(st->tmp);
		st->tmp = NULL;
		return -e;
	}
	fchmod(fd, 0644);
	st->f = fdopen(fd, "w");
	if (!st->f) {
		close(fd);
		unlink(st->tmp);
		return -ENOMEM;
	}
	return 0;
}

static int sink_on_vector(void *state, const struct anomon_vector *v)
{
	struct dataset_sink *st = state;
	int rc;

	if (!st->f)
		return -EBADF;
	rc = dataset_line_write(st->f, v, st->label);
	if (rc == -EINVAL && !st->warned) {
		st->host->log(st->s, ANOMON_LOG_WARN,
			      "skipping vectors with NaN or infinite values (window of %s)",
			      v->key ? v->key : "?");
		st->warned = true;
	}
	if (!rc)
		st->rows++;
	return rc;
}

/* Complete the file and move it into place: readers see all of it or nothing. */
static void sink_stop(void *state)
{
	struct dataset_sink *st = state;
	int bad;

	if (!st->f)
		return;
	bad = fflush(st->f) || fsync(fileno(st->f));
	bad |= fclose(st->f);
	st->f = NULL;
	if (bad || rename(st->tmp, st->path)) {
		st->host->log(st->s, ANOMON_LOG_ERROR, "cannot write %s: %s", st->path,
			      strerror(errno));
		unlink(st->tmp);
	} else {
		st->host->log(st->s, ANOMON_LOG_INFO, "wrote %llu labelled rows to %s",
			      (unsigned long long)st->rows, st->path);
	}
	free(st->tmp);
	st->tmp = NULL;
}

static void sink_destroy(void *state)
{
	struct dataset_sink *st = state;

	if (st->f) {
		/* Never stopped (a later stage failed, or the run aborted): leave nothing. */
		fclose(st->f);
		unlink(st->tmp);
	}
	free(st->tmp);
	free(st->path);
	free(st);
}

static const struct anomon_param sink_params[] = {
	{ "path", ANOMON_PARAM_PATH, NULL, true,
	  "JSONL file to write; it appears complete when the run stops" },
	{ "label", ANOMON_PARAM_STRING, NULL, true,
	  "label of every vector: normal, abnormal, 0 or 1" },
	{ NULL, 0, NULL, false, NULL },
};

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "dataset",
	.version = "1.0.0",
	.description = "Write labelled feature vectors as a JSONL dataset for anomon train",
	.params = sink_params,
	.init = sink_init,
	.start = sink_start,
	.stop = sink_stop,
	.destroy = sink_destroy,
	.on_vector = sink_on_vector,
};

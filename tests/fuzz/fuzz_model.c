/* libFuzzer target: model-file loading (logreg and forest), then scoring with what loaded,
 * so a file that passes validation can never make scoring read out of bounds. The first
 * byte picks the plugin; the rest is the file, read through a memory file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "forest_file.h"
#include "logreg_file.h"

static void score_logreg(const char *path)
{
	char err[512];
	struct logreg_model *m = NULL;
	if (logreg_load(path, &m, err, sizeof(err)) != 0)
		return;
	double *x = calloc(m->n ? m->n : 1, sizeof(*x));
	struct anomon_contribution *c = calloc(m->n ? m->n : 1, sizeof(*c));
	if (x && c) {
		(void)logreg_score(m, x);
		logreg_contributions(m, x, c);
	}
	free(x);
	free(c);
	logreg_free(m);
}

static void score_forest(const char *path)
{
	char err[512];
	struct forest_model *m = NULL;
	if (forest_load(path, &m, err, sizeof(err)) != 0)
		return;
	double *x = calloc(m->n ? m->n : 1, sizeof(*x));
	struct anomon_contribution *c = calloc(m->n ? m->n : 1, sizeof(*c));
	if (x && c) {
		(void)forest_score(m, x);
		(void)forest_explain(m, x, c);
	}
	free(x);
	free(c);
	forest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int fd = memfd_create("fuzz-model", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) == (ssize_t)(size - 1)) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (data[0] & 1)
			score_forest(path);
		else
			score_logreg(path);
	}
	close(fd);
	return 0;
}

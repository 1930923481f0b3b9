/* Labelled datasets for training and evaluation: CSV with a label column, or the JSONL that
 * the dataset sink writes (format in docs/models.md). */
#ifndef ANOMON_DATASET_H
#define ANOMON_DATASET_H

#include <stddef.h>

struct dataset_file {
	char *path;
	char sha256[65];  /* of the file's bytes, lowercase hex */
	size_t rows;
};

struct dataset {
	size_t rows, cols;
	char **names;     /* cols feature names, in column order */
	double *x;        /* rows * cols values, row-major, all finite */
	int *y;           /* rows labels, 0 normal or 1 abnormal */
	size_t n_files;
	struct dataset_file *files;
};

/*
 * Append the rows of path (CSV or JSONL, told apart by the extension .csv/.jsonl/.ndjson or
 * else by the first character) to ds, which starts zeroed. Every file must have the same
 * feature names in the same order. On bad input returns -EINVAL with one line in err naming
 * the file, the line and column where it can, and what was expected; -errno if unreadable.
 */
int dataset_load(struct dataset *ds, const char *path, char *err, size_t errlen);
/* Rows labelled abnormal. */
size_t dataset_positives(const struct dataset *ds);
void dataset_free(struct dataset *ds);

/* SHA-256 of len bytes as 64 lowercase hex digits and a NUL. */
void dataset_sha256_hex(const void *data, size_t len, char out[65]);

#endif

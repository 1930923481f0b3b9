/* libFuzzer target: the dataset readers (CSV with a label column, the dataset sink's JSONL),
 * fed through a memory file so the format is told apart by the first character. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-dataset", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64], err[512];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		struct dataset ds = {0};
		/* Twice: a second file must match the first one's columns. */
		if (dataset_load(&ds, path, err, sizeof(err)) == 0)
			dataset_load(&ds, path, err, sizeof(err));
		dataset_free(&ds);
	}
	close(fd);
	return 0;
}

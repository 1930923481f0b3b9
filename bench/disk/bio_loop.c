// SPDX-License-Identifier: MIT
/* bio_loop N FILE: write N blocks of 4 KiB to FILE with O_DIRECT (one request each, at
 * successive offsets) and print the wall-clock nanoseconds per write. */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bio_loop N FILE\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	void *buf;
	struct timespec t0, t1;
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_DIRECT, 0600);

	if (fd < 0 || posix_memalign(&buf, 4096, 4096)) {
		perror(argv[2]);
		return 1;
	}
	memset(buf, 0xa5, 4096);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (pwrite(fd, buf, 4096, (off_t)(i % 4096) * 4096) != 4096) {
			perror("pwrite");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.1f\n", ns / (double)n);
	return 0;
}

// SPDX-License-Identifier: MIT
/* open_storm COMM N [PATH]: set the task name to COMM, then open and close PATH
 * (default /dev/null) N times with openat; prints the pid and the number of opens. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: open_storm COMM N [PATH]\n");
		return 2;
	}
	const char *path = argc > 3 ? argv[3] : "/dev/null";
	long n = strtol(argv[2], NULL, 10), ok = 0;

	prctl(PR_SET_NAME, argv[1], 0, 0, 0);
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY);
		if (fd >= 0) {
			close(fd);
			ok++;
		}
	}
	printf("%d %ld\n", (int)getpid(), ok);
	return 0;
}

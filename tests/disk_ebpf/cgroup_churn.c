// SPDX-License-Identifier: MIT
/* cgroup_churn PARENT N COMM PATH [HOLD_MS]: create N cgroups PARENT/c0.. one after the
 * other, run in each a forked child named COMM that opens and closes PATH once, then, after
 * HOLD_MS (default 300; the cgroups stay while an observer resolves their ids), remove them
 * all. Prints the number of cgroups made and of opens that succeeded. Forking without exec
 * keeps it fast and makes exactly one open per cgroup (the child's write to cgroup.procs is
 * opened before it moves). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void child(const char *dir, const char *path)
{
	char procs[4200];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(2);
	close(fd);
	fd = openat(AT_FDCWD, path, O_RDONLY);
	if (fd < 0)
		_exit(3);
	close(fd);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: cgroup_churn PARENT N COMM PATH [HOLD_MS]\n");
		return 2;
	}
	const char *parent = argv[1], *path = argv[4];
	long n = strtol(argv[2], NULL, 10), hold = argc > 5 ? strtol(argv[5], NULL, 10) : 300;
	long made = 0, opened = 0;
	char dir[4096];

	prctl(PR_SET_NAME, argv[3], 0, 0, 0);
	for (long i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/c%ld", parent, i);
		if (mkdir(dir, 0755) < 0) {
			fprintf(stderr, "cgroup_churn: mkdir %s: %s\n", dir, strerror(errno));
			break;
		}
		made++;
		pid_t pid = fork();
		if (pid == 0)
			child(dir, path);
		int st;
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			opened++;
	}
	struct timespec ts = {.tv_sec = hold / 1000, .tv_nsec = (hold % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	for (long i = 0; i < made; i++) {
		snprintf(dir, sizeof(dir), "%s/c%ld", parent, i);
		/* An exited child's cgroup may take a moment to empty. */
		for (int tries = 0; rmdir(dir) < 0 && errno == EBUSY && tries < 100; tries++)
			usleep(1000);
	}
	printf("%ld %ld\n", made, opened);
	return made == n ? 0 : 1;
}

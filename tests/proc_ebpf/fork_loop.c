/*
 * fork, _exit(0) in the child and waitpid in the parent, N times; prints "N WALL CPU": the
 * wall-clock time of the whole loop over N, and the CPU time (user and system, of this
 * process and its children) over N, in ns per fork. Used by the tests as a fork storm and to
 * measure what tracing adds to a process's creation and exit (docs/collectors.md): the
 * tracer's programs run in the forking and the exiting task, so they show in its CPU time
 * however busy the rest of the machine is.
 * Usage: fork_loop N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: fork_loop N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "fork_loop: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "fork_loop: child %d did not exit 0\n", (int)pid);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	double cpu = 0;
	struct rusage ru;
	for (int who = 0; who < 2; who++) {
		getrusage(who ? RUSAGE_CHILDREN : RUSAGE_SELF, &ru);
		cpu += (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	}
	printf("%ld %.0f %.0f\n", n, ns / (double)n, cpu / (double)n);
	return 0;
}

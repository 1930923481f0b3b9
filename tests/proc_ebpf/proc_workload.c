/*
 * A known process workload for the live procsnoop tests: forks children that exit with
 * known codes (0, 1, 2, 3, 42), one child killed by SIGKILL, M children that exec
 * /bin/true, and T threads; checks every status, then writes what it did as one JSON
 * object to OUT: {"pid", "ppid", "comm", "codes": [[pid, code]...], "killed": [pid, 9],
 * "execs": [pid...], "threads": [tid...]}.
 * Usage: proc_workload OUT M T
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS 64

static const int codes[] = {0, 1, 2, 3, 42};
#define NCODES (sizeof(codes) / sizeof(*codes))

static pid_t tids[MAX_THREADS];

static void die(const char *what)
{
	fprintf(stderr, "proc_workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Wait for pid and check how it ended: exited with `code`, or killed by `sig`. */
static void reap(pid_t pid, int code, int sig)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	if (sig ? !(WIFSIGNALED(st) && WTERMSIG(st) == sig)
		: !(WIFEXITED(st) && WEXITSTATUS(st) == code)) {
		fprintf(stderr, "proc_workload: child %d ended with status 0x%x\n", (int)pid, st);
		exit(2);
	}
}

static void *thread_main(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: proc_workload OUT M T\n");
		return 2;
	}
	int m = atoi(argv[2]), t = atoi(argv[3]);
	pid_t code_pids[NCODES], killed, execs[64];
	pthread_t th[MAX_THREADS];

	if (m < 0 || m > 64 || t < 0 || t > MAX_THREADS) {
		fprintf(stderr, "proc_workload: M is 0..64, T 0..%d\n", MAX_THREADS);
		return 2;
	}
	for (size_t i = 0; i < NCODES; i++) {
		code_pids[i] = fork();
		if (code_pids[i] < 0)
			die("fork");
		if (code_pids[i] == 0)
			_exit(codes[i]);
		reap(code_pids[i], codes[i], 0);
	}
	killed = fork();
	if (killed < 0)
		die("fork");
	if (killed == 0)
		for (;;)
			pause();
	if (kill(killed, SIGKILL))
		die("kill");
	reap(killed, 0, SIGKILL);
	for (int i = 0; i < m; i++) {
		execs[i] = fork();
		if (execs[i] < 0)
			die("fork");
		if (execs[i] == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		reap(execs[i], 0, 0);
	}
	for (int i = 0; i < t; i++) {
		errno = pthread_create(&th[i], NULL, thread_main, &tids[i]);
		if (errno)
			die("pthread_create");
		errno = pthread_join(th[i], NULL);
		if (errno)
			die("pthread_join");
	}

	FILE *f = fopen(argv[1], "w");
	if (!f)
		die(argv[1]);
	fprintf(f, "{\"pid\": %d, \"ppid\": %d, \"codes\": [", (int)getpid(), (int)getppid());
	for (size_t i = 0; i < NCODES; i++)
		fprintf(f, "%s[%d, %d]", i ? ", " : "", (int)code_pids[i], codes[i]);
	fprintf(f, "], \"killed\": [%d, %d], \"execs\": [", (int)killed, SIGKILL);
	for (int i = 0; i < m; i++)
		fprintf(f, "%s%d", i ? ", " : "", (int)execs[i]);
	fprintf(f, "], \"threads\": [");
	for (int i = 0; i < t; i++)
		fprintf(f, "%s%d", i ? ", " : "", (int)tids[i]);
	fprintf(f, "]}\n");
	if (fclose(f))
		die(argv[1]);
	return 0;
}

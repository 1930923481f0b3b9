/* Cost of turning a cgroup id into its container: the cached lookup every event pays when
 * windows are keyed by container, and the first (uncached) lookup of a new cgroup. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int n_cgroups = argc > 1 ? atoi(argv[1]) : 200;
	if (cgroups_open(NULL) < 0) {
		fprintf(stderr, "no cgroup v2 hierarchy\n");
		return 77;
	}
	char base[512];
	snprintf(base, sizeof(base), "%s/anomon-bench-%d", cgroups_root(), (int)getpid());
	if (mkdir(base, 0755) < 0) {
		perror(base);
		return 1;
	}
	uint64_t *ids = calloc((size_t)n_cgroups, sizeof(*ids));
	for (int i = 0; i < n_cgroups; i++) {
		char dir[600];
		snprintf(dir, sizeof(dir), "%s/docker-%064x.scope", base, i + 1);
		mkdir(dir, 0755);
		struct stat st;
		stat(dir, &st);
		ids[i] = st.st_ino;
	}
	uint64_t t0 = now_ns();
	for (int i = 0; i < n_cgroups; i++)
		cgroups_lookup(ids[i]);
	uint64_t cold = (now_ns() - t0) / (uint64_t)n_cgroups;
	const long rounds = 20000000;
	uint64_t sink = 0;
	t0 = now_ns();
	for (long r = 0; r < rounds; r++)
		sink += cgroups_lookup(ids[(uint64_t)r * 7919 % (uint64_t)n_cgroups])->id;
	double warm = (double)(now_ns() - t0) / (double)rounds;
	for (int i = 0; i < n_cgroups; i++) {
		char dir[600];
		snprintf(dir, sizeof(dir), "%s/docker-%064x.scope", base, i + 1);
		rmdir(dir);
	}
	rmdir(base);
	printf("| cgroup id -> container, cached (%d cgroups) | %.1f ns |\n", n_cgroups, warm);
	printf("| cgroup id -> container, first lookup (open_by_handle_at + recognition) | %" PRIu64
	       " ns |\n", cold);
	cgroups_close();
	free(ids);
	return sink == 0;
}

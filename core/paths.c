#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

bool paths_in_build_tree(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	char exe[PATH_MAX], root[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cached = 0;
	if (n <= 0 || !realpath(ANOMON_BUILD_ROOT, root))
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
		cached = strcmp(exe, root) == 0;
	}
	return cached;
}

const char *paths_data_dir(void)
{
	return paths_in_build_tree() ? ANOMON_SOURCE_ROOT : ANOMON_DATA_DIR;
}

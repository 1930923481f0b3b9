/* libFuzzer target: cgroup path -> container recognition on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	struct container_ref c;
	if (container_recognise(path, &c)) {
		/* Whatever it recognised is a terminated string no longer than its field. */
		if (strlen(c.id) > CONTAINER_ID_MAX || strlen(c.short_id) > 12 || !c.runtime[0])
			abort();
	}
	free(path);
	return 0;
}

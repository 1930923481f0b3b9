/* libFuzzer target: pipeline JSON through parsing, --set overrides and wiring, with the
 * built plugins loaded (ANOMON_PLUGIN_PATH), so every error path that names a position runs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "log.h"
#include "pipeline.h"

static struct loader *loader;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_verbosity = -1; /* every input is an error; printing them only slows the fuzzer */
	loader = loader_open(NULL, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first line, if it starts with "--set ", is an override; the rest is the file. */
	const char *text = (const char *)data;
	size_t len = size;
	char set[256] = "";
	if (size > 6 && memcmp(data, "--set ", 6) == 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		if (nl) {
			size_t n = (size_t)(nl - data) - 6;
			if (n >= sizeof(set))
				n = sizeof(set) - 1;
			memcpy(set, data + 6, n);
			set[n] = '\0';
			text = (const char *)nl + 1;
			len = size - (size_t)(nl + 1 - data);
		}
	}
	struct pipeline *pl = pipeline_parse("fuzz.json", "/nonexistent", text, len, loader);
	if (pl) {
		const char *sets[] = {set};
		if (!*set || pipeline_apply_sets(pl, sets, 1) == 0)
			pipeline_wire(pl);
		pipeline_free(pl);
	}
	return 0;
}

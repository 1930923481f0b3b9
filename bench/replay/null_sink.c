/* A sink that takes every record and does nothing with it, so that a benchmark measures the
 * stages before it. Built by bench/replay/run; not installed. */
#include <stdlib.h>

#include "anomon_plugin.h"

static int null_init(const struct anomon_host *host, anomon_stage *s, void **state)
{
	(void)host;
	(void)s;
	*state = NULL;
	return 0;
}

static void null_destroy(void *state)
{
	(void)state;
}

static int null_on_event(void *state, const struct anomon_event *ev)
{
	(void)state;
	(void)ev;
	return 0;
}

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "bench_null",
	.version = "1.0.0",
	.description = "Discards every record (benchmarks only)",
	.init = null_init,
	.destroy = null_destroy,
	.on_event = null_on_event,
};

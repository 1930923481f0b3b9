/* A sink that takes every verdict and does nothing with it, so that bench/sinks/run can show
 * the rate of the stages before the sinks. Built by that script; not installed. */
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

static int null_on_verdict(void *state, const struct anomon_verdict *v)
{
	(void)state;
	(void)v;
	return 0;
}

ANOMON_PLUGIN = {
	.abi_major = ANOMON_ABI_MAJOR,
	.abi_minor = ANOMON_ABI_MINOR,
	.struct_size = sizeof(struct anomon_plugin),
	.kind = ANOMON_KIND_SINK,
	.name = "bench_null_verdicts",
	.version = "1.0.0",
	.description = "Discard verdicts (benchmark baseline)",
	.init = null_init,
	.destroy = null_destroy,
	.on_verdict = null_on_verdict,
};

/* Deliberately broken plugins, one per -D flag, for the loader's refusals. */
#include <stdlib.h>

#include "anomon_plugin.h"

#if defined(BROKEN_NOSYM)
/* Exported under another name: not an anomon plugin. */
ANOMON_EXPORT const int not_a_descriptor = 1;
#else

__attribute__((unused)) static int init(const struct anomon_host *h, anomon_stage *s, void **state)
{
	(void)h;
	(void)s;
	*state = NULL;
	return 0;
}

static void destroy(void *state)
{
	(void)state;
}

static int on_verdict(void *state, const struct anomon_verdict *v)
{
	(void)state;
	(void)v;
	return 0;
}

ANOMON_PLUGIN = {
#if defined(BROKEN_ABI)
	.abi_major = ANOMON_ABI_MAJOR + 98,
#else
	.abi_major = ANOMON_ABI_MAJOR,
#endif
	.abi_minor = ANOMON_ABI_MINOR,
#if defined(BROKEN_SIZE)
	.struct_size = 48,
#else
	.struct_size = sizeof(struct anomon_plugin),
#endif
	.kind = ANOMON_KIND_SINK,
#if defined(BROKEN_DUP)
	.name = "stdout",
#else
	.name = "broken",
#endif
	.version = "0.0.1",
	.description = "a test plugin",
#if !defined(BROKEN_NOINIT)
	.init = init,
#endif
	.destroy = destroy,
	.on_verdict = on_verdict,
};
#endif

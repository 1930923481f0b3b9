/* Choosing the strongest contributions of a verdict, without allocating. */
#ifndef MODEL_CONTRIB_H
#define MODEL_CONTRIB_H

#include <stddef.h>

#include "anomon_plugin.h"

/* Copy into top (room for k) the entries of all with the largest |weight|, strongest first;
 * ties keep the order of all. Returns the number copied, min(n, k). */
size_t contrib_top(const struct anomon_contribution *all, size_t n,
		   struct anomon_contribution *top, size_t k);

#endif

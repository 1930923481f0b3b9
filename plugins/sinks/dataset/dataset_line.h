/* One line of a JSONL dataset: a labelled feature vector (format in docs/models.md). */
#ifndef DATASET_LINE_H
#define DATASET_LINE_H

#include <stdio.h>

#include "anomon_plugin.h"

/* Write {"names":[...],"values":[...],"label":L,"start":NS,"end":NS,"key":"...",
 * "incomplete":B} and a newline. Returns 0, -EINVAL if a value is not finite (nothing
 * written), or -EIO. */
int dataset_line_write(FILE *f, const struct anomon_vector *v, int label);

#endif

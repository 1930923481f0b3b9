/* Where anomon finds its own files: plugins and data (models, pipelines). */
#ifndef ANOMON_PATHS_H
#define ANOMON_PATHS_H

#include <stdbool.h>

/* True when this binary is the one in the build tree it was built in: then plugins come
 * from the build tree and data from the source tree, never from an older installation. */
bool paths_in_build_tree(void);
/* The source tree when in the build tree, else $prefix/share/anomon. */
const char *paths_data_dir(void);

#endif

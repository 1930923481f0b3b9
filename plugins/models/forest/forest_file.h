/* The forest section of a model file: reading it with full validation, writing it. */
#ifndef FOREST_FILE_H
#define FOREST_FILE_H

#include "forest_model.h"

/* Load path; on failure err holds one line naming the file and what is wrong where. */
int forest_load(const char *path, struct forest_model **out, char *err, size_t errlen);
int forest_save(const struct forest_model *m, const char *metadata_json, const char *path);

#endif

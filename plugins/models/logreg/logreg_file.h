/* The logreg section of a model file: reading it with full validation, writing it. */
#ifndef LOGREG_FILE_H
#define LOGREG_FILE_H

#include "logreg_model.h"

/* Load path; on failure err holds one line naming the file and what is wrong where. */
int logreg_load(const char *path, struct logreg_model **out, char *err, size_t errlen);
int logreg_save(const struct logreg_model *m, const char *metadata_json, const char *path);

#endif

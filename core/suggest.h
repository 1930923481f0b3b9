/* "Did you mean" suggestions for misspelt names. */
#ifndef ANOMON_SUGGEST_H
#define ANOMON_SUGGEST_H

#include <stddef.h>

/* The candidate closest to `word` by edit distance, or NULL if none is close enough
 * (at most a third of the word's length, and at least 1, edits away). */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);

#endif

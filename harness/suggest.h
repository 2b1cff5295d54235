/*
 * suggest.h — "did you mean": the known name closest to a mistyped one, so that an
 * error about `--profile nehalem` or `bench run pgfalt` can name what was meant.
 */
#ifndef RINGLAB_SUGGEST_H
#define RINGLAB_SUGGEST_H

#include <stddef.h>

/* Return the candidate closest to `word` (a prefix of it, or within a small edit
 * distance), or NULL when none is close enough to be a likely typo. */
const char *suggest(const char *word, const char *const *cands, size_t n);

/* Append "; did you mean 'X'?" to err (of size errlen) when suggest() finds an X. */
void suggest_append(char *err, size_t errlen, const char *word, const char *const *cands, size_t n);

/* The names in a comma-separated list ("a, b, c") as candidates: copies `list` into
 * buf and fills at most max pointers in out; returns how many. */
size_t suggest_split(const char *list, char *buf, size_t bufn, const char **out, size_t max);

#endif

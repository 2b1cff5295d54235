/*
 * suggest.c — the closest known name to a mistyped one (see suggest.h): a candidate
 * the word is a prefix of ("nehalem" → "nehalem-2009"), else the one at the smallest
 * Levenshtein distance, when that distance is at most a third of the word (and at
 * least 1, at most 3): close enough to be a typo, not a different word.
 */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

/* Levenshtein distance of a and b (both under 64 characters; longer: large). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la >= 64 || lb >= 64)
		return 1000;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *suggest(const char *word, const char *const *cands, size_t n)
{
	if (!word || !*word)
		return NULL;
	size_t wl = strlen(word);
	for (size_t i = 0; i < n; i++)
		if (wl >= 3 && !strncmp(cands[i], word, wl))
			return cands[i];
	size_t limit = wl / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	const char *best = NULL;
	size_t bd = limit + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	return best;
}

void suggest_append(char *err, size_t errlen, const char *word, const char *const *cands, size_t n)
{
	const char *s = suggest(word, cands, n);
	size_t l = strlen(err);
	if (s && l < errlen)
		snprintf(err + l, errlen - l, "; did you mean '%s'?", s);
}

size_t suggest_split(const char *list, char *buf, size_t bufn, const char **out, size_t max)
{
	snprintf(buf, bufn, "%s", list);
	size_t n = 0;
	for (char *p = buf; *p && n < max;) {
		p += strspn(p, ", ");
		if (!*p)
			break;
		out[n++] = p;
		p += strcspn(p, ",");
		if (*p)
			*p++ = 0;
	}
	return n;
}

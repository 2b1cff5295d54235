/*
 * stats.c — a flat table of named counters. Lookup by name is linear; it happens at
 * registration time only, never on a hot path.
 */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

u64 *stats_counter(struct stats *s, const char *name, const char *desc)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return &s->value[i];
	if (s->n == STATS_MAX || strlen(name) >= STATS_NAME_MAX) {
		fprintf(stderr, "ringlab: internal error: cannot register counter '%s'\n", name);
		abort();
	}
	snprintf(s->name[s->n], STATS_NAME_MAX, "%s", name);
	snprintf(s->desc[s->n], STATS_DESC_MAX, "%s", desc ? desc : "");
	s->value[s->n] = 0;
	return &s->value[s->n++];
}

u64 stats_get(const struct stats *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return s->value[i];
	return 0;
}

const char *stats_desc(const struct stats *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return s->desc[i];
	return "";
}

void stats_snapshot(const struct stats *s, u64 *out)
{
	memcpy(out, s->value, sizeof(u64) * s->n);
}

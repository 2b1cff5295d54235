/*
 * stats.h — named counters, the product of a testbed.
 *
 * Every mechanism counts what it does under a name that reads well in a table
 * ("tlb.dtlb_misses", "exc.14", "io.port_reads"). A counter is registered once and then
 * incremented through the stable pointer stats_counter() returned, so the hot path is
 * one memory increment. A snapshot copies every value (markers take them at zero cost).
 *
 * Invariant: pointers returned by stats_counter() stay valid for the life of the stats.
 */
#ifndef RINGLAB_STATS_H
#define RINGLAB_STATS_H

#include "types.h"

#define STATS_MAX 1024
#define STATS_NAME_MAX 48
#define STATS_DESC_MAX 112

struct stats {
	unsigned n;
	char name[STATS_MAX][STATS_NAME_MAX];
	char desc[STATS_MAX][STATS_DESC_MAX]; /* one line: what it counts, and its unit */
	u64 value[STATS_MAX];
};

/* Return the counter called `name`, creating it at zero if it is new, described by
 * `desc` (one line saying what it counts and in which unit, e.g. "hidden page faults the
 * VMM resolved without the guest (count)"; reports and `bench explain` show it). The
 * description lives where the counter is defined, so a new mechanism describes its
 * own. Aborts when the table is full (a programming error, not a guest one). */
u64 *stats_counter(struct stats *s, const char *name, const char *desc);

/* Return the description of `name`, or "" if no such counter exists. */
const char *stats_desc(const struct stats *s, const char *name);

/* Return the value of `name`, or 0 if no such counter exists. */
u64 stats_get(const struct stats *s, const char *name);

/* Copy every value of `s` into `out` (which must hold STATS_MAX values). */
void stats_snapshot(const struct stats *s, u64 *out);

#endif

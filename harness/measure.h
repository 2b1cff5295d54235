/*
 * measure.h — turning a finished run into measurements.
 *
 * The guest prints one `@result name=NAME ops=N cycles=C [key=N ...]` line per measured
 * loop (the optional pairs are values only the guest knows, e.g. how many checks
 * passed; derived metrics see them by key) and
 * brackets the loop with begin/end markers carrying the measurement's index. A
 * measurement is the delta of every counter between its markers: modeled cycles (by
 * category), guest instructions, exits by reason, TLB, walks, port accesses. The
 * guest's own `cycles=` (its RDTSC delta) is kept as a cross-check only.
 */
#ifndef RINGLAB_MEASURE_H
#define RINGLAB_MEASURE_H

#include "core/vm.h"

#define MEAS_MAX 64
#define MEAS_COUNTERS 128
#define MEAS_VALUES 8

struct measurement {
	char name[48];
	u64 ops;
	u64 guest_cycles;          /* what the guest's RDTSC saw */
	unsigned nvalues;          /* the optional key=N pairs of the @result line */
	char value_name[MEAS_VALUES][24];
	u64 value[MEAS_VALUES];
	u64 insns;
	u64 cycles;                /* modeled, marker to marker */
	u64 cat[COST_NCAT];        /* by category (guest derived) */
	unsigned ncounters;
	char counter_name[MEAS_COUNTERS][STATS_NAME_MAX]; /* nonzero deltas only */
	u64 counter[MEAS_COUNTERS];
};

/* Extract the measurements of `vm` given its console output. Returns how many (0 if
 * none), or -1 with one line in err (a @result without its markers, or malformed). */
int measure_extract(const struct vm *vm, const char *console, struct measurement *out,
		    unsigned max, char *err, size_t errlen);

/* Sum of the counters whose names start with `prefix` (e.g. "exits."). */
u64 measure_sum(const struct measurement *m, const char *prefix);

#endif

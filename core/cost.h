/*
 * cost.h — the cost accountant: where every modeled cycle goes.
 *
 * Modeled time is one 64-bit counter, `now`, in cycles of the profile's CPU. Every
 * charge adds to `now` and to exactly one category, so a report can always answer
 * "where did the cycles go" (DESIGN §4). The `guest` category is not stored: it is
 * derived as now minus the sum of the others, so the hot loop charges a block's base
 * cost with a single add to `now`.
 *
 * Invariant: now == guest + sum(cat[c] for c != COST_GUEST).
 */
#ifndef RINGLAB_COST_H
#define RINGLAB_COST_H

#include "types.h"

enum cost_cat {
	COST_GUEST,      /* guest instructions executing (derived, never stored) */
	COST_MEM,        /* page-walk memory references */
	COST_TRAP,       /* native exception/interrupt delivery and return mechanics */
	COST_TRANSITION, /* VM exits and entries, callouts, hypercall transitions */
	COST_VMM,        /* VMM software work, charged per operation performed */
	COST_TRANSLATE,  /* binary translation */
	COST_IO,         /* device latency (native) or device emulation (virtual) */
	COST_IDLE,       /* halted, waiting for the next timer event */
	COST_NCAT
};

struct cost {
	u64 now;             /* modeled cycles since power-on */
	u64 cat[COST_NCAT];  /* cat[COST_GUEST] is unused; see cost_category() */
};

/* Charge `cycles` guest-execution cycles (the hot path: one add). */
static inline void cost_guest(struct cost *c, u64 cycles) { c->now += cycles; }

/* Charge `cycles` to category `cat` (any category but COST_GUEST). */
static inline void cost_charge(struct cost *c, enum cost_cat cat, u64 cycles)
{
	c->now += cycles;
	c->cat[cat] += cycles;
}

/* Return the cycles charged so far to `cat`, deriving the guest category. */
u64 cost_category(const struct cost *c, enum cost_cat cat);

/* Return the short name of a category as reports print it ("guest", "mem", ...). */
const char *cost_category_name(enum cost_cat cat);

#endif

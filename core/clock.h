/*
 * clock.h — modeled time and the timers devices arm on it.
 *
 * There is only modeled time (DESIGN §3): the cost accountant's `now`, in cycles of the
 * profile's CPU running at `hz`. A device arms a one-shot timer at an absolute modeled
 * cycle; the run loop calls clock_run_due() at block boundaries, which fires every timer
 * whose deadline has passed, in deadline order. HLT asks clock_next_deadline() how far
 * to skip. Host time never enters here, so a run is a pure function of its inputs.
 *
 * Invariant: `next` is the smallest deadline of the armed timers, or CLOCK_NEVER.
 */
#ifndef RINGLAB_CLOCK_H
#define RINGLAB_CLOCK_H

#include "cost.h"
#include "types.h"

#define CLOCK_NEVER UINT64_MAX
#define CLOCK_MAX_TIMERS 16

struct timer {
	u64 deadline;
	bool armed;
	void (*fire)(void *opaque, u64 now); /* may re-arm its own timer */
	void *opaque;
};

struct clock {
	struct cost *cost; /* owner of `now` */
	u64 hz;            /* modeled CPU frequency, from the profile */
	struct timer *timers[CLOCK_MAX_TIMERS];
	unsigned n;
	u64 next;
};

/* Prepare `clk` to count modeled time in `cost` at `hz` cycles per second. */
void clock_init(struct clock *clk, struct cost *cost, u64 hz);

/* Register timer `t` (disarmed) with callback `fire(opaque, now)`. */
void clock_add_timer(struct clock *clk, struct timer *t, void (*fire)(void *, u64), void *opaque);

/* Arm `t` to fire at absolute modeled cycle `deadline` (re-arming moves it). */
void timer_arm(struct clock *clk, struct timer *t, u64 deadline);

/* Disarm `t`; a disarmed timer never fires. */
void timer_disarm(struct clock *clk, struct timer *t);

/* Return the current modeled cycle. */
static inline u64 clock_now(const struct clock *clk) { return clk->cost->now; }

/* Return true when some timer is due (cheap: one compare). */
static inline bool clock_due(const struct clock *clk) { return clk->cost->now >= clk->next; }

/* Fire every timer whose deadline is <= now, earliest first. */
void clock_run_due(struct clock *clk);

/* Return the earliest armed deadline, or CLOCK_NEVER. */
static inline u64 clock_next_deadline(const struct clock *clk) { return clk->next; }

/* Convert between modeled CPU cycles and ticks of a device clock of `dev_hz`
 * (exact integer arithmetic, rounding down). */
u64 clock_cycles_to_ticks(const struct clock *clk, u64 cycles, u64 dev_hz);
u64 clock_ticks_to_cycles(const struct clock *clk, u64 ticks, u64 dev_hz);

#endif

/*
 * clock.c — timers on modeled time. A handful of timers exist (PIT, UART, disk), so a
 * linear scan is simpler and faster than a heap.
 */
#include "clock.h"

#include <assert.h>

static void recompute_next(struct clock *clk)
{
	u64 next = CLOCK_NEVER;
	for (unsigned i = 0; i < clk->n; i++)
		if (clk->timers[i]->armed && clk->timers[i]->deadline < next)
			next = clk->timers[i]->deadline;
	clk->next = next;
}

void clock_init(struct clock *clk, struct cost *cost, u64 hz)
{
	clk->cost = cost;
	clk->hz = hz;
	clk->n = 0;
	clk->next = CLOCK_NEVER;
}

void clock_add_timer(struct clock *clk, struct timer *t, void (*fire)(void *, u64), void *opaque)
{
	assert(clk->n < CLOCK_MAX_TIMERS);
	t->armed = false;
	t->deadline = CLOCK_NEVER;
	t->fire = fire;
	t->opaque = opaque;
	clk->timers[clk->n++] = t;
}

void timer_arm(struct clock *clk, struct timer *t, u64 deadline)
{
	t->armed = true;
	t->deadline = deadline;
	recompute_next(clk);
}

void timer_disarm(struct clock *clk, struct timer *t)
{
	t->armed = false;
	recompute_next(clk);
}

void clock_run_due(struct clock *clk)
{
	while (clk->next <= clk->cost->now) {
		struct timer *due = NULL;
		for (unsigned i = 0; i < clk->n; i++) {
			struct timer *t = clk->timers[i];
			if (t->armed && t->deadline <= clk->cost->now &&
			    (!due || t->deadline < due->deadline))
				due = t;
		}
		if (!due)
			break;
		due->armed = false;
		recompute_next(clk);
		due->fire(due->opaque, clk->cost->now);
	}
}

u64 clock_cycles_to_ticks(const struct clock *clk, u64 cycles, u64 dev_hz)
{
	return (u64)(((unsigned __int128)cycles * dev_hz) / clk->hz);
}

u64 clock_ticks_to_cycles(const struct clock *clk, u64 ticks, u64 dev_hz)
{
	return (u64)(((unsigned __int128)ticks * clk->hz) / dev_hz);
}

/*
 * cost.c — category names and the derived guest category of the cost accountant.
 */
#include "cost.h"

static const char *const names[COST_NCAT] = {
	[COST_GUEST] = "guest",         [COST_MEM] = "mem",   [COST_TRAP] = "trap",
	[COST_TRANSITION] = "transition", [COST_VMM] = "vmm", [COST_TRANSLATE] = "translate",
	[COST_IO] = "io",               [COST_IDLE] = "idle",
};

u64 cost_category(const struct cost *c, enum cost_cat cat)
{
	if (cat != COST_GUEST)
		return c->cat[cat];
	u64 other = 0;
	for (int i = 1; i < COST_NCAT; i++)
		other += c->cat[i];
	return c->now - other;
}

const char *cost_category_name(enum cost_cat cat)
{
	return (unsigned)cat < COST_NCAT ? names[cat] : "?";
}

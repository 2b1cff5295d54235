/*
 * configs.c — the configurations bench knows, in the order tables show them. Whether
 * one can run on a profile is decided by the core (core/config.c); one whose engine
 * does not exist yet is listed as such and refused, never faked.
 */
#include "configs.h"

#include <stdio.h>
#include <string.h>

#include "bench.h"

#include "core/config.h"
#include "core/engine.h"
#include "core/mmu.h"

const struct config configs[] = {
	{ "native", "native", "direct", "no VMM: the baseline", false },
	{ "bt/shadow", "bt", "shadow", "binary translation with shadow page tables", false },
	{ "hvm/shadow", "hvm", "shadow", "hardware assist (VT-x 1st gen) with shadow page tables", false },
	{ "hvm/nested", "hvm", "nested", "hardware assist with nested paging (EPT/NPT)", false },
	{ "pv/direct", "pv", "direct", "paravirtualization, guest page tables validated by hypercalls", false },
	{ "pv/shadow", "pv", "shadow", "paravirtualization with shadow page tables", false },
	{ "te/shadow", "te", "shadow", "naive trap-and-emulate, the kernel in ring 1 (wrong by design: the lesson)", true },
};
const size_t nconfigs = sizeof(configs) / sizeof(configs[0]);

const struct config *config_find(const char *name)
{
	for (size_t i = 0; i < nconfigs; i++)
		if (!strcmp(configs[i].name, name))
			return &configs[i];
	return NULL;
}

bool config_needs_hardware(const struct config *c)
{
	const struct mmu_ops *m = mmu_find(c->mmu);
	return m && m->needs_nested_paging;
}

bool config_valid(const struct config *c, const struct profile *p, char *why, size_t n)
{
	if (!engine_find(c->engine)) {
		snprintf(why, n, "engine %s is not implemented yet", c->engine);
		return false;
	}
	if (!mmu_find(c->mmu)) {
		snprintf(why, n, "MMU %s is not implemented yet", c->mmu);
		return false;
	}
	return config_check(c->engine, c->mmu, p, bench_profile_dir(), why, n) == 0;
}

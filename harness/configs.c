/*
 * configs.c — the configurations ringlab knows. A configuration whose engine or MMU
 * does not exist yet is listed as such and refused, never faked.
 */
#include "configs.h"

#include <stdio.h>
#include <string.h>

#include "core/engine.h"
#include "core/mmu.h"

const struct config configs[] = {
	{ "native", "native", "direct", false, "no VMM: the baseline" },
	{ "bt/shadow", "bt", "shadow", false, "binary translation with shadow page tables" },
	{ "hvm/shadow", "hvm", "shadow", false, "hardware assist (VT-x 1st gen) with shadow page tables" },
	{ "hvm/nested", "hvm", "nested", true, "hardware assist with nested paging (EPT/NPT)" },
	{ "pv/direct", "pv", "direct", false, "paravirtualization, guest page tables validated by hypercalls" },
	{ "pv/shadow", "pv", "shadow", false, "paravirtualization with shadow page tables" },
};
const size_t nconfigs = sizeof(configs) / sizeof(configs[0]);

const struct config *config_find(const char *name)
{
	for (size_t i = 0; i < nconfigs; i++)
		if (!strcmp(configs[i].name, name))
			return &configs[i];
	return NULL;
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
	if (c->needs_nested && p && !p->v[P_VMX_NESTED]) {
		snprintf(why, n, "profile %s has no nested paging", p->name);
		return false;
	}
	return true;
}

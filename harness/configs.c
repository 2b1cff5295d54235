/*
 * configs.c — the configurations ringlab knows. A configuration whose engine or MMU
 * does not exist yet is listed as such and refused, never faked.
 */
#include "configs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

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
		char list[256] = "";
		struct dirent **e;
		int k = scandir(bench_profile_dir(), &e, NULL, alphasort);
		for (int i = 0; i < k; i++) {
			size_t l = strlen(e[i]->d_name);
			struct profile q;
			char err[256], path[4400];
			snprintf(path, sizeof(path), "%s/%s", bench_profile_dir(), e[i]->d_name);
			if (l > 4 && !strcmp(e[i]->d_name + l - 4, ".lua") &&
			    !profile_load(&q, path, err, sizeof(err)) &&
			    q.v[P_VMX_NESTED])
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "", q.name);
			free(e[i]);
		}
		if (k >= 0)
			free(e);
		snprintf(why, n, "profile %s has no nested paging (profiles with it: %s)", p->name,
			 list[0] ? list : "none");
		return false;
	}
	return true;
}

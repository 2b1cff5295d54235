/*
 * mmu.c — the registry of MMU engines, chosen by name.
 */
#include "mmu.h"

#include <string.h>

extern const struct mmu_ops mmu_direct, mmu_nested, mmu_shadow;

static const struct mmu_ops *const registry[] = { &mmu_direct, &mmu_nested, &mmu_shadow };

const struct mmu_ops *mmu_find(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(registry[i]->name, name))
			return registry[i];
	return NULL;
}

/*
 * engine.c — the registry of CPU engines, chosen by name.
 */
#include "engine.h"

#include <string.h>

extern const struct engine_ops engine_native, engine_hvm, engine_te, engine_pv, engine_bt;

const struct engine_ops *const engine_registry[] = { &engine_native, &engine_hvm, &engine_te, &engine_pv, &engine_bt, NULL };

const struct engine_ops *engine_find(const char *name)
{
	for (size_t i = 0; engine_registry[i]; i++)
		if (!strcmp(engine_registry[i]->name, name))
			return engine_registry[i];
	return NULL;
}

/*
 * configs.h — configurations (engine/MMU pairs) that bench runs, and which of them
 * are valid on which profile.
 */
#ifndef RINGLAB_CONFIGS_H
#define RINGLAB_CONFIGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/profile.h"

struct config {
	const char *name;   /* "native", "hvm/shadow" */
	const char *engine;
	const char *mmu;
	const char *help;
	bool opt_in;        /* runs only when named (te: the counter-example, wrong by design) */
};

extern const struct config configs[];
extern const size_t nconfigs;

/* Find a configuration by name, or NULL. */
const struct config *config_find(const char *name);

/* Does `c` need hardware some profiles lack (nested paging)? */
bool config_needs_hardware(const struct config *c);

/* Is `c` usable on profile `p` (engine and MMU exist, hardware support present)?
 * If not, why in `why`. */
bool config_valid(const struct config *c, const struct profile *p, char *why, size_t n);

#endif

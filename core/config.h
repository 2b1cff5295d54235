/*
 * config.h — validity of a configuration (engine/MMU on a profile), decided once.
 */
#ifndef RINGLAB_CONFIG_H
#define RINGLAB_CONFIG_H

#include <stddef.h>

#include "profile.h"

/* Can engine `engine` run with MMU `mmu` on profile `p` (NULL: any profile)? Returns 0,
 * or -1 with one line in `why` naming the choices that would work (profiles are looked
 * up under `profile_dir` for that). */
int config_check(const char *engine, const char *mmu, const struct profile *p, const char *profile_dir,
		 char *why, size_t n);

struct engine_ops;

/* The same for an engine given by its ops (a registered engine, or a test's mock). */
int config_check_ops(const struct engine_ops *e, const char *mmu, const struct profile *p,
		     const char *profile_dir, char *why, size_t n);

#endif

/*
 * config.c — the one place that decides which engine/MMU/profile combinations are
 * valid, and says why not.
 *
 * Engines declare the MMUs they run with (engine_ops.mmus); MMUs declare the hardware
 * they need (mmu_ops.needs_nested_paging). vm_create() refuses an invalid combination
 * with the message written here, and bench lists and skips configurations with it.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "mmu.h"

/* Write the names of the profiles under `dir` whose CPU had nested paging. */
static void nested_profiles(const char *dir, char *out, size_t n)
{
	struct dirent **e;
	int k = dir ? scandir(dir, &e, NULL, alphasort) : -1;
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		size_t l = strlen(e[i]->d_name);
		char path[4400], err[256];
		struct profile p;
		if (l > 4 && !strcmp(e[i]->d_name + l - 4, ".lua")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e[i]->d_name);
			if (!profile_load(&p, path, err, sizeof(err)) && p.v[P_VMX_NESTED])
				snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? ", " : "", p.name);
		}
		free(e[i]);
	}
	if (k >= 0)
		free(e);
}

/* Write the names of the registered engines, or of `e`'s MMUs, comma separated. */
static void list_names(const struct engine_ops *e, char *out, size_t n)
{
	out[0] = 0;
	if (!e) {
		for (size_t i = 0; engine_registry[i]; i++)
			snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? ", " : "", engine_registry[i]->name);
		return;
	}
	for (size_t i = 0; e->mmus && e->mmus[i]; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " or " : "", e->mmus[i]);
}

int config_check(const char *engine, const char *mmu, const struct profile *p, const char *profile_dir,
		 char *why, size_t n)
{
	const struct engine_ops *e = engine_find(engine);
	if (!e) {
		char list[256];
		list_names(NULL, list, sizeof(list));
		snprintf(why, n, "unknown engine '%s' (engines: %s)", engine, list);
		return -1;
	}
	return config_check_ops(e, mmu, p, profile_dir, why, n);
}

int config_check_ops(const struct engine_ops *e, const char *mmu, const struct profile *p,
		     const char *profile_dir, char *why, size_t n)
{
	const char *engine = e->name;
	char list[256];
	const struct mmu_ops *m = mmu_find(mmu);
	if (!m) {
		snprintf(why, n, "unknown MMU '%s' (MMUs: direct, nested, shadow)", mmu);
		return -1;
	}
	bool ok = false;
	for (size_t i = 0; e->mmus && e->mmus[i]; i++)
		ok |= !strcmp(e->mmus[i], mmu);
	if (!ok) {
		list_names(e, list, sizeof(list));
		snprintf(why, n, "invalid configuration %s/%s: %s runs only with the %s MMU", engine, mmu, engine, list);
		return -1;
	}
	if (m->needs_nested_paging && p && !p->v[P_VMX_NESTED]) {
		nested_profiles(profile_dir, list, sizeof(list));
		snprintf(why, n, "%s/%s needs nested paging (EPT/NPT): profile %s has no nested paging (profiles with it: %s)",
			 engine, mmu, p->name, list[0] ? list : "none");
		return -1;
	}
	return 0;
}

/*
 * select.c — from a command line to what runs (see select.h).
 */
#include "select.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "suggest.h"

static void add_name(const char *name, const char *desc, void *opaque)
{
	(void)desc;
	char *buf = opaque;
	size_t n = strlen(buf);
	if (n < 2000)
		snprintf(buf + n, 2048 - n, "%s%s", n ? "," : "", name);
}

int select_workload(struct workload *w, const char *name, char *err, size_t errlen)
{
	if (!workload_load_named(w, bench_workload_dir(), name, err, errlen))
		return 0;
	if (!strncmp(err, "unknown workload", 16)) {
		char names[2048] = "", buf[2048];
		const char *c[128];
		workload_list(bench_workload_dir(), add_name, names);
		size_t n = suggest_split(names, buf, sizeof(buf), c, 128);
		suggest_append(err, errlen, name, c, n);
	}
	return -1;
}

int select_add_set(const char **sets, int *nsets, const char *kv, const char *cmd)
{
	if (*nsets == SELECT_MAX_SETS) {
		fprintf(stderr, "%s: at most %d --set options\n", cmd, SELECT_MAX_SETS);
		return -1;
	}
	sets[(*nsets)++] = kv;
	return 0;
}

int select_set(struct workload *w, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	if (eq && eq != kv) {
		size_t kl = (size_t)(eq - kv);
		bool known = false;
		const char *keys[WL_MAX_ARGS];
		for (unsigned i = 0; i < w->nargs; i++) {
			keys[i] = w->arg_key[i];
			known |= strlen(w->arg_key[i]) == kl && !strncmp(w->arg_key[i], kv, kl);
		}
		if (!known) {
			char key[64];
			snprintf(key, sizeof(key), "%.*s", (int)(kl < 63 ? kl : 63), kv);
			if (!w->nargs) {
				snprintf(err, errlen, "--set %s: workload %s takes no arguments", key, w->name);
				return -1;
			}
			size_t u = (size_t)snprintf(err, errlen, "--set %s: workload %s has no argument '%s' (arguments:",
						    key, w->name, key);
			for (unsigned i = 0; i < w->nargs && u < errlen; i++)
				u += (size_t)snprintf(err + u, errlen - u, " %s=%s", w->arg_key[i], w->arg_val[i]);
			if (u < errlen)
				snprintf(err + u, errlen - u, ")");
			suggest_append(err, errlen, key, keys, w->nargs);
			return -1;
		}
	}
	return workload_set(w, kv, err, errlen);
}

int select_profile(struct profile *p, const char *name, char *err, size_t errlen)
{
	if (!profile_load_named(p, bench_profile_dir(), name, err, errlen))
		return 0;
	if (!strncmp(err, "unknown profile", 15)) {
		const char *open = strstr(err, "(profiles: ");
		if (open) {
			char list[1024], buf[1024];
			const char *c[64];
			snprintf(list, sizeof(list), "%.*s", (int)strcspn(open + 11, ")"), open + 11);
			size_t n = suggest_split(list, buf, sizeof(buf), c, 64);
			suggest_append(err, errlen, name, c, n);
		}
	}
	return -1;
}

const struct config *select_config(const char *name, char *err, size_t errlen)
{
	const struct config *c = config_find(name);
	if (c)
		return c;
	const char *names[32];
	size_t u = (size_t)snprintf(err, errlen, "unknown configuration '%s' (configurations:", name);
	for (size_t i = 0; i < nconfigs && i < 32; i++) {
		names[i] = configs[i].name;
		if (u < errlen)
			u += (size_t)snprintf(err + u, errlen - u, " %s", configs[i].name);
	}
	if (u < errlen)
		snprintf(err + u, errlen - u, ")");
	suggest_append(err, errlen, name, names, nconfigs < 32 ? nconfigs : 32);
	return NULL;
}

int select_load(struct selection *s, const char *cmd, const char *workload, const char *const *sets,
		int nsets, const char *profile, const char *config_arg, char *err, size_t errlen)
{
	s->ntodo = 0;
	if (select_workload(&s->w, workload, err, errlen))
		return -1;
	workload_cmdline(&s->w, s->defcmd, sizeof(s->defcmd));
	for (int i = 0; i < nsets; i++)
		if (select_set(&s->w, sets[i], err, errlen))
			goto fail;
	if (select_profile(&s->prof, profile, err, errlen))
		goto fail;
	char list[512];
	if (config_arg && (!config_arg[strspn(config_arg, ",")] || strlen(config_arg) >= sizeof(list))) {
		snprintf(err, errlen, "--config needs configurations (see bench list), not '%.60s'", config_arg);
		goto fail;
	}
	if (config_arg) {
		snprintf(list, sizeof(list), "%s", config_arg);
	} else if (s->w.nconfigs) {
		list[0] = 0;
		for (unsigned i = 0; i < s->w.nconfigs; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? "," : "", s->w.configs[i]);
	} else {
		list[0] = 0;
		for (size_t i = 0; i < nconfigs; i++)
			if (!configs[i].opt_in && config_valid(&configs[i], &s->prof, err, errlen))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? "," : "",
					 configs[i].name);
	}
	char *save = NULL;
	for (char *tok = strtok_r(list, ",", &save); tok && s->ntodo < SELECT_MAX_CONFIGS;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct config *c = select_config(tok, err, errlen);
		char why[256];
		if (!c)
			goto fail;
		if (!config_valid(c, &s->prof, why, sizeof(why))) {
			if (config_arg || config_needs_hardware(c)) {
				snprintf(err, errlen, "configuration %s cannot run: %s", c->name, why);
				goto fail;
			}
			fprintf(stderr, "%s: skipping %s: %s\n", cmd, c->name, why);
			continue;
		}
		bool dup = false;
		for (int k = 0; k < s->ntodo; k++)
			dup |= s->todo[k] == c;
		if (!dup)
			s->todo[s->ntodo++] = c;
	}
	for (int i = 1; i < s->ntodo; i++)
		if (!strcmp(s->todo[i]->name, "native")) {
			const struct config *t = s->todo[0];
			s->todo[0] = s->todo[i];
			s->todo[i] = t;
		}
	if (!s->ntodo) {
		snprintf(err, errlen, "no configuration of %s can run on profile %s (see bench list)", s->w.name,
			 s->prof.name);
		goto fail;
	}
	return 0;
fail:
	workload_free(&s->w);
	return -1;
}

void select_free(struct selection *s)
{
	workload_free(&s->w);
}

/*
 * claims.c — reading claim files (see claims.h).
 *
 * The file runs in the sandbox every user-written chunk runs in (core/profile.h). The
 * three functions it may call, paper{}, claim{} and figure10{}, only remember their
 * table together with the line they were called from (lua_getstack on the caller):
 * the checks run afterwards in C, one record at a time, so that every mistake is one
 * line naming the file and the line of its record — an unknown field, a workload that
 * does not exist, a claim without its source text, a tolerance that is not a factor.
 */
#include "claims.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>

#include "bench.h"
#include "configs.h"
#include "core/profile.h"

#define REC_KEY "ringlab.claim_records"

/* paper{}, claim{} and figure10{}: append {kind, line, table} to the record list. */
static int record(lua_State *L, const char *kind)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Debug ar;
	int line = 0;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		line = ar.currentline;
	lua_getfield(L, LUA_REGISTRYINDEX, REC_KEY);
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
	lua_createtable(L, 3, 0);
	lua_pushstring(L, kind);
	lua_rawseti(L, -2, 1);
	lua_pushinteger(L, line);
	lua_rawseti(L, -2, 2);
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, 3);
	lua_rawseti(L, -2, n + 1);
	lua_pop(L, 1);
	return 0;
}
static int f_paper(lua_State *L) { return record(L, "paper"); }
static int f_claim(lua_State *L) { return record(L, "claim"); }
static int f_figure10(lua_State *L) { return record(L, "figure10"); }

struct ctx {
	lua_State *L;
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d: %s", c->path, c->line, msg);
	return -1;
}

/* Refuse any field of the table at -1 not in `known` (a NULL-terminated list). */
static int only_fields(struct ctx *c, const char *what, const char *const *known)
{
	lua_State *L = c->L;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		bool ok = false;
		for (int i = 0; k && known[i]; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok) {
			char list[400] = "";
			for (int i = 0; known[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", known[i]);
			char name[64];
			snprintf(name, sizeof(name), "%s", k ? k : "(not a name)");
			lua_pop(L, 1);
			return fail(c, "%s: unknown field '%s' (fields: %s)", what, name, list);
		}
	}
	return 0;
}

/* Copy string field `key` of the table at -1; `required` makes a missing one an error. */
static int str_field(struct ctx *c, const char *what, const char *key, char *out, size_t n, bool required)
{
	lua_State *L = c->L;
	out[0] = 0;
	int t = sandbox_rawfield(L, -1, key);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return required ? fail(c, "%s: missing field '%s'", what, key) : 0;
	}
	if (t != LUA_TSTRING || strlen(lua_tostring(L, -1)) != lua_rawlen(L, -1)) {
		lua_pop(L, 1);
		return fail(c, "%s: field '%s' must be a string", what, key);
	}
	if (lua_rawlen(L, -1) >= n) {
		lua_pop(L, 1);
		return fail(c, "%s: field '%s' is too long (at most %zu characters)", what, key, n - 1);
	}
	snprintf(out, n, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (required && !out[0])
		return fail(c, "%s: field '%s' is empty", what, key);
	return 0;
}

static bool workload_exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;
	if (strchr(name, '/'))
		return false;
	snprintf(path, sizeof(path), "%s/%s.lua", dir, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* A configuration name: known (it may need an engine that does not exist yet). */
static int config_field(struct ctx *c, const char *what, const char *name)
{
	if (config_find(name))
		return 0;
	char list[256] = "";
	for (size_t i = 0; i < nconfigs; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", configs[i].name);
	return fail(c, "%s: unknown configuration '%s' (configurations: %s)", what, name, list);
}

/* overrides = { ["vmx.nested_walk_cache"] = 0, ... } at field of the table at -1. */
static int overrides(struct ctx *c, const char *what, struct claim_side *s)
{
	lua_State *L = c->L;
	int t = sandbox_rawfield(L, -1, "overrides");
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (t != LUA_TTABLE) {
		lua_pop(L, 1);
		return fail(c, "%s: overrides must map primitive names to integers", what);
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
		bool known = false;
		for (int i = 0; i < P_COUNT; i++)
			known |= !strcmp(k, profile_primitive_name((enum profile_primitive)i));
		if (!known || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || s->noverrides >= CLAIM_OVR ||
		    strlen(k) >= sizeof(s->ovr_key[0])) {
			char kk[48];
			snprintf(kk, sizeof(kk), "%s", k);
			lua_pop(L, 3);
			return fail(c, "%s: overrides: '%s' must be a profile primitive (bench list) set to an integer >= 0 (at most %d)",
				    what, kk, CLAIM_OVR);
		}
		snprintf(s->ovr_key[s->noverrides], sizeof(s->ovr_key[0]), "%s", k);
		s->ovr_val[s->noverrides++] = lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static const char *const claim_fields[] = { "id", "figure", "text", "workload", "args", "measurement",
					    "config", "base", "profile", "metric", "overrides", "expect",
					    "published", "published_text", "tolerance", "source", "na", NULL };

static int read_claim(struct ctx *c, struct claim *cl, const char *workload_dir)
{
	lua_State *L = c->L;
	char what[80] = "claim";
	memset(cl, 0, sizeof(*cl));
	cl->line = c->line;
	if (only_fields(c, what, claim_fields) || str_field(c, what, "id", cl->id, sizeof(cl->id), true))
		return -1;
	snprintf(what, sizeof(what), "claim '%s'", cl->id);
	if (str_field(c, what, "figure", cl->figure, sizeof(cl->figure), true) ||
	    str_field(c, what, "text", cl->text, sizeof(cl->text), true) ||
	    str_field(c, what, "source", cl->source, sizeof(cl->source), true) ||
	    str_field(c, what, "workload", cl->workload, sizeof(cl->workload), true) ||
	    str_field(c, what, "measurement", cl->side.measurement, sizeof(cl->side.measurement), false) ||
	    str_field(c, what, "config", cl->side.config, sizeof(cl->side.config), true) ||
	    str_field(c, what, "profile", cl->profile, sizeof(cl->profile), true) ||
	    str_field(c, what, "metric", cl->metric, sizeof(cl->metric), false) ||
	    str_field(c, what, "expect", cl->expect, sizeof(cl->expect), false) ||
	    str_field(c, what, "published_text", cl->published_text, sizeof(cl->published_text), false) ||
	    str_field(c, what, "na", cl->na, sizeof(cl->na), false))
		return -1;
	if (!workload_exists(workload_dir, cl->workload))
		return fail(c, "%s: unknown workload '%s' (no %s/%s.lua)", what, cl->workload, workload_dir, cl->workload);
	if (config_field(c, what, cl->side.config))
		return -1;
	if (!cl->metric[0])
		snprintf(cl->metric, sizeof(cl->metric), "cycles_per_op");
	if (!cl->expect[0])
		snprintf(cl->expect, sizeof(cl->expect), "value");
	if (strcmp(cl->expect, "value") && strcmp(cl->expect, "about") && strcmp(cl->expect, "less") &&
	    strcmp(cl->expect, "more"))
		return fail(c, "%s: expect must be value, about, less or more, not '%s'", what, cl->expect);
	if (overrides(c, what, &cl->side))
		return -1;
	/* args: a few key = value words for the guest command line */
	int t = sandbox_rawfield(L, -1, "args");
	if (t == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) != LUA_TSTRING || !lua_isinteger(L, -1) || cl->nargs >= 8 ||
			    lua_rawlen(L, -2) >= sizeof(cl->arg_key[0])) {
				lua_pop(L, 3);
				return fail(c, "%s: args must map names to integers (at most 8)", what);
			}
			snprintf(cl->arg_key[cl->nargs], sizeof(cl->arg_key[0]), "%s", lua_tostring(L, -2));
			snprintf(cl->arg_val[cl->nargs++], sizeof(cl->arg_val[0]), "%lld", (long long)lua_tointeger(L, -1));
			lua_pop(L, 1);
		}
		/* sorted, so the same claim always makes the same command line */
		for (unsigned i = 1; i < cl->nargs; i++)
			for (unsigned j = i; j > 0 && strcmp(cl->arg_key[j - 1], cl->arg_key[j]) > 0; j--) {
				char k[32], v[64];
				memcpy(k, cl->arg_key[j], sizeof(k)), memcpy(v, cl->arg_val[j], sizeof(v));
				memcpy(cl->arg_key[j], cl->arg_key[j - 1], sizeof(k));
				memcpy(cl->arg_val[j], cl->arg_val[j - 1], sizeof(v));
				memcpy(cl->arg_key[j - 1], k, sizeof(k)), memcpy(cl->arg_val[j - 1], v, sizeof(v));
			}
	} else if (t != LUA_TNIL) {
		lua_pop(L, 1);
		return fail(c, "%s: args must be a table of name = integer", what);
	}
	lua_pop(L, 1);
	/* base: a configuration, or { config, measurement, overrides } */
	t = sandbox_rawfield(L, -1, "base");
	if (t == LUA_TSTRING) {
		cl->has_base = true;
		snprintf(cl->base.config, sizeof(cl->base.config), "%s", lua_tostring(L, -1));
		memcpy(cl->base.measurement, cl->side.measurement, sizeof(cl->base.measurement));
	} else if (t == LUA_TTABLE) {
		static const char *const base_fields[] = { "config", "measurement", "overrides", NULL };
		cl->has_base = true;
		if (only_fields(c, what, base_fields) ||
		    str_field(c, what, "config", cl->base.config, sizeof(cl->base.config), true) ||
		    str_field(c, what, "measurement", cl->base.measurement, sizeof(cl->base.measurement), false) ||
		    overrides(c, what, &cl->base)) {
			lua_pop(L, 1);
			return -1;
		}
		if (!cl->base.measurement[0]) /* the same size, both NUL-terminated */
			memcpy(cl->base.measurement, cl->side.measurement, sizeof(cl->base.measurement));
	} else if (t != LUA_TNIL) {
		lua_pop(L, 1);
		return fail(c, "%s: base must be a configuration name or { config =, measurement =, overrides = }", what);
	}
	lua_pop(L, 1);
	if (cl->has_base && config_field(c, what, cl->base.config))
		return -1;
	if ((!strcmp(cl->expect, "less") || !strcmp(cl->expect, "more")) && !cl->has_base)
		return fail(c, "%s: expect = \"%s\" compares with a base: give base", what, cl->expect);
	/* published and tolerance */
	t = sandbox_rawfield(L, -1, "published");
	bool direction = !strcmp(cl->expect, "less") || !strcmp(cl->expect, "more");
	if (t == LUA_TNUMBER && isfinite(lua_tonumber(L, -1)) && lua_tonumber(L, -1) > 0)
		cl->published = lua_tonumber(L, -1);
	else if (t == LUA_TNIL && direction)
		cl->published = NAN;
	else {
		lua_pop(L, 1);
		return fail(c, "%s: published must be a number > 0%s", what, direction ? " (or absent for less/more)" : "");
	}
	lua_pop(L, 1);
	t = sandbox_rawfield(L, -1, "tolerance");
	if (t == LUA_TNUMBER && isfinite(lua_tonumber(L, -1)) && lua_tonumber(L, -1) >= 1)
		cl->tolerance = lua_tonumber(L, -1);
	else if (t == LUA_TNIL && direction)
		cl->tolerance = 1;
	else {
		char got[64];
		snprintf(got, sizeof(got), "%s", t == LUA_TNIL ? "nothing" : luaL_tolstring(L, -1, NULL));
		lua_settop(L, lua_gettop(L) - (t == LUA_TNIL ? 1 : 2));
		return fail(c, "%s: bad tolerance %s: it must be a factor >= 1 (1.25: within published/1.25 .. published*1.25)",
			    what, got);
	}
	lua_pop(L, 1);
	if (!cl->side.measurement[0])
		return fail(c, "%s: missing field 'measurement'", what);
	return 0;
}

int claims_load(struct claim_file *cf, const char *path, const char *workload_dir, char *err, size_t errlen)
{
	memset(cf, 0, sizeof(*cf));
	snprintf(cf->path, sizeof(cf->path), "%s", path);
	const char *base = strrchr(path, '/');
	snprintf(cf->key, sizeof(cf->key), "%s", base ? base + 1 : path);
	char *dot = strrchr(cf->key, '.');
	if (dot && !strcmp(dot, ".lua"))
		*dot = 0;
	lua_State *L = sandbox_new(path, true);
	if (!L) {
		snprintf(err, errlen, "%s: cannot create a Lua state", path);
		return -1;
	}
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, REC_KEY);
	lua_register(L, "paper", f_paper);
	lua_register(L, "claim", f_claim);
	lua_register(L, "figure10", f_figure10);
	int rc = -1;
	if (sandbox_run_file(L, 0, err, errlen))
		goto out;
	struct ctx c = { L, path, 0, err, errlen };
	lua_getfield(L, LUA_REGISTRYINDEX, REC_KEY);
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
	bool have_paper = false;
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		lua_rawgeti(L, -1, 1);
		char kind[16];
		snprintf(kind, sizeof(kind), "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		lua_rawgeti(L, -1, 2);
		c.line = (int)lua_tointeger(L, -1);
		lua_pop(L, 1);
		lua_rawgeti(L, -1, 3);
		if (!strcmp(kind, "paper")) {
			static const char *const f[] = { "title", "machine", "notes", NULL };
			if (have_paper) {
				fail(&c, "a second paper{} (one paper per file)");
				goto out;
			}
			have_paper = true;
			if (only_fields(&c, "paper", f) || str_field(&c, "paper", "title", cf->title, sizeof(cf->title), true) ||
			    str_field(&c, "paper", "machine", cf->machine, sizeof(cf->machine), false) ||
			    str_field(&c, "paper", "notes", cf->notes, sizeof(cf->notes), false))
				goto out;
		} else if (!strcmp(kind, "figure10")) {
			static const char *const f[] = { "workloads", "profile", NULL };
			if (only_fields(&c, "figure10", f) ||
			    str_field(&c, "figure10", "profile", cf->set_profile, sizeof(cf->set_profile), true))
				goto out;
			sandbox_rawfield(L, -1, "workloads");
			lua_Integer m = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
			if (m < 1 || m > CLAIM_SET) {
				fail(&c, "figure10: workloads must be a list of 1..%d workload names", CLAIM_SET);
				goto out;
			}
			for (lua_Integer k = 1; k <= m; k++) {
				lua_rawgeti(L, -1, k);
				const char *w = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
				if (strlen(w) >= sizeof(cf->set[0]) || !workload_exists(workload_dir, w)) {
					fail(&c, "figure10: unknown workload '%.60s' (no %s/%.60s.lua)", w, workload_dir, w);
					goto out;
				}
				snprintf(cf->set[cf->nset++], sizeof(cf->set[0]), "%s", w);
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		} else {
			if (cf->nclaims >= CLAIM_MAX) {
				fail(&c, "too many claims (at most %d per file)", CLAIM_MAX);
				goto out;
			}
			struct claim *cl = &cf->claims[cf->nclaims];
			if (read_claim(&c, cl, workload_dir))
				goto out;
			for (int k = 0; k < cf->nclaims; k++)
				if (!strcmp(cf->claims[k].id, cl->id)) {
					fail(&c, "claim '%s': id already used at line %d", cl->id, cf->claims[k].line);
					goto out;
				}
			cf->nclaims++;
		}
		lua_pop(L, 2);
	}
	if (!have_paper) {
		snprintf(err, errlen, "%s:1: no paper { title = ... } in the file", path);
		goto out;
	}
	rc = 0;
out:
	sandbox_close(L);
	return rc;
}

int claims_list(const char *dir, char out[][512], int max)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), k = 0;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		if (l > 4 && !strcmp(names[i]->d_name + l - 4, ".lua") && k < max)
			snprintf(out[k++], 512, "%s/%s", dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return k;
}

const char *claims_dir(void)
{
	static char dir[4200];
	const char *env = getenv("RINGLAB_CLAIMS");
	if (env && *env)
		return env;
	snprintf(dir, sizeof(dir), "%s/paper/claims", bench_root());
	return dir;
}

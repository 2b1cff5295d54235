/*
 * profile.c — reading CPU profiles (profile.h) through the Lua 5.4 C API.
 *
 * A profile file returns one table:
 *
 *     return {
 *       name = "p4-2006",
 *       description = "Intel Pentium 4 672 (Prescott), 3.8 GHz",
 *       cpu  = { hz = { 3800000000, src = "..." } },
 *       insn = { alu = { 1, src = "estimate" }, ... },
 *       ...                                  -- sections sys, trap, mem, tlb, io, vmx, vmm
 *     }
 *
 * Every primitive of PROFILE_PRIMITIVES must be present as { value, src = "..." } with
 * a non-negative integer value and a non-empty source; unknown sections and keys are
 * refused, so a typo cannot silently fall back to anything. The chunk runs with only
 * the base, string and math libraries (no io, os, require).
 */
#include "profile.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

static const char *const names[P_COUNT] = {
#define PROFILE_NAME(id, name, help) name,
	PROFILE_PRIMITIVES(PROFILE_NAME)
#undef PROFILE_NAME
};

const char *profile_primitive_name(enum profile_primitive id)
{
	return (unsigned)id < P_COUNT ? names[id] : "?";
}

/* Is `sec`.`key` (or the section alone when key is NULL) a known primitive? */
static bool known(const char *sec, const char *key)
{
	size_t sl = strlen(sec);
	for (int i = 0; i < P_COUNT; i++)
		if (!strncmp(names[i], sec, sl) && names[i][sl] == '.' && (!key || !strcmp(names[i] + sl + 1, key)))
			return true;
	return false;
}

static void sandbox(lua_State *L)
{
	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	lua_pop(L, 3);
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
}

/* Read the string field `key` of the table at -1 into out. */
static bool str_field(lua_State *L, const char *key, char *out, size_t n)
{
	lua_getfield(L, -1, key);
	bool ok = lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) > 0;
	if (ok)
		snprintf(out, n, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	return ok;
}

/* Check the top-level table at -1 for unknown sections and keys. */
static int check_unknown(lua_State *L, const char *path, char *err, size_t errlen)
{
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING) {
			snprintf(err, errlen, "%s: keys must be names", path);
			return -1;
		}
		const char *sec = lua_tostring(L, -2);
		if (!strcmp(sec, "name") || !strcmp(sec, "description")) {
			lua_pop(L, 1);
			continue;
		}
		if (!known(sec, NULL) || !lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: unknown section '%s' (sections: cpu insn sys trap mem tlb io vmx vmm)",
				 path, sec);
			return -1;
		}
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
			if (!known(sec, key)) {
				snprintf(err, errlen, "%s: unknown primitive '%s.%s'", path, sec, key);
				return -1;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	return 0;
}

int profile_load(struct profile *p, const char *path, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	lua_State *L = luaL_newstate();
	int rc = -1;
	if (!L) {
		snprintf(err, errlen, "%s: cannot create a Lua state", path);
		return -1;
	}
	sandbox(L);
	if (luaL_loadfile(L, path) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
		snprintf(err, errlen, "%s", lua_tostring(L, -1)); /* "path:line: message" */
		goto out;
	}
	if (!lua_istable(L, -1)) {
		snprintf(err, errlen, "%s: the profile must return a table", path);
		goto out;
	}
	if (!str_field(L, "name", p->name, sizeof(p->name)) ||
	    !str_field(L, "description", p->cpu, sizeof(p->cpu))) {
		snprintf(err, errlen, "%s: 'name' and 'description' must be non-empty strings", path);
		goto out;
	}
	if (check_unknown(L, path, err, errlen))
		goto out;
	for (int i = 0; i < P_COUNT; i++) {
		char sec[32];
		const char *dot = strchr(names[i], '.');
		snprintf(sec, sizeof(sec), "%.*s", (int)(dot - names[i]), names[i]);
		lua_getfield(L, -1, sec);
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: missing primitive '%s'", path, names[i]);
			goto out;
		}
		lua_getfield(L, -1, dot + 1);
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: missing primitive '%s' (write %s = { VALUE, src = \"...\" })",
				 path, names[i], dot + 1);
			goto out;
		}
		lua_geti(L, -1, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0) {
			snprintf(err, errlen, "%s: '%s' must be a non-negative integer", path, names[i]);
			goto out;
		}
		p->v[i] = (u64)lua_tointeger(L, -1);
		lua_pop(L, 1);
		if (!str_field(L, "src", p->src[i], sizeof(p->src[i]))) {
			snprintf(err, errlen, "%s: '%s' has no source (src = \"paper, table\" or \"estimate\")",
				 path, names[i]);
			goto out;
		}
		lua_pop(L, 2);
	}
	if (!p->v[P_HZ]) {
		snprintf(err, errlen, "%s: cpu.hz must be positive", path);
		goto out;
	}
	rc = 0;
out:
	lua_close(L);
	return rc;
}

int profile_load_named(struct profile *p, const char *dir, const char *name, char *err,
		       size_t errlen)
{
	char path[1024];
	size_t len = strlen(name);
	if (strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".lua")))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s.lua", dir, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		char list[512] = "";
		struct dirent **ents;
		int n = scandir(dir, &ents, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			size_t l = strlen(ents[i]->d_name);
			if (l > 4 && !strcmp(ents[i]->d_name + l - 4, ".lua"))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%.*s",
					 list[0] ? ", " : "", (int)(l - 4), ents[i]->d_name);
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
		snprintf(err, errlen, "unknown profile '%s' (profiles: %s)", name, list[0] ? list : "none found");
		return -1;
	}
	fclose(f);
	return profile_load(p, path, err, errlen);
}

/*
 * workload.c — reading workload files through the Lua 5.4 C API.
 *
 * The chunk runs in the sandbox of core/profile.h with the base, string, math and
 * table libraries (no io, os or package: a workload describes, it does not act; text
 * chunks only, print to stderr, a memory limit, and an instruction budget for the file
 * and for each evaluation of a derived metric). It must return a table; its fields are
 * checked one by one so that a mistake is reported with the field's name, and unknown
 * fields are refused (a typo would otherwise be silently ignored). Argument names and
 * values become words of the guest's command line, so they may not contain spaces or
 * control characters (one value must not turn into several arguments).
 */
#include "workload.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

#include "core/profile.h"

/* May `s` be one word of the guest command line (printable, no space, no '=' in a key)? */
static bool cmdline_word(const char *s, bool key)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || (key && *s == '='))
			return false;
	return true;
}

/* Copy a string-ish value at the top of the stack (string or number). */
static bool scalar(lua_State *L, int idx, char *out, size_t n)
{
	if (lua_type(L, idx) == LUA_TSTRING) {
		if (strlen(lua_tostring(L, idx)) != lua_rawlen(L, idx))
			return false; /* a NUL inside would cut it short */
		snprintf(out, n, "%s", lua_tostring(L, idx));
		return true;
	}
	if (lua_type(L, idx) == LUA_TNUMBER) {
		if (lua_isinteger(L, idx))
			snprintf(out, n, "%lld", (long long)lua_tointeger(L, idx));
		else
			snprintf(out, n, "%.17g", lua_tonumber(L, idx));
		return true;
	}
	if (lua_type(L, idx) == LUA_TBOOLEAN) {
		snprintf(out, n, "%d", lua_toboolean(L, idx));
		return true;
	}
	return false;
}

/* Read the list of strings at field `key` of the table at -1. */
static int string_list(lua_State *L, const char *key, char (*out)[32], unsigned *n, const char *file,
		       char *err, size_t errlen)
{
	*n = 0;
	sandbox_rawfield(L, -1, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		snprintf(err, errlen, "%s: field '%s' must be a list of strings", file, key);
		return -1;
	}
	lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = 1; i <= len; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING || *n >= WL_MAX_LIST) {
			snprintf(err, errlen, "%s: %s[%lld] must be a string (at most %d entries)", file,
				 key, (long long)i, WL_MAX_LIST);
			return -1;
		}
		snprintf(out[(*n)++], 32, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static const char *const known_fields[] = { "description", "program", "args", "configs",
					    "disk", "derived", NULL };

int workload_load(struct workload *w, const char *path, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->path, sizeof(w->path), "%s", path);
	const char *base = strrchr(path, '/');
	snprintf(w->name, sizeof(w->name), "%s", base ? base + 1 : path);
	char *dot = strrchr(w->name, '.');
	if (dot && !strcmp(dot, ".lua"))
		*dot = 0;

	lua_State *L = sandbox_new(path, true);
	if (!L) {
		snprintf(err, errlen, "%s: cannot create a Lua state", path);
		return -1;
	}
	w->L = L;
	if (sandbox_run_file(L, 1, err, errlen))
		goto fail;
	if (!lua_istable(L, -1)) {
		snprintf(err, errlen, "%s: the file must return a table", path);
		goto fail;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		bool ok = false;
		for (int i = 0; k && known_fields[i]; i++)
			ok |= !strcmp(k, known_fields[i]);
		if (!ok) {
			snprintf(err, errlen, "%s: unknown field '%s' (fields: description, program, args, configs, disk, derived)",
				 path, k ? k : "?");
			goto fail;
		}
	}
	sandbox_rawfield(L, -1, "program");
	if (lua_type(L, -1) != LUA_TSTRING) {
		snprintf(err, errlen, "%s: field 'program' (the guest program) must be a string", path);
		goto fail;
	}
	if (!cmdline_word(lua_tostring(L, -1), false) || lua_rawlen(L, -1) >= sizeof(w->program) ||
	    strlen(lua_tostring(L, -1)) != lua_rawlen(L, -1)) {
		snprintf(err, errlen, "%s: field 'program' must be one word (no spaces, under %zu characters)",
			 path, sizeof(w->program));
		goto fail;
	}
	snprintf(w->program, sizeof(w->program), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	sandbox_rawfield(L, -1, "description");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) {
		snprintf(err, errlen, "%s: field 'description' must be a string", path);
		goto fail;
	}
	if (lua_type(L, -1) == LUA_TSTRING)
		snprintf(w->description, sizeof(w->description), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	sandbox_rawfield(L, -1, "args");
	if (!lua_isnil(L, -1)) {
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: field 'args' must be a table of key = value", path);
			goto fail;
		}
		/* Sorted keys, so the command line is the same every time. */
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) != LUA_TSTRING || w->nargs >= WL_MAX_ARGS ||
			    !scalar(L, -1, w->arg_val[w->nargs], sizeof(w->arg_val[0]))) {
				snprintf(err, errlen, "%s: args must map names to numbers or strings (at most %d)",
					 path, WL_MAX_ARGS);
				goto fail;
			}
			const char *key = lua_tostring(L, -2);
			if (!cmdline_word(key, true) || strlen(key) >= sizeof(w->arg_key[0]) ||
			    strlen(key) != lua_rawlen(L, -2)) {
				snprintf(err, errlen, "%s: args: name '%.40s' must be one word without '=' (under %zu characters)",
					 path, key, sizeof(w->arg_key[0]));
				goto fail;
			}
			if (!cmdline_word(w->arg_val[w->nargs], false) ||
			    strlen(w->arg_val[w->nargs]) >= sizeof(w->arg_val[0]) - 1) {
				snprintf(err, errlen, "%s: args.%s must be one word: no spaces or control characters, under %zu characters (it would become several guest arguments)",
					 path, key, sizeof(w->arg_val[0]) - 1);
				goto fail;
			}
			snprintf(w->arg_key[w->nargs], sizeof(w->arg_key[0]), "%s", key);
			w->nargs++;
			lua_pop(L, 1);
		}
		for (unsigned i = 1; i < w->nargs; i++)
			for (unsigned j = i; j > 0 && strcmp(w->arg_key[j - 1], w->arg_key[j]) > 0; j--) {
				char k[32], v[128];
				memcpy(k, w->arg_key[j], sizeof(k));
				memcpy(v, w->arg_val[j], sizeof(v));
				memcpy(w->arg_key[j], w->arg_key[j - 1], sizeof(k));
				memcpy(w->arg_val[j], w->arg_val[j - 1], sizeof(v));
				memcpy(w->arg_key[j - 1], k, sizeof(k));
				memcpy(w->arg_val[j - 1], v, sizeof(v));
			}
	}
	lua_pop(L, 1);
	if (string_list(L, "configs", w->configs, &w->nconfigs, path, err, errlen))
		goto fail;
	sandbox_rawfield(L, -1, "disk");
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > (1 << 21)) {
			snprintf(err, errlen, "%s: field 'disk' must be a number of sectors (1..2097152)", path);
			goto fail;
		}
		w->disk_sectors = (unsigned)lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	sandbox_rawfield(L, -1, "derived");
	if (!lua_isnil(L, -1)) {
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: field 'derived' must map names to functions", path);
			goto fail;
		}
		/* the functions are copied into the registry, out of the chunk's reach */
		lua_newtable(L);
		lua_pushnil(L);
		while (lua_next(L, -3)) {
			if (lua_type(L, -2) != LUA_TSTRING || !lua_isfunction(L, -1) ||
			    w->nderived >= WL_MAX_LIST || lua_rawlen(L, -2) >= sizeof(w->derived[0])) {
				snprintf(err, errlen, "%s: derived must map names (under %zu characters) to functions (at most %d)",
					 path, sizeof(w->derived[0]), WL_MAX_LIST);
				goto fail;
			}
			snprintf(w->derived[w->nderived++], sizeof(w->derived[0]), "%s", lua_tostring(L, -2));
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, -4);
		}
		lua_setfield(L, LUA_REGISTRYINDEX, "ringlab.derived");
	}
	lua_pop(L, 1);
	lua_settop(L, 0);
	return 0;
fail:
	sandbox_close(L);
	w->L = NULL;
	return -1;
}

int workload_list(const char *dir, void (*fn)(const char *, const char *, void *), void *opaque)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		size_t len = strlen(d);
		if (len > 4 && !strcmp(d + len - 4, ".lua")) {
			char path[1024], err[512], name[256];
			struct workload w;
			snprintf(path, sizeof(path), "%s/%s", dir, d);
			snprintf(name, sizeof(name), "%.*s", (int)(len - 4), d);
			if (workload_load(&w, path, err, sizeof(err)) == 0) {
				fn(name, w.description, opaque);
				workload_free(&w);
			} else {
				fn(name, err, opaque);
			}
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static void collect(const char *name, const char *desc, void *opaque)
{
	(void)desc;
	char *buf = opaque;
	size_t n = strlen(buf);
	snprintf(buf + n, 1024 - n, "%s%s", n ? ", " : "", name);
}

int workload_load_named(struct workload *w, const char *dir, const char *name, char *err,
			size_t errlen)
{
	char path[1024];
	if (strchr(name, '/') || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".lua")))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s.lua", dir, name);
	FILE *f = fopen(path, "r");
	if (!f) {
		char list[1024] = "";
		workload_list(dir, collect, list);
		snprintf(err, errlen, "unknown workload '%s' (workloads: %s)", name, list[0] ? list : "none found");
		return -1;
	}
	fclose(f);
	return workload_load(w, path, err, errlen);
}

int workload_set(struct workload *w, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(w->arg_key[0]) ||
	    strlen(eq + 1) >= sizeof(w->arg_val[0]) - 1 || !cmdline_word(kv, false)) {
		snprintf(err, errlen, "--set needs key=value without spaces, not '%s'", kv);
		return -1;
	}
	unsigned i;
	for (i = 0; i < w->nargs; i++)
		if (!strncmp(w->arg_key[i], kv, (size_t)(eq - kv)) && !w->arg_key[i][eq - kv])
			break;
	if (i == w->nargs) {
		if (w->nargs >= WL_MAX_ARGS) {
			snprintf(err, errlen, "too many arguments");
			return -1;
		}
		snprintf(w->arg_key[i], sizeof(w->arg_key[0]), "%.*s", (int)(eq - kv), kv);
		w->nargs++;
	}
	snprintf(w->arg_val[i], sizeof(w->arg_val[0]), "%s", eq + 1);
	return 0;
}

void workload_cmdline(const struct workload *w, char *buf, size_t n)
{
	size_t used = (size_t)snprintf(buf, n, "%s", w->program);
	for (unsigned i = 0; i < w->nargs && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, " %s=%s", w->arg_key[i], w->arg_val[i]);
}

struct derive_args {
	const char *name;
	const char *const *keys;
	const double *vals;
	unsigned n;
};

/* Run inside sandbox_call: look the function up, build its argument, call it. */
static int derive_protected(lua_State *L)
{
	const struct derive_args *a = lua_touserdata(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, "ringlab.derived");
	lua_pushstring(L, a->name);
	lua_rawget(L, -2);
	lua_createtable(L, 0, (int)a->n);
	for (unsigned k = 0; k < a->n; k++) {
		lua_pushstring(L, a->keys[k]);
		lua_pushnumber(L, a->vals[k]);
		lua_rawset(L, -3);
	}
	lua_call(L, 1, 1);
	return 1;
}

int workload_derive(struct workload *w, unsigned i, const char *const *keys, const double *vals,
		    unsigned n, double *out, char *err, size_t errlen)
{
	lua_State *L = w->L;
	if (!L || i >= w->nderived)
		return -1;
	struct derive_args a = { w->derived[i], keys, vals, n };
	lua_settop(L, 0);
	lua_pushcfunction(L, derive_protected);
	lua_pushlightuserdata(L, &a);
	char why[512];
	if (sandbox_call(L, 1, 1, why, sizeof(why))) {
		snprintf(err, errlen, "derived metric '%s': %s", w->derived[i], why);
		return -1;
	}
	if (lua_type(L, -1) != LUA_TNUMBER) {
		snprintf(err, errlen, "%s: derived metric '%s' did not return a number", w->path, w->derived[i]);
		lua_settop(L, 0);
		return -1;
	}
	*out = lua_tonumber(L, -1);
	lua_settop(L, 0);
	return 0;
}

void workload_free(struct workload *w)
{
	sandbox_close(w->L);
	w->L = NULL;
}

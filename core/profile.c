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
 *       ...                                  -- sections sys, trap, mem, tlb, io, vmx, bt, vmm, pv
 *     }
 *
 * Every primitive of PROFILE_PRIMITIVES must be present as { value, src = "..." } with
 * a non-negative integer value and a non-empty source; unknown sections and keys are
 * refused, so a typo cannot silently fall back to anything. Values are range-checked
 * (profile.h: costs, clock, TLB geometry, booleans), since the machine keeps some of
 * them in 32 bits and a TLB of 2^30 entries or a 1 Hz clock would hang it; an error
 * names the file and, where the text shows it, the line of the value.
 *
 * The chunk runs in the sandbox defined here and shared with workloads (profile.h):
 * base, string and math only, text chunks only, print to stderr, a memory limit and an
 * instruction-count hook, so that no file can crash, hang or exhaust the host.
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

static const char *const helps[P_COUNT] = {
#define PROFILE_HELP(id, name, help) help,
	PROFILE_PRIMITIVES(PROFILE_HELP)
#undef PROFILE_HELP
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

/* ---- the Lua sandbox (profile.h) ---- */

#define SANDBOX_STEP 1000 /* instructions between two calls of the count hook */

#define SANDBOX_SLACK (8u << 20) /* more memory for the C side between calls */

/* Lua code runs only inside sandbox_run_file and sandbox_call, under the hook: C code
 * reads tables with raw accesses (no metamethod runs unprotected or unbounded), and
 * setmetatable refuses __gc, since Lua 5.4 runs finalizers with hooks off. */
struct sandbox {
	size_t used;      /* bytes Lua holds */
	size_t limit;     /* SANDBOX_MEM during a chunk or call, more between them */
	long steps;       /* instructions run in the current chunk or call */
	bool mem_hit, insn_hit;
	char path[512];
};

/* The sandbox of L (the allocator's data). */
static struct sandbox *sb_of(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

/* lua_Alloc with a ceiling: growing past SANDBOX_MEM fails (Lua raises a memory error). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *s = ud;
	if (!ptr)
		osize = 0; /* osize then encodes the object type */
	if (!nsize) {
		free(ptr);
		s->used -= osize;
		return NULL;
	}
	if (nsize > osize && s->used - osize + nsize > s->limit) {
		s->mem_hit = true;
		return NULL;
	}
	void *np = realloc(ptr, nsize);
	if (np)
		s->used = s->used - osize + nsize;
	return np;
}

/* The count hook: past the budget, fail at every instruction, so that no pcall in the
 * chunk can swallow the error and keep looping. */
static void sb_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	struct sandbox *s = sb_of(L);
	s->steps += SANDBOX_STEP;
	if (s->steps > SANDBOX_INSNS) {
		s->insn_hit = true;
		lua_sethook(L, sb_hook, LUA_MASKCOUNT, 1);
		luaL_error(L, "instruction limit exceeded");
	}
}

/* load() with the mode forced to "t": no binary chunks. */
static int sb_load(lua_State *L)
{
	int n = lua_gettop(L);
	if (n < 3) {
		lua_settop(L, 3);
		n = 3;
	}
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

/* setmetatable() without finalizers: a __gc loop would run with the hook off. */
static int sb_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc metamethods are not allowed in ringlab's Lua files");
		lua_pop(L, 1);
	}
	int n = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

/* print() on stderr, never into stdout's data streams. */
static int sb_print(lua_State *L)
{
	int n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		size_t l;
		const char *t = luaL_tolstring(L, i, &l);
		if (i > 1)
			fputc('\t', stderr);
		fwrite(t, 1, l, stderr);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

lua_State *sandbox_new(const char *path, bool with_table)
{
	struct sandbox *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->limit = SANDBOX_MEM;
	lua_State *L = lua_newstate(sb_alloc, s);
	if (!L) {
		free(s);
		return NULL;
	}
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math }, { LUA_TABLIBNAME, luaopen_table },
	};
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]) - !with_table; i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	/* the base library can still read files and binary chunks */
	lua_pushnil(L);
	lua_setglobal(L, "dofile");
	lua_pushnil(L);
	lua_setglobal(L, "loadfile");
	lua_getglobal(L, "load");
	lua_pushcclosure(L, sb_load, 1);
	lua_setglobal(L, "load");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
	lua_pushcfunction(L, sb_print);
	lua_setglobal(L, "print");
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, SANDBOX_STEP);
	s->limit = SANDBOX_MEM + SANDBOX_SLACK;
	return L;
}

/* Start a chunk or call: a fresh instruction budget. */
static void sb_begin(lua_State *L)
{
	struct sandbox *s = sb_of(L);
	s->steps = 0;
	s->mem_hit = s->insn_hit = false;
	s->limit = SANDBOX_MEM;
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, SANDBOX_STEP);
}

/* End a chunk or call: room for the C side to read the results. */
static void sb_end(lua_State *L)
{
	sb_of(L)->limit = SANDBOX_MEM + SANDBOX_SLACK;
}

/* Turn a failed load or call (status, message at -1) into one line naming the file. */
static void sb_error(lua_State *L, int status, char *err, size_t errlen)
{
	struct sandbox *s = sb_of(L);
	sb_end(L);
	if (s->insn_hit)
		snprintf(err, errlen, "%s: Lua instruction limit exceeded (%ld instructions; an endless loop?)",
			 s->path, (long)SANDBOX_INSNS);
	else if (status == LUA_ERRMEM || s->mem_hit)
		snprintf(err, errlen, "%s: Lua memory limit exceeded (%u MiB)", s->path, SANDBOX_MEM >> 20);
	else {
		const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (!msg)
			snprintf(err, errlen, "%s: error object is a %s value", s->path, luaL_typename(L, -1));
		else if (strstr(msg, s->path)) /* Lua's message already reads "path:line: message" */
			snprintf(err, errlen, "%s", msg);
		else
			snprintf(err, errlen, "%s: %s", s->path, msg);
		for (char *q = err; *q; q++) /* one line */
			if (*q == '\n' || *q == '\r' || *q == '\t')
				*q = ' ';
	}
	lua_settop(L, 0);
}

int sandbox_run_file(lua_State *L, int nresults, char *err, size_t errlen)
{
	struct sandbox *s = sb_of(L);
	sb_begin(L);
	int st = luaL_loadfilex(L, s->path, "t");
	if (st == LUA_OK)
		st = lua_pcall(L, 0, nresults, 0);
	if (st != LUA_OK) {
		sb_error(L, st, err, errlen);
		return -1;
	}
	sb_end(L);
	return 0;
}

int sandbox_call(lua_State *L, int nargs, int nresults, char *err, size_t errlen)
{
	sb_begin(L);
	int st = lua_pcall(L, nargs, nresults, 0);
	if (st != LUA_OK) {
		sb_error(L, st, err, errlen);
		return -1;
	}
	sb_end(L);
	return 0;
}

int sandbox_rawfield(lua_State *L, int idx, const char *key)
{
	idx = lua_absindex(L, idx);
	lua_pushstring(L, key);
	return lua_rawget(L, idx);
}

void sandbox_close(lua_State *L)
{
	if (!L)
		return;
	struct sandbox *s = sb_of(L);
	lua_close(L);
	free(s);
}

/* ---- profiles ---- */

/* Read the string field `key` of the table at -1 into out. */
static bool str_field(lua_State *L, const char *key, char *out, size_t n)
{
	sandbox_rawfield(L, -1, key);
	/* non-empty, and no NUL inside (C would see only what precedes it) */
	bool ok = lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) > 0 &&
		  strlen(lua_tostring(L, -1)) == lua_rawlen(L, -1);
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
			snprintf(err, errlen, "%s: unknown section '%s' (sections: cpu insn sys trap mem tlb io vmx bt vmm pv)",
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

/* May ch be part of a Lua name? */
static bool word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Find `word =` at or after `from` in text, as a whole word; NULL if absent. */
static const char *find_assign(const char *text, const char *from, const char *word)
{
	size_t wl = strlen(word);
	for (const char *q = strstr(from, word); q; q = strstr(q + 1, word)) {
		if ((q > text && word_char(q[-1])) || word_char(q[wl]))
			continue;
		const char *e = q + wl;
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e == '=' && e[1] != '=')
			return q;
	}
	return NULL;
}

/* The line of primitive `name` ("insn.alu") in the file: its key after its section's,
 * as written in the shipped profiles; 0 when the text does not show it. */
static int line_of(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	const char *dot = strchr(name, '.');
	char sec[32];
	snprintf(sec, sizeof(sec), "%.*s", (int)(dot - name), name);
	const char *at = find_assign(text, text, sec);
	at = at ? find_assign(text, at, dot + 1) : NULL;
	if (!at)
		return 0;
	int line = 1;
	for (const char *q = text; q < at; q++)
		line += *q == '\n';
	return line;
}

/* Refuse a value outside [lo, hi] with "file:line: 'name' = v ..." (what = the rule). */
static int range_error(const struct profile *p, int i, const char *what, char *err, size_t errlen)
{
	int line = line_of(p->path, names[i]);
	char where[600];
	if (line)
		snprintf(where, sizeof(where), "%s:%d", p->path, line);
	else
		snprintf(where, sizeof(where), "%s", p->path);
	snprintf(err, errlen, "%s: '%s' = %llu is out of range: %s", where, names[i],
		 (unsigned long long)p->v[i], what);
	return -1;
}

/* The range checks of profile.h, in primitive order. */
static int check_ranges(const struct profile *p, char *err, size_t errlen)
{
	for (int i = 0; i < P_COUNT; i++) {
		const char *n = names[i];
		size_t l = strlen(n);
		u64 v = p->v[i];
		if (i == P_HZ) {
			if (v < PROFILE_HZ_MIN || v > PROFILE_HZ_MAX)
				return range_error(p, i, "the clock must be 1 MHz .. 100 GHz (write Hz)", err, errlen);
		} else if (!strncmp(helps[i], "1 if ", 5)) {
			if (v > 1)
				return range_error(p, i, "a yes/no primitive must be 0 or 1", err, errlen);
		} else if (!strncmp(n, "tlb.", 4) && l > 8 && !strcmp(n + l - 8, "_entries")) {
			if (!v || v > PROFILE_TLB_MAX)
				return range_error(p, i, "TLB entries must be 1 .. 4096", err, errlen);
		} else if (!strncmp(n, "tlb.", 4) && l > 5 && !strcmp(n + l - 5, "_ways")) {
			char ent[64];
			snprintf(ent, sizeof(ent), "%.*s_entries", (int)(l - 5), n);
			u64 e = 0;
			for (int k = 0; k < P_COUNT; k++)
				if (!strcmp(names[k], ent))
					e = p->v[k];
			if (!v || v > 255 || v > e || (e && e % v))
				return range_error(p, i, "TLB ways must be 1 .. 255 and divide the entries", err,
						   errlen);
		} else if (i == P_VMX_NWC) {
			if (v > PROFILE_NWC_MAX)
				return range_error(p, i, "the nested walk cache has at most 256 entries", err, errlen);
		} else if (v > PROFILE_COST_MAX) {
			return range_error(p, i, "a cost must be at most 10000000 modeled cycles", err, errlen);
		}
	}
	return 0;
}

int profile_load(struct profile *p, const char *path, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", path);
	lua_State *L = sandbox_new(path, false);
	int rc = -1;
	if (!L) {
		snprintf(err, errlen, "%s: cannot create a Lua state", path);
		return -1;
	}
	if (sandbox_run_file(L, 1, err, errlen))
		goto out;
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
		sandbox_rawfield(L, -1, sec);
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: missing primitive '%s'", path, names[i]);
			goto out;
		}
		sandbox_rawfield(L, -1, dot + 1);
		if (!lua_istable(L, -1)) {
			snprintf(err, errlen, "%s: missing primitive '%s' (write %s = { VALUE, src = \"...\" })",
				 path, names[i], dot + 1);
			goto out;
		}
		lua_rawgeti(L, -1, 1);
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
	if (check_ranges(p, err, errlen))
		goto out;
	rc = 0;
out:
	sandbox_close(L);
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

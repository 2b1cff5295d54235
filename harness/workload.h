/*
 * workload.h — a workload: which guest program to run with which arguments, under
 * which configurations, with which derived metrics. Workloads are Lua 5.4 files in
 * workloads/ (documented in workloads/README.md):
 *
 *     return {
 *       description = "system calls: the cost of a guest kernel entry",
 *       program = "syscall",               -- the guest program (first cmdline word)
 *       args = { n = 100000 },             -- key=value arguments
 *       configs = { "native", "hvm/shadow" }, -- optional: default every valid one
 *       disk = 4096,                       -- optional: sectors of scratch disk
 *       derived = { name = function(m) return m.cycles_per_op / 2 end }, -- optional
 *     }
 *
 * A malformed file is reported as FILE:LINE: message (syntax errors) or
 * FILE: message naming the field (shape errors).
 */
#ifndef RINGLAB_WORKLOAD_H
#define RINGLAB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

#define WL_MAX_ARGS 32
#define WL_MAX_LIST 16

struct lua_State;

struct workload {
	char name[64];
	char path[512];
	char description[256];
	char program[64];
	unsigned nargs;
	char arg_key[WL_MAX_ARGS][32];
	char arg_val[WL_MAX_ARGS][128];
	unsigned nconfigs;
	char configs[WL_MAX_LIST][32];
	unsigned disk_sectors; /* 0: no disk */
	unsigned nderived;
	char derived[WL_MAX_LIST][32];
	struct lua_State *L;   /* keeps the derived-metric functions alive */
};

/* Load the workload file at `path`. Returns 0, or -1 with one line in err. */
int workload_load(struct workload *w, const char *path, char *err, size_t errlen);

/* Load workload `name` from `dir` (or a path to a .lua file). An unknown name is
 * answered with the list of valid ones. */
int workload_load_named(struct workload *w, const char *dir, const char *name, char *err,
			size_t errlen);

/* Override or add an argument from "key=value". Returns 0 or -1 with err. */
int workload_set(struct workload *w, const char *kv, char *err, size_t errlen);

/* Write the guest command line ("program k=v ...") into buf. */
void workload_cmdline(const struct workload *w, char *buf, size_t n);

/* Evaluate derived metric `i` on a measurement given as name/value pairs. Returns 0
 * and sets *out, or -1 with err. */
int workload_derive(struct workload *w, unsigned i, const char *const *keys, const double *vals,
		    unsigned n, double *out, char *err, size_t errlen);

/* Call fn(name, description) for every workload in dir, in name order. */
int workload_list(const char *dir, void (*fn)(const char *name, const char *desc, void *),
		  void *opaque);

void workload_free(struct workload *w);

#endif

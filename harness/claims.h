/*
 * claims.h — published claims as data (the .lua files of paper/claims, issue 15).
 *
 * A claim file names one paper and lists its claims, each one call in the file, so
 * that a mistake is reported with the line of the claim it is in:
 *
 *     paper { title = "Adams & Agesen, ASPLOS 2006", machine = "..." }
 *     claim { id = "in-vtx", figure = "Table 2", text = "in: 15826 cycles under VT-x",
 *             workload = "aa06", args = { n = 500 }, measurement = "in",
 *             config = "hvm/shadow", profile = "p4-2006",
 *             published = 15826, tolerance = 1.5,
 *             source = "literature.md: | in (port 0x80) | 3209 | ... | 15826 |" }
 *
 * What a claim compares (its `metric` of one measurement; default cycles_per_op, else
 * "exits_per_op" or "COUNTER" per op or "COUNTER/COUNTER"):
 *   - a value: the metric under `config` against `published`;
 *   - a ratio: with `base` (a configuration name, or { config =, measurement =,
 *     overrides = }) the metric over the base's, against `published`;
 *   - a direction: `expect = "less"` or `"more"` (the ratio below or above 1), or
 *     `"about"` (published is the ratio, within the tolerance).
 * `tolerance` is a factor >= 1: a value within published/tolerance .. published *
 * tolerance holds. `overrides` set profile primitives for this claim only (a copy of
 * the profile is written with them: e.g. no nested walk cache). A claim whose
 * configuration needs an engine that does not exist is recorded and reported as such;
 * `na = "why"` records a cell ringlab has no analogue for (it is never run).
 *
 * The file runs in the sandbox of core/profile.h (text chunks only, memory and
 * instruction limits); `paper`, `claim` and `figure10` are the only functions added.
 */
#ifndef RINGLAB_CLAIMS_H
#define RINGLAB_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>

#define CLAIM_MAX 64
#define CLAIM_OVR 4
#define CLAIM_SET 16

struct claim_side {
	char config[32];
	char measurement[32];
	unsigned noverrides;
	char ovr_key[CLAIM_OVR][40];
	long long ovr_val[CLAIM_OVR];
};

struct claim {
	int line;
	char id[48];
	char figure[96];
	char text[200];
	char workload[64];
	unsigned nargs;
	char arg_key[8][32];
	char arg_val[8][64];
	char profile[64];
	char metric[64];
	struct claim_side side;     /* what is measured */
	bool has_base;
	struct claim_side base;     /* what it is divided by */
	char expect[8];             /* "value" (or "about"), "less", "more" */
	double published;           /* NAN for less/more */
	char published_text[64];    /* the paper's own words for the number, e.g. "~214" */
	double tolerance;           /* factor >= 1 */
	char source[600];
	char na[160];               /* na = "why": recorded, never measured (no analogue here) */
};

struct claim_file {
	char key[64];      /* the file name without .lua: "adams-agesen-2006" */
	char path[512];
	char title[160];
	char machine[200];
	char notes[6000];   /* paper { notes = [[...]] }: what we found, rendered into the report */
	int nclaims;
	struct claim claims[CLAIM_MAX];
	/* figure10 { workloads = {...}, profile = "..." }: the set bench table uses */
	int nset;
	char set[CLAIM_SET][64];
	char set_profile[64];
};

/* Load and validate one claim file. Workload names are checked against `workload_dir`.
 * Returns 0, or -1 with one line "FILE:LINE: what" in err. */
int claims_load(struct claim_file *cf, const char *path, const char *workload_dir, char *err,
		size_t errlen);

/* The claim files in `dir` (sorted), as paths into out[]; returns how many, or -1. */
int claims_list(const char *dir, char out[][512], int max);

/* paper/claims under the ringlab root (or $RINGLAB_CLAIMS). */
const char *claims_dir(void);

#endif

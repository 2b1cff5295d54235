/*
 * table.c — `bench table`: the seed paper's summary table (VMware, "Understanding Full
 * Virtualization, Paravirtualization, and Hardware Assist", 2007, Figure 10), with the
 * rows ringlab can measure filled from the results database instead of opinion.
 *
 * Columns are the three techniques; rows are Technique, Guest Modification /
 * Compatibility, Performance, Used By, Guest OS Hypervisor Independent?. Performance
 * is, per technique, the geometric mean of the latest overheads (cycles per operation
 * over native) over a named set of workloads — the figure10{} record of
 * paper/claims/vmware-seed.lua, which also names the profile — for the technique's
 * best MMU (the configuration with the lowest mean), with its best and worst
 * measurement; the set, the profile and the configuration are printed with the table.
 * Compatibility and independence come from which guest image booted under which
 * engine. A column whose engine does not exist yet says so.
 *
 * Which runs: those on the profile's name *and* its file (by hash: an edited or copied
 * profile that keeps the name is not mixed in), complete (their `bench run` finished),
 * per workload with its default arguments when such runs exist, else with the
 * arguments of its latest run; per configuration the latest. The table says which
 * runs it used (in the text, or on stderr for markdown and latex, whose stdout is the
 * table alone) and how many it left out.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "claims.h"
#include "configs.h"
#include "core/engine.h"
#include "core/profile.h"
#include "results.h"

#define MAX_SETS 64
#define MAX_MMUS 3

/* The overheads of one configuration (one MMU of a technique). */
struct mmu_stats {
	char config[32];
	int n;
	double log_sum, best, worst;
	char best_name[96], worst_name[96];
};

struct column {
	const char *title, *engine, *technique, *used_by;
	int nmmu;
	struct mmu_stats mmu[MAX_MMUS];
	const struct mmu_stats *pick; /* the best MMU: lowest geometric mean */
	bool ran;
};

struct table_ctx {
	struct column cols[3];
	int nsets;
	char set[MAX_SETS][200];
	const struct claim_file *fig; /* the workload set (NULL: every workload) */
};

/* Is `workload` in the table's set? */
static bool in_set(const struct table_ctx *t, const char *workload)
{
	if (!t->fig || !t->fig->nset)
		return true;
	for (int i = 0; i < t->fig->nset; i++)
		if (!strcmp(t->fig->set[i], workload))
			return true;
	return false;
}

static void on_overhead(void *opaque, const char *workload, const char *measurement,
			const char *config, double overhead)
{
	struct table_ctx *t = opaque;
	if (!in_set(t, workload))
		return;
	for (int i = 0; i < 3; i++) {
		struct column *c = &t->cols[i];
		size_t l = strlen(c->engine);
		if (strncmp(config, c->engine, l) || (config[l] && config[l] != '/'))
			continue;
		c->ran = true;
		if (overhead <= 0)
			continue;
		struct mmu_stats *m = NULL;
		for (int k = 0; k < c->nmmu; k++)
			if (!strcmp(c->mmu[k].config, config))
				m = &c->mmu[k];
		if (!m) {
			if (c->nmmu == MAX_MMUS)
				continue;
			m = &c->mmu[c->nmmu++];
			snprintf(m->config, sizeof(m->config), "%s", config);
		}
		m->log_sum += log(overhead);
		if (!m->n || overhead < m->best) {
			m->best = overhead;
			snprintf(m->best_name, sizeof(m->best_name), "%s/%s", workload, measurement);
		}
		if (!m->n || overhead > m->worst) {
			m->worst = overhead;
			snprintf(m->worst_name, sizeof(m->worst_name), "%s/%s", workload, measurement);
		}
		m->n++;
	}
}

/* Choose each technique's best MMU: the configuration with the lowest mean overhead. */
static void pick_best(struct column *c)
{
	c->pick = NULL;
	for (int k = 0; k < c->nmmu; k++)
		if (c->mmu[k].n && (!c->pick || c->mmu[k].log_sum / c->mmu[k].n < c->pick->log_sum / c->pick->n))
			c->pick = &c->mmu[k];
}

/* Note one workload's set of runs as "W (args; default arguments) runs A..B". */
static void on_set(void *opaque, const struct table_set *set)
{
	struct table_ctx *t = opaque;
	if (t->nsets == MAX_SETS || !in_set(t, set->workload))
		return;
	snprintf(t->set[t->nsets++], sizeof(t->set[0]), "%s (%s%s): %d run%s, ids %lld..%lld", set->workload,
		 set->args[0] ? set->args : "no arguments", set->default_args ? "; the workload's defaults" : "",
		 set->nruns, set->nruns == 1 ? "" : "s", set->first, set->last);
}

/* Say which runs the table used and which it left out. */
static void print_sets(FILE *out, const struct table_ctx *t, const char *profile, const char *phash,
		       const int left_out[2])
{
	fprintf(out, "runs used (profile %s, file %s, complete runs only):%s\n", profile, phash,
		t->nsets ? "" : " none");
	for (int i = 0; i < t->nsets; i++)
		fprintf(out, "  %s\n", t->set[i]);
	if (left_out[0] || left_out[1])
		fprintf(out, "left out: %d run%s of %s made with a different profile file, %d incomplete run%s\n",
			left_out[0], left_out[0] == 1 ? "" : "s", profile, left_out[1], left_out[1] == 1 ? "" : "s");
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench table [--profile P] [--format text|markdown|latex] [--db FILE]\n"
		     "The seed paper's summary table (Figure 10), its measurable rows filled from results.\n");
}

int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, 0, 'p' }, { "format", required_argument, 0, 'f' },
		{ "db", required_argument, 0, 'd' },      { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *profile = NULL, *format = "text", *db = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'p': profile = optarg; break;
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench table: unexpected argument '%s' (bench table --help)\n", argv[optind]);
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "markdown") && strcmp(format, "latex")) {
		fprintf(stderr, "bench table: unknown format '%s' (formats: text, markdown, latex)\n", format);
		return BENCH_EXIT_USAGE;
	}
	static struct table_ctx t = { .cols = {
		{ .title = "Full Virtualization with Binary Translation", .engine = "bt",
		  .technique = "Binary Translation and Direct Execution",
		  .used_by = "VMware, Microsoft, Parallels (per the 2007 paper)" },
		{ .title = "Hardware Assisted Virtualization", .engine = "hvm",
		  .technique = "Exit to Root Mode on Privileged Instructions",
		  .used_by = "VMware, Microsoft, Parallels, Xen (per the 2007 paper)" },
		{ .title = "OS Assisted Virtualization / Paravirtualization", .engine = "pv",
		  .technique = "Hypercalls", .used_by = "VMware, Xen (per the 2007 paper)" },
	} };
	struct column *cols = t.cols;
	char err[512], dbpath[4200], phash[64];
	/* the workload set and profile of the performance row: the seed paper's claims */
	static struct claim_file fig;
	char figpath[4200];
	snprintf(figpath, sizeof(figpath), "%s/vmware-seed.lua", claims_dir());
	if (claims_load(&fig, figpath, bench_workload_dir(), err, sizeof(err)) == 0 && fig.nset) {
		t.fig = &fig;
		if (!profile && fig.set_profile[0])
			profile = fig.set_profile;
	}
	if (!profile)
		profile = "p4-2006";
	/* the profile itself: an unknown name is an error with the list, and its file's
	 * hash picks the runs made with it */
	struct profile prof;
	if (profile_load_named(&prof, bench_profile_dir(), profile, err, sizeof(err))) {
		fprintf(stderr, "bench table: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	results_file_hash(prof.path, phash, sizeof(phash));
	if (!db) {
		snprintf(dbpath, sizeof(dbpath), "%s/results/ringlab.db", bench_root());
		db = dbpath;
	}
	struct results *r = results_open_readonly(db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench table: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	int left_out[2];
	if (results_table_overheads(r, prof.name, phash, on_overhead, on_set, &t, left_out, err, sizeof(err))) {
		fprintf(stderr, "bench table: %s\n", err);
		results_close(r);
		return BENCH_EXIT_USAGE;
	}
	results_close(r);

	char cell[5][3][400];
	for (int i = 0; i < 3; i++) {
		struct column *c = &cols[i];
		pick_best(c);
		const struct mmu_stats *m = c->pick;
		bool exists = engine_find(c->engine) != NULL;
		snprintf(cell[0][i], 400, "%s%s", c->technique, exists ? "" : " (ringlab engine not implemented yet)");
		if (!exists) {
			snprintf(cell[1][i], 400, "not measured: engine %s not implemented yet", c->engine);
			snprintf(cell[2][i], 400, "not measured: engine %s not implemented yet", c->engine);
			snprintf(cell[4][i], 400, "not measured: engine %s not implemented yet", c->engine);
		} else if (!m) {
			snprintf(cell[1][i], 400, "no runs on %s in the database yet", profile);
			snprintf(cell[2][i], 400, "no runs on %s in the database yet (bench run ...)", profile);
			snprintf(cell[4][i], 400, "no runs yet");
		} else {
			if (!strcmp(c->engine, "pv"))
				snprintf(cell[1][i], 400, "the ringlab guest, paravirtualized through its pv-ops table (it finds the VMM at boot), boots and passes (%d measurements)", m->n);
			else
				snprintf(cell[1][i], 400, "the unmodified ringlab guest image boots and passes (%d measurements)", m->n);
			snprintf(cell[2][i], 400, "geometric mean overhead %.2fx over %d measurements with %s (its best MMU); best %.2fx (%s), worst %.2fx (%s)",
				 exp(m->log_sum / m->n), m->n, m->config, m->best, m->best_name, m->worst, m->worst_name);
			snprintf(cell[4][i], 400, "the same guest image runs natively and under %s", c->engine);
		}
		snprintf(cell[3][i], 400, "%s", c->used_by);
	}
	static const char *const rows[5] = { "Technique", "Guest Modification / Compatibility",
					     "Performance", "Used By", "Guest OS Hypervisor Independent?" };
	if (!strcmp(format, "markdown")) {
		printf("| | %s | %s | %s |\n|---|---|---|---|\n", cols[0].title, cols[1].title, cols[2].title);
		for (int k = 0; k < 5; k++)
			printf("| **%s** | %s | %s | %s |\n", rows[k], cell[k][0], cell[k][1], cell[k][2]);
	} else if (!strcmp(format, "latex")) {
		printf("\\begin{tabular}{p{3cm}p{4cm}p{4cm}p{4cm}}\n\\hline\n & %s & %s & %s \\\\\n\\hline\n",
		       cols[0].title, cols[1].title, cols[2].title);
		for (int k = 0; k < 5; k++)
			printf("\\textbf{%s} & %s & %s & %s \\\\\n", rows[k], cell[k][0], cell[k][1], cell[k][2]);
		printf("\\hline\n\\end{tabular}\n");
	} else {
		printf("Summary comparison of x86 virtualization techniques (after VMware 2007, Fig. 10)\n");
		printf("profile %s; performance is modeled cycles per operation over native\n\n", profile);
		for (int i = 0; i < 3; i++) {
			printf("== %s ==\n", cols[i].title);
			for (int k = 0; k < 5; k++)
				printf("  %-34s %s\n", rows[k], cell[k][i]);
			printf("\n");
		}
	}
	FILE *note = !strcmp(format, "text") ? stdout : stderr;
	if (t.fig) {
		fprintf(note, "performance row: the workloads of %s's figure10 set (", figpath);
		for (int i = 0; i < fig.nset; i++)
			fprintf(note, "%s%s", i ? ", " : "", fig.set[i]);
		fprintf(note, ") on profile %s\n", prof.name);
	} else {
		fprintf(note, "performance row: every workload with saved runs on profile %s (%s)\n", prof.name, err);
	}
	print_sets(note, &t, prof.name, phash, left_out);
	return 0;
}

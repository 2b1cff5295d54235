/*
 * run.c — `bench run WORKLOAD`: run a workload under each configuration, print one
 * table (or JSON, or CSV) comparing them, and save every run to the results database.
 *
 * Each configuration boots the same guest image with the same command line on the
 * same profile; the guest's console is captured and its @result lines paired with
 * the marker snapshots (measure.c). Overheads are cycles per operation divided by
 * native's for the same measurement, so native always runs first when requested.
 *
 * Saving: every configuration's run is saved as it finishes, pending, under one batch
 * id; the batch is marked complete only after the last configuration, so a run that
 * fails or is killed half-way never looks complete. A scratch disk is created and
 * unlinked at once, and handed to the machine as /proc/self/fd/N: nothing is left in
 * $TMPDIR whatever ends the process (SIGINT, SIGKILL, a crash). A derived metric that
 * fails (error, endless loop, not a number) is reported once and written as null, as
 * is one that is NaN or infinite (JSON has neither); the run then exits non-zero.
 *
 * Matrices: `--profile a,b` runs the workload on each profile and prints one table
 * with a profile column; `bench run all` runs every workload (its own arguments) and
 * prints one summary of overheads. Everything asked for is loaded and checked before
 * anything boots, and each (workload, profile) is its own batch. The text table fits
 * 100 columns: exit reasons whose rate rounds to zero are left out, and the host time
 * is one line after each configuration's rows. JSON carries the provenance (revision,
 * profile and guest hashes, arguments, host, date, batch, sweep) and every run's id.
 * `bench sweep` runs each of its points as `bench run --point "k=v ..." --sweep ID`.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "configs.h"
#include "measure.h"
#include "hostcount.h"
#include "report.h"
#include "results.h"
#include "runone.h"
#include "progress.h"
#include "select.h"
#include "workload.h"

#define RUN_MAX_PROFILES 8
#define RUN_MAX_GROUPS 256
#define TABLE_WIDTH 100


static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: bench run WORKLOAD|all [options]\n"
		"Run WORKLOAD (see bench list) under each configuration and compare them;\n"
		"`all` runs every workload with its own arguments and prints one summary.\n\n"
		"  --config C,...     configurations (default: every valid one for the profile)\n"
		"  --profile P,...    CPU profiles, side by side (default p4-2006)\n"
		"  --set k=v          override a workload argument (repeatable)\n"
		"  --point \"k=v ...\" several arguments at once (one point of bench sweep)\n"
		"  --sweep ID         record the runs as points of sweep ID (bench sweep sets it)\n"
		"  --sweep-spec S     the sweep's --set arguments as given, recorded with the runs\n"
		"  --quiet            no progress line\n"
		"  --format F         table (default), json or csv, on stdout\n"
		"  --db FILE          results database (default results/ringlab.db)\n"
		"  --no-save          do not save to the database\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --help             this text\n\n"
		"Cycles are modeled cycles of the profile's CPU; host time is host wall time.\n");
}

static void git_rev(char *out, size_t n)
{
	snprintf(out, n, "unknown");
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --short HEAD 2>/dev/null", bench_root());
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, (int)n, p))
		out[strcspn(out, "\n")] = 0;
	else
		snprintf(out, n, "unknown");
	pclose(p);
	if (!strcmp(out, "unknown"))
		return;
	/* a work tree with uncommitted changes is not that revision: say so */
	snprintf(cmd, sizeof(cmd), "git -C '%s' status --porcelain --untracked-files=no 2>/dev/null", bench_root());
	p = popen(cmd, "r");
	if (!p)
		return;
	char line[8];
	if (fgets(line, sizeof(line), p))
		snprintf(out + strlen(out), n - strlen(out), "-dirty");
	pclose(p);
}

/* The first failure of a derived metric (reported once, at the end of the run). */
static char derive_error[1024];

/* Evaluate the workload's derived metrics on measurement m; write them as JSON pairs
 * ("name": value, ...) or, for tables, as "name=value" text. A metric that fails or is
 * not a finite number is null (JSON has no NaN or infinity); after one failure the
 * metrics are not evaluated again (each failure may have cost the instruction budget). */
static void derived(struct workload *w, const struct measurement *m, double overhead, FILE *json,
		    char *text, size_t tn)
{
	const char *keys[4 + COST_NCAT + MEAS_VALUES];
	double vals[4 + COST_NCAT + MEAS_VALUES];
	unsigned n = 0;
	keys[n] = "ops", vals[n++] = (double)m->ops;
	keys[n] = "modeled_cycles", vals[n++] = (double)m->cycles;
	keys[n] = "cycles_per_op", vals[n++] = m->ops ? (double)m->cycles / (double)m->ops : 0;
	keys[n] = "overhead", vals[n++] = overhead;
	for (int k = 0; k < COST_NCAT; k++)
		keys[n] = cost_category_name((enum cost_cat)k), vals[n++] = (double)m->cat[k];
	for (unsigned k = 0; k < m->nvalues; k++) /* what only the guest knows, by its key */
		keys[n] = m->value_name[k], vals[n++] = (double)m->value[k];
	size_t used = 0;
	if (text && tn)
		text[0] = 0;
	for (unsigned i = 0; i < w->nderived; i++) {
		double v = NAN;
		char err[1024];
		if (!derive_error[0] && workload_derive(w, i, keys, vals, n, &v, err, sizeof(err))) {
			snprintf(derive_error, sizeof(derive_error), "%s", err);
			v = NAN;
		}
		if (json) {
			fprintf(json, "%s", i ? ", " : "");
			json_string(json, w->derived[i]);
			if (isfinite(v))
				fprintf(json, ": %.6g", v);
			else
				fprintf(json, ": null");
		}
		if (text && used < tn) {
			if (isfinite(v))
				used += (size_t)snprintf(text + used, tn - used, "%s%s=%.4g", used ? " " : "", w->derived[i], v);
			else
				used += (size_t)snprintf(text + used, tn - used, "%s%s=-", used ? " " : "", w->derived[i]);
		}
	}
}

static struct workload *cur_workload;

static char *run_json(const struct run_result *r, const struct run_result *native)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fprintf(f, "{\"config\": \"%s\", \"engine\": \"%s\", \"mmu\": \"%s\", \"host_seconds\": %.6f,"
		   " \"host_cpu_seconds\": %.6f, \"host_instructions\": ",
		r->cfg->name, r->cfg->engine, r->cfg->mmu, r->host_seconds, r->host_cpu);
	if (r->host_insns >= 0)
		fprintf(f, "%lld", r->host_insns);
	else
		fprintf(f, "null");
	fprintf(f, ", \"host_counters\": ");
	json_string(f, hostcount_source());
	fprintf(f, ", \"guest_instructions\": %" PRIu64 ", \"measurements\": [", r->insns);
	for (int i = 0; i < r->nmeas; i++) {
		const struct measurement *m = &r->meas[i];
		double cpo = m->ops ? (double)m->cycles / (double)m->ops : 0;
		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		json_string(f, m->name);
		fprintf(f, ", \"ops\": %" PRIu64 ", \"modeled_cycles\": %" PRIu64 ", \"cycles_per_op\": %.4f",
			m->ops, m->cycles, cpo);
		const struct measurement *nm = native && i < native->nmeas ? &native->meas[i] : NULL;
		if (nm && nm->ops && nm->cycles && !strcmp(nm->name, m->name))
			fprintf(f, ", \"overhead\": %.4f", cpo / ((double)nm->cycles / (double)nm->ops));
		else
			fprintf(f, ", \"overhead\": null");
		fprintf(f, ", \"guest_instructions\": %" PRIu64 ", \"guest_rdtsc_cycles\": %" PRIu64,
			m->insns, m->guest_cycles);
		fprintf(f, ", \"cycles_by_category\": {");
		for (int k = 0; k < COST_NCAT; k++)
			fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", cost_category_name((enum cost_cat)k), m->cat[k]);
		fprintf(f, "}, \"exits\": {");
		bool first = true;
		for (unsigned c = 0; c < m->ncounters; c++)
			if (!strncmp(m->counter_name[c], "exits.", 6)) {
				fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ", m->counter_name[c] + 6, m->counter[c]);
				first = false;
			}
		fprintf(f, "}, \"derived\": {");
		double ov = nm && nm->ops && nm->cycles ? cpo / ((double)nm->cycles / (double)nm->ops) : 0;
		if (cur_workload)
			derived(cur_workload, m, ov, f, NULL, 0);
		fprintf(f, "}, \"counters\": {");
		for (unsigned c = 0; c < m->ncounters; c++)
			fprintf(f, "%s\"%s\": %" PRIu64, c ? ", " : "", m->counter_name[c], m->counter[c]);
		fprintf(f, "}}");
	}
	fprintf(f, "]}");
	fclose(f);
	return buf;
}

/* One (workload, profile) of a bench run: what was selected, what ran, its ids. */
struct group {
	struct selection sel;
	struct run_result rs[SELECT_MAX_CONFIGS];
	long long ids[SELECT_MAX_CONFIGS]; /* -1: not saved */
	int nr;
	char cmdline[2048], args[1024], phash[64], ghash[64], batch[128];
	char error[1024]; /* why it stopped, "" if it did not */
};

/* What is common to every run of one bench run (or one sweep point). */
struct common {
	char rev[64], date[32], host[300], node[256];
	const char *sweep, *sweep_spec;
};

/* The native run of a group, if it ran first. */
static const struct run_result *group_native(const struct group *g)
{
	return g->nr && !strcmp(g->rs[0].cfg->name, "native") ? &g->rs[0] : NULL;
}

/* Overhead of measurement i of r over the native run (or -1). */
static double overhead_of(const struct run_result *native, const struct run_result *r, int i)
{
	const struct measurement *m = &r->meas[i];
	const struct measurement *nm = native && i < native->nmeas ? &native->meas[i] : NULL;
	if (!nm || !nm->ops || !nm->cycles || !m->ops || strcmp(nm->name, m->name))
		return -1;
	return ((double)m->cycles / (double)m->ops) / ((double)nm->cycles / (double)nm->ops);
}

/* The categories of a measurement, largest first, as entries "guest 80%" (those under
 * 0.5% left out); returns how many. */
static int category_entries(const struct measurement *m, char out[][32], int max)
{
	int order[COST_NCAT];
	for (int k = 0; k < COST_NCAT; k++)
		order[k] = k;
	for (int i = 1; i < COST_NCAT; i++)
		for (int j = i; j > 0 && m->cat[order[j]] > m->cat[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	int n = 0;
	for (int i = 0; i < COST_NCAT && i < max && m->cycles; i++) {
		double pct = 100.0 * (double)m->cat[order[i]] / (double)m->cycles;
		if (pct < 0.5)
			break;
		snprintf(out[n++], 32, "%s %.0f%%", cost_category_name((enum cost_cat)order[i]), pct);
	}
	return n;
}

/* category_entries with short names ("trans 80%"), for a narrow table. */
static int category_entries_short(const struct measurement *m, char out[][32], int max)
{
	static const char *const longn[] = { "transition", "translate" }, *const shortn[] = { "trans", "xlate" };
	int n = category_entries(m, out, max);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			size_t l = strlen(longn[k]);
			if (!strncmp(out[i], longn[k], l) && out[i][l] == ' ') {
				char rest[32];
				snprintf(rest, sizeof(rest), "%s", out[i] + l);
				snprintf(out[i], 32, "%s%.26s", shortn[k], rest);
			}
		}
	return n;
}

/* The exit reasons of a measurement per operation, most frequent first, as entries
 * "IO_INSTRUCTION 2.00"; a reason whose rate rounds to 0.00 is left out. */
static int exit_entries(const struct measurement *m, char out[][48], int max)
{
	bool taken[MEAS_COUNTERS] = { false };
	int n = 0;
	while (n < max) {
		int best = -1;
		for (unsigned c = 0; c < m->ncounters; c++)
			if (!taken[c] && !strncmp(m->counter_name[c], "exits.", 6) &&
			    (best < 0 || m->counter[c] > m->counter[best]))
				best = (int)c;
		if (best < 0)
			break;
		taken[best] = true;
		double rate = m->ops ? (double)m->counter[best] / (double)m->ops : 0.0;
		if (rate < 0.005)
			break;
		snprintf(out[n++], 48, "%s %.2f", m->counter_name[best] + 6, rate);
	}
	return n;
}

/* Join entries with ", " while the result fits in `width` columns (at least the first
 * one, cut to the width if it alone is too long); "-" when there are none. */
static void fit_entries(char *out, size_t n, const char *e, size_t esz, int ne, int width)
{
	size_t used = 0;
	out[0] = 0;
	for (int i = 0; i < ne; i++) {
		const char *x = e + (size_t)i * esz;
		size_t need = strlen(x) + (used ? 2 : 0);
		if (used && used + need > (size_t)width)
			break;
		used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "", x);
	}
	if (!ne)
		snprintf(out, n, "-");
	if (width > 0 && strlen(out) > (size_t)width)
		out[width] = 0;
}

/* Print text as lines of at most `width` columns, broken at spaces, the continuation
 * lines indented by `indent` spaces. */
static void print_wrapped(const char *text, int width, int indent)
{
	size_t lead = strspn(text, " ");
	int col = (int)lead;
	bool first = true;
	printf("%.*s", (int)lead, text);
	for (const char *p = text + lead; *p;) {
		int wl = (int)strcspn(p, " ");
		if (!first && col + 1 + wl > width) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		printf("%.*s", wl, p);
		col += wl;
		first = false;
		p += wl;
		p += strspn(p, " ");
	}
	putchar('\n');
}

/* The text table of one workload on one or more profiles (a profile column when more
 * than one), fitted to TABLE_WIDTH columns. */
static void print_table(struct group *gs, int ng)
{
	const struct workload *w = &gs[0].sel.w;
	char line[4096];
	snprintf(line, sizeof(line), "%s: %s", w->name, w->description);
	print_wrapped(line, TABLE_WIDTH, 2);
	snprintf(line, sizeof(line), "guest: %s", gs[0].cmdline);
	print_wrapped(line, TABLE_WIDTH, 2);
	for (int g = 0; g < ng; g++) {
		snprintf(line, sizeof(line), "profile %s: %s", gs[g].sel.prof.name, gs[g].sel.prof.cpu);
		print_wrapped(line, TABLE_WIDTH, 2);
	}
	print_wrapped("cycles: modeled cycles of the profile's CPU; host time: host wall time, per configuration",
		      TABLE_WIDTH, 2);
	putchar('\n');
	/* column widths from what will be printed */
	int wp = ng > 1 ? 7 : 0, wc = 6, wm = 11, wo = 3, wcy = 9, we = 12;
	for (int g = 0; g < ng; g++) {
		if (ng > 1 && (int)strlen(gs[g].sel.prof.name) > wp)
			wp = (int)strlen(gs[g].sel.prof.name);
		for (int r = 0; r < gs[g].nr; r++) {
			const struct run_result *rr = &gs[g].rs[r];
			if ((int)strlen(rr->cfg->name) > wc)
				wc = (int)strlen(rr->cfg->name);
			for (int i = 0; i < rr->nmeas; i++) {
				const struct measurement *m = &rr->meas[i];
				char n[32];
				char ex[8][48];
				if ((int)strlen(m->name) > wm)
					wm = (int)strlen(m->name);
				if (snprintf(n, sizeof(n), "%" PRIu64, m->ops) > wo)
					wo = (int)strlen(n);
				if (snprintf(n, sizeof(n), "%.1f", m->ops ? (double)m->cycles / (double)m->ops : 0.0) > wcy)
					wcy = (int)strlen(n);
				if (exit_entries(m, ex, 1) && (int)strlen(ex[0]) > we)
					we = (int)strlen(ex[0]);
			}
		}
	}
	int fixed = (wp ? wp + 1 : 0) + wc + 1 + wm + 1 + wo + 1 + wcy + 1 + 8 + 1 + 8 + 2;
	if (we > TABLE_WIDTH - fixed - 12)
		we = TABLE_WIDTH - fixed - 12;
	int wcat = TABLE_WIDTH - fixed - we - 1;
	const char *cath = wcat >= 14 ? "cycles went to" : "cycles in";
	if (wp)
		printf("%-*s ", wp, "profile");
	printf("%-*s %-*s %*s %*s %8s %8s  %-*s %s\n", wc, "config", wm, "measurement", wo, "ops", wcy,
	       "cycles/op", "overhead", "exits/op", we, "top exits/op", cath);
	for (int g = 0; g < ng; g++) {
		const struct run_result *native = group_native(&gs[g]);
		for (int r = 0; r < gs[g].nr; r++) {
			const struct run_result *rr = &gs[g].rs[r];
			for (int i = 0; i < rr->nmeas; i++) {
				const struct measurement *m = &rr->meas[i];
				double cpo = m->ops ? (double)m->cycles / (double)m->ops : 0;
				double ov = overhead_of(native, rr, i);
				char ovh[16] = "-", ex[8][48], cats[COST_NCAT][32], exs[256], cs[256];
				if (ov >= 0)
					snprintf(ovh, sizeof(ovh), "%.2fx", ov);
				int ne = exit_entries(m, ex, 8), nc = category_entries(m, cats, COST_NCAT);
				if (nc && (int)strlen(cats[0]) > wcat) /* too narrow: the short names */
					nc = category_entries_short(m, cats, COST_NCAT);
				fit_entries(exs, sizeof(exs), ex[0], sizeof(ex[0]), ne, we);
				fit_entries(cs, sizeof(cs), cats[0], sizeof(cats[0]), nc, wcat);
				if (wp)
					printf("%-*s ", wp, r || i ? "" : gs[g].sel.prof.name);
				printf("%-*s %-*s %*" PRIu64 " %*.1f %8s %8.2f  %-*s %s\n", wc, i ? "" : rr->cfg->name, wm,
				       m->name, wo, m->ops, wcy, cpo, ovh,
				       m->ops ? (double)measure_sum(m, "exits.") / (double)m->ops : 0.0, we, exs, cs);
				if (w->nderived) {
					char dv[1024];
					derived((struct workload *)w, m, ov < 0 ? 0 : ov, NULL, dv, sizeof(dv));
					snprintf(line, sizeof(line), "%*s   derived: %s", wp ? wp + 1 + wc : wc, "", dv);
					print_wrapped(line, TABLE_WIDTH, (wp ? wp + 1 + wc : wc) + 12);
				}
			}
			printf("%*s   host time: %.2f s\n", wp ? wp + 1 + wc : wc, "", rr->host_seconds);
		}
	}
	printf("\nhost counters: %s\n", hostcount_source());
}

/* The summary of bench run all: per profile, workload and measurement, native's cycles
 * per operation and every other configuration's overhead. */
static void print_summary(struct group *gs, int ng, double host_total)
{
	const char *cols[SELECT_MAX_CONFIGS];
	int ncols = 0, wwl = 8, wm = 11;
	bool profiles = false;
	for (int g = 0; g < ng; g++) {
		profiles |= strcmp(gs[g].sel.prof.name, gs[0].sel.prof.name) != 0;
		if ((int)strlen(gs[g].sel.w.name) > wwl)
			wwl = (int)strlen(gs[g].sel.w.name);
		for (int r = 0; r < gs[g].nr; r++) {
			bool known = false;
			for (int c = 0; c < ncols; c++)
				known |= !strcmp(cols[c], gs[g].rs[r].cfg->name);
			if (!known && strcmp(gs[g].rs[r].cfg->name, "native") && ncols < SELECT_MAX_CONFIGS)
				cols[ncols++] = gs[g].rs[r].cfg->name;
			for (int i = 0; i < gs[g].rs[r].nmeas; i++)
				if ((int)strlen(gs[g].rs[r].meas[i].name) > wm)
					wm = (int)strlen(gs[g].rs[r].meas[i].name);
		}
	}
	printf("every workload, each with its own arguments; overhead = cycles per op over native\n");
	for (int g = 0; g < ng; g++)
		if (!g || strcmp(gs[g].sel.prof.name, gs[g - 1].sel.prof.name)) {
			char line[600];
			snprintf(line, sizeof(line), "profile %s: %s", gs[g].sel.prof.name, gs[g].sel.prof.cpu);
			print_wrapped(line, TABLE_WIDTH, 2);
		}
	putchar('\n');
	int wp = profiles ? 12 : 0;
	if (wp)
		printf("%-*s ", wp, "profile");
	printf("%-*s %-*s %14s", wwl, "workload", wm, "measurement", "native cyc/op");
	for (int c = 0; c < ncols; c++)
		printf(" %10s", cols[c]);
	printf("\n");
	for (int g = 0; g < ng; g++) {
		const struct run_result *native = group_native(&gs[g]);
		const struct run_result *first = gs[g].nr ? &gs[g].rs[0] : NULL;
		for (int i = 0; first && i < first->nmeas; i++) {
			if (wp)
				printf("%-*s ", wp, i ? "" : gs[g].sel.prof.name);
			printf("%-*s %-*s ", wwl, i ? "" : gs[g].sel.w.name, wm, first->meas[i].name);
			if (native && i < native->nmeas && native->meas[i].ops)
				printf("%14.1f", (double)native->meas[i].cycles / (double)native->meas[i].ops);
			else
				printf("%14s", "-");
			for (int c = 0; c < ncols; c++) {
				char v[32] = "-";
				for (int r = 0; r < gs[g].nr; r++)
					if (!strcmp(gs[g].rs[r].cfg->name, cols[c]) && i < gs[g].rs[r].nmeas) {
						double ov = overhead_of(native, &gs[g].rs[r], i);
						if (ov >= 0)
							snprintf(v, sizeof(v), "%.2fx", ov);
					}
				printf(" %10s", v);
			}
			printf("\n");
		}
		if (gs[g].error[0])
			printf("%-*s %s: %s\n", wp ? wp + 1 + wwl : wwl, gs[g].sel.w.name, "failed", gs[g].error);
	}
	printf("\nhost time: %.2f s in all (host wall time; modeled cycles are the result)\n", host_total);
}

/* The CSV rows of a group; workload and profile come last, so that the columns of a
 * single run stay where they were. */
static void print_csv(const struct group *g, bool header)
{
	if (header)
		printf("config,engine,mmu,measurement,ops,modeled_cycles,cycles_per_op,overhead,exits,host_seconds,"
		       "workload,profile,run_id\n");
	const struct run_result *native = group_native(g);
	for (int r = 0; r < g->nr; r++)
		for (int i = 0; i < g->rs[r].nmeas; i++) {
			const struct run_result *rr = &g->rs[r];
			const struct measurement *m = &rr->meas[i];
			double cpo = m->ops ? (double)m->cycles / (double)m->ops : 0;
			double ov = overhead_of(native, rr, i);
			printf("%s,%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%.4f,", rr->cfg->name, rr->cfg->engine, rr->cfg->mmu,
			       m->name, m->ops, m->cycles, cpo);
			if (ov >= 0)
				printf("%.4f", ov);
			printf(",%" PRIu64 ",%.6f,%s,%s,", measure_sum(m, "exits."), rr->host_seconds, g->sel.w.name,
			       g->sel.prof.name);
			if (g->ids[r] > 0)
				printf("%lld", g->ids[r]);
			printf("\n");
		}
}

/* The JSON object of a group: workload, profile, command line, provenance, and the
 * runs, each with its id in the database (null when not saved). */
static void print_json(const struct group *g, const struct common *cm)
{
	printf("{\"workload\": ");
	json_string(stdout, g->sel.w.name);
	printf(", \"profile\": ");
	json_string(stdout, g->sel.prof.name);
	printf(", \"cmdline\": ");
	json_string(stdout, g->cmdline);
	printf(", \"provenance\": {\"git_rev\": ");
	json_string(stdout, cm->rev);
	printf(", \"profile_file\": ");
	json_string(stdout, g->sel.prof.path);
	printf(", \"profile_hash\": ");
	json_string(stdout, g->phash);
	printf(", \"guest_hash\": ");
	json_string(stdout, g->ghash);
	printf(", \"args\": ");
	json_string(stdout, g->args);
	printf(", \"host\": ");
	json_string(stdout, cm->host);
	printf(", \"date\": ");
	json_string(stdout, cm->date);
	printf(", \"batch\": ");
	json_string(stdout, g->batch);
	printf(", \"sweep\": ");
	if (cm->sweep)
		json_string(stdout, cm->sweep);
	else
		printf("null");
	printf("}, \"runs\": [");
	for (int r = 0; r < g->nr; r++) {
		printf("%s\n{\"run_id\": ", r ? "," : "");
		if (g->ids[r] > 0)
			printf("%lld", g->ids[r]);
		else
			printf("null");
		printf(", %s", g->rs[r].json + 1);
	}
	printf("]}");
}

/* Save run r of group g (its measurements, provenance and batch) and remember its id.
 * Returns 0 or -1 with err. */
static int save_run(struct results *store, struct group *g, int r, const struct common *cm, char *err,
		    size_t errlen)
{
	struct measurement_row mr[MEAS_MAX];
	static char cats[MEAS_MAX][256], exs[MEAS_MAX][512];
	const struct run_result *rr = &g->rs[r];
	const struct run_result *native = group_native(g);
	for (int k = 0; k < rr->nmeas; k++) {
		const struct measurement *m = &rr->meas[k];
		mr[k].name = m->name;
		mr[k].ops = m->ops;
		mr[k].modeled_cycles = m->cycles;
		mr[k].cycles_per_op = m->ops ? (double)m->cycles / (double)m->ops : 0;
		mr[k].overhead = overhead_of(native, rr, k);
		size_t u = 0;
		cats[k][0] = exs[k][0] = 0;
		for (int c = 0; c < COST_NCAT; c++)
			u += (size_t)snprintf(cats[k] + u, sizeof(cats[k]) - u, "%s%s=%llu", c ? " " : "",
					      cost_category_name((enum cost_cat)c), (unsigned long long)m->cat[c]);
		u = 0;
		for (unsigned c = 0; c < m->ncounters && u < sizeof(exs[k]); c++)
			if (!strncmp(m->counter_name[c], "exits.", 6))
				u += (size_t)snprintf(exs[k] + u, sizeof(exs[k]) - u, "%s%s=%llu", u ? " " : "",
						      m->counter_name[c] + 6, (unsigned long long)m->counter[c]);
		mr[k].categories = cats[k];
		mr[k].exits = exs[k];
		mr[k].incomplete = false;
	}
	const struct config *c = rr->cfg;
	struct run_row row = { g->sel.w.name, c->name, c->engine, c->mmu, g->sel.prof.name, g->phash, g->args,
			       g->cmdline, g->ghash, cm->rev, cm->host, cm->date, "ok", hostcount_source(),
			       rr->host_seconds, rr->insns, rr->cycles, rr->json, g->batch, true,
			       !strcmp(g->cmdline, g->sel.defcmd), cm->sweep, cm->sweep_spec };
	g->ids[r] = results_save(store, &row, mr, (unsigned)rr->nmeas, err, errlen);
	return g->ids[r] < 0 ? -1 : 0;
}

/* Collect workload names for bench run all. */
static void add_workload(const char *name, const char *desc, void *opaque)
{
	(void)desc;
	char (*names)[64] = opaque;
	int n = 0;
	while (n < RUN_MAX_GROUPS && names[n][0])
		n++;
	if (n < RUN_MAX_GROUPS - 1)
		snprintf(names[n], 64, "%s", name);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "profile", required_argument, 0, 'p' },
		{ "set", required_argument, 0, 's' },    { "format", required_argument, 0, 'f' },
		{ "db", required_argument, 0, 'd' },     { "no-save", no_argument, 0, 'n' },
		{ "kernel", required_argument, 0, 'k' }, { "help", no_argument, 0, 'h' },
		{ "point", required_argument, 0, 'P' },  { "sweep", required_argument, 0, 'S' },
		{ "sweep-spec", required_argument, 0, 'X' }, { "quiet", no_argument, 0, 'q' },
		{ 0, 0, 0, 0 },
	};
	const char *config_arg = NULL, *profile_arg = "p4-2006", *format = "table", *db = NULL;
	const char *kernel = NULL;
	const char *sets[SELECT_MAX_SETS];
	static char point[2048];
	int nsets = 0, o;
	bool save = true, help = false, quiet = false;
	struct common cm = { .sweep = NULL };
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config_arg = optarg; break;
		case 'p': profile_arg = optarg; break;
		case 's':
		case 'P':
			if (o == 'P') {
				snprintf(point, sizeof(point), "%s", optarg);
				for (char *t = strtok(point, " "); t; t = strtok(NULL, " "))
					if (select_add_set(sets, &nsets, t, "bench run"))
						return BENCH_EXIT_USAGE;
				break;
			}
			if (select_add_set(sets, &nsets, optarg, "bench run"))
				return BENCH_EXIT_USAGE;
			break;
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'n': save = false; break;
		case 'k': kernel = optarg; break;
		case 'h': help = true; break;
		case 'S': cm.sweep = optarg; break;
		case 'X': cm.sweep_spec = optarg; break;
		case 'q': quiet = true; break;
		default: run_usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (help) {
		run_usage(stdout);
		if (optind == argc - 1 && strcmp(argv[optind], "all")) { /* bench run WORKLOAD --help: its arguments too */
			char e[1024];
			struct workload hw;
			if (select_workload(&hw, argv[optind], e, sizeof(e))) {
				fprintf(stderr, "bench run: %s\n", e);
				return BENCH_EXIT_USAGE;
			}
			printf("\n%s: %s\narguments (--set k=v) with their defaults:%s\n", hw.name, hw.description,
			       hw.nargs ? "" : " none");
			for (unsigned i = 0; i < hw.nargs; i++)
				printf("  %s=%s\n", hw.arg_key[i], hw.arg_val[i]);
			workload_free(&hw);
		}
		return 0;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench run: expected one WORKLOAD or all (see bench list)\n");
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "csv")) {
		fprintf(stderr, "bench run: unknown format '%s' (formats: table, json, csv)\n", format);
		return BENCH_EXIT_USAGE;
	}
	bool all = !strcmp(argv[optind], "all");
	if (all && nsets) {
		fprintf(stderr, "bench run: bench run all takes no --set (each workload runs with its own arguments)\n");
		return BENCH_EXIT_USAGE;
	}
	/* the profiles, then the workloads: everything loaded and checked before anything boots */
	char plist[512], *profiles[RUN_MAX_PROFILES], *save_p = NULL;
	int nprof = 0;
	snprintf(plist, sizeof(plist), "%s", profile_arg);
	for (char *t = strtok_r(plist, ",", &save_p); t; t = strtok_r(NULL, ",", &save_p)) {
		if (nprof == RUN_MAX_PROFILES) {
			fprintf(stderr, "bench run: at most %d profiles\n", RUN_MAX_PROFILES);
			return BENCH_EXIT_USAGE;
		}
		profiles[nprof++] = t;
	}
	if (!nprof) {
		fprintf(stderr, "bench run: --profile needs profiles (see bench list), not '%s'\n", profile_arg);
		return BENCH_EXIT_USAGE;
	}
	static char wnames[RUN_MAX_GROUPS][64];
	int nw = 0;
	memset(wnames, 0, sizeof(wnames));
	if (all) {
		workload_list(bench_workload_dir(), add_workload, wnames);
		while (nw < RUN_MAX_GROUPS && wnames[nw][0])
			nw++;
		if (!nw) {
			fprintf(stderr, "bench run: no workloads in %s\n", bench_workload_dir());
			return BENCH_EXIT_USAGE;
		}
	} else {
		snprintf(wnames[nw++], 64, "%s", argv[optind]);
	}
	if (nw * nprof > RUN_MAX_GROUPS) {
		fprintf(stderr, "bench run: at most %d workload and profile pairs\n", RUN_MAX_GROUPS);
		return BENCH_EXIT_USAGE;
	}
	char err[1024];
	struct group *gs = calloc((size_t)(nw * nprof), sizeof(*gs));
	int ng = 0, total = 0;
	if (!gs) {
		fprintf(stderr, "bench run: out of memory\n");
		return BENCH_EXIT_USAGE;
	}
	if (!kernel)
		kernel = run_default_kernel();
	git_rev(cm.rev, sizeof(cm.rev));
	time_t t = time(NULL);
	strftime(cm.date, sizeof(cm.date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	struct utsname un;
	uname(&un);
	snprintf(cm.host, sizeof(cm.host), "%s %s %s", un.nodename, un.sysname, un.machine);
	char ghash[64];
	results_file_hash(kernel, ghash, sizeof(ghash));
	int status = 0;
	for (int wi = 0; wi < nw && !status; wi++)
		for (int p = 0; p < nprof; p++) {
			struct group *g = &gs[ng];
			if (select_load(&g->sel, "bench run", wnames[wi], sets, nsets, profiles[p], config_arg, err,
					sizeof(err))) {
				fprintf(stderr, "bench run: %s%s%s\n", all ? wnames[wi] : "", all ? ": " : "", err);
				status = BENCH_EXIT_USAGE;
				break;
			}
			workload_cmdline(&g->sel.w, g->cmdline, sizeof(g->cmdline));
			const char *a = g->cmdline + strlen(g->sel.w.program);
			snprintf(g->args, sizeof(g->args), "%s", a[0] == ' ' ? a + 1 : a);
			results_file_hash(g->sel.prof.path, g->phash, sizeof(g->phash));
			snprintf(g->ghash, sizeof(g->ghash), "%s", ghash);
			if (nw * nprof == 1)
				snprintf(g->batch, sizeof(g->batch), "%.31s/%.40s/%ld", cm.date, un.nodename, (long)getpid());
			else
				snprintf(g->batch, sizeof(g->batch), "%.31s/%.40s/%ld/%d", cm.date, un.nodename,
					 (long)getpid(), ng);
			for (int r = 0; r < SELECT_MAX_CONFIGS; r++)
				g->ids[r] = -1;
			total += g->sel.ntodo;
			ng++;
		}
	struct results *store = NULL;
	static char dbpath[4200];
	if (!status && save) {
		if (!db) {
			snprintf(dbpath, sizeof(dbpath), "%s/results/ringlab.db", bench_root());
			db = dbpath;
		}
		store = results_open(db, err, sizeof(err));
		if (!store) {
			fprintf(stderr, "bench run: %s\n", err);
			status = BENCH_EXIT_USAGE;
		}
	}

	struct progress pr;
	char what[128], now[200];
	snprintf(what, sizeof(what), "bench run %s", all ? "all" : wnames[0]);
	progress_start(&pr, what, total, quiet);
	int done = 0;
	double host_total = 0;
	for (int gi = 0; gi < ng && !status; gi++) {
		struct group *g = &gs[gi];
		cur_workload = &g->sel.w;
		for (int i = 0; i < g->sel.ntodo; i++) {
			snprintf(now, sizeof(now), "%s%s%s on %s", all ? g->sel.w.name : "", all ? " " : "",
				 g->sel.todo[i]->name, g->sel.prof.name);
			progress_show(&pr, done, now);
			if (run_one(&g->sel.w, g->sel.todo[i], g->sel.prof.path, kernel, NULL, &g->rs[g->nr], err,
				    sizeof(err))) {
				if (pr.tty)
					fputs("\r\033[K", stderr);
				fprintf(stderr, "bench run: %s\n", err);
				snprintf(g->error, sizeof(g->error), "%s", err);
				if (!all)
					status = BENCH_EXIT_USAGE;
				done += g->sel.ntodo - i;
				break;
			}
			struct run_result *rr = &g->rs[g->nr];
			host_total += rr->host_seconds;
			rr->json = run_json(rr, !strcmp(g->rs[0].cfg->name, "native") ? &g->rs[0] : NULL);
			g->nr++;
			done++;
			if (store && save_run(store, g, g->nr - 1, &cm, err, sizeof(err))) {
				fprintf(stderr, "bench run: %s\n", err);
				status = BENCH_EXIT_USAGE;
			}
		}
		/* the batch is complete only if every configuration ran and was saved */
		if (store && !status && !g->error[0] && g->nr == g->sel.ntodo &&
		    results_complete_batch(store, g->batch, err, sizeof(err))) {
			fprintf(stderr, "bench run: %s\n", err);
			status = BENCH_EXIT_USAGE;
		}
	}
	progress_end(&pr, done);
	bool any = false, failed = false;
	for (int gi = 0; gi < ng; gi++) {
		any |= gs[gi].nr > 0;
		failed |= gs[gi].error[0] != 0;
	}
	if (failed && !status)
		status = BENCH_EXIT_USAGE;
	if (any) {
		if (!strcmp(format, "json")) {
			if (ng > 1)
				printf("[");
			for (int gi = 0, n = 0; gi < ng; gi++)
				if (gs[gi].nr) {
					printf("%s", n++ ? ",\n" : "");
					print_json(&gs[gi], &cm);
				}
			printf("%s\n", ng > 1 ? "]" : "");
		} else if (!strcmp(format, "csv")) {
			for (int gi = 0; gi < ng; gi++)
				print_csv(&gs[gi], gi == 0);
		} else if (all) {
			print_summary(gs, ng, host_total);
		} else {
			print_table(gs, ng);
		}
	}
	if (derive_error[0]) {
		fprintf(stderr, "bench run: %s (written as null)\n", derive_error);
		if (!status)
			status = BENCH_EXIT_USAGE;
	}
	for (int gi = 0; gi < ng; gi++) {
		for (int r = 0; r < gs[gi].nr; r++)
			run_result_free(&gs[gi].rs[r]);
		select_free(&gs[gi].sel);
	}
	free(gs);
	results_close(store);
	return status;
}

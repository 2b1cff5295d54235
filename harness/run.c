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
#include "select.h"
#include "workload.h"


static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: bench run WORKLOAD [options]\n"
		"Run WORKLOAD (see bench list) under each configuration and compare them.\n\n"
		"  --config C,...     configurations (default: every valid one for the profile)\n"
		"  --profile P        CPU profile (default p4-2006)\n"
		"  --set k=v          override a workload argument (repeatable)\n"
		"  --format F         table (default), json or csv, on stdout\n"
		"  --db FILE          results database (default results/ringlab.db)\n"
		"  --no-save          do not save to the database\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --help             this text\n\n"
		"Cycles are modeled cycles of the profile's CPU; host seconds are host wall time.\n");
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

static void progress(bool tty, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(bool tty, const char *fmt, ...)
{
	va_list ap;
	if (!tty)
		return; /* a log or a pipe gets the results and the errors, one line each */
	va_start(ap, fmt);
	fputs("\r\033[K", stderr);
	vfprintf(stderr, fmt, ap);
	fflush(stderr);
	va_end(ap);
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
	const char *keys[4 + COST_NCAT];
	double vals[4 + COST_NCAT];
	unsigned n = 0;
	keys[n] = "ops", vals[n++] = (double)m->ops;
	keys[n] = "modeled_cycles", vals[n++] = (double)m->cycles;
	keys[n] = "cycles_per_op", vals[n++] = m->ops ? (double)m->cycles / (double)m->ops : 0;
	keys[n] = "overhead", vals[n++] = overhead;
	for (int k = 0; k < COST_NCAT; k++)
		keys[n] = cost_category_name((enum cost_cat)k), vals[n++] = (double)m->cat[k];
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

/* The largest categories of a measurement as "guest 80% trap 20%". */
static void top_categories(const struct measurement *m, char *out, size_t n)
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
	size_t used = 0;
	out[0] = 0;
	for (int i = 0; i < 3 && m->cycles; i++) {
		double pct = 100.0 * (double)m->cat[order[i]] / (double)m->cycles;
		if (pct < 0.5)
			break;
		used += (size_t)snprintf(out + used, n - used, "%s%s %.0f%%", i ? ", " : "",
					 cost_category_name((enum cost_cat)order[i]), pct);
	}
}

/* The top exit reasons per operation as "IO_INSTRUCTION 2.0". */
static void top_exits(const struct measurement *m, char *out, size_t n)
{
	size_t used = 0;
	out[0] = 0;
	bool taken[MEAS_COUNTERS] = { false };
	for (int k = 0; k < 2; k++) {
		int best = -1;
		for (unsigned c = 0; c < m->ncounters; c++)
			if (!taken[c] && !strncmp(m->counter_name[c], "exits.", 6) &&
			    (best < 0 || m->counter[c] > m->counter[best]))
				best = (int)c;
		if (best < 0)
			break;
		taken[best] = true;
		used += (size_t)snprintf(out + used, n - used, "%s%s %.2f", k ? ", " : "",
					 m->counter_name[best] + 6,
					 m->ops ? (double)m->counter[best] / (double)m->ops : 0.0);
	}
	if (!used)
		snprintf(out, n, "-");
}

static void print_table(const struct workload *w, const struct profile *p, const char *cmdline,
			struct run_result *rs, int nr)
{
	printf("%s: %s\n", w->name, w->description);
	printf("guest: %s; profile %s (%s)\n", cmdline, p->name, p->cpu);
	printf("cycles are modeled cycles of that CPU; host s is host wall time of the whole run\n\n");
	printf("%-12s %-12s %10s %14s %9s %9s  %-28s %-30s %7s\n", "config", "measurement", "ops",
	       "cycles/op", "overhead", "exits/op", "top exits per op", "where the cycles went", "host s");
	const struct run_result *native = nr && !strcmp(rs[0].cfg->name, "native") ? &rs[0] : NULL;
	for (int r = 0; r < nr; r++)
		for (int i = 0; i < rs[r].nmeas; i++) {
			const struct measurement *m = &rs[r].meas[i];
			double cpo = m->ops ? (double)m->cycles / (double)m->ops : 0;
			char ovh[16] = "-", ex[64], cats[64];
			const struct measurement *nm = native && i < native->nmeas ? &native->meas[i] : NULL;
			if (nm && nm->ops && nm->cycles)
				snprintf(ovh, sizeof(ovh), "%.2fx", cpo / ((double)nm->cycles / (double)nm->ops));
			top_exits(m, ex, sizeof(ex));
			top_categories(m, cats, sizeof(cats));
			printf("%-12s %-12s %10" PRIu64 " %14.1f %9s %9.2f  %-28s %-30s %7.2f\n",
			       i ? "" : rs[r].cfg->name, m->name, m->ops, cpo, ovh,
			       m->ops ? (double)measure_sum(m, "exits.") / (double)m->ops : 0.0, ex, cats,
			       rs[r].host_seconds);
			if (w->nderived) {
				char dv[256];
				double ov = nm && nm->ops && nm->cycles ? cpo / ((double)nm->cycles / (double)nm->ops) : 0;
				derived((struct workload *)w, m, ov, NULL, dv, sizeof(dv));
				printf("%-12s   derived: %s\n", "", dv);
			}
		}
	printf("\nhost counters: %s\n", hostcount_source());
}

static void print_csv(struct run_result *rs, int nr)
{
	printf("config,engine,mmu,measurement,ops,modeled_cycles,cycles_per_op,overhead,exits,host_seconds\n");
	const struct run_result *native = nr && !strcmp(rs[0].cfg->name, "native") ? &rs[0] : NULL;
	for (int r = 0; r < nr; r++)
		for (int i = 0; i < rs[r].nmeas; i++) {
			const struct measurement *m = &rs[r].meas[i];
			double cpo = m->ops ? (double)m->cycles / (double)m->ops : 0;
			const struct measurement *nm = native && i < native->nmeas ? &native->meas[i] : NULL;
			printf("%s,%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%.4f,", rs[r].cfg->name, rs[r].cfg->engine,
			       rs[r].cfg->mmu, m->name, m->ops, m->cycles, cpo);
			if (nm && nm->ops && nm->cycles)
				printf("%.4f", cpo / ((double)nm->cycles / (double)nm->ops));
			printf(",%" PRIu64 ",%.6f\n", measure_sum(m, "exits."), rs[r].host_seconds);
		}
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "profile", required_argument, 0, 'p' },
		{ "set", required_argument, 0, 's' },    { "format", required_argument, 0, 'f' },
		{ "db", required_argument, 0, 'd' },     { "no-save", no_argument, 0, 'n' },
		{ "kernel", required_argument, 0, 'k' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *config_arg = NULL, *profile = "p4-2006", *format = "table", *db = NULL;
	const char *kernel = NULL;
	const char *sets[64];
	int nsets = 0, o;
	bool save = true, help = false;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config_arg = optarg; break;
		case 'p': profile = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "bench run: at most 64 --set options\n");
				return BENCH_EXIT_USAGE;
			}
			sets[nsets++] = optarg;
			break;
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'n': save = false; break;
		case 'k': kernel = optarg; break;
		case 'h': help = true; break;
		default: run_usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (help) {
		run_usage(stdout);
		if (optind == argc - 1) { /* bench run WORKLOAD --help: its arguments too */
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
		fprintf(stderr, "bench run: expected one WORKLOAD (see bench list)\n");
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "csv")) {
		fprintf(stderr, "bench run: unknown format '%s' (formats: table, json, csv)\n", format);
		return BENCH_EXIT_USAGE;
	}
	char err[1024];
	static struct selection sel;
	if (select_load(&sel, "bench run", argv[optind], sets, nsets, profile, config_arg, err, sizeof(err))) {
		fprintf(stderr, "bench run: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	cur_workload = &sel.w;
	if (!kernel)
		kernel = run_default_kernel();
	struct results *store = NULL;
	static char dbpath[4200];
	if (save) {
		if (!db) {
			snprintf(dbpath, sizeof(dbpath), "%s/results/ringlab.db", bench_root());
			db = dbpath;
		}
		store = results_open(db, err, sizeof(err));
		if (!store) {
			fprintf(stderr, "bench run: %s\n", err);
			select_free(&sel);
			return BENCH_EXIT_USAGE;
		}
	}

	bool tty = isatty(2);
	struct run_result rs[16] = { 0 };
	char cmdline[2048], rev[64], phash[64], ghash[64], date[32], host[300];
	workload_cmdline(&sel.w, cmdline, sizeof(cmdline));
	git_rev(rev, sizeof(rev));
	results_file_hash(sel.prof.path, phash, sizeof(phash));
	results_file_hash(kernel, ghash, sizeof(ghash));
	time_t t = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	struct utsname un;
	uname(&un);
	snprintf(host, sizeof(host), "%s %s %s", un.nodename, un.sysname, un.machine);
	char batch[96];
	snprintf(batch, sizeof(batch), "%.31s/%.40s/%ld", date, un.nodename, (long)getpid());
	int status = 0, nr = 0;
	for (int i = 0; i < sel.ntodo; i++) {
		progress(tty, "bench run %s: [%d/%d] %s, %s ...", sel.w.name, i + 1, sel.ntodo, sel.todo[i]->name, profile);
		if (run_one(&sel.w, sel.todo[i], profile, kernel, NULL, &rs[nr], err, sizeof(err))) {
			if (tty)
				fputc('\n', stderr);
			fprintf(stderr, "bench run: %s\n", err);
			status = BENCH_EXIT_USAGE;
			break;
		}
		rs[nr].json = run_json(&rs[nr], !strcmp(rs[0].cfg->name, "native") ? &rs[0] : NULL);
		if (store) {
			struct measurement_row mr[MEAS_MAX];
			static char cats[MEAS_MAX][256], exs[MEAS_MAX][512];
			for (int k = 0; k < rs[nr].nmeas; k++) {
				const struct measurement *m = &rs[nr].meas[k];
				mr[k].name = m->name;
				mr[k].ops = m->ops;
				mr[k].modeled_cycles = m->cycles;
				mr[k].cycles_per_op = m->ops ? (double)m->cycles / (double)m->ops : 0;
				const struct measurement *nm = nr && k < rs[0].nmeas && !strcmp(rs[0].cfg->name, "native")
								       ? &rs[0].meas[k] : NULL;
				if (!nr && !strcmp(rs[0].cfg->name, "native"))
					nm = m;
				mr[k].overhead = nm && nm->ops && nm->cycles
							 ? mr[k].cycles_per_op / ((double)nm->cycles / (double)nm->ops)
							 : -1;
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
			char args[1024];
			snprintf(args, sizeof(args), "%s", cmdline + strlen(sel.w.program));
			struct run_row row = { sel.w.name, sel.todo[i]->name, sel.todo[i]->engine, sel.todo[i]->mmu, sel.prof.name,
					       phash, args[0] == ' ' ? args + 1 : args, cmdline, ghash, rev, host,
					       date, "ok", hostcount_source(), rs[nr].host_seconds,
					       rs[nr].insns, rs[nr].cycles, rs[nr].json, batch, true,
					       !strcmp(cmdline, sel.defcmd) };
			if (results_save(store, &row, mr, (unsigned)rs[nr].nmeas, err, sizeof(err)) < 0) {
				fprintf(stderr, "bench run: %s\n", err);
				status = BENCH_EXIT_USAGE;
			}
		}
		nr++;
	}
	progress(tty, "bench run %s: %d configuration%s done", sel.w.name, nr, nr == 1 ? "" : "s");
	if (tty)
		fputc('\n', stderr);
	/* the batch is complete only if every configuration ran and was saved */
	if (store && !status && nr == sel.ntodo && results_complete_batch(store, batch, err, sizeof(err))) {
		fprintf(stderr, "bench run: %s\n", err);
		status = BENCH_EXIT_USAGE;
	}
	if (nr) {
		if (!strcmp(format, "json")) {
			printf("{\"workload\": ");
			json_string(stdout, sel.w.name);
			printf(", \"profile\": ");
			json_string(stdout, sel.prof.name);
			printf(", \"cmdline\": ");
			json_string(stdout, cmdline);
			printf(", \"runs\": [");
			for (int r = 0; r < nr; r++)
				printf("%s\n%s", r ? "," : "", rs[r].json);
			printf("]}\n");
		} else if (!strcmp(format, "csv")) {
			print_csv(rs, nr);
		} else {
			print_table(&sel.w, &sel.prof, cmdline, rs, nr);
		}
	}
	if (derive_error[0]) {
		fprintf(stderr, "bench run: %s (written as null)\n", derive_error);
		if (!status)
			status = BENCH_EXIT_USAGE;
	}
	for (int r = 0; r < nr; r++)
		run_result_free(&rs[r]);
	results_close(store);
	select_free(&sel);
	return status;
}

/*
 * reproduce.c — `bench reproduce [PAPER|all]`: every published claim of paper/claims/
 * run as an experiment and set beside the paper's figure (issue 15).
 *
 * The story of one claim: its file is loaded and checked (claims.c); its workload runs
 * with the claim's arguments under the claim's configuration on the claim's profile
 * through run_one, the very path `bench run` measures with (a run shared by several
 * claims runs once); `overrides` run on a copy of the profile with those primitives
 * changed, written to a private temporary directory. The claim's metric is read from
 * its measurement, divided by the base's when it has one, and compared: a value or
 * ratio within the tolerance factor holds (✓), otherwise it is missed (✗) — a finding,
 * not a failure: the command fails only when something cannot run. A claim whose
 * configuration needs an engine that does not exist is reported "n/a: engine ... not
 * implemented", never estimated.
 *
 * Every result is marked with the cost categories its cycles fell in whose primitives
 * are still `estimate` in the profile (guest = insn.* and sys.*, trap = trap.*, mem =
 * mem.* and tlb.*, transition = vmx.exit/entry, vmm = vmm.*, io = io.*, translate =
 * bt.*): a category-level dependency, which is what the measurement records.
 *
 * The report (OUT/README.md, default paper/) is regenerated entirely: the tables, the
 * notes each claim file carries, and one figure per paper (published vs ringlab, SVG
 * and PNG, drawn by gnuplot run directly, without a shell, its script on stdin). It
 * holds no dates, host names or host times, so the same tree gives the same bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "claims.h"
#include "configs.h"
#include "core/cost.h"
#include "core/engine.h"
#include "core/profile.h"
#include "measure.h"
#include "runone.h"
#include "workload.h"

#define MAX_FILES 16
#define MAX_RUNS 96

/* One run, shared by every claim (side) that needs exactly it. */
struct run_slot {
	char key[1024];
	int ok; /* 1 ran, -1 failed */
	struct run_result r;
};

static struct run_slot runs[MAX_RUNS];
static int nruns;
static char tmpdir[256];

/* The outcome of one claim. */
struct outcome {
	char status[160]; /* "" when measured; else why not ("n/a: ...") */
	double ours;      /* the metric (or ratio) */
	double ratio;     /* ours / published (NAN for less/more) */
	bool holds;
	char estimates[96]; /* categories with estimate primitives, "guest,trap" */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bench reproduce [PAPER|all] [options]\n"
		"Run every claim of paper/claims/PAPER.lua (or all of them), print published vs\n"
		"ringlab claim by claim, and regenerate the report (paper/README.md and figures).\n\n"
		"  --claims DIR   claim files (default paper/claims, or $RINGLAB_CLAIMS)\n"
		"  --out DIR      where the report goes (default paper)\n"
		"  --no-report    print the table only\n"
		"  --check        validate the claim files only (no runs)\n"
		"  --kernel FILE  guest image (default build/guest/kernel.elf)\n"
		"  --help         this text\n\n"
		"A missed claim is a finding (exit 0); a claim that cannot run exits non-zero.\n");
}

/* Write a copy of profile `name` with `s`'s overrides; the path goes into out. */
static int profile_with_overrides(const char *name, const struct claim_side *s, char *out, size_t n,
				  char *err, size_t errlen)
{
	struct profile p;
	if (profile_load_named(&p, bench_profile_dir(), name, err, errlen))
		return -1;
	FILE *in = fopen(p.path, "r");
	if (!in) {
		snprintf(err, errlen, "%s: %s", p.path, strerror(errno));
		return -1;
	}
	static int seq;
	snprintf(out, n, "%s/profile-%d.lua", tmpdir, seq++);
	FILE *f = fopen(out, "w");
	if (!f) {
		fclose(in);
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	/* the original chunk becomes a function; its table is amended and returned */
	fprintf(f, "local P = (function()\n");
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, k, f);
	fclose(in);
	fprintf(f, "\nend)()\n");
	for (unsigned i = 0; i < s->noverrides; i++) {
		const char *dot = strchr(s->ovr_key[i], '.');
		fprintf(f, "P[\"%.*s\"][\"%s\"] = { %lld, src = \"override of a claim (bench reproduce)\" }\n",
			(int)(dot - s->ovr_key[i]), s->ovr_key[i], dot + 1, s->ovr_val[i]);
	}
	fprintf(f, "return P\n");
	if (fclose(f)) {
		snprintf(err, errlen, "%s: write failed", out);
		return -1;
	}
	return 0;
}

/* Run (or find the run of) claim `cl`'s workload under side `s`. */
static struct run_slot *get_run(const struct claim *cl, const struct claim_side *s, const char *kernel,
				char *err, size_t errlen)
{
	char key[1024];
	size_t u = (size_t)snprintf(key, sizeof(key), "%s|%s|%s", cl->workload, s->config, cl->profile);
	for (unsigned i = 0; i < cl->nargs; i++)
		u += (size_t)snprintf(key + u, sizeof(key) - u, "|%s=%s", cl->arg_key[i], cl->arg_val[i]);
	for (unsigned i = 0; i < s->noverrides; i++)
		u += (size_t)snprintf(key + u, sizeof(key) - u, "|%s:=%lld", s->ovr_key[i], s->ovr_val[i]);
	for (int i = 0; i < nruns; i++)
		if (!strcmp(runs[i].key, key))
			return &runs[i];
	if (nruns == MAX_RUNS) {
		snprintf(err, errlen, "more than %d distinct runs", MAX_RUNS);
		return NULL;
	}
	struct run_slot *slot = &runs[nruns++];
	snprintf(slot->key, sizeof(slot->key), "%s", key);
	slot->ok = -1;
	struct workload w;
	if (workload_load_named(&w, bench_workload_dir(), cl->workload, err, errlen))
		return slot;
	for (unsigned i = 0; i < cl->nargs; i++) {
		char kv[128];
		snprintf(kv, sizeof(kv), "%s=%s", cl->arg_key[i], cl->arg_val[i]);
		if (workload_set(&w, kv, err, errlen)) {
			workload_free(&w);
			return slot;
		}
	}
	char profile[512];
	snprintf(profile, sizeof(profile), "%s", cl->profile);
	if (s->noverrides && profile_with_overrides(cl->profile, s, profile, sizeof(profile), err, errlen)) {
		workload_free(&w);
		return slot;
	}
	fprintf(stderr, "bench reproduce: running %s on %s under %s%s\n", cl->workload, cl->profile, s->config,
		s->noverrides ? " (with overrides)" : "");
	if (!run_one(&w, config_find(s->config), profile, kernel, NULL, &slot->r, err, errlen))
		slot->ok = 1;
	workload_free(&w);
	return slot;
}

static const struct measurement *find_meas(const struct run_result *r, const char *name)
{
	for (int i = 0; i < r->nmeas; i++)
		if (!strcmp(r->meas[i].name, name))
			return &r->meas[i];
	return NULL;
}

static bool counter(const struct measurement *m, const char *name, double *v)
{
	for (unsigned c = 0; c < m->ncounters; c++)
		if (!strcmp(m->counter_name[c], name)) {
			*v = (double)m->counter[c];
			return true;
		}
	*v = 0; /* only nonzero deltas are kept */
	return true;
}

/* The claim's metric of one measurement. */
static int metric(const char *name, const struct measurement *m, double *v, char *err, size_t errlen)
{
	double ops = m->ops ? (double)m->ops : 1;
	if (!strcmp(name, "cycles_per_op")) {
		*v = (double)m->cycles / ops;
		return 0;
	}
	if (!strcmp(name, "exits_per_op")) {
		*v = (double)measure_sum(m, "exits.") / ops;
		return 0;
	}
	const char *slash = strchr(name, '/');
	char a[64];
	snprintf(a, sizeof(a), "%.*s", slash ? (int)(slash - name) : (int)strlen(name), name);
	double x, y;
	counter(m, a, &x);
	if (slash) {
		counter(m, slash + 1, &y);
		if (y == 0) {
			snprintf(err, errlen, "metric %s: %s is zero in measurement %s", name, slash + 1, m->name);
			return -1;
		}
		*v = x / y;
	} else {
		*v = x / ops;
	}
	return 0;
}

/* Which cost categories hold estimate primitives of `p`, among those m spent cycles in. */
static void estimate_categories(const struct profile *p, const struct measurement *m, char *out, size_t n)
{
	static const struct {
		enum cost_cat cat;
		const char *prefixes[3];
	} map[] = {
		{ COST_GUEST, { "insn.", "sys.", NULL } }, { COST_TRAP, { "trap.", NULL } },
		{ COST_MEM, { "mem.", "tlb.", NULL } },   { COST_TRANSITION, { "vmx.exit", "vmx.entry", NULL } },
		{ COST_VMM, { "vmm.", NULL } },           { COST_IO, { "io.", NULL } },
		{ COST_TRANSLATE, { "bt.", NULL } },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!m->cat[map[i].cat])
			continue;
		bool est = false;
		for (int k = 0; k < P_COUNT && !est; k++) {
			const char *pn = profile_primitive_name((enum profile_primitive)k);
			for (int j = 0; map[i].prefixes[j]; j++)
				if (!strncmp(pn, map[i].prefixes[j], strlen(map[i].prefixes[j])) &&
				    !strncmp(p->src[k], "estimate", 8))
					est = true;
		}
		const char *name = cost_category_name(map[i].cat);
		if (est && !strstr(out, name))
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "," : "", name);
	}
}

/* Measure one side of a claim: its metric into *v; 1 n/a (why in status), -1 failure. */
static int measure_side(const struct claim *cl, const struct claim_side *s, const char *kernel, double *v,
			struct outcome *o, char *err, size_t errlen)
{
	struct profile prof;
	if (profile_load_named(&prof, bench_profile_dir(), cl->profile, err, errlen))
		return -1;
	const struct config *cfg = config_find(s->config);
	char why[256];
	if (!engine_find(cfg->engine)) {
		snprintf(o->status, sizeof(o->status), "n/a: engine %s not implemented", cfg->engine);
		return 1;
	}
	/* hardware the profile lacks (checked with the overrides applied) */
	for (unsigned i = 0; i < s->noverrides; i++)
		for (int k = 0; k < P_COUNT; k++)
			if (!strcmp(s->ovr_key[i], profile_primitive_name((enum profile_primitive)k)))
				prof.v[k] = (u64)s->ovr_val[i];
	if (!config_valid(cfg, &prof, why, sizeof(why))) {
		snprintf(o->status, sizeof(o->status), "n/a: %.*s", (int)sizeof(o->status) - 6, why);
		return 1;
	}
	struct run_slot *slot = get_run(cl, s, kernel, err, errlen);
	if (!slot)
		return -1;
	if (slot->ok < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s under %s did not run", cl->workload, s->config);
		return -1;
	}
	const struct measurement *m = find_meas(&slot->r, s->measurement);
	if (!m) {
		snprintf(err, errlen, "workload %s printed no measurement '%s' under %s", cl->workload, s->measurement,
			 s->config);
		return -1;
	}
	estimate_categories(&prof, m, o->estimates, sizeof(o->estimates));
	return metric(cl->metric, m, v, err, errlen);
}

static int evaluate(const struct claim *cl, const char *kernel, struct outcome *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->ours = o->ratio = NAN;
	err[0] = 0;
	double v, b = 1;
	if (cl->na[0]) {
		snprintf(o->status, sizeof(o->status), "n/a: %s", cl->na);
		return 0;
	}
	int rc = measure_side(cl, &cl->side, kernel, &v, o, err, errlen);
	if (!rc && cl->has_base)
		rc = measure_side(cl, &cl->base, kernel, &b, o, err, errlen);
	if (rc) {
		o->estimates[0] = 0; /* nothing was measured */
		return rc < 0 ? -1 : 0;
	}
	if (b == 0) {
		snprintf(o->status, sizeof(o->status), "n/a: the base measured zero");
		return 0;
	}
	o->ours = v / b;
	if (!strcmp(cl->expect, "less"))
		o->holds = o->ours < 1;
	else if (!strcmp(cl->expect, "more"))
		o->holds = o->ours > 1;
	else {
		o->ratio = o->ours / cl->published;
		o->holds = o->ratio <= cl->tolerance * (1 + 1e-9) && 1 / o->ratio <= cl->tolerance * (1 + 1e-9);
	}
	return 0;
}

/* Numbers as the tables show them: few digits, always the same for the same value. */
static void fmt_num(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else if (fabs(v) >= 100)
		snprintf(out, n, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.2f", v);
}

static void published_text(const struct claim *cl, char *out, size_t n)
{
	char num[32];
	fmt_num(cl->published, num, sizeof(num));
	if (!strcmp(cl->expect, "less"))
		snprintf(out, n, "< 1 (%s)", cl->has_base ? "lower than the base" : "lower");
	else if (!strcmp(cl->expect, "more"))
		snprintf(out, n, "> 1 (%s)", cl->has_base ? "higher than the base" : "higher");
	else if (cl->published_text[0])
		snprintf(out, n, "%s", cl->published_text);
	else
		snprintf(out, n, "%s", num);
}

static void verdict(const struct claim *cl, const struct outcome *o, char *out, size_t n)
{
	if (o->status[0])
		snprintf(out, n, "%s", o->status);
	else if (!strcmp(cl->expect, "less") || !strcmp(cl->expect, "more"))
		snprintf(out, n, "%s direction", o->holds ? "✓" : "✗");
	else
		snprintf(out, n, "%s within %gx", o->holds ? "✓" : "✗", cl->tolerance);
}

/* The text of one claim's row, the same in the terminal table and the report: the
 * published value, ours and the ratio ("-" when not measured), the verdict. */
struct row_text {
	char pub[64], ours[32], ratio[32], ver[200];
};

static void row_text(const struct claim *cl, const struct outcome *o, struct row_text *t)
{
	published_text(cl, t->pub, sizeof(t->pub));
	fmt_num(o->ours, t->ours, sizeof(t->ours));
	fmt_num(o->ratio, t->ratio, sizeof(t->ratio));
	if (o->status[0])
		strcpy(t->ours, "-");
	if (o->status[0] || isnan(o->ratio))
		strcpy(t->ratio, "-");
	verdict(cl, o, t->ver, sizeof(t->ver));
}

/* Markdown cell text: no '|' or newline. */
static void md(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){ *s, 0 }, f);
}

/* Run gnuplot (no shell) with `script` on its stdin; 0 if it succeeded. */
static int gnuplot(const char *script)
{
	int pfd[2];
	if (pipe(pfd))
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], 0);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	char *argv[] = { (char *)"gnuplot", NULL };
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[0]);
	if (rc) {
		close(pfd[1]);
		return -1;
	}
	size_t len = strlen(script), off = 0;
	while (off < len) {
		ssize_t k = write(pfd[1], script + off, len - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(pfd[1]);
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* A figure of a paper's measured value claims: published and ringlab, log scale. */
static int figure(const char *outdir, const struct claim_file *cf, const struct outcome *os, char *name,
		  size_t n)
{
	char dat[4200];
	snprintf(name, n, "%s", cf->key);
	snprintf(dat, sizeof(dat), "%.3000s/figures/%.64s.dat", outdir, cf->key);
	int rows = 0;
	for (int i = 0; i < cf->nclaims; i++)
		rows += !os[i].status[0] && !cf->claims[i].has_base && !strcmp(cf->claims[i].metric, "cycles_per_op");
	if (!rows)
		return 1;
	FILE *f = fopen(dat, "w");
	if (!f)
		return -1;
	fprintf(f, "# claim published ringlab (modeled cycles per operation)\n");
	for (int i = 0; i < cf->nclaims; i++)
		if (!os[i].status[0] && !cf->claims[i].has_base && !strcmp(cf->claims[i].metric, "cycles_per_op"))
			fprintf(f, "\"%s\" %.6g %.6g\n", cf->claims[i].id, cf->claims[i].published, os[i].ours);
	fclose(f);
	char script[16384];
	const char *exts[2][2] = { { "svg", "svg size 900,480 font 'sans,11' background rgb 'white'" },
				   { "png", "pngcairo size 900,480 font 'sans,10'" } };
	for (int k = 0; k < 2; k++) {
		snprintf(script, sizeof(script),
			 "set terminal %s\nset output '%s/figures/%s.%s'\n"
			 "set title \"%s: published vs ringlab (modeled cycles per operation, log scale)\" noenhanced\n"
			 "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
			 "set logscale y\nset yrange [0.5:*]\nset grid ytics\nset xtics rotate by -30 noenhanced\n"
			 "set key top left\n"
			 "plot '%s' using 2:xtic(1) title 'published' lc rgb '#4a7ab5', '' using 3 title 'ringlab' lc rgb '#d9822b'\n",
			 exts[k][1], outdir, cf->key, exts[k][0], cf->title, dat);
		if (gnuplot(script))
			return -1;
	}
	return 0;
}

int cmd_reproduce(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "claims", required_argument, 0, 'c' }, { "out", required_argument, 0, 'o' },
		{ "no-report", no_argument, 0, 'n' },   { "check", no_argument, 0, 'C' },
		{ "kernel", required_argument, 0, 'k' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *dir = NULL, *outdir = NULL, *kernel = NULL;
	bool report = true, check = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': dir = optarg; break;
		case 'o': outdir = optarg; break;
		case 'n': report = false; break;
		case 'C': check = true; break;
		case 'k': kernel = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "bench reproduce: expected at most one PAPER (or all), got '%s' too\n", argv[optind + 1]);
		return BENCH_EXIT_USAGE;
	}
	const char *which = optind < argc ? argv[optind] : "all";
	if (!dir)
		dir = claims_dir();
	static char outbuf[4200];
	if (!outdir) {
		snprintf(outbuf, sizeof(outbuf), "%s/paper", bench_root());
		outdir = outbuf;
	}
	if (!kernel)
		kernel = run_default_kernel();
	static char paths[MAX_FILES][512];
	int nfiles = claims_list(dir, paths, MAX_FILES);
	if (nfiles <= 0) {
		fprintf(stderr, "bench reproduce: no claim files in %s\n", dir);
		return BENCH_EXIT_USAGE;
	}
	static struct claim_file files[MAX_FILES];
	int nf = 0;
	char err[1024], list[1024] = "";
	for (int i = 0; i < nfiles; i++) {
		if (claims_load(&files[nf], paths[i], bench_workload_dir(), err, sizeof(err))) {
			fprintf(stderr, "bench reproduce: %s\n", err);
			return BENCH_EXIT_USAGE;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "", files[nf].key);
		if (!strcmp(which, "all") || !strcmp(which, files[nf].key))
			nf++;
	}
	if (!nf) {
		fprintf(stderr, "bench reproduce: unknown paper '%s' (papers: %s, or all)\n", which, list);
		return BENCH_EXIT_USAGE;
	}
	if (check) {
		int n = 0;
		for (int i = 0; i < nf; i++)
			n += files[i].nclaims;
		printf("%d claim file%s, %d claims: valid\n", nf, nf == 1 ? "" : "s", n);
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/ringlab-reproduce-XXXXXX", bench_tmp_dir());
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "bench reproduce: cannot make a temporary directory: %s\n", strerror(errno));
		return BENCH_EXIT_USAGE;
	}
	static struct outcome outs[MAX_FILES][CLAIM_MAX];
	int status = 0, nheld = 0, nmissed = 0, nna = 0;
	for (int f = 0; f < nf && !status; f++)
		for (int i = 0; i < files[f].nclaims; i++) {
			const struct claim *cl = &files[f].claims[i];
			if (evaluate(cl, kernel, &outs[f][i], err, sizeof(err))) {
				fprintf(stderr, "bench reproduce: %s:%d: claim '%s': %s\n", files[f].path, cl->line, cl->id, err);
				status = BENCH_EXIT_USAGE;
				break;
			}
			struct outcome *oc = &outs[f][i];
			if (oc->status[0])
				nna++;
			else if (oc->holds)
				nheld++;
			else
				nmissed++;
		}
	/* the temporary profiles */
	for (int s = 0;; s++) {
		char p[512];
		snprintf(p, sizeof(p), "%s/profile-%d.lua", tmpdir, s);
		if (unlink(p))
			break;
	}
	rmdir(tmpdir);
	if (status) {
		for (int i = 0; i < nruns; i++)
			if (runs[i].ok > 0)
				run_result_free(&runs[i].r);
		return status;
	}

	/* the table on stdout */
	for (int f = 0; f < nf; f++) {
		const struct claim_file *cf = &files[f];
		printf("%s (paper/claims/%s.lua)\n", cf->title, cf->key);
		printf("  %-26s %-14s %-16s %12s %12s %7s  %s\n", "claim", "config", "profile", "published", "ringlab",
		       "ratio", "verdict  [estimates in]");
		for (int i = 0; i < cf->nclaims; i++) {
			const struct claim *cl = &cf->claims[i];
			const struct outcome *oc = &outs[f][i];
			struct row_text rt;
			row_text(cl, oc, &rt);
			printf("  %-26s %-14s %-16s %12s %12s %7s  %s%s%s%s\n", cl->id, cl->side.config, cl->profile, rt.pub,
			       rt.ours, rt.ratio, rt.ver, oc->estimates[0] ? "  [" : "", oc->estimates,
			       oc->estimates[0] ? "]" : "");
		}
		printf("\n");
	}
	fflush(stderr);
	printf("reproduce: %d claims held, %d missed, %d not measurable yet\n", nheld, nmissed, nna);

	if (report) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/figures", outdir);
		mkdir(outdir, 0777);
		mkdir(path, 0777);
		snprintf(path, sizeof(path), "%s/README.md", outdir);
		FILE *r = fopen(path, "w");
		if (!r) {
			fprintf(stderr, "bench reproduce: %s: %s\n", path, strerror(errno));
			return BENCH_EXIT_USAGE;
		}
		fprintf(r, "# Reproducing the papers\n\n"
			   "Generated by `bench reproduce all` from the claim files in `paper/claims/`; do not edit by\n"
			   "hand. Each claim is one record (paper, figure, workload and arguments, configuration,\n"
			   "profile, the published value or direction, a tolerance factor, the source text); ringlab's\n"
			   "value is modeled cycles of the profile's CPU. ✓ holds within the tolerance, ✗ is missed (a\n"
			   "finding, not a failure), n/a cannot be measured yet. *Estimates in* names the cost\n"
			   "categories the result spent cycles in whose primitives are still `estimate` in the\n"
			   "profile (guest = insn.\\*/sys.\\*, trap = trap.\\*, mem = mem.\\*/tlb.\\*, transition =\n"
			   "vmx.exit/entry, vmm = vmm.\\*, io = io.\\*).\n\n"
			   "Summary: %d claims held, %d missed, %d not measurable yet.\n\n",
			nheld, nmissed, nna);
		for (int f = 0; f < nf; f++) {
			const struct claim_file *cf = &files[f];
			fprintf(r, "## %s\n\n", cf->title);
			if (cf->machine[0])
				fprintf(r, "Machine: %s\n\n", cf->machine);
			fprintf(r, "| claim | figure | what | config | profile | published | ringlab | ratio | verdict | estimates in |\n"
				   "|---|---|---|---|---|---|---|---|---|---|\n");
			for (int i = 0; i < cf->nclaims; i++) {
				const struct claim *cl = &cf->claims[i];
				const struct outcome *oc = &outs[f][i];
				struct row_text rt;
				row_text(cl, oc, &rt);
				fprintf(r, "| %s | ", cl->id);
				md(r, cl->figure);
				fprintf(r, " | ");
				md(r, cl->text);
				fprintf(r, " | %s%s%s | %s | ", cl->side.config, cl->has_base ? " / " : "",
					cl->has_base ? cl->base.config : "", cl->profile);
				md(r, rt.pub);
				fprintf(r, " | %s | %s | %s | %s |\n", rt.ours, rt.ratio, rt.ver,
					oc->estimates[0] ? oc->estimates : "-");
			}
			char fig[128];
			int fr = figure(outdir, cf, outs[f], fig, sizeof(fig));
			if (fr < 0)
				fprintf(stderr, "bench reproduce: the figure of %s could not be drawn (gnuplot)\n", cf->key);
			else if (fr == 0)
				fprintf(r, "\n![%s](figures/%s.svg)\n\n(also [PNG](figures/%s.png); data in [figures/%s.dat](figures/%s.dat))\n",
					cf->key, fig, fig, fig, fig);
			if (cf->notes[0])
				fprintf(r, "\n### Notes\n\n%s\n", cf->notes);
			fprintf(r, "\n<details><summary>Source text of each claim</summary>\n\n");
			for (int i = 0; i < cf->nclaims; i++) {
				const struct claim *cl = &cf->claims[i];
				fprintf(r, "- **%s** (%s, workload `%s", cl->id, cl->figure, cl->workload);
				for (unsigned a = 0; a < cl->nargs; a++)
					fprintf(r, " %s=%s", cl->arg_key[a], cl->arg_val[a]);
				fprintf(r, "`, measurement `%s`, metric `%s`): ", cl->side.measurement, cl->metric);
				md(r, cl->source);
				fprintf(r, "\n");
			}
			fprintf(r, "\n</details>\n\n");
		}
		fclose(r);
		fprintf(stderr, "bench reproduce: wrote %s\n", path);
	}
	for (int i = 0; i < nruns; i++)
		if (runs[i].ok > 0)
			run_result_free(&runs[i].r);
	return 0;
}

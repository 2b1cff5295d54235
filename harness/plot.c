/*
 * plot.c — `bench plot WORKLOAD -o FILE.png|.svg [--kind K]`: a figure of the latest
 * saved runs of a workload, drawn by gnuplot with the scripts in scripts/:
 *   overhead    cycles per operation over native, per measurement and configuration
 *   categories  modeled cycles per operation stacked by category (where they went)
 *   exits       exits per operation by reason
 * The data file handed to gnuplot is kept next to the figure (FILE.dat) so that the
 * numbers behind every figure can be checked.
 *
 * No shell is involved: gnuplot is started with an argument vector and reads a short
 * script on a pipe, in which the file names and title are gnuplot string literals
 * (quotes doubled; a relative name gets "./" so that a leading '|' or '<' cannot make
 * gnuplot open a pipe). Names with control characters are refused. gnuplot's own
 * complaint, if any, is reported in one line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "core/cost.h"
#include "results.h"

#define MAXROWS 2048

struct row {
	long long id;
	char config[32], name[48], cats[256], exits[512], rev[64], profile[32], args[256];
	double cpo, overhead;
	unsigned long long ops;
};

struct collect {
	const char *profile; /* comma-separated for sweep */
	const char *sweep;   /* the sweep to plot (NULL: the latest) */
	bool want_sweep;
	char latest[160];    /* latest sweep id seen */
	char spec[1024];     /* its --set arguments */
	struct row rows[MAXROWS];
	int n;
};

/* Is `name` one of the comma-separated `list`? */
static bool in_list(const char *list, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == l && !strncmp(p, name, l))
			return true;
		p += k;
		p += *p == ',';
	}
	return false;
}

/* Keep the runs a figure uses (rows arrive oldest first): outside sweeps, only the
 * latest complete run of each configuration; for a sweep, every point of it. */
static void on_measurement(void *opaque, const struct meas_info *mi)
{
	struct collect *c = opaque;
	const struct measurement_row *m = mi->m;
	if (!in_list(c->profile, mi->profile) || m->incomplete)
		return;
	if (c->want_sweep) {
		if (!mi->sweep[0] || (c->sweep && strcmp(c->sweep, mi->sweep)))
			return;
		if (strcmp(c->latest, mi->sweep)) { /* a newer sweep: start over */
			snprintf(c->latest, sizeof(c->latest), "%s", mi->sweep);
			snprintf(c->spec, sizeof(c->spec), "%s", mi->sweep_spec);
			c->n = 0;
		}
	} else {
		if (mi->sweep[0])
			return;
		for (int i = 0; i < c->n; i++)
			if (!strcmp(c->rows[i].config, mi->config) && c->rows[i].id != mi->id) {
				memmove(&c->rows[i], &c->rows[i + 1], (size_t)(c->n - i - 1) * sizeof(c->rows[0]));
				c->n--;
				i--;
			}
	}
	if (c->n == MAXROWS)
		return;
	struct row *r = &c->rows[c->n++];
	r->id = mi->id;
	snprintf(r->config, sizeof(r->config), "%s", mi->config);
	snprintf(r->name, sizeof(r->name), "%s", m->name);
	snprintf(r->cats, sizeof(r->cats), "%s", m->categories ? m->categories : "");
	snprintf(r->exits, sizeof(r->exits), "%s", m->exits ? m->exits : "");
	snprintf(r->rev, sizeof(r->rev), "%s", mi->git_rev);
	snprintf(r->profile, sizeof(r->profile), "%s", mi->profile);
	snprintf(r->args, sizeof(r->args), "%s", mi->args);
	r->cpo = m->cycles_per_op;
	r->overhead = m->overhead;
	r->ops = m->ops;
}

/* The value of `key` in "k=v k=v". */
static double kv(const char *list, const char *key)
{
	size_t l = strlen(key);
	for (const char *p = list; p && *p;) {
		if (!strncmp(p, key, l) && p[l] == '=')
			return atof(p + l + 1);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return 0;
}

/* Write s as a gnuplot single-quoted string ('' is a quote); a relative file name
 * (is_file) starts with "./". */
static void gp_string(FILE *f, const char *s, bool is_file)
{
	fputc('\'', f);
	if (is_file && s[0] != '/')
		fputs("./", f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* Has s a control character (which no gnuplot string literal can carry)? */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Run gnuplot on a script written to its stdin (no shell). Returns 0, or -1 with err. */
static int run_gnuplot(const char *dat, const char *out, const char *term, const char *vars,
		       const char *script, char *err, size_t errlen)
{
	int in[2];
	FILE *log = tmpfile();
	if (!log || pipe(in)) {
		snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
		if (log)
			fclose(log);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		fclose(log);
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(fileno(log), 1);
		dup2(fileno(log), 2);
		close(in[0]);
		close(in[1]);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	FILE *g = fdopen(in[1], "w");
	if (g) {
		fputs("datafile = ", g);
		gp_string(g, dat, true);
		fputs("\noutfile = ", g);
		gp_string(g, out, true);
		fprintf(g, "\nterm = '%s'\n%s", term, vars);
		fputs("load ", g);
		gp_string(g, script, true);
		fputs("\n", g);
		fclose(g);
	} else {
		close(in[1]);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	signal(SIGPIPE, old);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		snprintf(err, errlen, "cannot run gnuplot (is it installed? make deps)");
		fclose(log);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		/* gnuplot's message: the last non-empty line it printed */
		char line[512], last[512] = "no message";
		rewind(log);
		while (fgets(line, sizeof(line), log)) {
			line[strcspn(line, "\r\n")] = 0;
			if (line[strspn(line, " ^\t")])
				snprintf(last, sizeof(last), "%s", line + strspn(line, " \t"));
		}
		snprintf(err, errlen, "gnuplot failed drawing %s: %s", out, last);
		fclose(log);
		return -1;
	}
	fclose(log);
	return 0;
}

/* A label for the figure: at most 18 characters, abbreviated with '~' in the middle. */
static void abbreviate(const char *in, char *out, size_t n)
{
	size_t l = strlen(in);
	if (l <= 18)
		snprintf(out, n, "%s", in);
	else
		snprintf(out, n, "%.10s~%s", in, in + l - 7);
}

/* Append `name = VALUE` to the gnuplot variables: a string literal or a number. */
static void gp_var(FILE *f, const char *name, const char *str)
{
	fprintf(f, "%s = ", name);
	gp_string(f, str, false);
	fputc('\n', f);
}

/* Distinct names of rows in order of appearance (field chosen by `which`). */
static int distinct(const struct collect *c, int which, const char **out, int max)
{
	int n = 0;
	for (int i = 0; i < c->n; i++) {
		const char *v = which == 0 ? c->rows[i].name : which == 1 ? c->rows[i].config : c->rows[i].profile;
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen |= !strcmp(out[k], v);
		if (!seen && n < max)
			out[n++] = v;
	}
	return n;
}

/* The row of (measurement, config), or NULL. */
static const struct row *find_row(const struct collect *c, const char *name, const char *config)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].name, name) && !strcmp(c->rows[i].config, config))
			return &c->rows[i];
	return NULL;
}

/* The x value of a sweep row: the swept key's value in its arguments. */
static double sweep_x(const struct row *r, const char *key)
{
	return kv(r->args, key);
}

/* Write the data block of `kind` to f and the variables the script needs to vars.
 * Returns 0, or -1 with err when there is nothing to draw. */
static int write_data(struct collect *c, const char *kind, const char *sweep_spec, FILE *f, FILE *vars,
		      char *err, size_t errlen)
{
	const char *names[MAXROWS], *cfgs[32];
	int nn = distinct(c, 0, names, MAXROWS), nc = distinct(c, 1, cfgs, 32);
	double lo = 1e300, hi = 0;
	if (!strcmp(kind, "overhead")) {
		/* one column per configuration other than native (native is the line at 1) */
		const char *cols[32];
		int ncol = 0;
		for (int k = 0; k < nc; k++)
			if (strcmp(cfgs[k], "native") || nc == 1)
				cols[ncol++] = cfgs[k];
		fprintf(f, "measurement");
		for (int k = 0; k < ncol; k++)
			fprintf(f, " \"%s\"", cols[k]);
		fprintf(f, "\n");
		for (int i = 0; i < nn; i++) {
			char lab[32];
			abbreviate(names[i], lab, sizeof(lab));
			fprintf(f, "\"%s\"", lab);
			for (int k = 0; k < ncol; k++) {
				const struct row *r = find_row(c, names[i], cols[k]);
				if (r && r->overhead > 0) {
					fprintf(f, " %.4f", r->overhead);
					lo = r->overhead < lo ? r->overhead : lo;
					hi = r->overhead > hi ? r->overhead : hi;
				} else {
					fprintf(f, " -");
				}
			}
			fprintf(f, "\n");
		}
		if (hi <= 0) {
			snprintf(err, errlen, "no overheads to draw (run native too)");
			return -1;
		}
		fprintf(vars, "ncols = %d\nlogy = %d\n", ncol, hi / (lo < 1 ? lo : 1) > 10);
		return 0;
	}
	if (!strcmp(kind, "categories") || !strcmp(kind, "exits")) {
		/* stacked components: the categories (or exit reasons) that occur somewhere */
		const char *comp[64];
		int ncomp = 0;
		bool cats = !strcmp(kind, "categories");
		for (int k = 0; cats && k < COST_NCAT; k++) {
			const char *cn = cost_category_name((enum cost_cat)k);
			for (int i = 0; i < c->n; i++)
				if (kv(c->rows[i].cats, cn) > 0) {
					comp[ncomp++] = cn;
					break;
				}
		}
		static char enames[64][48];
		for (int i = 0; !cats && i < c->n; i++)
			for (const char *p = c->rows[i].exits; *p && ncomp < 64;) {
				size_t l = strcspn(p, "= ");
				bool seen = false;
				for (int k = 0; k < ncomp; k++)
					seen |= strlen(comp[k]) == l && !strncmp(comp[k], p, l);
				if (!seen && l < sizeof(enames[0]) && p[l] == '=' && atof(p + l + 1) > 0) {
					snprintf(enames[ncomp], sizeof(enames[0]), "%.*s", (int)l, p);
					comp[ncomp] = enames[ncomp];
					ncomp++;
				}
				p += strcspn(p, " ");
				p += strspn(p, " ");
			}
		if (!ncomp) {
			snprintf(err, errlen, "no %s to draw (all zero)", cats ? "cycles" : "exits");
			return -1;
		}
		/* the bars' totals: spanning more than a decade (no log axis for stacked bars in
		 * gnuplot), each bar shows shares of its total, the total in its label */
		for (int i = 0; i < c->n; i++) {
			double tot = 0;
			for (int k = 0; k < ncomp; k++)
				tot += kv(cats ? c->rows[i].cats : c->rows[i].exits, comp[k]) /
				       (double)(c->rows[i].ops ? c->rows[i].ops : 1);
			if (tot > 0) {
				lo = tot < lo ? tot : lo;
				hi = tot > hi ? tot : hi;
			}
		}
		bool share = cats && hi > 0 && hi / lo > 10; /* exits: counts, always absolute */
		/* one block per measurement, one line per configuration */
		char groups[8192] = "";
		size_t gu = 0;
		for (int i = 0; i < nn; i++) {
			char lab[32];
			abbreviate(names[i], lab, sizeof(lab));
			gu += (size_t)snprintf(groups + gu, sizeof(groups) - gu, "%s%s", i ? " " : "", lab);
			fprintf(f, "%sconfig", i ? "\n\n" : "");
			for (int k = 0; k < ncomp; k++)
				fprintf(f, " \"%s\"", comp[k]);
			fprintf(f, "\n");
			for (int q = 0; q < nc; q++) {
				const struct row *r = find_row(c, names[i], cfgs[q]);
				if (!r)
					continue;
				double v[64], tot = 0;
				for (int k = 0; k < ncomp; k++) {
					v[k] = kv(cats ? r->cats : r->exits, comp[k]) / (double)(r->ops ? r->ops : 1);
					tot += v[k];
				}
				if (share || !cats)
					fprintf(f, cats ? "\"%s (%.0f)\"" : "\"%s (%.2f)\"", cfgs[q], tot);
				else
					fprintf(f, "\"%s\"", cfgs[q]);
				for (int k = 0; k < ncomp; k++)
					fprintf(f, cats ? " %.2f" : " %.4f", share ? (tot > 0 ? 100 * v[k] / tot : 0) : v[k]);
				fprintf(f, "\n");
			}
		}
		fprintf(vars, "share = %d\n", share);
		fprintf(vars, "ncols = %d\nngroups = %d\n", ncomp, nn);
		gp_var(vars, "groups", groups);
		return 0;
	}
	/* sweep: one block per (profile, configuration, measurement), x = the swept key */
	char key[64] = "";
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(sweep_spec, "="), sweep_spec);
	const char *profs[16];
	int np = distinct(c, 2, profs, 16), nseries = 0;
	char series[4096] = "";
	size_t su = 0;
	double xlo = 1e300, xhi = 0;
	for (int p = 0; p < np; p++)
		for (int q = 0; q < nc; q++)
			for (int i = 0; i < nn; i++) {
				int order[MAXROWS], no = 0;
				for (int r = 0; r < c->n; r++)
					if (!strcmp(c->rows[r].profile, profs[p]) && !strcmp(c->rows[r].config, cfgs[q]) &&
					    !strcmp(c->rows[r].name, names[i]))
						order[no++] = r;
				if (!no)
					continue;
				for (int a = 1; a < no; a++) /* by x */
					for (int b = a; b > 0 && sweep_x(&c->rows[order[b]], key) <
									 sweep_x(&c->rows[order[b - 1]], key); b--) {
						int t = order[b];
						order[b] = order[b - 1];
						order[b - 1] = t;
					}
				char title[160];
				snprintf(title, sizeof(title), "%s%s%s%s%s", cfgs[q], np > 1 ? " " : "", np > 1 ? profs[p] : "",
					 nn > 1 ? " " : "", nn > 1 ? names[i] : "");
				for (char *t = title; *t; t++)
					if (*t == ' ')
						*t = '_';
				su += (size_t)snprintf(series + su, sizeof(series) - su, "%s%s", nseries ? " " : "", title);
				fprintf(f, "%s# %s\n", nseries ? "\n\n" : "", title);
				for (int a = 0; a < no; a++) {
					const struct row *r = &c->rows[order[a]];
					double x = sweep_x(r, key);
					fprintf(f, "%g %.4f\n", x, r->cpo);
					if (r->cpo > 0) {
						lo = r->cpo < lo ? r->cpo : lo;
						hi = r->cpo > hi ? r->cpo : hi;
					}
					if (x > 0) {
						xlo = x < xlo ? x : xlo;
						xhi = x > xhi ? x : xhi;
					}
				}
				nseries++;
			}
	if (!nseries) {
		snprintf(err, errlen, "no points to draw");
		return -1;
	}
	bool geometric = strstr(sweep_spec, ":x") && strstr(sweep_spec, ":x") < sweep_spec + strcspn(sweep_spec, " ");
	fprintf(vars, "nseries = %d\nlogy = %d\nlogx = %d\n", nseries, hi > 0 && hi / lo > 10,
		geometric || (xhi > 0 && xhi / xlo > 100));
	gp_var(vars, "series", series);
	gp_var(vars, "xkey", key);
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "kind", required_argument, 0, 'k' },
		{ "profile", required_argument, 0, 'p' }, { "db", required_argument, 0, 'd' },
		{ "sweep", required_argument, 0, 's' },  { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *out = NULL, *kind = "overhead", *db = NULL;
	struct collect *c = calloc(1, sizeof(*c));
	c->profile = "p4-2006";
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (o) {
		case 'o': out = optarg; break;
		case 'k': kind = optarg; break;
		case 'p': c->profile = optarg; break;
		case 'd': db = optarg; break;
		case 's': c->sweep = optarg; break;
		case 'h':
			printf("usage: bench plot WORKLOAD -o FILE.png|FILE.svg [--kind overhead|categories|exits|sweep]\n"
			       "                  [--profile P[,P...]] [--sweep ID] [--db FILE]\n"
			       "A figure of the latest saved runs of WORKLOAD (run bench run WORKLOAD first), or\n"
			       "with --kind sweep of its latest sweep (bench sweep); the data is kept in FILE.dat.\n");
			free(c);
			return 0;
		default: free(c); return BENCH_EXIT_USAGE;
		}
	}
	size_t ol = out ? strlen(out) : 0;
	if (optind != argc - 1 || !out || ol < 5 ||
	    (strcmp(out + ol - 4, ".png") && strcmp(out + ol - 4, ".svg"))) {
		fprintf(stderr, "bench plot: expected WORKLOAD and -o FILE.png or FILE.svg (bench plot --help)\n");
		free(c);
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(kind, "overhead") && strcmp(kind, "categories") && strcmp(kind, "exits") && strcmp(kind, "sweep")) {
		fprintf(stderr, "bench plot: unknown kind '%s' (kinds: overhead, categories, exits, sweep)\n", kind);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	c->want_sweep = !strcmp(kind, "sweep");
	if (has_control(out) || has_control(argv[optind]) || has_control(c->profile)) {
		fprintf(stderr, "bench plot: file, workload and profile names may not contain control characters\n");
		free(c);
		return BENCH_EXIT_USAGE;
	}
	char err[1024], path[4200];
	if (!db) {
		snprintf(path, sizeof(path), "%s/results/ringlab.db", bench_root());
		db = path;
	}
	struct results *r = results_open_readonly(db, err, sizeof(err));
	if (!r || results_measurements(r, argv[optind], on_measurement, c, err, sizeof(err))) {
		fprintf(stderr, "bench plot: %s\n", err);
		results_close(r);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	results_close(r);
	if (!c->n) {
		if (c->want_sweep)
			fprintf(stderr, "bench plot: no saved sweep of '%s' on %s (bench sweep %s --set KEY=a..b:x2 first)\n",
				argv[optind], c->profile, argv[optind]);
		else
			fprintf(stderr, "bench plot: no saved runs of '%s' on %s (bench run %s first)\n", argv[optind],
				c->profile, argv[optind]);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	char spec[1024] = "";
	char dat[4200];
	snprintf(dat, sizeof(dat), "%.*s.dat", (int)(ol - 4), out);
	FILE *f = fopen(dat, "w");
	char *vbuf = NULL;
	size_t vlen = 0;
	FILE *vars = open_memstream(&vbuf, &vlen);
	if (!f || !vars) {
		fprintf(stderr, "bench plot: cannot write %s\n", dat);
		if (f)
			fclose(f);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	if (c->want_sweep)
		snprintf(spec, sizeof(spec), "%s", c->spec);
	int wrc = write_data(c, kind, spec, f, vars, err, sizeof(err));
	fclose(f);
	/* title and caption: profile(s), revision(s), runs */
	char title[600], caption[1200], revs[400] = "";
	size_t ru = 0;
	long long first = 0, last = 0;
	for (int i = 0; i < c->n; i++) {
		if (!strstr(revs, c->rows[i].rev) && ru < sizeof(revs) - 80)
			ru += (size_t)snprintf(revs + ru, sizeof(revs) - ru, "%s%s", ru ? ", " : "", c->rows[i].rev[0] ? c->rows[i].rev : "unknown");
		if (!first || c->rows[i].id < first)
			first = c->rows[i].id;
		if (c->rows[i].id > last)
			last = c->rows[i].id;
	}
	static const char *const what[] = { "overhead", "overhead over native (modeled cycles per operation)",
					    "categories", "where the modeled cycles went",
					    "exits", "exits per operation by reason",
					    "sweep", "modeled cycles per operation" };
	const char *desc = "";
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i += 2)
		if (!strcmp(kind, what[i]))
			desc = what[i + 1];
	snprintf(title, sizeof(title), "%s: %s", argv[optind], desc);
	snprintf(caption, sizeof(caption), "profile %s · revision %s · runs %lld–%lld%s%s", c->profile, revs, first,
		 last, c->want_sweep ? " · " : "", c->want_sweep ? c->latest : "");
	gp_var(vars, "title", title);
	gp_var(vars, "caption", caption);
	gp_var(vars, "palette", "#0072B2 #E69F00 #009E73 #CC79A7 #56B4E9 #D55E00 #F0E442 #000000");
	fclose(vars);
	if (wrc) {
		fprintf(stderr, "bench plot: %s\n", err);
		free(vbuf);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	char script[4200];
	snprintf(script, sizeof(script), "%s/scripts/plot-%s.gp", bench_root(), kind);
	int rc = run_gnuplot(dat, out,
			     strcmp(out + ol - 4, ".svg") ? "pngcairo size 1400,800 font \"sans,11\""
							  : "svg size 1400,800 dynamic font \"sans,11\"",
			     vbuf, script, err, sizeof(err));
	free(vbuf);
	free(c);
	if (rc) {
		fprintf(stderr, "bench plot: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	fprintf(stderr, "bench plot: wrote %s (data in %s)\n", out, dat);
	return 0;
}

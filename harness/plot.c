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

#define MAXROWS 512

struct row {
	long long id;
	char config[32], name[48], cats[256], exits[512];
	double cpo, overhead;
	unsigned long long ops;
};

struct collect {
	const char *profile;
	struct row rows[MAXROWS];
	int n;
};

/* Keep only the latest complete run of each configuration (rows arrive oldest first). */
static void on_measurement(void *opaque, long long id, const char *workload, const char *config,
			   const char *profile, const char *rev, const char *date,
			   const struct measurement_row *m)
{
	struct collect *c = opaque;
	(void)workload, (void)rev, (void)date;
	if (strcmp(profile, c->profile) || m->incomplete)
		return;
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].config, config) && c->rows[i].id != id) {
			memmove(&c->rows[i], &c->rows[i + 1], (size_t)(c->n - i - 1) * sizeof(c->rows[0]));
			c->n--;
			i--;
		}
	if (c->n == MAXROWS)
		return;
	struct row *r = &c->rows[c->n++];
	r->id = id;
	snprintf(r->config, sizeof(r->config), "%s", config);
	snprintf(r->name, sizeof(r->name), "%s", m->name);
	snprintf(r->cats, sizeof(r->cats), "%s", m->categories ? m->categories : "");
	snprintf(r->exits, sizeof(r->exits), "%s", m->exits ? m->exits : "");
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
static int run_gnuplot(const char *dat, const char *out, const char *term, const char *workload,
		       const char *profile, const char *script, char *err, size_t errlen)
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
		fprintf(g, "\nterm = '%s'\ntitle = ", term);
		char title[600];
		snprintf(title, sizeof(title), "%s on %s", workload, profile);
		gp_string(g, title, false);
		fputs("\nload ", g);
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

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "kind", required_argument, 0, 'k' },
		{ "profile", required_argument, 0, 'p' }, { "db", required_argument, 0, 'd' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
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
		case 'h':
			printf("usage: bench plot WORKLOAD -o FILE.png|FILE.svg [--kind overhead|categories|exits]\n"
			       "                  [--profile P] [--db FILE]\n"
			       "A figure of the latest saved runs of WORKLOAD (run bench run WORKLOAD first).\n");
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
	if (strcmp(kind, "overhead") && strcmp(kind, "categories") && strcmp(kind, "exits")) {
		fprintf(stderr, "bench plot: unknown kind '%s' (kinds: overhead, categories, exits)\n", kind);
		free(c);
		return BENCH_EXIT_USAGE;
	}
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
	if (!r || results_each_measurement(r, argv[optind], on_measurement, c, err, sizeof(err))) {
		fprintf(stderr, "bench plot: %s\n", err);
		results_close(r);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	results_close(r);
	if (!c->n) {
		fprintf(stderr, "bench plot: no saved runs of '%s' on %s (bench run %s first)\n", argv[optind],
			c->profile, argv[optind]);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	char dat[4200];
	snprintf(dat, sizeof(dat), "%.*s.dat", (int)(ol - 4), out);
	FILE *f = fopen(dat, "w");
	if (!f) {
		fprintf(stderr, "bench plot: cannot write %s\n", dat);
		free(c);
		return BENCH_EXIT_USAGE;
	}
	static const char *const exit_names[] = { "CPUID", "HLT", "IO_INSTRUCTION", "CR_ACCESS", "INVLPG",
						  "EXCEPTION_NMI", "EXTERNAL_INTERRUPT", "EPT_VIOLATION",
						  "RDMSR", "WRMSR" };
	if (!strcmp(kind, "overhead")) {
		fprintf(f, "# measurement/config overhead(cycles per op over native) cycles_per_op\n");
		for (int i = 0; i < c->n; i++)
			fprintf(f, "\"%s %s\" %.4f %.2f\n", c->rows[i].name, c->rows[i].config,
				c->rows[i].overhead < 0 ? 0 : c->rows[i].overhead, c->rows[i].cpo);
	} else if (!strcmp(kind, "categories")) {
		fprintf(f, "label");
		for (int k = 0; k < COST_NCAT; k++)
			fprintf(f, " %s", cost_category_name((enum cost_cat)k));
		fprintf(f, "\n");
		for (int i = 0; i < c->n; i++) {
			fprintf(f, "\"%s %s\"", c->rows[i].name, c->rows[i].config);
			for (int k = 0; k < COST_NCAT; k++)
				fprintf(f, " %.2f", kv(c->rows[i].cats, cost_category_name((enum cost_cat)k)) /
							    (double)(c->rows[i].ops ? c->rows[i].ops : 1));
			fprintf(f, "\n");
		}
	} else {
		fprintf(f, "label");
		for (size_t k = 0; k < sizeof(exit_names) / sizeof(exit_names[0]); k++)
			fprintf(f, " %s", exit_names[k]);
		fprintf(f, "\n");
		for (int i = 0; i < c->n; i++) {
			fprintf(f, "\"%s %s\"", c->rows[i].name, c->rows[i].config);
			for (size_t k = 0; k < sizeof(exit_names) / sizeof(exit_names[0]); k++)
				fprintf(f, " %.4f", kv(c->rows[i].exits, exit_names[k]) /
							    (double)(c->rows[i].ops ? c->rows[i].ops : 1));
			fprintf(f, "\n");
		}
	}
	fclose(f);
	char script[4200];
	snprintf(script, sizeof(script), "%s/scripts/plot-%s.gp", bench_root(), kind);
	int rc = run_gnuplot(dat, out, strcmp(out + ol - 4, ".svg") ? "pngcairo size 1200,700" : "svg size 1200,700",
			     argv[optind], c->profile, script, err, sizeof(err));
	free(c);
	if (rc) {
		fprintf(stderr, "bench plot: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	fprintf(stderr, "bench plot: wrote %s (data in %s)\n", out, dat);
	return 0;
}

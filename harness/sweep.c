/*
 * sweep.c — `bench sweep WORKLOAD --set KEY=RANGE ...`: run a workload at every point of
 * a parameter range (or several: their product), under each configuration and profile,
 * and store every point with its arguments under one sweep id.
 *
 * A point is one profile and one value of every swept argument; it runs as its own
 * `bench run --point "k=v ..." --sweep ID`, writing its own database in a scratch
 * directory beside --db, and the points' databases are merged into --db at the end
 * (results_merge): the same path whether the points ran here one after another, here
 * through GNU parallel (Debian's `parallel`; used when installed, --jobs at a time),
 * or on a cluster as a Slurm job array (`--emit slurm` writes the sbatch script, one
 * array task per point, and `bench merge` brings their databases back). ringlab never
 * schedules anything itself. On a terminal a progress line shows the points done,
 * the elapsed time and an estimate of what is left; afterwards one table per profile
 * and measurement lists cycles per operation by point and configuration, read back
 * from --db (`bench plot WORKLOAD --kind sweep` draws it).
 *
 * Everything is checked before anything runs: the ranges (sweep_parse), every point's
 * arguments against the workload's declared ones, the profiles and configurations.
 */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "progress.h"
#include "results.h"
#include "select.h"

#define SWEEP_MAX_ARGS 8
#define SWEEP_MAX_POINTS 4096
#define SWEEP_MAX_PROFILES 8

/* Parse a whole non-negative decimal integer; 0 or -1. */
static int parse_int(const char *s, size_t n, long long *out)
{
	char buf[32];
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (*end || errno || v < 0 || buf[0] == '-' || buf[0] == '+')
		return -1;
	*out = v;
	return 0;
}

int sweep_parse(const char *kv, struct sweep_arg *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(a->key)) {
		snprintf(err, errlen, "--set needs KEY=VALUES (a..b:xK, a..b:+K, a,b,c or a value), not '%.60s'", kv);
		return -1;
	}
	snprintf(a->key, sizeof(a->key), "%.*s", (int)(eq - kv), kv);
	const char *spec = eq + 1, *dots = strstr(spec, "..");
	if (!*spec) {
		snprintf(err, errlen, "--set %s: no value", a->key);
		return -1;
	}
	if (!dots) { /* a list, or one value */
		for (const char *p = spec;;) {
			size_t l = strcspn(p, ",");
			if (!l || l >= sizeof(a->values[0])) {
				snprintf(err, errlen, "--set %s: empty or overlong value in the list '%.60s'", a->key, spec);
				return -1;
			}
			if (a->n == SWEEP_MAX_VALUES) {
				snprintf(err, errlen, "--set %s: more than %d values", a->key, SWEEP_MAX_VALUES);
				return -1;
			}
			snprintf(a->values[a->n++], sizeof(a->values[0]), "%.*s", (int)l, p);
			if (!p[l])
				break;
			p += l + 1;
		}
		return 0;
	}
	const char *colon = strchr(dots + 2, ':');
	long long lo, hi, step;
	if (!colon) {
		snprintf(err, errlen, "--set %s: range '%.60s' needs a step: a..b:xK (geometric) or a..b:+K (arithmetic)",
			 a->key, spec);
		return -1;
	}
	if (parse_int(spec, (size_t)(dots - spec), &lo) || parse_int(dots + 2, (size_t)(colon - dots - 2), &hi)) {
		snprintf(err, errlen, "--set %s: range '%.60s': the bounds must be non-negative integers", a->key, spec);
		return -1;
	}
	char kind = colon[1];
	if ((kind != 'x' && kind != '+') || parse_int(colon + 2, strlen(colon + 2), &step)) {
		snprintf(err, errlen, "--set %s: range '%.60s': the step must be xK or +K with an integer K", a->key,
			 spec);
		return -1;
	}
	if (lo > hi) {
		snprintf(err, errlen, "--set %s: range '%.60s' is empty (%lld > %lld)", a->key, spec, lo, hi);
		return -1;
	}
	if (kind == 'x' && (step < 2 || lo < 1)) {
		snprintf(err, errlen, "--set %s: geometric range '%.60s' needs a start of at least 1 and a factor of "
			 "at least 2", a->key, spec);
		return -1;
	}
	if (kind == '+' && step < 1) {
		snprintf(err, errlen, "--set %s: arithmetic range '%.60s' needs a step of at least 1", a->key, spec);
		return -1;
	}
	a->geometric = kind == 'x';
	for (long long v = lo; v <= hi; v = kind == 'x' ? v * step : v + step) {
		if (a->n == SWEEP_MAX_VALUES) {
			snprintf(err, errlen, "--set %s: range '%.60s' has more than %d values", a->key, spec,
				 SWEEP_MAX_VALUES);
			return -1;
		}
		snprintf(a->values[a->n++], sizeof(a->values[0]), "%lld", v);
		if ((kind == 'x' && v > LLONG_MAX / step) || (kind == '+' && v > LLONG_MAX - step))
			break;
	}
	return 0;
}

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"usage: bench sweep WORKLOAD --set KEY=VALUES [--set ...] [options]\n"
		"Run WORKLOAD at every point of the swept arguments, under each configuration and\n"
		"profile, and save every point (its arguments, one sweep id) in the results database.\n\n"
		"  --set KEY=VALUES   a..b:xK (geometric: a, aK, ...), a..b:+K (arithmetic), a,b,c, or\n"
		"                     one value; several --set: every combination\n"
		"  --config C,...     configurations (default: every valid one for the profile)\n"
		"  --profile P,...    CPU profiles (default p4-2006); each is its own point\n"
		"  --jobs N           points at a time through GNU parallel (default: the cores)\n"
		"  --sequential       one point after another, without GNU parallel\n"
		"  --db FILE          results database (default results/ringlab.db)\n"
		"  --kernel FILE      guest image (default build/guest/kernel.elf)\n"
		"  --emit slurm       write a Slurm job-array script instead of running (-o FILE, or stdout)\n"
		"  -o FILE            where --emit writes\n"
		"  --quiet            no progress line\n\n"
		"Then: bench plot WORKLOAD --kind sweep -o fig.svg. A Slurm sweep: sbatch the script,\n"
		"then bench merge results/ringlab.db DIR/point-*.db (the script's last lines say so).\n");
}

/* The bench executable (to run points with). */
static const char *self_exe(void)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "bench";
	exe[n] = 0;
	return exe;
}

/* Is GNU parallel (not moreutils' parallel) on PATH? */
static bool have_gnu_parallel(void)
{
	int fd[2];
	if (pipe(fd))
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return false;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(fd[1], 1);
		dup2(nul, 2);
		close(fd[0]);
		execlp("parallel", "parallel", "--will-cite", "--version", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char buf[256] = "";
	ssize_t n = read(fd[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(buf, "GNU parallel");
}

/* Write s as one shell word (single-quoted). */
static void sh_word(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

struct point {
	const char *profile;
	char args[1024]; /* "k=v k=v" */
};

struct sweep {
	const char *workload, *config, *kernel, *db;
	char id[160], spec[1024], dir[4200];
	struct point *pts;
	int npts;
};

/* The argument vector of `bench run` for point i (into argv, at most 32 entries);
 * `dbfile` is where it saves. */
static int point_argv(const struct sweep *s, const struct point *p, const char *dbfile, const char **argv)
{
	int n = 0;
	argv[n++] = self_exe();
	argv[n++] = "run";
	argv[n++] = s->workload;
	argv[n++] = "--quiet";
	argv[n++] = "--format";
	argv[n++] = "csv";
	argv[n++] = "--profile";
	argv[n++] = p->profile;
	argv[n++] = "--point";
	argv[n++] = p->args;
	if (s->config) {
		argv[n++] = "--config";
		argv[n++] = s->config;
	}
	if (s->kernel) {
		argv[n++] = "--kernel";
		argv[n++] = s->kernel;
	}
	argv[n++] = "--sweep";
	argv[n++] = s->id;
	argv[n++] = "--sweep-spec";
	argv[n++] = s->spec;
	argv[n++] = "--db";
	argv[n++] = dbfile;
	argv[n] = NULL;
	return n;
}

/* Start argv with stdout on /dev/null and stderr appended to `log`; the pid or -1. */
static pid_t spawn(const char *const *argv, const char *log)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR), lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(lf >= 0 ? lf : nul, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Lines in a file (0 if it cannot be read). */
static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;
	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Run every point through GNU parallel, `jobs` at a time; returns how many failed. */
static int run_parallel(const struct sweep *s, int jobs, struct progress *pr)
{
	char jobsfile[4300], joblog[4300], log[4300], dbpat[4300], j[16];
	snprintf(jobsfile, sizeof(jobsfile), "%s/points.txt", s->dir);
	snprintf(joblog, sizeof(joblog), "%s/joblog", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	snprintf(dbpat, sizeof(dbpat), "%s/point-{#}.db", s->dir);
	snprintf(j, sizeof(j), "%d", jobs);
	FILE *f = fopen(jobsfile, "w");
	if (!f)
		return s->npts;
	for (int i = 0; i < s->npts; i++)
		fprintf(f, "%s\t%s\n", s->pts[i].profile, s->pts[i].args);
	fclose(f);
	const char *argv[64];
	int n = 0;
	static const char *const pre[] = { "parallel", "--will-cite", "--quote", "--keep-order", "--colsep", "\t",
					   "--halt", "never", "--joblog" };
	for (size_t k = 0; k < sizeof(pre) / sizeof(pre[0]); k++)
		argv[n++] = pre[k];
	argv[n++] = joblog;
	argv[n++] = "--jobs";
	argv[n++] = j;
	struct point tmpl = { "{1}", "{2}" };
	n += point_argv(s, &tmpl, dbpat, argv + n);
	argv[n++] = "::::";
	argv[n++] = jobsfile;
	argv[n] = NULL;
	pid_t pid = spawn(argv, log);
	if (pid < 0)
		return s->npts;
	int st, done = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		int d = count_lines(joblog) - 1;
		if (d > done)
			done = d;
		progress_show(pr, done, NULL);
		struct timespec ts = { 0, 200000000 };
		nanosleep(&ts, NULL);
	}
	/* parallel's status is the number of failed jobs (101 and up: more, or an error) */
	int failed = WIFEXITED(st) ? WEXITSTATUS(st) : s->npts;
	if (failed > s->npts)
		failed = s->npts;
	progress_end(pr, s->npts);
	return failed;
}

/* Run every point here, one after another; returns how many failed. */
static int run_sequential(const struct sweep *s, struct progress *pr)
{
	char log[4300], dbfile[4300];
	snprintf(log, sizeof(log), "%s/log", s->dir);
	int failed = 0;
	for (int i = 0; i < s->npts; i++) {
		const char *argv[40];
		progress_show(pr, i, s->pts[i].args);
		snprintf(dbfile, sizeof(dbfile), "%s/point-%d.db", s->dir, i + 1);
		point_argv(s, &s->pts[i], dbfile, argv);
		pid_t pid = spawn(argv, log);
		int st = 1;
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	progress_end(pr, s->npts);
	return failed;
}

/* Print the points' error lines (their stderr), each distinct line once. */
static void print_log(const char *dir)
{
	char path[4300], line[2048];
	snprintf(path, sizeof(path), "%s/log", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	static char seen[64][256];
	int nseen = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		bool dup = false;
		for (int i = 0; i < nseen; i++)
			dup |= !strncmp(seen[i], line, sizeof(seen[0]) - 1);
		if (dup || !line[0])
			continue;
		if (nseen < 64)
			snprintf(seen[nseen++], sizeof(seen[0]), "%.255s", line);
		fprintf(stderr, "%s\n", line);
	}
	fclose(f);
}

/* The Slurm job-array script of the sweep: one array task per point, each saving into
 * its own database under the output directory. */
static void emit_slurm(FILE *f, const struct sweep *s)
{
	fprintf(f, "#!/bin/bash\n");
	fprintf(f, "#SBATCH --job-name=ringlab-%s\n", s->workload);
	fprintf(f, "#SBATCH --array=0-%d\n", s->npts - 1);
	fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	fprintf(f, "#SBATCH --output=ringlab-%s-%%A_%%a.out\n", s->workload);
	fprintf(f, "# Written by bench sweep: %d points of %s (%s), sweep id %s.\n", s->npts, s->workload, s->spec,
		 s->id);
	fprintf(f, "# Each array task runs one point and saves it in $OUT/point-N.db; afterwards:\n");
	fprintf(f, "#   bench merge %s $OUT/point-*.db\n", s->db);
	fprintf(f, "set -euo pipefail\n");
	fprintf(f, "BENCH=${BENCH:-");
	sh_word(f, self_exe());
	fprintf(f, "}\nOUT=${RINGLAB_SWEEP_OUT:-");
	sh_word(f, s->dir);
	fprintf(f, "}\nmkdir -p \"$OUT\"\n");
	fprintf(f, "profiles=(");
	for (int i = 0; i < s->npts; i++) {
		fputc(' ', f);
		sh_word(f, s->pts[i].profile);
	}
	fprintf(f, " )\npoints=(");
	for (int i = 0; i < s->npts; i++) {
		fprintf(f, "\n  ");
		sh_word(f, s->pts[i].args);
	}
	fprintf(f, "\n)\ni=${SLURM_ARRAY_TASK_ID:?run me with sbatch (or set SLURM_ARRAY_TASK_ID)}\n");
	fprintf(f, "exec \"$BENCH\" run ");
	sh_word(f, s->workload);
	fprintf(f, " --quiet --format csv --profile \"${profiles[$i]}\" --point \"${points[$i]}\"");
	if (s->config) {
		fprintf(f, " --config ");
		sh_word(f, s->config);
	}
	if (s->kernel) {
		fprintf(f, " --kernel ");
		sh_word(f, s->kernel);
	}
	fprintf(f, " \\\n  --sweep ");
	sh_word(f, s->id);
	fprintf(f, " --sweep-spec ");
	sh_word(f, s->spec);
	fprintf(f, " --db \"$OUT/point-$((i + 1)).db\"\n");
}

/* One measured value of the sweep, read back from the database. */
struct cell {
	char profile[32], config[32], name[48], args[256];
	double cpo;
};

struct readback {
	const char *id;
	struct cell *cells;
	int n, max;
};

static void on_cell(void *opaque, const struct meas_info *mi)
{
	struct readback *rb = opaque;
	if (strcmp(mi->sweep, rb->id) || rb->n == rb->max)
		return;
	struct cell *c = &rb->cells[rb->n++];
	snprintf(c->profile, sizeof(c->profile), "%s", mi->profile);
	snprintf(c->config, sizeof(c->config), "%s", mi->config);
	snprintf(c->name, sizeof(c->name), "%s", mi->m->name);
	snprintf(c->args, sizeof(c->args), "%s", mi->args);
	c->cpo = mi->m->cycles_per_op;
}

/* The value of `key` in "k=v k=v" into out ("-" if absent). */
static void arg_value(const char *args, const char *key, char *out, size_t n)
{
	size_t l = strlen(key);
	for (const char *p = args; *p;) {
		if (!strncmp(p, key, l) && p[l] == '=') {
			snprintf(out, n, "%.*s", (int)strcspn(p + l + 1, " "), p + l + 1);
			return;
		}
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	snprintf(out, n, "-");
}

/* The sweep's table: per profile and measurement, cycles per operation by point (the
 * swept arguments) and configuration. */
static void print_sweep(const struct sweep *s, const struct sweep_arg *sa, int nsa, struct readback *rb)
{
	printf("%s sweep %s: %s\n", s->workload, s->id, s->spec);
	printf("modeled cycles per operation, by point and configuration (saved in %s)\n", s->db);
	for (int i = 0; i < rb->n; i++) {
		const struct cell *c = &rb->cells[i];
		bool first = true; /* first cell of its (profile, measurement) */
		for (int k = 0; k < i && first; k++)
			first = strcmp(rb->cells[k].profile, c->profile) || strcmp(rb->cells[k].name, c->name);
		if (!first)
			continue;
		const char *cols[16];
		int ncols = 0;
		for (int k = i; k < rb->n; k++)
			if (!strcmp(rb->cells[k].profile, c->profile) && !strcmp(rb->cells[k].name, c->name)) {
				bool known = false;
				for (int q = 0; q < ncols; q++)
					known |= !strcmp(cols[q], rb->cells[k].config);
				if (!known && ncols < 16)
					cols[ncols++] = rb->cells[k].config;
			}
		printf("\nprofile %s, measurement %s\n", c->profile, c->name);
		for (int a = 0; a < nsa; a++)
			if (sa[a].n > 1)
				printf("%10s ", sa[a].key);
		for (int q = 0; q < ncols; q++)
			printf(" %12s", cols[q]);
		printf("\n");
		for (int k = i; k < rb->n; k++) { /* one line per point, at its first cell */
			const struct cell *p = &rb->cells[k];
			bool seen = false;
			if (strcmp(p->profile, c->profile) || strcmp(p->name, c->name))
				continue;
			for (int q = i; q < k && !seen; q++)
				seen = !strcmp(rb->cells[q].profile, p->profile) && !strcmp(rb->cells[q].name, p->name) &&
				       !strcmp(rb->cells[q].args, p->args);
			if (seen)
				continue;
			for (int a = 0; a < nsa; a++)
				if (sa[a].n > 1) {
					char v[64];
					arg_value(p->args, sa[a].key, v, sizeof(v));
					printf("%10s ", v);
				}
			for (int q = 0; q < ncols; q++) {
				double v = -1;
				for (int z = i; z < rb->n; z++) {
					const struct cell *x = &rb->cells[z];
					if (!strcmp(x->profile, p->profile) && !strcmp(x->name, p->name) &&
					    !strcmp(x->args, p->args) && !strcmp(x->config, cols[q]))
						v = x->cpo;
				}
				if (v < 0)
					printf(" %12s", "-");
				else
					printf(" %12.1f", v);
			}
			printf("\n");
		}
	}
}

/* Remove the scratch directory of a finished sweep (the points' files). */
static void remove_dir(const char *dir, int npts)
{
	char p[4300];
	static const char *const names[] = { "points.txt", "joblog", "log" };
	for (int i = 1; i <= npts; i++) {
		snprintf(p, sizeof(p), "%s/point-%d.db", dir, i);
		unlink(p);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* bench sweep: check, enumerate the points, run them (or emit a Slurm script), merge,
 * and print the sweep's table. */
int cmd_sweep(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "set", required_argument, 0, 's' },     { "config", required_argument, 0, 'c' },
		{ "profile", required_argument, 0, 'p' }, { "jobs", required_argument, 0, 'j' },
		{ "db", required_argument, 0, 'd' },      { "kernel", required_argument, 0, 'k' },
		{ "emit", required_argument, 0, 'e' },    { "output", required_argument, 0, 'o' },
		{ "sequential", no_argument, 0, 'S' },    { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },          { 0, 0, 0, 0 },
	};
	static struct sweep_arg sa[SWEEP_MAX_ARGS];
	static struct sweep s;
	int nsa = 0, jobs = 0, o;
	const char *profile_arg = "p4-2006", *emit = NULL, *outfile = NULL;
	bool sequential = false, quiet = false;
	char err[1024];
	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((o = getopt_long(argc, argv, "ho:j:", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (nsa == SWEEP_MAX_ARGS) {
				fprintf(stderr, "bench sweep: at most %d --set options\n", SWEEP_MAX_ARGS);
				return BENCH_EXIT_USAGE;
			}
			if (sweep_parse(optarg, &sa[nsa], err, sizeof(err))) {
				fprintf(stderr, "bench sweep: %s\n", err);
				return BENCH_EXIT_USAGE;
			}
			snprintf(s.spec + strlen(s.spec), sizeof(s.spec) - strlen(s.spec), "%s%s", nsa ? " " : "", optarg);
			nsa++;
			break;
		case 'c': s.config = optarg; break;
		case 'p': profile_arg = optarg; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1024) {
				fprintf(stderr, "bench sweep: --jobs needs a number from 1 to 1024, not '%s'\n", optarg);
				return BENCH_EXIT_USAGE;
			}
			jobs = (int)v;
			break;
		}
		case 'd': s.db = optarg; break;
		case 'k': s.kernel = optarg; break;
		case 'e': emit = optarg; break;
		case 'o': outfile = optarg; break;
		case 'S': sequential = true; break;
		case 'q': quiet = true; break;
		case 'h': sweep_usage(stdout); return 0;
		default: sweep_usage(stderr); return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bench sweep: expected one WORKLOAD (bench sweep --help)\n");
		return BENCH_EXIT_USAGE;
	}
	s.workload = argv[optind];
	if (!nsa) {
		fprintf(stderr, "bench sweep: nothing to sweep: give --set KEY=a..b:xK (bench sweep --help)\n");
		return BENCH_EXIT_USAGE;
	}
	if (emit && strcmp(emit, "slurm")) {
		fprintf(stderr, "bench sweep: unknown --emit '%s' (only slurm)\n", emit);
		return BENCH_EXIT_USAGE;
	}
	for (int a = 0; a < nsa; a++)
		for (int b = 0; b < a; b++)
			if (!strcmp(sa[a].key, sa[b].key)) {
				fprintf(stderr, "bench sweep: --set %s given twice\n", sa[a].key);
				return BENCH_EXIT_USAGE;
			}
	/* profiles */
	static char plist[512];
	const char *profiles[SWEEP_MAX_PROFILES];
	int nprof = 0;
	snprintf(plist, sizeof(plist), "%s", profile_arg);
	for (char *t = strtok(plist, ","); t; t = strtok(NULL, ","))
		if (nprof < SWEEP_MAX_PROFILES)
			profiles[nprof++] = t;
	if (!nprof) {
		fprintf(stderr, "bench sweep: --profile needs profiles (see bench list)\n");
		return BENCH_EXIT_USAGE;
	}
	/* the points: every profile times every combination of the values */
	long long combos = 1;
	for (int a = 0; a < nsa; a++)
		combos *= sa[a].n;
	if (combos * nprof > SWEEP_MAX_POINTS) {
		fprintf(stderr, "bench sweep: %lld points; at most %d\n", combos * nprof, SWEEP_MAX_POINTS);
		return BENCH_EXIT_USAGE;
	}
	s.pts = calloc((size_t)(combos * nprof), sizeof(*s.pts));
	if (!s.pts) {
		fprintf(stderr, "bench sweep: out of memory\n");
		return BENCH_EXIT_USAGE;
	}
	int status = BENCH_EXIT_USAGE;
	for (int p = 0; p < nprof; p++)
		for (long long c = 0; c < combos; c++) {
			struct point *pt = &s.pts[s.npts++];
			long long rest = c;
			size_t u = 0;
			pt->profile = profiles[p];
			long long div = combos; /* the first --set varies slowest */
			for (int a = 0; a < nsa; a++) {
				div /= sa[a].n;
				int k = (int)(rest / div);
				rest %= div;
				u += (size_t)snprintf(pt->args + u, sizeof(pt->args) - u, "%s%s=%s", a ? " " : "", sa[a].key,
						      sa[a].values[k]);
			}
		}
	/* check everything before anything runs: each profile with the configurations,
	 * every point's arguments against the workload's */
	for (int p = 0; p < nprof; p++) {
		static struct selection sel;
		const char *sets[SWEEP_MAX_ARGS];
		static char first[SWEEP_MAX_ARGS][128];
		for (int a = 0; a < nsa; a++) {
			snprintf(first[a], sizeof(first[a]), "%.31s=%.63s", sa[a].key, sa[a].values[0]);
			sets[a] = first[a];
		}
		if (select_load(&sel, "bench sweep", s.workload, sets, nsa, profiles[p], s.config, err, sizeof(err))) {
			fprintf(stderr, "bench sweep: %s\n", err);
			goto out;
		}
		for (int a = 0; a < nsa; a++)
			for (int k = 1; k < sa[a].n; k++) {
				char kv[128];
				snprintf(kv, sizeof(kv), "%s=%s", sa[a].key, sa[a].values[k]);
				if (select_set(&sel.w, kv, err, sizeof(err))) {
					fprintf(stderr, "bench sweep: %s\n", err);
					select_free(&sel);
					goto out;
				}
			}
		select_free(&sel);
	}
	static char dbpath[4200];
	if (!s.db) {
		snprintf(dbpath, sizeof(dbpath), "%s/results/ringlab.db", bench_root());
		s.db = dbpath;
	}
	/* the sweep id: date, host and process, usable as a file name */
	char date[32], host[128] = "host";
	time_t t = time(NULL);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", gmtime(&t));
	gethostname(host, sizeof(host) - 1);
	for (char *c = host; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
			*c = '-';
	snprintf(s.id, sizeof(s.id), "sweep-%s-%.60s-%ld", date, host, (long)getpid());
	/* the points' directory, beside the database */
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", s.db);
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(parent, sizeof(parent), ".");
	if (emit) {
		snprintf(s.dir, sizeof(s.dir), "%.4000s/%.159s", parent, s.id);
		FILE *f = outfile ? fopen(outfile, "w") : stdout;
		if (!f) {
			fprintf(stderr, "bench sweep: cannot write %s: %s\n", outfile, strerror(errno));
			goto out;
		}
		emit_slurm(f, &s);
		if (outfile) {
			fclose(f);
			chmod(outfile, 0755);
			fprintf(stderr, "bench sweep: wrote %s (%d array tasks; sbatch %s, then bench merge %s %s/point-*.db)\n",
				outfile, s.npts, outfile, s.db, s.dir);
		}
		status = 0;
		goto out;
	}
	mkdir(parent, 0755);
	snprintf(s.dir, sizeof(s.dir), "%.4000s/.%.159s", parent, s.id);
	if (mkdir(s.dir, 0700)) {
		fprintf(stderr, "bench sweep: cannot create %s: %s\n", s.dir, strerror(errno));
		goto out;
	}
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (int)n : 1;
	}
	bool par = !sequential && have_gnu_parallel();
	if (!sequential && !par)
		fprintf(stderr, "bench sweep: GNU parallel is not installed (make deps): running the %d points one "
				"after another\n", s.npts);
	struct progress pr;
	char what[160];
	snprintf(what, sizeof(what), "bench sweep %s (%d points%s)", s.workload, s.npts, par ? ", GNU parallel" : "");
	progress_start(&pr, what, s.npts, quiet);
	int failed = par ? run_parallel(&s, jobs, &pr) : run_sequential(&s, &pr);
	/* bring the points' databases into --db */
	struct results *r = results_open(s.db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench sweep: %s (the points' databases are kept in %s)\n", err, s.dir);
		goto out;
	}
	int merged = 0, bad_merge = 0;
	for (int i = 1; i <= s.npts; i++) {
		char pdb[4300];
		struct stat st;
		int added, present;
		snprintf(pdb, sizeof(pdb), "%s/point-%d.db", s.dir, i);
		if (stat(pdb, &st))
			continue;
		if (results_merge(r, pdb, &added, &present, err, sizeof(err))) {
			fprintf(stderr, "bench sweep: %s\n", err);
			bad_merge++;
		} else {
			merged += added;
		}
	}
	if (failed)
		print_log(s.dir);
	if (bad_merge)
		fprintf(stderr, "bench sweep: the points' databases are kept in %s\n", s.dir);
	else
		remove_dir(s.dir, s.npts);
	struct readback rb = { s.id, calloc(65536, sizeof(struct cell)), 0, 65536 };
	if (rb.cells && !results_measurements(r, s.workload, on_cell, &rb, err, sizeof(err)))
		print_sweep(&s, sa, nsa, &rb);
	free(rb.cells);
	results_close(r);
	fprintf(stderr, "bench sweep: %d of %d points ran, %d runs saved in %s (sweep %s)\n", s.npts - failed, s.npts,
		merged, s.db, s.id);
	status = failed || bad_merge ? BENCH_EXIT_USAGE : 0;
out:
	free(s.pts);
	return status;
}

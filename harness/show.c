/*
 * show.c — `bench show ID` (one saved run, with its provenance and measurements) and
 * `bench export --format csv|json [--workload W]` (everything saved, for other tools).
 * Both only read: the database is opened read-only and never created, and an SQLite
 * error while reading (a damaged file) fails the command instead of ending the data.
 * Runs whose `bench run` did not finish are marked incomplete. `bench show` prints the
 * whole provenance first (revision with -dirty, profile and guest hashes, arguments,
 * host, date, batch, sweep); the CSV export carries workload, profile, arguments and
 * revision on every row.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report.h"
#include "results.h"

static struct results *open_db(const char *db, const char *cmd)
{
	char err[512], path[4200];
	if (!db) {
		snprintf(path, sizeof(path), "%s/results/ringlab.db", bench_root());
		db = path;
	}
	struct results *r = results_open_readonly(db, err, sizeof(err));
	if (!r)
		fprintf(stderr, "bench %s: %s\n", cmd, err);
	return r;
}

struct show_ctx {
	long long id;
	int found;
};

static void show_row(void *opaque, const struct run_info *ri)
{
	struct show_ctx *c = opaque;
	if (ri->id != c->id)
		return;
	c->found = 1;
	printf("run %lld: workload %s, configuration %s, profile %s, saved %s%s\n", ri->id, ri->workload,
	       ri->config, ri->profile, ri->date,
	       ri->complete ? "" : " (incomplete: its bench run did not finish)");
	printf("  revision:   %s\n", ri->git_rev[0] ? ri->git_rev : "unknown");
	printf("  profile:    %s (%s)\n", ri->profile, ri->profile_hash[0] ? ri->profile_hash : "hash unknown");
	printf("  guest:      %s\n", ri->guest_hash[0] ? ri->guest_hash : "hash unknown");
	printf("  arguments:  %s\n", ri->args[0] ? ri->args : "(none)");
	printf("  cmdline:    %s\n", ri->cmdline);
	printf("  host:       %s\n", ri->host);
	printf("  date:       %s\n", ri->date);
	printf("  host time:  %.3f s (%s)\n", ri->host_seconds, ri->host_timer);
	printf("  batch:      %s\n", ri->batch[0] ? ri->batch : "(none)");
	if (ri->sweep[0])
		printf("  sweep:      %s (%s)\n", ri->sweep, ri->sweep_spec);
	printf("%s\n", ri->json);
}

int cmd_show(int argc, char **argv)
{
	const char *db = NULL;
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		printf("usage: bench show ID [--db FILE]\nPrint saved run ID (see bench export) with its measurements as JSON.\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[2], "--db"))
		db = argv[3];
	else if (argc != 2) {
		fprintf(stderr, "bench show: expected one run ID (bench show --help)\n");
		return BENCH_EXIT_USAGE;
	}
	char *end;
	struct show_ctx c = { strtoll(argv[1], &end, 10), 0 };
	if (*end || c.id <= 0) {
		fprintf(stderr, "bench show: '%s' is not a run ID\n", argv[1]);
		return BENCH_EXIT_USAGE;
	}
	struct results *r = open_db(db, "show");
	if (!r)
		return BENCH_EXIT_USAGE;
	char err[512];
	int rc = results_runs(r, NULL, c.id, show_row, &c, err, sizeof(err));
	results_close(r);
	if (rc) {
		fprintf(stderr, "bench show: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	if (!c.found) {
		fprintf(stderr, "bench show: no run %lld in the database\n", c.id);
		return BENCH_EXIT_USAGE;
	}
	return 0;
}

/* s as a CSV field (quoted, quotes doubled). */
static void csv_field(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void csv_row(void *opaque, const struct meas_info *mi)
{
	const struct measurement_row *m = mi->m;
	(void)opaque;
	printf("%lld,%s,%s,%s,%s,%s,%s,%llu,%llu,%.4f,", mi->id, mi->workload, mi->config, mi->profile, mi->git_rev,
	       mi->date, m->name, (unsigned long long)m->ops, (unsigned long long)m->modeled_cycles,
	       m->cycles_per_op);
	if (m->overhead >= 0)
		printf("%.4f", m->overhead);
	printf(",%d,", !m->incomplete);
	csv_field(mi->args);
	printf(",%s,%s\n", mi->profile_hash, mi->sweep);
}

static void json_row(void *opaque, const struct run_info *ri)
{
	int *first = opaque;
	printf("%s\n{\"id\": %lld, \"workload\": ", *first ? "" : ",", ri->id);
	json_string(stdout, ri->workload);
	printf(", \"profile\": ");
	json_string(stdout, ri->profile);
	printf(", \"profile_hash\": ");
	json_string(stdout, ri->profile_hash);
	printf(", \"args\": ");
	json_string(stdout, ri->args);
	printf(", \"date\": ");
	json_string(stdout, ri->date);
	const char *more[][2] = { { "git_rev", ri->git_rev }, { "guest_hash", ri->guest_hash }, { "host", ri->host },
				  { "cmdline", ri->cmdline }, { "batch", ri->batch }, { "sweep", ri->sweep } };
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		printf(", \"%s\": ", more[i][0]);
		json_string(stdout, more[i][1]);
	}
	printf(", \"complete\": %s, \"run\": %s}", ri->complete ? "true" : "false", ri->json);
	*first = 0;
}

/* Count the runs results_runs finds. */
static void count_run(void *opaque, const struct run_info *ri)
{
	(void)ri;
	(*(int *)opaque)++;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, 0, 'f' }, { "workload", required_argument, 0, 'w' },
		{ "db", required_argument, 0, 'd' },     { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *format = "csv", *workload = NULL, *db = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'f': format = optarg; break;
		case 'w': workload = optarg; break;
		case 'd': db = optarg; break;
		case 'h':
			printf("usage: bench export [--format csv|json] [--workload W] [--db FILE]\n"
			       "Every saved measurement (csv) or run (json) on stdout.\n");
			return 0;
		default: return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench export: unexpected argument '%s' (bench export --help)\n", argv[optind]);
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(format, "csv") && strcmp(format, "json")) {
		fprintf(stderr, "bench export: unknown format '%s' (formats: csv, json)\n", format);
		return BENCH_EXIT_USAGE;
	}
	struct results *r = open_db(db, "export");
	if (!r)
		return BENCH_EXIT_USAGE;
	char err[512];
	int rc, nruns = 0;
	if (workload && (rc = results_runs(r, workload, 0, count_run, &nruns, err, sizeof(err))) == 0 && !nruns) {
		fprintf(stderr, "bench export: no saved runs of workload '%s' in the database\n", workload);
		results_close(r);
		return BENCH_EXIT_USAGE;
	}
	if (!strcmp(format, "csv")) {
		printf("run_id,workload,config,profile,git_rev,date,measurement,ops,modeled_cycles,cycles_per_op,overhead,"
		       "complete,args,profile_hash,sweep\n");
		rc = results_measurements(r, workload, csv_row, NULL, err, sizeof(err));
	} else {
		int first = 1;
		printf("[");
		rc = results_runs(r, workload, 0, json_row, &first, err, sizeof(err));
		printf("]\n");
	}
	results_close(r);
	if (rc) {
		fprintf(stderr, "bench export: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	return 0;
}

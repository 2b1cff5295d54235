/*
 * fuzz_results.c — libFuzzer target for the results database reader (harness/results.c).
 *
 * The input is a results database file, as `bench show ID --db FILE`, `bench export
 * --db FILE` (csv and json), `bench table` and `bench plot` would find it. SQLite needs
 * a real file (it makes a journal beside it), so the bytes are written to a file in a
 * private directory (under /dev/shm when there is one, else $TMPDIR or /tmp), any
 * journal or WAL left by the previous input removed, and then every read path runs on
 * a read-only handle, as show.c and table.c open it: results_runs() for all runs, one
 * workload and one id, results_each_measurement() for all and one workload,
 * results_run_json(), results_latest_overheads() and results_table_overheads(). Then
 * results_open() opens it for writing, as `bench run --db FILE` and `bench plot` do
 * (which adds the newer columns to an older database), and the same reads run again.
 * The callbacks format the rows the way show.c does (json_string() too) into /dev/null.
 *
 * Each call must return 0 or -1 with a message; nothing may crash or leak. Seeds
 * (tests/fuzz/corpus/results/) are a small database written by `bench run` and the
 * same data with 512-byte pages (tests/fuzz/lib/mkseeds.py), so that mutations hit
 * b-tree pages and records rather than empty space. SQLite is Debian's
 * uninstrumented library: coverage guidance stops at its API.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report.h"
#include "harness/results.h"
#include "tests/fuzz/lib/fuzz.h"

static char dir[256], db[300], side[320];
static FILE *sink;

static void cleanup(void)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	for (int i = 0; i < 4; i++) {
		snprintf(side, sizeof(side), "%s%s", db, ext[i]);
		unlink(side);
	}
}

static void remove_dir(void)
{
	cleanup();
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ringlab-fuzz-results-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(db, sizeof(db), "%s/results.db", dir);
	sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
	atexit(remove_dir);
}

static void on_run(void *opaque, const struct run_info *run)
{
	(void)opaque;
	fprintf(sink, "run %lld: workload %s, configuration %s, profile %s (%s), arguments %s, saved %s%s\n",
		run->id, run->workload, run->config, run->profile, run->profile_hash, run->args, run->date,
		run->complete ? "" : " (incomplete)");
	fprintf(sink, "{\"id\": %lld, \"workload\": ", run->id);
	json_string(sink, run->workload);
	json_string(sink, run->profile);
	json_string(sink, run->date);
	fprintf(sink, ", \"run\": %s}", run->json);
}

static void on_measurement(void *opaque, long long id, const char *workload, const char *config,
			   const char *profile, const char *rev, const char *date,
			   const struct measurement_row *m)
{
	(void)opaque;
	fprintf(sink, "%lld,%s,%s,%s,%s,%s,%s,%llu,%llu,%.4f,%.4f,%s,%s,%d\n", id, workload, config,
		profile, rev, date, m->name, (unsigned long long)m->ops,
		(unsigned long long)m->modeled_cycles, m->cycles_per_op, m->overhead, m->categories,
		m->exits, m->incomplete);
}

static void on_overhead(void *opaque, const char *workload, const char *measurement,
			const char *config, double overhead)
{
	(void)opaque;
	fprintf(sink, "%s %s %s %.3f\n", workload, measurement, config, overhead);
}

static void on_set(void *opaque, const struct table_set *set)
{
	(void)opaque;
	fprintf(sink, "%s: %d runs %lld..%lld, arguments %s%s\n", set->workload, set->nruns, set->first,
		set->last, set->args, set->default_args ? " (default)" : "");
}

/* Every read path, as show.c, table.c and plot.c use them. */
static void read_all(struct results *r)
{
	char err[512];
	int left_out[2] = { 0, 0 };
	results_runs(r, NULL, 0, on_run, NULL, err, sizeof(err));
	results_runs(r, "syscall-heavy", 0, on_run, NULL, err, sizeof(err));
	results_runs(r, NULL, 1, on_run, NULL, err, sizeof(err));
	results_each_measurement(r, NULL, on_measurement, NULL, err, sizeof(err));
	results_each_measurement(r, "syscall-heavy", on_measurement, NULL, err, sizeof(err));
	free(results_run_json(r, 1));
	results_latest_overheads(r, "p4-2006", on_overhead, NULL, err, sizeof(err));
	results_table_overheads(r, "p4-2006", "fnv1a64:0000000000000000", on_overhead, on_set, NULL,
				left_out, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sink)
		setup();
	cleanup();
	FILE *f = fopen(db, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();

	char err[512];
	err[0] = 0;
	struct results *r = results_open_readonly(db, err, sizeof(err));
	CHECK(r || err[0], "results_open*: NULL with a message");
	if (r)
		read_all(r);
	results_close(r);

	/* opened for writing, as `bench run` does: the columns added since the first
	 * schema are added to an older database */
	err[0] = 0;
	r = results_open(db, err, sizeof(err));
	CHECK(r || err[0], "results_open*: NULL with a message");
	if (r)
		read_all(r);
	results_close(r);
	return 0;
}

/*
 * results.h — the results database (SQLite, default results/ringlab.db).
 *
 * One row per run of one configuration, with its provenance (git revision, profile
 * and a hash of its file, workload and arguments, guest image hash, host, date) and
 * the run's full JSON (the contract of bench run --format json), plus one row per
 * measurement for queries. Each configuration's run is saved in its own transaction,
 * marked pending with the batch (one `bench run`) it belongs to; the batch is marked
 * complete only when all its configurations have run, so an interrupted `bench run`
 * keeps what it finished but never passes it off as a complete result.
 *
 * Runs are keyed by profile name, profile file hash and arguments, not names alone:
 * `bench table` uses only runs made with the profile file it was given, and per
 * workload the runs with the workload's default arguments when there are any.
 *
 * Read commands open the database read-only (never creating it), and a database
 * written before the batch columns existed is read as complete runs of unknown
 * arguments; opening it for writing adds the columns. The same holds for the sweep
 * columns (sweep: the `bench sweep` a run is a point of; sweep_spec: its --set
 * arguments as given, "pages=64..8192:x2 stride=1"): older runs belong to no sweep.
 *
 * Databases merge (results_merge, `bench merge`): a run is identified by its
 * provenance (workload, configuration, profile and its hash, arguments, command line,
 * guest hash, revision, host, date, batch) and its JSON, so merging the same file
 * twice, or a file into itself, adds nothing, and a merged run keeps every column. An SQLite error while reading
 * (a damaged file) is an error, never the end of the data.
 */
#ifndef RINGLAB_RESULTS_H
#define RINGLAB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

struct results;

struct run_row {
	const char *workload, *config, *engine, *mmu, *profile, *profile_hash, *args;
	const char *cmdline, *guest_hash, *git_rev, *host, *date, *status, *host_timer;
	double host_seconds;
	u64 guest_instructions, modeled_cycles;
	const char *json; /* the run object */
	const char *batch;  /* the `bench run` it belongs to (NULL: its own) */
	bool pending;       /* saved as incomplete until results_complete_batch */
	bool default_args;  /* run with the workload file's own arguments */
	const char *sweep;      /* the `bench sweep` this run is a point of (NULL: none) */
	const char *sweep_spec; /* that sweep's --set arguments as given */
};

struct measurement_row {
	const char *name;
	u64 ops, modeled_cycles;
	double cycles_per_op, overhead; /* overhead < 0: null */
	const char *categories; /* "guest=N mem=N ..." */
	const char *exits;      /* "CPUID=N IO_INSTRUCTION=N ..." */
	bool incomplete;        /* read back: its `bench run` did not finish */
};

/* Open (creating if needed, and adding missing columns) the database at `path`. */
struct results *results_open(const char *path, char *err, size_t errlen);

/* Open an existing database read-only (for show, export, table, plot): a missing
 * file is an error, never created. */
struct results *results_open_readonly(const char *path, char *err, size_t errlen);
void results_close(struct results *r);

/* FNV-1a 64 of a file as "fnv1a64:HEX" ("unreadable" if it cannot be read): which
 * profile, which guest image. */
void results_file_hash(const char *path, char *out, size_t n);

/* Mark every run of `batch` complete. Returns 0 or -1 with err. */
int results_complete_batch(struct results *r, const char *batch, char *err, size_t errlen);

/* One saved run, as show and export print it. */
struct run_info {
	long long id;
	const char *workload, *config, *profile, *profile_hash, *args, *date, *json;
	bool complete;
	/* the rest of the provenance ("" when the database predates the column) */
	const char *cmdline, *guest_hash, *git_rev, *host, *batch, *sweep, *sweep_spec, *host_timer;
	double host_seconds;
};

/* Call fn for each saved run (newest first), only of `workload` if not NULL, only run
 * `id` if id > 0. Returns 0, or -1 with err on an SQLite error (a damaged file). */
int results_runs(struct results *r, const char *workload, long long id,
		 void (*fn)(void *opaque, const struct run_info *run), void *opaque, char *err,
		 size_t errlen);

/* Save one run and its measurements atomically; returns the run id, or -1. */
long long results_save(struct results *r, const struct run_row *run,
		       const struct measurement_row *m, unsigned nm, char *err, size_t errlen);

/* Call fn for each saved run (newest first), optionally only of `workload`. */
int results_each_run(struct results *r, const char *workload,
		     void (*fn)(void *opaque, long long id, const char *workload, const char *config,
				const char *profile, const char *date, const char *json),
		     void *opaque, char *err, size_t errlen);

/* Call fn for each saved measurement (oldest run first), optionally only of `workload`. */
int results_each_measurement(struct results *r, const char *workload,
			     void (*fn)(void *opaque, long long id, const char *workload,
					const char *config, const char *profile, const char *git_rev,
					const char *date, const struct measurement_row *m),
			     void *opaque, char *err, size_t errlen);

/* One saved measurement with its run's provenance, for export and plot. */
struct meas_info {
	long long id;
	const char *workload, *config, *profile, *profile_hash, *args, *git_rev, *date;
	const char *sweep, *sweep_spec; /* "" outside a sweep */
	const struct measurement_row *m;
};

/* Call fn for each saved measurement (oldest run first), optionally only of
 * `workload`. Returns 0, or -1 with err. */
int results_measurements(struct results *r, const char *workload,
			 void (*fn)(void *opaque, const struct meas_info *mi), void *opaque, char *err,
			 size_t errlen);

/* Copy into `r` every run of the database at `in_path` (with its measurements) that
 * `r` does not hold yet, in one transaction; *added and *present count the runs
 * copied and those already there. Returns 0, or -1 with err (nothing copied). */
int results_merge(struct results *r, const char *in_path, int *added, int *present, char *err,
		  size_t errlen);

/* Fetch the JSON of run `id` into a malloc'ed string (NULL if absent). */
char *results_run_json(struct results *r, long long id);

/* The latest overhead of every (workload, measurement, config) of complete runs on
 * `profile`, by name only. fn is called once per row. (bench table uses
 * results_table_overheads.) */
int results_latest_overheads(struct results *r, const char *profile,
			     void (*fn)(void *opaque, const char *workload, const char *measurement,
					const char *config, double overhead),
			     void *opaque, char *err, size_t errlen);

/* For `bench table`: which runs it used, per workload. */
struct table_set {
	const char *workload, *args;
	bool default_args;
	int nruns;               /* one per configuration */
	long long first, last;   /* their run ids */
};

/* For `bench table`: the overheads of complete runs on `profile` whose profile file
 * hashes to `profile_hash`; per workload, the arguments of its latest run with default
 * arguments (else of its latest run), and per configuration the latest run with
 * those. fn is called per measurement in (workload, measurement, config) order,
 * set_fn once per workload; *left_out counts runs of `profile` skipped because their
 * profile file differed or they are incomplete. Returns 0 or -1 with err. */
int results_table_overheads(struct results *r, const char *profile, const char *profile_hash,
			    void (*fn)(void *opaque, const char *workload, const char *measurement,
				       const char *config, double overhead),
			    void (*set_fn)(void *opaque, const struct table_set *set), void *opaque,
			    int left_out[2], char *err, size_t errlen);

#endif

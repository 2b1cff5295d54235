/*
 * results.h — the results database (SQLite, default results/ringlab.db).
 *
 * One row per run of one configuration, with its provenance (git revision, profile
 * and a hash of its file, workload and arguments, guest image hash, host, date) and
 * the run's full JSON (the contract of bench run --format json), plus one row per
 * measurement for queries. Each run is saved in its own transaction, so an
 * interrupted `bench run` keeps every configuration it finished.
 */
#ifndef RINGLAB_RESULTS_H
#define RINGLAB_RESULTS_H

#include <stddef.h>

#include "core/types.h"

struct results;

struct run_row {
	const char *workload, *config, *engine, *mmu, *profile, *profile_hash, *args;
	const char *cmdline, *guest_hash, *git_rev, *host, *date, *status, *host_timer;
	double host_seconds;
	u64 guest_instructions, modeled_cycles;
	const char *json; /* the run object */
};

struct measurement_row {
	const char *name;
	u64 ops, modeled_cycles;
	double cycles_per_op, overhead; /* overhead < 0: null */
	const char *categories; /* "guest=N mem=N ..." */
	const char *exits;      /* "CPUID=N IO_INSTRUCTION=N ..." */
};

/* Open (creating if needed) the database at `path`. */
struct results *results_open(const char *path, char *err, size_t errlen);
void results_close(struct results *r);

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

/* Fetch the JSON of run `id` into a malloc'ed string (NULL if absent). */
char *results_run_json(struct results *r, long long id);

/* For `bench table`: the latest overhead of every (workload, measurement, config) on
 * `profile`. fn is called once per row. */
int results_latest_overheads(struct results *r, const char *profile,
			     void (*fn)(void *opaque, const char *workload, const char *measurement,
					const char *config, double overhead),
			     void *opaque, char *err, size_t errlen);

#endif

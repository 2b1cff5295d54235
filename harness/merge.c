/*
 * merge.c — `bench merge OUT.db IN.db...`: bring result databases into one, provenance
 * intact. Sweeps outgrow one machine through existing engines (GNU parallel, a Slurm
 * job array), each point writing its own database; this is how they come back
 * together. A run is identified by its provenance and JSON (results_merge), so a
 * database merged twice adds nothing the second time, and nothing is lost: every
 * column of every run, and every measurement, is copied. OUT is created if needed
 * (and given the newer columns); each IN is only read.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "results.h"

/* bench merge: merge each IN into OUT; one line per input, non-zero on any failure. */
int cmd_merge(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: bench merge OUT.db IN.db...\n"
		       "Copy every run of each IN.db (with its measurements and provenance) into OUT.db,\n"
		       "skipping runs OUT.db already holds: merging twice adds nothing.\n");
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "bench merge: expected OUT.db and at least one IN.db (bench merge --help)\n");
		return BENCH_EXIT_USAGE;
	}
	char err[1024];
	struct stat st;
	for (int i = 2; i < argc; i++)
		if (stat(argv[i], &st) || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "bench merge: no results database %s\n", argv[i]);
			return BENCH_EXIT_USAGE;
		}
	struct results *out = results_open(argv[1], err, sizeof(err));
	if (!out) {
		fprintf(stderr, "bench merge: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	int status = 0, total = 0;
	for (int i = 2; i < argc; i++) {
		int added, present;
		if (results_merge(out, argv[i], &added, &present, err, sizeof(err))) {
			fprintf(stderr, "bench merge: %s\n", err);
			status = BENCH_EXIT_USAGE;
			continue;
		}
		total += added;
		printf("%s: %d run%s added, %d already in %s\n", argv[i], added, added == 1 ? "" : "s", present,
		       argv[1]);
	}
	results_close(out);
	if (argc > 3)
		printf("%d runs added to %s\n", total, argv[1]);
	return status;
}

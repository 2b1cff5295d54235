/*
 * progress.h — one progress line on stderr for anything that runs more than one
 * configuration (bench run with several, bench run all, bench sweep): how many of how
 * many are done, the elapsed host time and, once one has finished, an estimate of the
 * time left. Only on a terminal: a log or a pipe gets results and errors, nothing else.
 */
#ifndef RINGLAB_PROGRESS_H
#define RINGLAB_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool tty;      /* stderr is a terminal and the caller did not ask for quiet */
	double t0;     /* monotonic seconds at the start */
	int total;     /* configurations (or points) to run */
	const char *what; /* "bench run memwalk" */
};

/* Start a progress line for `total` items (quiet: never print). */
void progress_start(struct progress *p, const char *what, int total, bool quiet);

/* Show that `done` items are finished and `now` (may be NULL) is running. */
void progress_show(struct progress *p, int done, const char *now);

/* End the line (a newline on a terminal, after a last update). */
void progress_end(struct progress *p, int done);

/* Monotonic seconds. */
double progress_now(void);

#endif

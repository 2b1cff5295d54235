/*
 * hostcount.h — what the testbed itself costs on the host: wall time and CPU time
 * always (clock_gettime, getrusage), and host instructions and cycles through PAPI
 * when the host exposes hardware counters. Which source was used is always reported;
 * none of this ever feeds back into the guest.
 */
#ifndef RINGLAB_HOSTCOUNT_H
#define RINGLAB_HOSTCOUNT_H

#include <stdbool.h>

struct hostcount {
	double wall, cpu;              /* seconds */
	long long host_insns, host_cycles; /* -1 when PAPI is not available */
	bool papi;
	int eventset;
	double t0, c0;
};

/* Start measuring. */
void hostcount_start(struct hostcount *h);

/* Stop and fill the fields. */
void hostcount_stop(struct hostcount *h);

/* One line naming the source: "PAPI (PAPI_TOT_INS, PAPI_TOT_CYC)" or
 * "clock_gettime/getrusage (PAPI: no hardware counters on this host)". */
const char *hostcount_source(void);

#endif

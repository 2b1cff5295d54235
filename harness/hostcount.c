/*
 * hostcount.c — host-side cost of a run (see hostcount.h).
 */
#include "hostcount.h"

#include <papi.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static int papi_state; /* 0 untried, 1 available, -1 not */
static char source[160] = "clock_gettime/getrusage";

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void papi_init(void)
{
	if (papi_state)
		return;
	papi_state = -1;
	int v = PAPI_library_init(PAPI_VER_CURRENT);
	if (v != PAPI_VER_CURRENT) {
		snprintf(source, sizeof(source), "clock_gettime/getrusage (PAPI unavailable: %s)",
			 v < 0 ? PAPI_strerror(v) : "version mismatch");
		return;
	}
	int es = PAPI_NULL;
	if (PAPI_create_eventset(&es) != PAPI_OK || PAPI_add_event(es, PAPI_TOT_INS) != PAPI_OK ||
	    PAPI_add_event(es, PAPI_TOT_CYC) != PAPI_OK || PAPI_start(es) != PAPI_OK) {
		snprintf(source, sizeof(source),
			 "clock_gettime/getrusage (PAPI: no hardware counters on this host)");
		return;
	}
	long long tmp[2];
	PAPI_stop(es, tmp);
	PAPI_cleanup_eventset(es);
	PAPI_destroy_eventset(&es);
	papi_state = 1;
	snprintf(source, sizeof(source), "PAPI (PAPI_TOT_INS, PAPI_TOT_CYC) and clock_gettime/getrusage");
}

void hostcount_start(struct hostcount *h)
{
	papi_init();
	h->papi = papi_state == 1;
	h->host_insns = h->host_cycles = -1;
	h->eventset = PAPI_NULL;
	if (h->papi && (PAPI_create_eventset(&h->eventset) != PAPI_OK ||
			PAPI_add_event(h->eventset, PAPI_TOT_INS) != PAPI_OK ||
			PAPI_add_event(h->eventset, PAPI_TOT_CYC) != PAPI_OK ||
			PAPI_start(h->eventset) != PAPI_OK))
		h->papi = false;
	h->t0 = now_s();
	h->c0 = cpu_s();
}

void hostcount_stop(struct hostcount *h)
{
	h->wall = now_s() - h->t0;
	h->cpu = cpu_s() - h->c0;
	if (h->papi) {
		long long v[2];
		if (PAPI_stop(h->eventset, v) == PAPI_OK) {
			h->host_insns = v[0];
			h->host_cycles = v[1];
		}
		PAPI_cleanup_eventset(h->eventset);
		PAPI_destroy_eventset(&h->eventset);
	}
}

const char *hostcount_source(void)
{
	papi_init();
	return source;
}

/*
 * report.h — what a run measured, printed for people (--stats) and for programs
 * (--stats-json): guest instructions, modeled cycles by category, TLB and walk
 * counters, exceptions by vector, interrupts, port accesses, exits, host time.
 * Modeled cycles are labelled modeled; host time is labelled host time.
 */
#ifndef RINGLAB_REPORT_H
#define RINGLAB_REPORT_H

#include <stdio.h>

#include "core/vm.h"

struct host_time {
	double seconds;     /* wall-clock seconds of the run */
	double cpu_seconds; /* user + system CPU seconds (getrusage) */
};

/* Print the readable summary of `vm`'s run. */
void report_text(FILE *out, const struct vm *vm, const struct host_time *ht);

/* Write the run as one JSON object. Returns 0 or -1 on a write error. */
int report_json(FILE *out, const struct vm *vm, const struct host_time *ht);

/* Write `s` as a JSON string literal. */
void json_string(FILE *out, const char *s);

#endif

/*
 * sweep.h — the values of one swept workload argument, from the forms bench sweep
 * accepts after --set KEY=: a geometric range `a..b:xK` (a, aK, aK², ... up to b), an
 * arithmetic range `a..b:+K` (a, a+K, ... up to b), a list `a,b,c`, or one value.
 */
#ifndef RINGLAB_SWEEP_H
#define RINGLAB_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#define SWEEP_MAX_VALUES 256

struct sweep_arg {
	char key[32];
	char values[SWEEP_MAX_VALUES][64];
	int n;
	bool geometric; /* a..b:xK: plotted on a log axis */
};

/* Parse "KEY=SPEC" into a. Returns 0, or -1 with one line in err naming what is wrong. */
int sweep_parse(const char *kv, struct sweep_arg *a, char *err, size_t errlen);

#endif

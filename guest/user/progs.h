/* progs.h — the programs of the main user image, dispatched on argv[0] (main.c). */
#ifndef PROGS_H
#define PROGS_H
#include "../lib/ulib.h"

struct prog {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args; /* allowed keys */
	const char *help;
};

/* nano.c */
int nano_one(const char *name, uint n, uint idx);
int p_nano(int argc, char **argv);
int p_nanobench(int argc, char **argv);
int p_aa06(int argc, char **argv);
/* macro.c */
int p_forkwait(int argc, char **argv);
int p_ctxswitch(int argc, char **argv);
int p_exec(int argc, char **argv);
int p_compute(int argc, char **argv);
int p_memwalk(int argc, char **argv);
int p_diskio(int argc, char **argv);
int p_mix(int argc, char **argv);
/* sensitive.c */
int p_sensitive(int argc, char **argv);
/* selftest.c */
int p_selftest(int argc, char **argv);
#endif

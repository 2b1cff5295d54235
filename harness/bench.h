/*
 * bench.h — the bench command's subcommands and shared helpers.
 */
#ifndef RINGLAB_BENCH_H
#define RINGLAB_BENCH_H

/* Exit statuses of `bench` itself. A guest that ends through port 0xF4 gives QEMU's
 * status (v << 1) | 1, always odd; ringlab's own outcomes are even, so they never
 * collide with a guest's. */
enum {
	BENCH_EXIT_USAGE = 2,     /* bad command line or input file */
	BENCH_EXIT_HALTED = 4,    /* the guest halted with interrupts off, or forever */
	BENCH_EXIT_TRIPLE = 6,    /* the guest triple-faulted */
	BENCH_EXIT_BUDGET = 8,    /* --max-insns reached */
	BENCH_EXIT_UNIMPL = 10,   /* the guest used a feature ringlab does not implement */
};

/* Where profiles live: $RINGLAB_PROFILES, else profiles/ next to the build tree. */
const char *bench_profile_dir(void);

/* The repository root (the directory above build/), for defaults. */
const char *bench_root(void);

/* The directory holding the bench executable (build/ or build-asan/): the guest
 * kernel built with it is there, in guest/kernel.elf. */
const char *bench_build_dir(void);

/* Where workload files live: $RINGLAB_WORKLOADS, else workloads/ in the root. */
const char *bench_workload_dir(void);

/* Where scratch files go: $TMPDIR if set and not empty, else /tmp. */
const char *bench_tmp_dir(void);

int cmd_boot(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);

#endif

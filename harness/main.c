/*
 * main.c — `bench`, the one command of ringlab: dispatch to a subcommand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#if defined(__SANITIZE_ADDRESS__)
/* In the sanitizer build (make asan) a report ends the process with status 99, never
 * with 1, which is the status of a guest that exited with 0 ((v << 1) | 1). */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "exitcode=99"; }
const char *__ubsan_default_options(void) { return "exitcode=99:print_stacktrace=1"; }
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run a workload under each configuration and compare them" },
	{ "list", cmd_list, "list workloads, configurations and profiles" },
	{ "table", cmd_table, "the seed paper's summary table, filled from measured results" },
	{ "plot", cmd_plot, "figures from saved results through gnuplot" },
	{ "show", cmd_show, "one saved run with its provenance and measurements" },
	{ "export", cmd_export, "every saved result as CSV or JSON" },
	{ "boot", cmd_boot, "boot a multiboot kernel with its console on the terminal" },
	{ "explain", cmd_explain, "every number of a workload's measured region, explained" },
	{ "trace", cmd_trace, "the exits of the measured region one by one, with the console" },
	{ "translate", cmd_translate, "guest kernel blocks beside their translations in bt's TC" },
	{ "sweep", cmd_sweep, "run a workload over a range of arguments (GNU parallel, Slurm)" },
	{ "merge", cmd_merge, "merge result databases, provenance intact" },
	{ "reproduce", cmd_reproduce, "run the published claims of paper/claims and regenerate paper/" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: bench COMMAND [ARGS]   (bench COMMAND --help for its options)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

const char *bench_root(void)
{
	static char root[4096];
	if (root[0])
		return root;
	const char *env = getenv("RINGLAB_ROOT");
	if (env && *env) {
		snprintf(root, sizeof(root), "%s", env);
		return root;
	}
	/* The executable lives in build/ (or build-asan/): the root is its parent. */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			slash = strrchr(exe, '/');
			if (slash) {
				*slash = 0;
				snprintf(root, sizeof(root), "%s", exe[0] ? exe : "/");
				return root;
			}
		}
	}
	snprintf(root, sizeof(root), ".");
	return root;
}

const char *bench_build_dir(void)
{
	static char dir[4096];
	if (dir[0])
		return dir;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0) {
		snprintf(dir, sizeof(dir), "build");
		return dir;
	}
	dir[n] = 0;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	return dir;
}

static const char *root_dir(const char *envname, const char *sub, char *buf, size_t n)
{
	const char *env = getenv(envname);
	if (env && *env)
		return env;
	snprintf(buf, n, "%s/%s", bench_root(), sub);
	return buf;
}

const char *bench_profile_dir(void)
{
	static char dir[4200];
	return root_dir("RINGLAB_PROFILES", "profiles", dir, sizeof(dir));
}

const char *bench_workload_dir(void)
{
	static char dir[4200];
	return root_dir("RINGLAB_WORKLOADS", "workloads", dir, sizeof(dir));
}

const char *bench_tmp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BENCH_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bench: unknown command '%s' (commands:", argv[1]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, ")\n");
	return BENCH_EXIT_USAGE;
}

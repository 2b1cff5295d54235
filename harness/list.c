/*
 * list.c — `bench list`: workloads, configurations and profiles, one line each.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "configs.h"
#include "workload.h"

static void one_workload(const char *name, const char *desc, void *opaque)
{
	(void)opaque;
	printf("  %-16s %s\n", name, desc);
	struct workload w;
	char err[512];
	if (workload_load_named(&w, bench_workload_dir(), name, err, sizeof(err)))
		return;
	if (w.nargs) {
		printf("  %-16s   args:", "");
		for (unsigned i = 0; i < w.nargs; i++)
			printf(" %s=%s", w.arg_key[i], w.arg_val[i]);
		printf("\n");
	}
	workload_free(&w);
}

int cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		FILE *out = strcmp(argv[1], "--help") ? stderr : stdout;
		fprintf(out, "usage: bench list\nList workloads, configurations and profiles, one line each.\n");
		return out == stdout ? 0 : BENCH_EXIT_USAGE;
	}
	printf("workloads (%s):\n", bench_workload_dir());
	if (workload_list(bench_workload_dir(), one_workload, NULL))
		printf("  (cannot read the directory)\n");
	printf("configurations:\n");
	for (size_t i = 0; i < nconfigs; i++) {
		char why[256] = "";
		bool ok = config_valid(&configs[i], NULL, why, sizeof(why));
		printf("  %-16s %s%s%s%s\n", configs[i].name, configs[i].help,
		       config_needs_hardware(&configs[i]) ? " [needs a profile with nested paging]"
		       : configs[i].opt_in ? " [only when named: --config]" : "",
		       ok ? "" : " — not available: ", ok ? "" : why);
	}
	printf("profiles (%s):\n", bench_profile_dir());
	struct dirent **names;
	int n = scandir(bench_profile_dir(), &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		size_t len = strlen(d);
		if (len > 4 && !strcmp(d + len - 4, ".lua")) {
			char name[256], err[512];
			struct profile p;
			snprintf(name, sizeof(name), "%.*s", (int)(len - 4), d);
			if (profile_load_named(&p, bench_profile_dir(), name, err, sizeof(err)) == 0)
				printf("  %-16s %s%s\n", name, p.cpu, p.v[P_VMX_NESTED] ? " (nested paging)" : "");
			else
				printf("  %-16s INVALID: %s\n", name, err);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return 0;
}

/*
 * fuzz_workload.c — libFuzzer target for the workload loader (harness/workload.c).
 *
 * The input is a workload file: workload_load() runs it as Lua with the safe libraries
 * and checks the table it returns. The bytes reach it as an in-memory file (memfd)
 * named /proc/self/fd/N. When it loads, what `bench run` does next with it is done
 * too: an argument is overridden with workload_set(), the guest command line is built,
 * and every derived metric is evaluated on a fixed measurement; then the workload is
 * freed (LeakSanitizer checks the Lua state goes with it).
 *
 * Seeds are the shipped workloads (run.sh reads them in workloads/) and the
 * reproducers of findings (tests/fuzz/corpus/workload/crash-*). Lua itself is Debian's
 * uninstrumented liblua5.4: coverage guidance stops at its API.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/workload.h"
#include "tests/fuzz/lib/fuzz.h"

static struct workload w;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file("fuzz-workload.lua", data, size);
	char err[512];
	err[0] = 0;
	int rc = workload_load(&w, path, err, sizeof(err));
	if (rc != 0) {
		CHECK(rc == -1 && err[0], "workload_load: -1 with a message");
		workload_free(&w);
		return 0;
	}
	CHECK(w.nargs <= WL_MAX_ARGS && w.nconfigs <= WL_MAX_LIST &&
		      w.nderived <= WL_MAX_LIST,
	      "workload_load: list counts within their arrays");
	workload_set(&w, "n=10", err, sizeof(err));
	char cmdline[4096];
	workload_cmdline(&w, cmdline, sizeof(cmdline));
	static const char *const keys[] = { "cycles_per_op", "overhead", "exits_per_op", "ops",
					    "modeled_cycles" };
	static const double vals[] = { 1234.5, 1.25, 3.0, 100.0, 123450.0 };
	for (unsigned i = 0; i < w.nderived; i++) {
		double out;
		workload_derive(&w, i, keys, vals, 5, &out, err, sizeof(err));
	}
	workload_free(&w);
	return 0;
}

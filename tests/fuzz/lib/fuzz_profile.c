/*
 * fuzz_profile.c — libFuzzer target for the CPU profile loader (core/profile.c).
 *
 * The input is a profile file: profile_load() runs it as Lua in its sandbox and checks
 * the table it returns (every primitive present, known, a non-negative integer with a
 * source). The bytes reach it as a file, an in-memory one (memfd) named
 * /proc/self/fd/N. The loader must return 0 with a positive clock, or -1 with one
 * line; never crash, and never leave anything behind (LeakSanitizer checks that the
 * Lua state is closed on every path).
 *
 * Seeds are the shipped profiles (run.sh reads them in profiles/) and the reproducers
 * of findings (tests/fuzz/corpus/profile/crash-*). Lua itself is Debian's
 * uninstrumented liblua5.4, so coverage guidance stops at its API: mutations are
 * guided by profile.c's branches.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/profile.h"
#include "tests/fuzz/lib/fuzz.h"

static struct profile prof;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file("fuzz-profile.lua", data, size);
	char err[512];
	err[0] = 0;
	int rc = profile_load(&prof, path, err, sizeof(err));
	if (rc == 0) {
		CHECK(prof.v[P_HZ], "profile_load: cpu.hz is positive");
		CHECK(prof.name[0] && prof.cpu[0], "profile_load: name and description are not empty");
		for (int i = 0; i < P_COUNT; i++)
			CHECK(prof.src[i][0], "profile_load: every value has a source (src not empty)");
	} else {
		CHECK(rc == -1 && err[0], "profile_load: -1 with a message");
	}
	return 0;
}

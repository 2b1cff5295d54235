/*
 * fuzz.h — what every libFuzzer target in tests/fuzz/lib/ shares: the entry point's
 * prototype, CHECK for a broken promise of the code under test, and the input as a
 * file for loaders that only take a path. A target defines _GNU_SOURCE (for
 * memfd_create) before its first include.
 */
#ifndef RINGLAB_FUZZ_H
#define RINGLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test: say which, then crash for libFuzzer
 * (run.sh prints the INVARIANT FAILED line as the target's summary). */
#define CHECK(cond, what)                                                            \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "INVARIANT FAILED: %s\n", what);             \
			abort();                                                     \
		}                                                                    \
	} while (0)

/* Write the input into one memfd named `name`, made on the first call, and return
 * its path (/proc/self/fd/N), valid until the next call. Aborts if the host cannot:
 * that is the harness failing, not the code under test. */
static inline const char *fuzz_input_file(const char *name, const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create(name, 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	return path;
}

#endif

/*
 * fuzz_loader.c — libFuzzer target for the multiboot boot loader (core/loader.c).
 *
 * The input is a kernel file. loader_load() takes a path, so the bytes are written to
 * an in-memory file (memfd) and handed over as /proc/self/fd/N, the way `bench boot`
 * hands it a file name; the same file is also passed as one module, so the module
 * path (a second read, placement after the info area) is fuzzed too. Guest RAM is
 * 16 MB, allocated once; what the loader leaves in it does not matter.
 *
 * The loader must either succeed with a hand-off inside RAM (entry aside: a kernel may
 * name any entry point) or fail with a one-line message; it must never touch memory
 * outside RAM, abort, or read forever. Seeds (tests/fuzz/corpus/loader/) are tiny ELF
 * and a.out-kludge images made by tests/fuzz/lib/mkseeds.py, and a test kernel.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loader.h"
#include "tests/fuzz/lib/fuzz.h"

#define RAM (16u << 20)

static u8 *ram;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ram && !(ram = calloc(1, RAM)))
		abort();
	const char *path = fuzz_input_file("fuzz-kernel", data, size);

	const struct boot_module mod = { path, "module a=1" };
	struct boot_info bi;
	char err[512];
	err[0] = 0;
	int rc = loader_load(ram, RAM, path, "kernel a=1 b", &mod, 1, &bi, err, sizeof(err));
	if (rc == 0)
		CHECK(bi.magic == MULTIBOOT_BOOTLOADER_MAGIC && bi.mbi < RAM && bi.kernel_hi <= RAM &&
			      bi.kernel_lo <= bi.kernel_hi,
		      "loader_load: success means the magic, and the kernel and info inside RAM");
	else
		CHECK(rc == -1 && err[0] && !strchr(err, '\n'), "loader_load: -1 with one line");
	return 0;
}

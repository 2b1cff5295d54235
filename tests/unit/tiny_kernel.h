/*
 * tiny_kernel.h — a throwaway multiboot kernel for unit tests that run a few bytes of
 * guest code through the real machine (test_seam.c, the test_bt*.c): an a.out-kludge
 * image written to a temporary file, its code loaded at 1 MiB, and a run of it.
 */
#ifndef RINGLAB_TINY_KERNEL_H
#define RINGLAB_TINY_KERNEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vm.h"

#define TINY_PATH_MAX 256

/* Write a kernel whose code is `code` (n bytes) to a new file ringlab-NAME-XXXXXX in
 * $TMPDIR (or /tmp), its name into `path` (TINY_PATH_MAX bytes). */
static inline void tiny_kernel_at(char *path, const char *name, const u8 *code, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int len = snprintf(path, TINY_PATH_MAX, "%s/ringlab-%s-XXXXXX", dir && *dir ? dir : "/tmp", name);
	assert_true(len > 0 && len < TINY_PATH_MAX);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	u32 h[8] = { 0x1BADB002u, 1u << 16, 0, 0x100000, 0x100000, 0, 0, 0x100020 };
	h[2] = (u32) - (h[0] + h[1]);
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(write(fd, code, n), (ssize_t)n);
	close(fd);
}

/* Boot `code` (n bytes, at 0x100020) under `engine`/`mmu` on p4-2006 with 16 MB, its
 * console discarded, until it stops; fail the test unless the status is `want`. Returns
 * the VM (the caller destroys it). */
static inline struct vm *tiny_run(const u8 *code, size_t n, const char *engine, const char *mmu, int want)
{
	static FILE *sink;
	char path[TINY_PATH_MAX], err[256];
	if (!sink)
		sink = fopen("/dev/null", "w");
	tiny_kernel_at(path, "tiny", code, n);
	struct vm_config cfg = { .kernel = path, .cmdline = "", .profile = "p4-2006", .profile_dir = "profiles",
				 .engine = engine, .mmu = mmu, .ram_mb = 16, .console = sink };
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	unlink(path);
	if (!vm)
		fail_msg("vm_create: %s", err);
	int st = vm_run(vm);
	if (st != want)
		fail_msg("status %d (exit code %d): %s", st, vm->exit_code, vm->reason);
	return vm;
}

#endif

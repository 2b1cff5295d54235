/*
 * tiny_kernel.h — a throwaway multiboot kernel for unit tests that run a few bytes of
 * guest code through the real machine (test_seam.c, test_bt.c): an a.out-kludge image
 * written to a temporary file, its code loaded at 1 MiB.
 */
#ifndef RINGLAB_TINY_KERNEL_H
#define RINGLAB_TINY_KERNEL_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write a kernel whose code is `code` (n bytes) to a new file named from `tmpl` (a
 * mkstemp template, copied into `path`). */
static inline void tiny_kernel_at(char *path, const char *tmpl, const u8 *code, size_t n)
{
	strcpy(path, tmpl);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	u32 h[8] = { 0x1BADB002u, 1u << 16, 0, 0x100000, 0x100000, 0, 0, 0x100020 };
	h[2] = (u32) - (h[0] + h[1]);
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(write(fd, code, n), (ssize_t)n);
	close(fd);
}

#endif

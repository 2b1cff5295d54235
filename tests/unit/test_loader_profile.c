/*
 * test_loader_profile.c — the multiboot loader (ELF and a.out kludge images built
 * here, bad images refused with one line) and the profile loader (the shipped
 * profile loads; missing, unknown and unsourced primitives and syntax errors are
 * refused with the file, and the line where Lua knows it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loader.h"
#include "core/profile.h"

#define RAM (16u << 20)

static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static u32 get32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, 4);
	return v;
}

static char *write_tmp(const void *data, size_t n, const char *suffix)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/ringlab-test-XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

/* A one-segment ELF: 0x40 bytes of code at paddr 0x100000, memsz 0x2000 (bss). */
static size_t make_elf(u8 *img, u32 entry, u32 paddr)
{
	memset(img, 0, 0x200);
	memcpy(img, "\177ELF\1\1\1", 7);
	put16(img + 16, 2);      /* ET_EXEC */
	put16(img + 18, 3);      /* EM_386 */
	put32(img + 20, 1);
	put32(img + 24, entry);
	put32(img + 28, 52);     /* phoff */
	put16(img + 40, 52);
	put16(img + 42, 32);
	put16(img + 44, 1);
	u8 *ph = img + 52;
	put32(ph, 1);            /* PT_LOAD */
	put32(ph + 4, 0x100);    /* offset */
	put32(ph + 8, 0xc0000000u + paddr);
	put32(ph + 12, paddr);
	put32(ph + 16, 0x40);
	put32(ph + 20, 0x2000);
	/* multiboot header at file offset 0x100 (inside the segment) */
	put32(img + 0x100, 0x1BADB002);
	put32(img + 0x104, 3);
	put32(img + 0x108, (u32)-(0x1BADB002 + 3));
	memset(img + 0x10c, 0x90, 0x34);
	return 0x140;
}

static void test_elf_load_and_info(void **state)
{
	u8 img[0x200];
	size_t n = make_elf(img, 0xc0100010u, 0x100000);
	char *path = strdup(write_tmp(img, n, ".elf"));
	u8 *ram = calloc(1, RAM);
	memset(ram + 0x100040, 0xaa, 0x100); /* must be zeroed as bss */
	struct boot_info bi;
	char err[256];
	assert_int_equal(loader_load(ram, RAM, path, "kernel.elf prog n=3", NULL, 0, &bi, err, sizeof(err)), 0);
	assert_int_equal(bi.magic, 0x2BADB002);
	assert_int_equal(bi.entry, 0x100010); /* virtual entry translated to physical */
	assert_int_equal(get32(ram + 0x100000), 0x1BADB002);
	assert_int_equal(ram[0x100040], 0);
	const u8 *mbi = ram + bi.mbi;
	assert_int_equal(get32(mbi) & 0x45, 0x45); /* mem, cmdline, mmap */
	assert_int_equal(get32(mbi + 4), 639);
	assert_int_equal(get32(mbi + 8), (RAM - 0x20000 - 0x100000) >> 10);
	assert_string_equal((const char *)ram + get32(mbi + 16), "kernel.elf prog n=3");
	u32 mmap = get32(mbi + 48), len = get32(mbi + 44);
	assert_int_equal(len, 6 * 24);
	assert_int_equal(get32(ram + mmap + 4), 0);
	assert_int_equal(get32(ram + mmap + 12), 0x9fc00);
	assert_int_equal(get32(ram + mmap + 24 * 3 + 4), 0x100000);
	assert_int_equal(get32(ram + mmap + 24 * 3 + 20), 1);
	assert_true(bi.mbi >= bi.kernel_hi);
	unlink(path);
	free(path);
	free(ram);
}

static void test_aout_kludge(void **state)
{
	u8 img[0x100] = { 0 };
	put32(img + 0, 0x1BADB002);
	put32(img + 4, 0x10003);
	put32(img + 8, (u32)-(0x1BADB002 + 0x10003));
	put32(img + 12, 0x200000); /* header_addr */
	put32(img + 16, 0x200000); /* load_addr */
	put32(img + 20, 0x200100); /* load_end */
	put32(img + 24, 0x201000); /* bss_end */
	put32(img + 28, 0x200020); /* entry */
	img[0x20] = 0xf4;
	char *path = write_tmp(img, sizeof(img), ".bin");
	u8 *ram = calloc(1, RAM);
	struct boot_info bi;
	char err[256];
	assert_int_equal(loader_load(ram, RAM, path, "", NULL, 0, &bi, err, sizeof(err)), 0);
	assert_int_equal(bi.entry, 0x200020);
	assert_int_equal(ram[0x200020], 0xf4);
	assert_int_equal(bi.kernel_hi, 0x201000);
	unlink(path);
	free(ram);
}

static void test_bad_kernels(void **state)
{
	u8 *ram = calloc(1, RAM);
	struct boot_info bi;
	char err[256];
	assert_int_equal(loader_load(ram, RAM, "/nonexistent", "", NULL, 0, &bi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	u8 junk[100] = "just text";
	char *path = write_tmp(junk, sizeof(junk), ".txt");
	assert_int_equal(loader_load(ram, RAM, path, "", NULL, 0, &bi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a multiboot kernel"));
	unlink(path);
	u8 img[0x200];
	size_t n = make_elf(img, 0x100000, 0x100000);
	put32(img + 0x108, 0); /* bad checksum */
	path = write_tmp(img, n, ".elf");
	assert_int_equal(loader_load(ram, RAM, path, "", NULL, 0, &bi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "checksum"));
	unlink(path);
	n = make_elf(img, 0x100000, 0x2000000); /* beyond 16 MB of RAM */
	path = write_tmp(img, n, ".elf");
	assert_int_equal(loader_load(ram, RAM, path, "", NULL, 0, &bi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside"));
	unlink(path);
	n = make_elf(img, 0x100000, 0x100000);
	path = write_tmp(img, 0x120, ".elf"); /* truncated inside the segment */
	assert_int_equal(loader_load(ram, RAM, path, "", NULL, 0, &bi, err, sizeof(err)), -1);
	unlink(path);
	free(ram);
}

static void test_shipped_profile_loads(void **state)
{
	struct profile p;
	char err[512];
	assert_int_equal(profile_load_named(&p, "profiles", "p4-2006", err, sizeof(err)), 0);
	assert_string_equal(p.name, "p4-2006");
	assert_int_equal(p.v[P_HZ], 3800000000ull);
	assert_int_equal(p.v[P_VMX_NESTED], 0);
	for (int i = 0; i < P_COUNT; i++)
		assert_true(p.src[i][0] != 0);
	assert_string_equal(profile_primitive_name(P_MEM_WALK_REF), "mem.walk_ref");
}

/* Write the shipped profile with one substitution and load it. */
static int load_variant(const char *from, const char *to, char *err, size_t n)
{
	FILE *f = fopen("profiles/p4-2006.lua", "r");
	assert_non_null(f);
	static char text[65536];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = 0;
	char *at = strstr(text, from);
	assert_non_null(at);
	static char out[65536];
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	char *path = write_tmp(out, strlen(out), ".lua");
	struct profile p;
	int rc = profile_load(&p, path, err, n);
	unlink(path);
	return rc;
}

static void test_profile_errors(void **state)
{
	char err[512];
	assert_int_equal(load_variant("    rdtsc      = { 80,  src = \"estimate\" },\n", "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing primitive 'sys.rdtsc'"));
	assert_int_equal(load_variant("rdtsc ", "rdtcs ", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown primitive 'sys.rdtcs'"));
	assert_int_equal(load_variant("{ 80,  src = \"estimate\" }", "{ 80 }", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no source"));
	assert_int_equal(load_variant("{ 80,", "{ -80,", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "non-negative integer"));
	assert_int_equal(load_variant("{ 80,", "{ 80 80,", err, sizeof(err)), -1);
	assert_non_null(strstr(err, ".lua:")); /* file:line: from Lua */
	struct profile p;
	assert_int_equal(profile_load_named(&p, "profiles", "nope", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "p4-2006"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_load_and_info),
		cmocka_unit_test(test_aout_kludge),
		cmocka_unit_test(test_bad_kernels),
		cmocka_unit_test(test_shipped_profile_loads),
		cmocka_unit_test(test_profile_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * loader.c — the multiboot (v1) boot loader (see loader.h).
 *
 * It reproduces what QEMU's `-kernel` does, since QEMU is the reference machine the
 * guest's output is compared against (the caller passes QEMU's command line: the
 * kernel's file name, then the arguments); the info structure, command
 * line, loader name and memory map sit in the first page-aligned memory after the
 * kernel; the memory map for RAM of size R is
 *     0 .. 0x9FC00 available, 0x9FC00 .. 0xA0000 reserved, 0xF0000 .. 0x100000 reserved,
 *     1 MiB .. R-128 KiB available, R-128 KiB .. R reserved, 0xFFFC0000 .. 4 GiB reserved
 * and the info flags are mem, boot_device, cmdline, mods, mmap and loader name.
 */
#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_SEARCH 8192

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }

static void wr32(u8 *ram, u32 pa, u32 v)
{
	ram[pa] = (u8)v;
	ram[pa + 1] = (u8)(v >> 8);
	ram[pa + 2] = (u8)(v >> 16);
	ram[pa + 3] = (u8)(v >> 24);
}

/* Read a whole file into memory. */
static u8 *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	u8 *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		u8 *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		snprintf(err, errlen, "%s: out of memory", path);
	*len = n;
	return buf;
}

/* Load the PT_LOAD segments of an ELF32 image. */
static int load_elf(const u8 *img, size_t len, u8 *ram, u32 ram_size, const char *path,
		    struct boot_info *out, char *err, size_t errlen)
{
	if (len < 52 || img[4] != 1 || img[5] != 1) {
		snprintf(err, errlen, "%s: not a 32-bit little-endian ELF file", path);
		return -1;
	}
	if (rd16(img + 18) != 3) {
		snprintf(err, errlen, "%s: ELF machine is not i386", path);
		return -1;
	}
	u32 phoff = rd32(img + 28), entry = rd32(img + 24);
	u16 phentsize = rd16(img + 42), phnum = rd16(img + 44);
	if (phentsize < 32 || (u64)phoff + (u64)phentsize * phnum > len) {
		snprintf(err, errlen, "%s: truncated ELF program headers", path);
		return -1;
	}
	u32 lo = 0xffffffffu, hi = 0, pentry = 0;
	bool entry_found = false;
	for (unsigned i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + (size_t)i * phentsize;
		if (rd32(ph) != 1) /* PT_LOAD */
			continue;
		u32 off = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
		u32 filesz = rd32(ph + 16), memsz = rd32(ph + 20);
		if (filesz > memsz || (u64)off + filesz > len) {
			snprintf(err, errlen, "%s: ELF segment %u lies outside the file", path, i);
			return -1;
		}
		if ((u64)paddr + memsz > ram_size) {
			snprintf(err, errlen, "%s: ELF segment %u (%#x..%#x) is outside the %u MiB of RAM",
				 path, i, paddr, paddr + memsz, ram_size >> 20);
			return -1;
		}
		memcpy(ram + paddr, img + off, filesz);
		memset(ram + paddr + filesz, 0, memsz - filesz);
		if (paddr < lo)
			lo = paddr;
		if (paddr + memsz > hi)
			hi = paddr + memsz;
		/* An entry given as a virtual address is translated like QEMU does. */
		if (!entry_found && entry >= paddr && entry - paddr < memsz) {
			pentry = entry;
			entry_found = true;
		} else if (!entry_found && entry >= vaddr && entry - vaddr < memsz) {
			pentry = entry - vaddr + paddr;
			entry_found = true;
		}
	}
	if (hi == 0) {
		snprintf(err, errlen, "%s: ELF file has no loadable segment", path);
		return -1;
	}
	out->entry = entry_found ? pentry : entry;
	out->kernel_lo = lo;
	out->kernel_hi = hi;
	return 0;
}

/* Load an image with the a.out kludge (header flag 16): addresses in the header. */
static int load_kludge(const u8 *img, size_t len, u32 hoff, u8 *ram, u32 ram_size,
		       const char *path, struct boot_info *out, char *err, size_t errlen)
{
	const u8 *h = img + hoff;
	if (hoff + 32 > len) {
		snprintf(err, errlen, "%s: truncated multiboot header", path);
		return -1;
	}
	u32 header_addr = rd32(h + 12), load_addr = rd32(h + 16), load_end = rd32(h + 20);
	u32 bss_end = rd32(h + 24), entry = rd32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > hoff) {
		snprintf(err, errlen, "%s: inconsistent a.out kludge addresses", path);
		return -1;
	}
	u32 file_start = hoff - (header_addr - load_addr);
	u32 size = load_end ? load_end - load_addr : (u32)(len - file_start);
	u32 end = bss_end > load_addr + size ? bss_end : load_addr + size;
	if ((u64)file_start + size > len || (u64)end > ram_size || load_end < load_addr * (load_end != 0)) {
		snprintf(err, errlen, "%s: a.out kludge image does not fit the file or RAM", path);
		return -1;
	}
	memcpy(ram + load_addr, img + file_start, size);
	memset(ram + load_addr + size, 0, end - (load_addr + size));
	out->entry = entry;
	out->kernel_lo = load_addr;
	out->kernel_hi = end;
	return 0;
}

int loader_load(u8 *ram, u32 ram_size, const char *path, const char *cmdline,
		const struct boot_module *mods, unsigned nmod, struct boot_info *out, char *err,
		size_t errlen)
{
	size_t len;
	memset(out, 0, sizeof(*out));
	u8 *img = slurp(path, &len, err, errlen);
	if (!img)
		return -1;
	int rc = -1;
	u32 hoff = 0;
	bool found = false;
	for (u32 o = 0; o + 12 <= len && o < MB_SEARCH; o += 4)
		if (rd32(img + o) == MB_HEADER_MAGIC) {
			hoff = o;
			found = true;
			break;
		}
	if (!found) {
		snprintf(err, errlen, "%s: not a multiboot kernel (no header in the first 8 KiB)", path);
		goto out;
	}
	u32 flags = rd32(img + hoff + 4);
	if (rd32(img + hoff) + flags + rd32(img + hoff + 8) != 0) {
		snprintf(err, errlen, "%s: multiboot header checksum is wrong", path);
		goto out;
	}
	if (flags & 0x0000fff8u & ~0x4u) {
		snprintf(err, errlen, "%s: multiboot header asks for unsupported features (flags %#x)", path, flags);
		goto out;
	}
	if (flags & 0x10000u)
		rc = load_kludge(img, len, hoff, ram, ram_size, path, out, err, errlen);
	else if (len >= 4 && !memcmp(img, "\177ELF", 4))
		rc = load_elf(img, len, ram, ram_size, path, out, err, errlen);
	else
		snprintf(err, errlen, "%s: neither ELF nor an a.out-kludge multiboot image", path);
	if (rc)
		goto out;

	/* The info area: first page after the kernel. */
	u32 at = (out->kernel_hi + 0xfff) & ~0xfffu;
	if (at < 0x100000 && out->kernel_hi <= 0x9f000)
		at = (out->kernel_hi + 0xfff) & ~0xfffu;
	u32 mbi = at, p = at + 0x100;
	size_t need = 0x100 + 6 * 24 + strlen(path) + strlen(cmdline ? cmdline : "") + 64 + nmod * 16;
	if ((u64)at + need + 0x1000 > ram_size - 0x20000) {
		snprintf(err, errlen, "%s: no room for the boot information after the kernel", path);
		rc = -1;
		goto out;
	}
	memset(ram + mbi, 0, 0x100);
	/* the command line, which the caller starts with the kernel's name as QEMU does */
	u32 cmd = p;
	int n = snprintf((char *)ram + p, need, "%s", cmdline ? cmdline : "");
	p += (u32)n + 1;
	u32 name = p;
	memcpy(ram + p, "ringlab", 8);
	p = (p + 8 + 3) & ~3u;
	/* memory map */
	u32 mmap = p;
	const u32 map[6][3] = {
		{ 0, 0x9fc00, 1 },           { 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },     { 0x100000, ram_size - 0x20000 - 0x100000, 1 },
		{ ram_size - 0x20000, 0x20000, 2 }, { 0xfffc0000u, 0x40000, 2 },
	};
	for (int i = 0; i < 6; i++) {
		wr32(ram, p, 20);
		wr32(ram, p + 4, map[i][0]);
		wr32(ram, p + 8, 0);
		wr32(ram, p + 12, map[i][1]);
		wr32(ram, p + 16, 0);
		wr32(ram, p + 20, map[i][2]);
		p += 24;
	}
	/* modules, page-aligned after the info area */
	u32 modlist = p, modbase = (p + nmod * 16 + 0xfff) & ~0xfffu;
	p += nmod * 16;
	for (unsigned i = 0; i < nmod; i++) {
		size_t mlen;
		u8 *m = slurp(mods[i].path, &mlen, err, errlen);
		if (!m || (u64)modbase + mlen + 256 > ram_size - 0x20000) {
			if (m)
				snprintf(err, errlen, "%s: module does not fit in RAM", mods[i].path);
			free(m);
			rc = -1;
			goto out;
		}
		memcpy(ram + modbase, m, mlen);
		free(m);
		u32 str = (modbase + (u32)mlen + 15) & ~15u;
		int sl = snprintf((char *)ram + str, 256, "%s", mods[i].string ? mods[i].string : "");
		wr32(ram, modlist + i * 16, modbase);
		wr32(ram, modlist + i * 16 + 4, modbase + (u32)mlen);
		wr32(ram, modlist + i * 16 + 8, str);
		wr32(ram, modlist + i * 16 + 12, 0);
		modbase = (str + (u32)sl + 1 + 0xfff) & ~0xfffu;
	}
	wr32(ram, mbi + 0, 0x24f); /* mem, boot_device, cmdline, mods, mmap, loader name */
	wr32(ram, mbi + 4, 639);
	wr32(ram, mbi + 8, (ram_size - 0x20000 - 0x100000) >> 10);
	wr32(ram, mbi + 12, 0x8000ffffu);
	wr32(ram, mbi + 16, cmd);
	wr32(ram, mbi + 20, nmod);
	wr32(ram, mbi + 24, modlist);
	wr32(ram, mbi + 44, 6 * 24);
	wr32(ram, mbi + 48, mmap);
	wr32(ram, mbi + 64, name);
	out->magic = MULTIBOOT_BOOTLOADER_MAGIC;
	out->mbi = mbi;
	rc = 0;
out:
	free(img);
	return rc;
}

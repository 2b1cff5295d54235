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
 *
 * Files are read defensively: only regular files (a directory, /dev/zero or a FIFO is
 * refused by name), at most LOADER_MAX_FILE bytes, and the multiboot header is looked
 * for in the first 8 KiB before the rest is read. Every address computed from the
 * header is checked in 64 bits, so nothing can wrap past 4 GiB into RAM it does not own.
 */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Read all of fd (at most `cap` bytes) into buf; returns the bytes read or -1. */
static ssize_t read_all(int fd, u8 *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (!got)
			break;
		n += (size_t)got;
	}
	return (ssize_t)n;
}

/* Read a whole regular file of at most LOADER_MAX_FILE bytes into memory. With
 * `need_header`, the first MB_SEARCH bytes must hold a multiboot header magic before
 * the rest is read (*hdr_found says whether it did). */
static u8 *slurp(const char *path, size_t *len, bool need_header, bool *hdr_found, char *err,
		 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file (a device, FIFO or socket)");
		close(fd);
		return NULL;
	}
	if ((u64)st.st_size > LOADER_MAX_FILE) {
		snprintf(err, errlen, "%s: too large (%llu bytes; at most %u MiB)", path,
			 (unsigned long long)st.st_size, LOADER_MAX_FILE >> 20);
		close(fd);
		return NULL;
	}
	/* the size can change under us: read at most one byte more than it said */
	size_t cap = (size_t)st.st_size + 1;
	u8 *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	size_t head = cap < MB_SEARCH ? cap : MB_SEARCH;
	ssize_t n = read_all(fd, buf, head);
	if (n >= 0 && need_header) {
		*hdr_found = false;
		for (size_t o = 0; o + 12 <= (size_t)n; o += 4)
			if (rd32(buf + o) == MB_HEADER_MAGIC)
				*hdr_found = true;
		if (!*hdr_found) {
			close(fd);
			*len = (size_t)n;
			return buf;
		}
	}
	if (n >= 0 && (size_t)n == head && head < cap) {
		ssize_t more = read_all(fd, buf + head, cap - head);
		n = more < 0 ? -1 : n + more;
	}
	int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		free(buf);
		return NULL;
	}
	if ((size_t)n == cap) {
		snprintf(err, errlen, "%s: the file grew while it was read", path);
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
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
	if ((u64)hoff + 32 > len) {
		snprintf(err, errlen, "%s: truncated multiboot header", path);
		return -1;
	}
	u32 header_addr = rd32(h + 12), load_addr = rd32(h + 16), load_end = rd32(h + 20);
	u32 bss_end = rd32(h + 24), entry = rd32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > hoff) {
		snprintf(err, errlen, "%s: inconsistent a.out kludge addresses", path);
		return -1;
	}
	if (load_end && load_end < load_addr) {
		snprintf(err, errlen, "%s: a.out kludge load_end %#x is below load_addr %#x", path, load_end, load_addr);
		return -1;
	}
	/* all in 64 bits: load_addr + size must not wrap past 4 GiB */
	u64 file_start = hoff - (header_addr - load_addr);
	u64 size = load_end ? (u64)load_end - load_addr : (u64)len - file_start;
	u64 load_top = (u64)load_addr + size;
	u64 end = bss_end > load_top ? bss_end : load_top;
	if (file_start + size > len || load_top > ram_size || end > ram_size) {
		snprintf(err, errlen, "%s: a.out kludge image (%#x..%#llx) does not fit the file or the %u MiB of RAM",
			 path, load_addr, (unsigned long long)end, ram_size >> 20);
		return -1;
	}
	memcpy(ram + load_addr, img + file_start, (size_t)size);
	memset(ram + load_top, 0, (size_t)(end - load_top));
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
	bool found = false;
	memset(out, 0, sizeof(*out));
	u8 *img = slurp(path, &len, true, &found, err, errlen);
	if (!img)
		return -1;
	int rc = -1;
	u32 hoff = 0;
	found = false;
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
		u8 *m = slurp(mods[i].path, &mlen, false, NULL, err, errlen);
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

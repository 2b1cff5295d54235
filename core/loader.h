/*
 * loader.h — a multiboot (v1) loader: the boot loader of the simulated PC.
 *
 * Loads a kernel file into guest-physical memory the way GRUB or QEMU's -kernel does,
 * and leaves the machine in the state the Multiboot Specification 0.6.96 §3.2 defines:
 * EAX = 0x2BADB002, EBX = physical address of the multiboot information structure,
 * flat 32-bit segments, protected mode on, paging off, interrupts off.
 *
 * Supported: ELF32 executables (PT_LOAD segments at their physical addresses) and the
 * a.out kludge (header flag bit 16); the info structure with mem_lower/mem_upper, the
 * command line, modules, and a memory map like QEMU's (RAM below 639 KiB, a reserved
 * hole up to 1 MiB, RAM from 1 MiB to the end of memory).
 */
#ifndef RINGLAB_LOADER_H
#define RINGLAB_LOADER_H

#include "types.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* The largest kernel or module file the loader reads (no guest RAM is larger). */
#define LOADER_MAX_FILE (256u << 20)

struct boot_module {
	const char *path;
	const char *string; /* the module's command line (may be NULL) */
};

struct boot_info {
	u32 entry;      /* EIP to start at */
	u32 magic;      /* value for EAX */
	u32 mbi;        /* value for EBX: physical address of the info structure */
	u32 kernel_lo;  /* lowest physical byte the kernel occupies */
	u32 kernel_hi;  /* one past the highest */
};

/* Load the multiboot kernel at `path` into `ram` (`ram_size` bytes of guest-physical
 * memory starting at 0), with the complete command line `cmdline` (QEMU's: the
 * kernel's name, a space, the arguments) and `nmod` modules. Returns 0 and
 * fills `out`; or returns -1 with one line in `err` (missing file, a directory or
 * other non-regular file, a file over LOADER_MAX_FILE, not ELF or a.out kludge, no
 * multiboot header in the first 8 KiB (checked before the rest is read), bad checksum,
 * a segment outside RAM or wrapping past 4 GiB, an unsupported header flag). Never
 * aborts on bad input. */
int loader_load(u8 *ram, u32 ram_size, const char *path, const char *cmdline,
		const struct boot_module *mods, unsigned nmod, struct boot_info *out, char *err,
		size_t errlen);

#endif

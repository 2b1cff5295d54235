/*
 * sensitive.c — the kernel half of the `sensitive` program: what Robin & Irvine's
 * sensitive instructions (USENIX Security 2000) answer in ring 0, where the kernel
 * believes it runs. On a real machine, and under every VMM that virtualizes the x86
 * correctly, each answer is the one the kernel's own state implies; a naive
 * trap-and-emulate VMM that runs the kernel in ring 1 gets several wrong without any
 * fault (POPF ignores IF, CS reveals ring 1, SGDT/SIDT/SMSW/STR reveal the VMM's own
 * tables and registers): that is why the x86 was not virtualizable by trap and emulate.
 *
 * Each check writes (expected, got) into the caller's array, in the order of
 * sensitive_names (guest/user/sensitive.c prints them).
 */
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "pvops.h"
#include "syscalls.h"

struct dtr {
	uint16 limit;
	uint32 base;
} __attribute__((packed));

/* LAR/LSL/VERW of `sel`: the result and ZF. */
static uint32 lar(uint32 sel, uint32 *zf)
{
	uint32 v = 0, z;
	__asm__ volatile("larl %2, %0; setz %b1; movzbl %b1, %1" : "+r"(v), "=q"(z) : "r"(sel));
	*zf = z;
	return v;
}

static uint32 lsl(uint32 sel, uint32 *zf)
{
	uint32 v = 0, z;
	__asm__ volatile("lsll %2, %0; setz %b1; movzbl %b1, %1" : "+r"(v), "=q"(z) : "r"(sel));
	*zf = z;
	return v;
}

static uint32 verw(uint32 sel)
{
	uint32 z;
	__asm__ volatile("verw %w1; setz %b0; movzbl %b0, %0" : "=q"(z) : "r"(sel));
	return z;
}

int sensitive_kernel(uint32 *out, int max)
{
	int n = 0;
#define CHECK(exp, got)                                                   \
	do {                                                              \
		if (n + 2 <= max) {                                        \
			out[n] = (uint32)(exp);                            \
			out[n + 1] = (uint32)(got);                        \
		}                                                          \
		n += 2;                                                    \
	} while (0)
	uint32 v, z, cr0, fl;
	struct dtr d;
	/* CS reveals the current privilege level */
	__asm__ volatile("movl %%cs, %0" : "=r"(v));
	CHECK(0, v & 3);
	/* POPF sets IF in ring 0 (it is silently ignored where CPL > IOPL); the system
	 * call entered with IF clear (an interrupt gate) */
	fl = pv.save_fl();
	__asm__ volatile("pushfl; orl $0x200, (%%esp); popfl; pushfl; popl %0" : "=r"(v)::"memory", "cc");
	pv.restore_fl(fl);
	CHECK(0x200, v & 0x200);
	/* PUSHF shows the IOPL the kernel runs with */
	CHECK(0, (v >> 12) & 3);
	/* SGDT, SIDT: the kernel's own tables */
	__asm__ volatile("sgdt %0" : "=m"(d));
	CHECK(gdt_address(), d.base);
	__asm__ volatile("sidt %0" : "=m"(d));
	CHECK(idt_address(), d.base);
	/* SMSW: the low half of the CR0 the kernel reads */
	__asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("smsw %0" : "=r"(v));
	CHECK(cr0 & 0xffff, v & 0xffff);
	/* STR, SLDT: the kernel's TSS, no LDT */
	__asm__ volatile("str %0" : "=r"(v));
	CHECK(TSS_SEL, v & 0xffff);
	__asm__ volatile("sldt %0" : "=r"(v));
	CHECK(0, v & 0xffff);
	/* LAR: the kernel's code segment has DPL 0; LSL: its data segment is flat; VERW */
	v = lar(KCODE_SEL, &z);
	CHECK(0, z ? (v >> 13) & 3 : 9);
	v = lsl(KDATA_SEL, &z);
	CHECK(0xffffffffu, z ? v : 0);
	CHECK(1, verw(KDATA_SEL));
#undef CHECK
	return n / 2;
}

/*
 * edges.c — what a hostile or careless guest can do to the machine, checked against
 * QEMU: reads and writes of unassigned physical memory (beyond RAM, with paging off
 * and through page tables), an instruction that straddles two virtual pages backed by
 * non-adjacent frames whose second frame is then rewritten (self-modifying code), an
 * exception frame pushed onto code that has just run, and a REP string instruction
 * long enough that it must be interruptible (a timer interrupt arrives in its middle
 * and it completes afterwards). With `huge-rep` on its command line it runs a REP INSB of
 * 4e9 iterations, for bench boot's instruction budget; with `icebp`, an INT1 whose
 * delivery a VMM interrupts; with `markers`, 20000 measurement markers (all three in
 * scripts/test-boot.sh).
 */
#include "sys.h"

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));
static u8 frames[3][4096] __attribute__((aligned(4096)));

static u32 rd(u32 a) { return *(volatile u32 *)a; }
static void wr(u32 a, u32 v) { *(volatile u32 *)a = v; }

/* Addresses that are no device on QEMU's PC (beyond 128 MB of RAM, below the IOAPIC). */
static const u32 unassigned[] = { 0x08000000, 0x08001000, 0x10000000, 0x40000000, 0xc0000000,
				  0xe0000000, 0xfe000000 };

static void unassigned_memory(const char *how, u32 bias)
{
	u32 crc = 0;
	for (unsigned i = 0; i < sizeof(unassigned) / 4; i++) {
		u32 a = unassigned[i] - bias;
		crc = rt_crc(crc, rd(a));
		wr(a, 0x12345678);
		crc = rt_crc(crc, rd(a));
		crc = rt_crc(crc, *(volatile u8 *)(a + 3));
	}
	rt_printf("unassigned %s crc=%x\n", how, crc);
}

#define WIN 0x00800000u /* the virtual window of the paging tests: PDE 2 */

/* Code at the end of virtual page WIN and the start of WIN+4K, whose frames are
 * frames[2] and frames[0] (not adjacent): mov $imm32,%eax; ret, split inside the
 * immediate. Rewriting the immediate through frames[0] must be seen. */
static void straddle(void)
{
	pt[0] = (u32)frames[2] | 3;
	pt[1] = (u32)frames[0] | 3;
	u8 *a = frames[2] + 4096 - 3, *b = frames[0];
	a[0] = 0xb8; a[1] = 0x11; a[2] = 0x22;       /* mov $0x..442211, %eax */
	b[0] = 0x33; b[1] = 0x44; b[2] = 0xc3;       /* ...; ret */
	u32 (*fn)(void) = (u32(*)(void))(WIN + 4096 - 3);
	u32 first = fn();
	b[0] = 0x77; b[1] = 0x66;                    /* through the identity map */
	u32 second = fn();
	rt_printf("straddle first=%x second=%x\n", first, second);
}

void kmain(void)
{
	sys_init();
	if (rt_has("icebp")) {
		/* INT1 (ICEBP) whose delivery is the first use of the IDT and stack pages
		 * under paging: under a VMM the delivery exits (a hidden fault, an EPT
		 * violation) and must resume as the same trap, returning after the INT1.
		 * QEMU's TCG raises #UD for it, so this is compared between ringlab's
		 * configurations only (scripts/test-boot.sh). */
		static u32 dir[1024] __attribute__((aligned(4096)));
		static u32 low[1024] __attribute__((aligned(4096)));
		for (u32 i = 0; i < 1024; i++)
			low[i] = (i << 12) | 3;
		dir[0] = (u32)low | 3;
		__asm__ volatile("mov %0, %%cr3\n\tmov %%cr0, %%eax\n\torl $0x80000000, %%eax\n\tmov %%eax, %%cr0"
				 ::"r"(dir) : "eax");
		u32 at;
		last.count = 0;
		__asm__ volatile("movl $1f, resume_eip\n\tmovl $2f, %0\n\t2: .byte 0xf1\n\t1:" : "=r"(at)::"memory");
		rt_printf("icebp: vec %u eip +%u\n", last.count ? last.vec : 99, last.count ? last.eip - at : 0);
		return;
	}
	if (rt_has("markers")) {
		/* 20000 measurement markers: the host keeps the first VM_MAX_MARKS and
		 * counts the rest (each snapshot holds every counter), so a guest looping
		 * on markers cannot exhaust the host's memory */
		for (u32 i = 0; i < 10000; i++) {
			__asm__ volatile("xchg %%bx, %%bx" ::"a"(0x524C0001u), "d"(i) : "memory");
			__asm__ volatile("xchg %%bx, %%bx" ::"a"(0x524C0002u), "d"(i) : "memory");
		}
		rt_printf("markers done\n");
		return;
	}
	if (rt_has("huge-rep")) {
		/* for bench boot --max-insns: 4e9 iterations of port input must stop at the
		 * budget (REP is interruptible), not after writing 4 GB */
		u32 n = 0xef967c88u, dst = 0x200000;
		__asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(n) : "d"(0x80) : "memory");
		rt_printf("huge rep finished: left %u\n", n);
		return;
	}
	unassigned_memory("paging-off", 0);

	/* identity-map 0-4 MB, and map WIN.. to unassigned frames and test frames */
	for (u32 i = 0; i < 1024; i++)
		pd[0] = 0;
	static u32 low[1024] __attribute__((aligned(4096)));
	for (u32 i = 0; i < 1024; i++)
		low[i] = (i << 12) | 3;
	pd[0] = (u32)low | 3;
	pd[2] = (u32)pt | 3;
	for (unsigned i = 0; i < sizeof(unassigned) / 4; i++)
		pt[16 + i] = unassigned[i] | 3;
	__asm__ volatile("mov %0, %%cr3\n\tmov %%cr0, %%eax\n\torl $0x80010000, %%eax\n\tmov %%eax, %%cr0"
			 ::"r"(pd) : "eax");
	u32 crc = 0;
	for (unsigned i = 0; i < sizeof(unassigned) / 4; i++) {
		u32 a = WIN + (16 + i) * 4096;
		crc = rt_crc(crc, rd(a));
		wr(a, 0x12345678);
		crc = rt_crc(crc, rd(a));
	}
	rt_printf("unassigned paging-on crc=%x\n", crc);

	straddle();

	/* ud2 with ESP just past it: the #UD frame overwrites the instruction */
	static u8 stackcode[64] __attribute__((aligned(16)));
	stackcode[32] = 0x0f;
	stackcode[33] = 0x0b;
	last.count = 0;
	__asm__ volatile("movl $1f, resume_eip\n\t"
			 "movl %%esp, %%ebx\n\t"
			 "leal 40(%0), %%esp\n\t"
			 "call *%1\n\t"
			 "1: movl %%ebx, %%esp" ::"r"(stackcode), "r"(stackcode + 32) : "ebx", "memory");
	rt_printf("frame on code: vec %u\n", last.count ? last.vec : 99);

	/* a long REP STOSB */
	static u8 big[1u << 20];
	u32 n = sizeof(big);
	__asm__ volatile("cld; rep stosb" : "+D"((u32){ (u32)big }), "+c"(n) : "a"(0x5a) : "memory");
	u32 sum = 0;
	for (u32 i = 0; i < sizeof(big); i += 4096)
		sum += big[i];
	rt_printf("rep stosb left=%u sum=%u\n", n, sum);
}

/*
 * paging.c — 2-level paging: 4 KB pages and a 4 MB page (CR4.PSE), accessed and dirty
 * bits as the walk sets them, page faults with their error codes and CR2 (not
 * present, write to read-only with CR0.WP on and off, a fetch from an unmapped page,
 * user access to a supervisor page), INVLPG after changing a PTE, two virtual pages
 * aliasing one frame, global pages (CR4.PGE), and self-modifying code written
 * directly and through an alias.
 */
#include "sys.h"

static u32 pd[1024] __attribute__((aligned(4096)));
static volatile u32 pt[2][1024] __attribute__((aligned(4096)));

#define V(x) ((u32)(x))
#define TESTPAGE 0x00800000u  /* 8 MB: PDE 2 -> pt[1] */
#define BIGPAGE 0x00c00000u   /* 12 MB: a 4 MB page */

static void invlpg(u32 va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

static volatile u32 *pte(u32 va) { return &pt[1][(va >> 12) & 1023]; }

#define ARMED "movl $1f, resume_eip\n\t"
#define END "\n1:"

static void pf_print(const char *what)
{
	rt_printf("%s: vec %u err %x cr2 %x\n", what, last.count ? last.vec : 99, last.count ? last.err : 0,
		  last.count ? last.cr2 : 0);
	last.count = 0;
}

static u8 code_page[4096] __attribute__((aligned(4096)));

void kmain(void)
{
	sys_init();
	/* identity map 0-4 MB and 4-8 MB with 4 KB pages (pt[0] and a 4 MB PDE for 4-8) */
	for (u32 i = 0; i < 1024; i++)
		pt[0][i] = (i << 12) | 7;
	pd[0] = V(pt[0]) | 7;
	pd[1] = 0x00400000u | 0x87;  /* 4-8 MB as a 4 MB page */
	pd[2] = V(pt[1]) | 7;        /* 8-12 MB: the test page table, initially empty */
	pd[3] = BIGPAGE | 0x83;      /* 12-16 MB: 4 MB supervisor page */
	__asm__ volatile("mov %%cr4, %%eax\n\torl $0x90, %%eax\n\tmov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3\n\tmov %%cr0, %%eax\n\torl $0x80000000, %%eax\n\tmov %%eax, %%cr0"
			 :: "r"(pd) : "eax");
	rt_printf("paging on\n");

	/* A/D bits */
	*pte(TESTPAGE) = 0x00200000u | 3;
	invlpg(TESTPAGE);
	volatile u32 *p = (volatile u32 *)TESTPAGE;
	u32 v = *p;
	rt_printf("after read: pte %x pde %x\n", *pte(TESTPAGE) & 0xfff, pd[2] & 0xfff);
	*p = v + 1;
	rt_printf("after write: pte %x\n", *pte(TESTPAGE) & 0xfff);
	volatile u32 *big = (volatile u32 *)(BIGPAGE + 0x12340);
	v = *big;
	rt_printf("4MB page read: pde %x\n", pd[3] & 0xfff);
	*big = 5;
	rt_printf("4MB page write: pde %x, value %x\n", pd[3] & 0xfff, *(volatile u32 *)(BIGPAGE + 0x12340));

	/* faults */
	__asm__ volatile(ARMED "movl 0x801004, %%eax" END ::: "eax", "memory");
	pf_print("not present read");
	__asm__ volatile(ARMED "movl $1, 0x802008" END ::: "memory");
	pf_print("not present write");
	*pte(TESTPAGE + 0x3000) = 0x00203000u | 1; /* read-only */
	invlpg(TESTPAGE + 0x3000);
	__asm__ volatile(ARMED "movl $1, 0x803010" END ::: "memory");
	pf_print("ring 0 write to read-only, WP=0 (no fault)");
	__asm__ volatile("mov %%cr0, %%eax\n\torl $0x10000, %%eax\n\tmov %%eax, %%cr0" ::: "eax");
	__asm__ volatile(ARMED "movl $1, 0x803014" END ::: "memory");
	pf_print("ring 0 write to read-only, WP=1");
	__asm__ volatile(ARMED "jmp *%0" END ::"r"(0x805000u) : "memory");
	pf_print("fetch from an unmapped page");

	/* INVLPG makes a changed PTE visible */
	*(volatile u32 *)0x00206000u = 0x11111111;
	*(volatile u32 *)0x00207000u = 0x22222222;
	*pte(TESTPAGE + 0x6000) = 0x00206000u | 3;
	invlpg(TESTPAGE + 0x6000);
	u32 a1 = *(volatile u32 *)(TESTPAGE + 0x6000);
	*pte(TESTPAGE + 0x6000) = 0x00207000u | 3;
	invlpg(TESTPAGE + 0x6000);
	u32 a2 = *(volatile u32 *)(TESTPAGE + 0x6000);
	rt_printf("invlpg: %x then %x\n", a1, a2);

	/* aliases: two pages on one frame */
	*pte(TESTPAGE + 0x8000) = 0x00208000u | 3;
	*pte(TESTPAGE + 0x9000) = 0x00208000u | 3;
	invlpg(TESTPAGE + 0x8000);
	invlpg(TESTPAGE + 0x9000);
	*(volatile u32 *)(TESTPAGE + 0x8010) = 0xabcdef01;
	rt_printf("alias read: %x\n", *(volatile u32 *)(TESTPAGE + 0x9010));

	/* global page survives a CR3 reload (architecturally: it is still correct) */
	*pte(TESTPAGE + 0xa000) = 0x0020a000u | 0x103;
	invlpg(TESTPAGE + 0xa000);
	*(volatile u32 *)(TESTPAGE + 0xa000) = 77;
	__asm__ volatile("mov %%cr3, %%eax\n\tmov %%eax, %%cr3" ::: "eax");
	rt_printf("global page: %u pte %x\n", *(volatile u32 *)(TESTPAGE + 0xa000), *pte(TESTPAGE + 0xa000) & 0xfff);

	/* self-modifying code: write "mov $imm, %eax; ret", call, rewrite, call again */
	u8 *c = code_page;
	u32 r1, r2, r3;
	c[0] = 0xb8; c[1] = 1; c[2] = 0; c[3] = 0; c[4] = 0; c[5] = 0xc3;
	__asm__ volatile("call *%1" : "=a"(r1) : "r"(c) : "memory");
	c[1] = 2;
	__asm__ volatile("call *%1" : "=a"(r2) : "r"(c) : "memory");
	/* through an alias mapping of the code page */
	*pte(TESTPAGE + 0xb000) = V(code_page) | 3;
	invlpg(TESTPAGE + 0xb000);
	*(volatile u8 *)(TESTPAGE + 0xb001) = 3;
	__asm__ volatile("call *%1" : "=a"(r3) : "r"(c) : "memory");
	rt_printf("self-modifying code: %u %u %u\n", r1, r2, r3);

	/* user access to a supervisor page: from ring 3 */
	rt_printf("walk of unmapped pde: ");
	__asm__ volatile(ARMED "movl 0x40000000, %%eax" END ::: "eax", "memory");
	pf_print("pde not present");
}

/*
 * traps.c — exceptions raised in ring 0, each with its vector, error code, saved EIP,
 * CS and EFLAGS as the processor pushed them: #DE #DB (single step) #BP #OF #BR #UD
 * #NM #NP (segment and IDT gate) #SS #GP (selector beyond the GDT) and #DF (a not-present #GP gate).
 * #TS, #PF and the ring-3 faults are in rings.c and paging.c.
 */
#include "sys.h"

/* Arm the resume point at the end of the asm statement itself, so the compiler
 * cannot move it away from the faulting instruction. */
#define ARMED "movl $1f, resume_eip\n\t"
#define END "\n1:"

static u16 sel_load(u16 sel)
{
	u16 out;
	__asm__ volatile("mov %1, %%es\n\tmov %%es, %0\n\tmov $0x10, %%ax\n\tmov %%ax, %%es"
			 : "=r"(out) : "r"(sel) : "eax");
	return out;
}

void kmain(void)
{
	sys_init();
	/* extra descriptors: 6 not present, 7 read-only data, 8 data limit 0xfff,
	 * 9 not-present stack */
	sys_desc(6, 0, 0xffffffff, 0x3, 0, 1, 0, 1);
	sys_desc(7, 0, 0xffffffff, 0x1, 0, 1, 1, 1);
	sys_desc(8, 0, 0xfff, 0x3, 0, 1, 1, 1);
	sys_desc(9, 0, 0xffffffff, 0x3, 0, 1, 0, 1);
	volatile u32 zero = 0, x = 5;

	__asm__ volatile(ARMED "divl %1" END : "+a"(x) : "m"(zero) : "edx");
	trap_print("#DE div by zero", 0);

	__asm__ volatile(ARMED "pushf\n\torl $0x100, (%%esp)\n\tpopf\n\tnop\n\tnop\n\tnop" END ::: "memory");
	trap_print("#DB single step", 0);

	__asm__ volatile(ARMED "int3" END);
	trap_print("#BP int3", 0);

	__asm__ volatile(ARMED "mov $0x7fffffff, %%eax\n\tadd $1, %%eax\n\tinto" END ::: "eax", "cc");
	trap_print("#OF into", 0);

	static s32 bounds[2] = { 10, 20 };
	__asm__ volatile(ARMED "mov $25, %%eax\n\tbound %%eax, %0" END ::"m"(bounds) : "eax");
	trap_print("#BR bound", 0);

	__asm__ volatile(ARMED "ud2" END);
	trap_print("#UD ud2", 0);

	u32 cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | 4));
	__asm__ volatile(ARMED "fninit" END);
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	trap_print("#NM x87 with CR0.EM", 0);

	__asm__ volatile(ARMED "mov %0, %%es" END ::"r"(0x30) : "memory");
	__asm__ volatile("mov %0, %%es" ::"r"(0x10));
	trap_print("#NP not-present data segment", 0);

	sys_gate(0x41, 0, 0, 0);
	__asm__ volatile(ARMED "int $0x41" END);
	trap_print("#NP not-present IDT gate", 0);
	sys_gate(0x41, 0, 0, 1);

	__asm__ volatile(ARMED "mov $0x48, %%ax\n\tmov %%ax, %%ss" END ::: "eax");
	trap_print("#SS not-present stack segment", 0);

	__asm__ volatile(ARMED "mov %0, %%es" END ::"r"(0x78) : "memory");
	trap_print("#GP selector beyond the GDT", 0);

	/* Data-segment limit and rights checks on access (a write through a read-only
	 * segment, an offset beyond the limit, a null segment) are not modelled by QEMU's
	 * TCG, the reference here, so they are tested by tests/unit/test_cpu_traps.c. */

	/* #GP gate not present: #GP -> #NP while delivering -> #DF */
	sys_gate(13, 0, 0, 0);
	__asm__ volatile(ARMED "mov %0, %%es" END ::"r"(0x78) : "memory");
	sys_gate(13, 0, 0, 1);
	trap_print("#DF from #NP delivering #GP", 0);

	/* selectors and accessed bits after loads */
	rt_printf("loaded es=%x accessed=%x\n", sel_load(0x10), (gdt[2][1] >> 8) & 1);
}

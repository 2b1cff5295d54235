/*
 * gdt.c — the kernel's segments: flat ring-0 and ring-3 code and data, and one TSS
 * whose only job is to give the processor the ring-0 stack (ESP0) on a trap from user
 * mode; the scheduler updates it for each process through pv.set_kernel_stack.
 */
#include "defs.h"
#include "mmu.h"
#include "pvops.h"

static uint32 gdt[6][2];
static uint32 tss[26] __attribute__((aligned(16)));
uint32 *tss_esp0_slot = &tss[1];

uint32 gdt_address(void) { return (uint32)gdt; }

static void set_desc(int i, uint32 base, uint32 limit, uint32 type, uint32 dpl, int s, int gran)
{
	gdt[i][0] = (limit & 0xffff) | (base << 16);
	gdt[i][1] = ((base >> 16) & 0xff) | (type << 8) | ((uint32)s << 12) | (dpl << 13) | 0x8000u |
		    (limit & 0xf0000u) | (gran ? 0xc00000u : 0) | (base & 0xff000000u);
}

void gdt_init(void)
{
	set_desc(SEG_KCODE, 0, 0xfffff, 0xa, 0, 1, 1);
	set_desc(SEG_KDATA, 0, 0xfffff, 0x2, 0, 1, 1);
	set_desc(SEG_UCODE, 0, 0xfffff, 0xa, 3, 1, 1);
	set_desc(SEG_UDATA, 0, 0xfffff, 0x2, 3, 1, 1);
	set_desc(SEG_TSS, (uint32)tss, sizeof(tss) - 1, 0x9, 0, 0, 0);
	tss[2] = KDATA_SEL;               /* SS0 */
	tss[25] = (uint32)sizeof(tss) << 16; /* I/O map base beyond the limit: no bitmap */
	struct {
		uint16 limit;
		uint32 base;
	} __attribute__((packed)) d = { sizeof(gdt) - 1, (uint32)gdt };
	pv.load_gdt(&d);
	if (kernel_rpl) /* ring 1 (pv): the stack selector's RPL must be the CPL */
		__asm__ volatile("ljmp %0, $1f\n1:\n\t"
				 "movw %1, %%ax\n\tmovw %%ax, %%ds\n\tmovw %%ax, %%es\n\tmovw %%ax, %%ss\n\t"
				 "xorw %%ax, %%ax\n\tmovw %%ax, %%fs\n\tmovw %%ax, %%gs"
				 ::"i"(KCODE_SEL | 1), "i"(KDATA_SEL | 1) : "eax");
	else
		__asm__ volatile("ljmp %0, $1f\n1:\n\t"
				 "movw %1, %%ax\n\tmovw %%ax, %%ds\n\tmovw %%ax, %%es\n\tmovw %%ax, %%ss\n\t"
				 "xorw %%ax, %%ax\n\tmovw %%ax, %%fs\n\tmovw %%ax, %%gs"
				 ::"i"(KCODE_SEL), "i"(KDATA_SEL) : "eax");
	pv.load_tr(TSS_SEL);
}

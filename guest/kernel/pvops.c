/*
 * pvops.c — the native implementations of the paravirt-ops table: each is the
 * privileged instruction itself.
 */
#include "pvops.h"

#include "mmu.h"

static void n_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static void n_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

static uint32 n_save_fl(void)
{
	uint32 f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f)::"memory");
	return f;
}

static void n_restore_fl(uint32 f) { __asm__ volatile("pushl %0; popfl" ::"r"(f) : "memory", "cc"); }
static void n_load_cr3(uint32 pa) { __asm__ volatile("movl %0, %%cr3" ::"r"(pa) : "memory"); }

static uint32 n_read_cr2(void)
{
	uint32 v;
	__asm__ volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

static void n_invlpg(uint32 va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

static void n_flush_tlb(void)
{
	uint32 v;
	__asm__ volatile("movl %%cr3, %0; movl %0, %%cr3" : "=r"(v)::"memory");
}

static void n_set_pte(pte_t *p, pte_t v) { *(volatile pte_t *)p = v; }
static void n_set_pde(pde_t *p, pde_t v) { *(volatile pde_t *)p = v; }
static void n_load_gdt(void *d) { __asm__ volatile("lgdt (%0)" ::"r"(d) : "memory"); }
static void n_load_idt(void *d) { __asm__ volatile("lidt (%0)" ::"r"(d) : "memory"); }
static void n_load_tr(uint16 sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }

extern uint32 *tss_esp0_slot; /* gdt.c: the TSS ESP0 field */
static void n_set_kernel_stack(uint32 esp0) { *tss_esp0_slot = esp0; }

static void n_safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static uint8 n_inb(uint16 port)
{
	uint8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void n_outb(uint16 port, uint8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }

static uint16 n_inw(uint16 port)
{
	uint16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void n_outw(uint16 port, uint16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }

struct pv_ops pv = {
	.name = "native",
	.irq_disable = n_irq_disable, .irq_enable = n_irq_enable,
	.save_fl = n_save_fl, .restore_fl = n_restore_fl,
	.load_cr3 = n_load_cr3, .read_cr2 = n_read_cr2, .invlpg = n_invlpg,
	.flush_tlb = n_flush_tlb, .set_pte = n_set_pte, .set_pde = n_set_pde,
	.load_gdt = n_load_gdt, .load_idt = n_load_idt, .load_tr = n_load_tr,
	.set_kernel_stack = n_set_kernel_stack, .safe_halt = n_safe_halt,
	.inb = n_inb, .outb = n_outb, .inw = n_inw, .outw = n_outw,
};

const char *pv_pv_init(void); /* pvops_pv.c */

const char *pv_init(void)
{
	const char *m = pv_pv_init();
	return m ? m : "native";
}

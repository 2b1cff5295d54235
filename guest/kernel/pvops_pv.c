/*
 * pvops_pv.c — the paravirtual implementations of the paravirt-ops table: what the
 * kernel does instead of a privileged instruction when it runs in ring 1 under the pv
 * engine (pvabi.h is the contract).
 *
 * The interrupt flag is a byte in the page shared with the VMM (no exit to mask or
 * unmask); CR2 is read from that page; CR3 loads, TLB flushes, descriptor tables, the
 * kernel stack, halting and port I/O are hypercalls (the disk has a ring of its own:
 * pvblk.c). Page-table entries are plain
 * stores (pv/shadow traces them through its shadow tables). The return to user mode
 * is the processor's own IRET from ring 1 (pv_iret in trapasm.S), which restores the
 * virtual IF from the frame and asks for any event that arrived meanwhile.
 *
 * Under pv/direct (the VMM says PV_F_DIRECT_PT when the kernel registers) the page
 * tables are the processor's and read-only to the kernel: every entry is written by
 * PVH_MMU_UPDATE, which the VMM validates; a page becomes a page table only after the
 * kernel dropped its own writable mapping of it (alloc_pt, alloc_pgd), and directories
 * are pinned while they live. In lazy mode (fork, exit) updates and INVLPGs are queued
 * and sent in one PVH_MULTICALL, as Linux batches them in its lazy MMU mode.
 */
#include "defs.h"
#include "mmu.h"
#include "param.h"
#include "pvabi.h"
#include "pvops.h"

struct pv_shared pv_shared __attribute__((aligned(4096)));
uint32 kernel_rpl; /* 1 under pv: the kernel's selectors carry RPL 1 */

extern uint32 pv_boot_magic; /* boot.S: EDX at entry when started deprivileged */
extern uint32 pv_return_to_user, pv_iret;
void pv_syscall_entry(void);

int pv_registered;

static inline int hcall(uint32 op, uint32 a, uint32 b, uint32 c)
{
	int r;
	__asm__ volatile("int $0x82" : "=a"(r) : "a"(op), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

int pv_hcall(uint32 op, uint32 a, uint32 b, uint32 c) { return hcall(op, a, b, c); }

static void p_irq_disable(void)
{
	pv_shared.evt_mask = 1;
	__asm__ volatile("" ::: "memory");
}

static void p_irq_enable(void)
{
	__asm__ volatile("" ::: "memory");
	pv_shared.evt_mask = 0;
	__asm__ volatile("" ::: "memory");
	if (pv_shared.evt_pending)
		hcall(PVH_EVENT_CHECK, 0, 0, 0);
}

static uint32 p_save_fl(void) { return pv_shared.evt_mask ? 0 : FL_IF; }

static void p_restore_fl(uint32 f)
{
	if (f & FL_IF)
		p_irq_enable();
	else
		p_irq_disable();
}

static void p_load_cr3(uint32 pa) { hcall(PVH_NEW_BASEPTR, pa, 0, 0); }
static uint32 p_read_cr2(void) { return pv_shared.cr2; }
static void p_invlpg(uint32 va) { hcall(PVH_INVLPG, va, 0, 0); }
static void p_flush_tlb(void) { hcall(PVH_FLUSH_TLB, 0, 0, 0); }
static void p_set_pte(pte_t *p, pte_t v) { *(volatile pte_t *)p = v; }
static void p_set_pde(pde_t *p, pde_t v) { *(volatile pde_t *)p = v; }

/* --- pv/direct: validated updates, batched in lazy mode --- */

#define LAZY_UPDATES 128
#define LAZY_CALLS 32
static struct pv_mmu_update ubuf[LAZY_UPDATES];
static struct pv_multicall mbuf[LAZY_CALLS];
static uint32 nupd, ncall;
static int lazy;

/* Send what is queued: one hypercall, or a multicall of several. */
static void lazy_flush(void)
{
	if (!ncall)
		return;
	if (ncall == 1) {
		struct pv_multicall *m = &mbuf[0];
		m->result = hcall(m->op, m->args[0], m->args[1], 0);
	} else {
		hcall(PVH_MULTICALL, (uint32)mbuf, ncall, 0);
	}
	for (uint32 i = 0; i < ncall; i++)
		if (mbuf[i].result < 0)
			panic("pv: the VMM refused hypercall %u (%d): first entry %x = %x", mbuf[i].op,
			      mbuf[i].result, ubuf[0].ptr, ubuf[0].val);
	nupd = ncall = 0;
}

static void queue_call(uint32 op, uint32 a0, uint32 a1)
{
	if (ncall == LAZY_CALLS)
		lazy_flush();
	mbuf[ncall].op = op;
	mbuf[ncall].args[0] = a0;
	mbuf[ncall].args[1] = a1;
	mbuf[ncall].result = 0;
	ncall++;
}

static void queue_update(uint32 *entry, uint32 v)
{
	if (nupd == LAZY_UPDATES)
		lazy_flush();
	ubuf[nupd].ptr = V2P(entry);
	ubuf[nupd].val = v;
	if (ncall && mbuf[ncall - 1].op == PVH_MMU_UPDATE &&
	    mbuf[ncall - 1].args[0] + mbuf[ncall - 1].args[1] * sizeof(ubuf[0]) == (uint32)&ubuf[nupd])
		mbuf[ncall - 1].args[1]++;
	else
		queue_call(PVH_MMU_UPDATE, (uint32)&ubuf[nupd], 1);
	nupd++;
}

static void d_set_pte(pte_t *p, pte_t v)
{
	queue_update(p, v);
	if (!lazy)
		lazy_flush();
}

static void d_set_pde(pde_t *p, pde_t v)
{
	queue_update(p, v);
	lazy_flush(); /* the kernel reads a directory entry right after setting it */
}

static void d_invlpg(uint32 va)
{
	queue_call(PVH_INVLPG, va, 0);
	if (!lazy)
		lazy_flush();
}

static void d_flush_tlb(void)
{
	queue_call(PVH_FLUSH_TLB, 0, 0);
	if (!lazy)
		lazy_flush();
}

static void d_load_cr3(uint32 pa)
{
	lazy_flush();
	if (hcall(PVH_NEW_BASEPTR, pa, 0, 0) != PV_OK)
		panic("pv: the VMM refused page directory %x", pa);
}

int pv_batching = 1;

static void d_lazy_mmu(int on)
{
	lazy = on && pv_batching;
	if (!on)
		lazy_flush();
}

/* The direct map's entry for the kernel page at `va`: writable or not. */
static void kmap_writable(void *va, int w)
{
	pte_t *e = walk(kpgdir, (uint32)va, 0);
	if (!e)
		panic("pv: %x is not in the direct map", (uint32)va);
	d_set_pte(e, w ? (*e | PTE_W) : (*e & ~(uint32)PTE_W));
	d_invlpg((uint32)va);
}

static void d_alloc_pt(void *pt) { kmap_writable(pt, 0); }

static void d_alloc_pgd(pde_t *pd)
{
	kmap_writable(pd, 0);
	lazy_flush();
	if (hcall(PVH_PIN_TABLE, V2P(pd), 1, 0) != PV_OK)
		panic("pv: the VMM refused to pin page directory %x", V2P(pd));
}

static void d_release_pgd(pde_t *pd)
{
	lazy_flush();
	if (hcall(PVH_PIN_TABLE, V2P(pd), 0, 0) != PV_OK)
		panic("pv: the VMM refused to unpin page directory %x", V2P(pd));
	int was = lazy;
	lazy = 1;
	for (uint32 i = 0; i < PDX(KERNBASE); i++)
		if (pd[i] & PTE_P)
			kmap_writable(P2V(PTE_ADDR(pd[i])), 1);
	kmap_writable(pd, 1);
	lazy = was;
	if (!lazy)
		lazy_flush();
}

struct dtr {
	uint16 limit;
	uint32 base;
} __attribute__((packed));

static void p_load_gdt(void *d)
{
	struct dtr *t = d;
	if (hcall(PVH_SET_GDT, t->base, t->limit, 0) != PV_OK)
		panic("pv: the VMM refused the GDT");
}

/* The trap table is the IDT with one change: int $0x80 enters through a stub that
 * masks events first, since the processor delivers it without the VMM (trapasm.S). */
static uint32 trap_table[256][2];

static void p_load_idt(void *d)
{
	struct dtr *t = d;
	uint32 (*idt)[2] = (uint32(*)[2])t->base;
	uint32 n = ((uint32)t->limit + 1) / 8;
	for (uint32 v = 0; v < n && v < 256; v++) {
		trap_table[v][0] = idt[v][0];
		trap_table[v][1] = idt[v][1];
	}
	if (n > 0x80) {
		uint32 h = (uint32)pv_syscall_entry;
		trap_table[0x80][0] = (trap_table[0x80][0] & 0xffff0000u) | (h & 0xffff);
		trap_table[0x80][1] = (trap_table[0x80][1] & 0xffff) | (h & 0xffff0000u);
	}
	if (hcall(PVH_SET_TRAP_TABLE, (uint32)trap_table, t->limit, 0) != PV_OK)
		panic("pv: the VMM refused the trap table");
}

static void p_load_tr(uint16 sel) {} /* the VMM owns the TSS */

static void p_set_kernel_stack(uint32 esp0) { hcall(PVH_STACK_SWITCH, KDATA_SEL | 1, esp0, 0); }

static void p_safe_halt(void) { hcall(PVH_BLOCK, 0, 0, 0); }

static uint8 p_inb(uint16 port) { return (uint8)hcall(PVH_IO, port, 1, 0); }
static void p_outb(uint16 port, uint8 v) { hcall(PVH_IO, port, 1 | PV_IO_OUT, v); }
static uint16 p_inw(uint16 port) { return (uint16)hcall(PVH_IO, port, 2, 0); }
static void p_outw(uint16 port, uint16 v) { hcall(PVH_IO, port, 2 | PV_IO_OUT, v); }

static void p_console_putc(char c) { hcall(PVH_CONSOLE_WRITE, (uint32)&c, 1, 0); }

static void p_set_timer(uint32 hz)
{
	if (hcall(PVH_SET_TIMER, hz, 0, 0) != PV_OK)
		panic("pv: the VMM refused a %u Hz timer", hz);
}

static const struct pv_ops pv_hypercall_ops = {
	.name = "ringlab-pv (hypercalls; page tables shadowed by the VMM)",
	.irq_disable = p_irq_disable, .irq_enable = p_irq_enable,
	.save_fl = p_save_fl, .restore_fl = p_restore_fl,
	.load_cr3 = p_load_cr3, .read_cr2 = p_read_cr2, .invlpg = p_invlpg,
	.flush_tlb = p_flush_tlb, .set_pte = p_set_pte, .set_pde = p_set_pde,
	.load_gdt = p_load_gdt, .load_idt = p_load_idt, .load_tr = p_load_tr,
	.set_kernel_stack = p_set_kernel_stack, .safe_halt = p_safe_halt,
	.inb = p_inb, .outb = p_outb, .inw = p_inw, .outw = p_outw,
	.console_putc = p_console_putc, .set_timer = p_set_timer,
};

const char *pv_pv_init(void)
{
	if (pv_boot_magic != PV_BOOT_MAGIC)
		return 0;
	/* Interrupts are off at boot: the virtual IF starts masked. */
	pv_shared.evt_mask = 1;
	int f = hcall(PVH_REGISTER, V2P(&pv_shared), PV_ABI_VERSION, 0);
	if (f < 0)
		return 0;
	pv = pv_hypercall_ops;
	if (f & PV_F_DIRECT_PT) {
		pv.name = "ringlab-pv (hypercalls; page tables validated by the VMM)";
		pv.set_pte = d_set_pte;
		pv.set_pde = d_set_pde;
		pv.invlpg = d_invlpg;
		pv.flush_tlb = d_flush_tlb;
		pv.load_cr3 = d_load_cr3;
		pv.alloc_pt = d_alloc_pt;
		pv.alloc_pgd = d_alloc_pgd;
		pv.release_pgd = d_release_pgd;
		pv.lazy_mmu = d_lazy_mmu;
		pv.kmap_4k = 1;
	}
	pv_registered = 1;
	kernel_rpl = 1;
	pv_return_to_user = (uint32)&pv_iret;
	return pv.name;
}

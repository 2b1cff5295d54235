/*
 * pvops.h — the paravirt-ops table: every privileged operation of the kernel goes
 * through it (like Linux pv_ops and VMware's VMI).
 *
 * Natively each entry is the privileged instruction itself (pvops.c). When the kernel
 * was started by the pv engine's VMM (the boot protocol of pvabi.h), pv_init() registers
 * with it and installs the hypercall implementations (pvops_pv.c) instead. One image
 * thus runs natively, fully virtualized and paravirtualized.
 */
#ifndef PVOPS_H
#define PVOPS_H

#include "types.h"

struct pv_ops {
	const char *name;
	void (*irq_disable)(void);
	void (*irq_enable)(void);
	uint32 (*save_fl)(void);
	void (*restore_fl)(uint32 fl);
	void (*load_cr3)(uint32 pa);
	uint32 (*read_cr2)(void);
	void (*invlpg)(uint32 va);
	void (*flush_tlb)(void);
	void (*set_pte)(pte_t *p, pte_t v);
	void (*set_pde)(pde_t *p, pde_t v);
	void (*load_gdt)(void *desc);
	void (*load_idt)(void *desc);
	void (*load_tr)(uint16 sel);
	void (*set_kernel_stack)(uint32 esp0);
	void (*safe_halt)(void); /* enable interrupts and halt until one arrives */
	uint8 (*inb)(uint16 port);
	void (*outb)(uint16 port, uint8 v);
	uint16 (*inw)(uint16 port);
	void (*outw)(uint16 port, uint16 v);
	/* Page-table life cycle (Linux's alloc_pte/release_pd, lazy MMU mode); NULL
	 * natively and when the VMM shadows the tables: */
	void (*alloc_pt)(void *pt);     /* a zeroed page about to become a page table */
	void (*alloc_pgd)(pde_t *pd);   /* a filled directory about to be used */
	void (*release_pgd)(pde_t *pd); /* a directory about to be freed with its user
					 * page tables (it is not the current one) */
	void (*lazy_mmu)(int on);       /* batch the updates between on and off */
	/* Devices a VMM offers directly; NULL natively (the kernel programs the UART and
	 * the PIT through ports): */
	void (*console_putc)(char c);   /* one character to the console */
	void (*set_timer)(uint32 hz);   /* the periodic timer interrupt at `hz` */
	int kmap_4k;                    /* the direct map in 4 KB pages, tables read-only */
};

extern struct pv_ops pv;

/* Choose the implementation: native unless the ringlab PV interface is present (and
 * supported). Returns a one-line description of the choice. */
const char *pv_init(void);

static inline void pv_alloc_pt(void *pt) { if (pv.alloc_pt) pv.alloc_pt(pt); }
static inline void pv_alloc_pgd(pde_t *pd) { if (pv.alloc_pgd) pv.alloc_pgd(pd); }
static inline void pv_release_pgd(pde_t *pd) { if (pv.release_pgd) pv.release_pgd(pd); }
static inline void pv_lazy_mmu(int on) { if (pv.lazy_mmu) pv.lazy_mmu(on); }

/* Batch page-table updates in lazy MMU mode (1, the default; the command line's
 * pvbatch=0 clears it). */
extern int pv_batching;

/* The RPL of the kernel's own selectors: 0 natively, 1 under pv (ring 1). */
extern uint32 kernel_rpl;

/* 1 once the kernel registered with the pv VMM (pvops_pv.c): hypercalls work. */
extern int pv_registered;

/* Hypercall `op` with EBX, ECX, EDX = a, b, c (pvabi.h); its result. Only when
 * pv_registered. */
int pv_hcall(uint32 op, uint32 a, uint32 b, uint32 c);

/* A trap frame's CS says user mode (ring 3; the kernel runs in ring 0 or ring 1). */
#define CS_USER(cs) ((cs) & 2)

/* Unprivileged helpers (no pv entry needed). */
static inline uint64 rdtsc(void)
{
	uint32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64)hi << 32) | lo;
}

static inline void cpuid(uint32 leaf, uint32 *a, uint32 *b, uint32 *c, uint32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* The measurement markers (DESIGN §3): xchg %bx,%bx with EAX = code, EDX = index. */
static inline void marker(uint32 code, uint32 idx)
{
	__asm__ volatile("xchg %%bx, %%bx" ::"a"(code), "d"(idx) : "memory");
}
#define MARK_BEGIN 0x524C0001u
#define MARK_END 0x524C0002u

#endif

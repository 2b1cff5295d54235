/*
 * kbench.c — the kernel halves of the nanobenchmarks: privileged or sensitive
 * operations repeated n times in ring 0, bracketed by the measurement markers and
 * timed with RDTSC (Adams & Agesen's in/out, cr3 write, and the PTE-modification
 * loop; the sensitive-but-unprivileged ones are here too, so that every engine runs
 * them in the kernel as a real OS would). ptemod writes a PTE and invalidates it
 * (INVLPG); ptestore is the paper's ptemod, a single store to a live PTE and nothing
 * else (its page is never touched, so no invalidation is needed).
 */
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "pvops.h"
#include "syscalls.h"

#define SCRATCH_VA 0xBFC00000u /* below the stack region: a supervisor-only page */

static void ptemod_loop(uint32 n)
{
	struct proc *p = myproc();
	pte_t *pte = walk(p->pgdir, SCRATCH_VA, 1);
	void *a = kalloc(), *b = kalloc();
	if (!pte || !a || !b)
		panic("ptemod: no memory");
	uint32 frame[2] = { V2P(a), V2P(b) };
	for (uint32 i = 0; i < n; i++) {
		pv.set_pte(pte, frame[i & 1] | PTE_W | PTE_P);
		pv.invlpg(SCRATCH_VA);
	}
	pv.set_pte(pte, 0);
	pv.invlpg(SCRATCH_VA);
	kfree(a);
	kfree(b);
}

/* Stores to a live PTE (a table of the running address space) without invalidation:
 * SCRATCH_VA is never touched, so no stale translation can be used. */
static void ptestore_loop(uint32 n)
{
	struct proc *p = myproc();
	pte_t *pte = walk(p->pgdir, SCRATCH_VA, 1);
	void *a = kalloc(), *b = kalloc();
	if (!pte || !a || !b)
		panic("ptestore: no memory");
	uint32 frame[2] = { V2P(a), V2P(b) };
	for (uint32 i = 0; i < n; i++)
		pv.set_pte(pte, frame[i & 1] | PTE_W | PTE_P);
	pv.set_pte(pte, 0);
	pv.invlpg(SCRATCH_VA);
	kfree(a);
	kfree(b);
}

/* kcallret: the user loop's call/ret in the kernel, where binary translation runs it
 * from the translation cache (an inline lookup for each RET). */
__attribute__((noinline)) static uint32 kcallee(uint32 x) { return x + 1; }
static uint32 (*volatile kcallee_ptr)(uint32) = kcallee;
static volatile uint32 ksink;

uint32 kbench(int kind, uint32 n, uint32 idx)
{
	uint32 cr3, dummy, a, b, c, d;
	struct {
		uint16 l;
		uint32 base;
	} __attribute__((packed)) desc;
	__asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
	uint64 t0 = rdtsc();
	marker(MARK_BEGIN, idx);
	switch (kind) {
	case KB_IN:
		for (uint32 i = 0; i < n; i++)
			(void)pv.inb(0x80);
		break;
	case KB_OUT:
		for (uint32 i = 0; i < n; i++)
			pv.outb(0x80, (uint8)i);
		break;
	case KB_CR3:
		for (uint32 i = 0; i < n; i++)
			pv.load_cr3(cr3);
		break;
	case KB_PUSHF_POPF:
		for (uint32 i = 0; i < n; i++)
			pv.restore_fl(pv.save_fl());
		break;
	case KB_SGDT:
		for (uint32 i = 0; i < n; i++)
			__asm__ volatile("sgdt %0" : "=m"(desc));
		break;
	case KB_SIDT:
		for (uint32 i = 0; i < n; i++)
			__asm__ volatile("sidt %0" : "=m"(desc));
		break;
	case KB_SMSW:
		for (uint32 i = 0; i < n; i++)
			__asm__ volatile("smsw %0" : "=r"(dummy));
		break;
	case KB_CPUID:
		for (uint32 i = 0; i < n; i++)
			cpuid(0, &a, &b, &c, &d);
		break;
	case KB_PTEMOD:
		ptemod_loop(n);
		break;
	case KB_PTESTORE:
		ptestore_loop(n);
		break;
	case KB_CALLRET:
		a = 0;
		for (uint32 i = 0; i < n; i++)
			a = kcallee_ptr(a);
		ksink = a;
		break;
	default:
		marker(MARK_END, idx);
		return 0xffffffffu;
	}
	marker(MARK_END, idx);
	return (uint32)(rdtsc() - t0);
}

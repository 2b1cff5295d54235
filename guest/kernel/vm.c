/*
 * vm.c — address spaces: the kernel's direct map (all physical memory at KERNBASE in
 * 4 MB global pages, shared by every address space), per-process page tables built
 * from 4 KB pages, copy-on-write sharing at fork, and the page-fault handler
 * (demand-zero pages for heap, stack and mmap; copy on a write to a shared page; a
 * first touch of a preallocated mmap page, whose frame was allocated and zeroed by
 * mmap and waits in a not-present PTE marked PTE_PREALLOC, only maps it).
 * Every page-table write and TLB invalidation goes through the pv-ops table.
 */
#include "defs.h"
#include "mmu.h"
#include "param.h"
#include "proc.h"
#include "pvops.h"

pde_t *kpgdir;

/* pv/direct: the direct map in 4 KB global pages, with the page tables that map it (and
 * kpgdir) read-only, as the VMM requires of every page table (pvabi.h). Built with
 * plain stores while the boot tables map everything writable and nothing is validated
 * yet; switch_kvm() then has the VMM validate it. */
static void kmap_4k(void)
{
	static pte_t *pts[PHYSTOP_MAX >> 22];
	uint32 n = (phystop + 0x3fffff) >> 22;
	for (uint32 i = 0; i < n; i++)
		if (!(pts[i] = kalloc()))
			panic("kvm_init: no memory");
	for (uint32 pa = 0; pa < phystop; pa += PGSIZE)
		pts[pa >> 22][PTX(pa)] = pa | PTE_G | PTE_W | PTE_P;
	pts[V2P(kpgdir) >> 22][PTX(V2P(kpgdir))] &= ~(uint32)PTE_W;
	for (uint32 i = 0; i < n; i++) {
		pts[V2P(pts[i]) >> 22][PTX(V2P(pts[i]))] &= ~(uint32)PTE_W;
		kpgdir[PDX(KERNBASE) + i] = V2P(pts[i]) | PTE_W | PTE_P;
	}
}

void kvm_init(void)
{
	kpgdir = kalloc();
	if (!kpgdir)
		panic("kvm_init: no memory");
	uint32 cr4;
	__asm__ volatile("movl %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("movl %0, %%cr4" ::"r"(cr4 | CR4_PSE | CR4_PGE));
	if (pv.kmap_4k) {
		kmap_4k();
		switch_kvm();
		pv_alloc_pgd(kpgdir); /* pinned: it stays validated while processes run */
		return;
	}
	for (uint32 pa = 0; pa < phystop; pa += 0x400000)
		pv.set_pde(&kpgdir[PDX(KERNBASE + pa)], pa | PTE_PS | PTE_W | PTE_P | PTE_G);
	switch_kvm();
}

void switch_kvm(void) { pv.load_cr3(V2P(kpgdir)); }

pde_t *pgdir_new(void)
{
	pde_t *pd = kalloc();
	if (!pd)
		return NULL;
	for (int i = PDX(KERNBASE); i < 1024; i++)
		pd[i] = kpgdir[i];
	pv_alloc_pgd(pd);
	return pd;
}

pte_t *walk(pde_t *pgdir, uint32 va, int alloc)
{
	pde_t *pde = &pgdir[PDX(va)];
	if (!(*pde & PTE_P)) {
		if (!alloc)
			return NULL;
		pte_t *pt = kalloc();
		if (!pt)
			return NULL;
		pv_alloc_pt(pt);
		pv.set_pde(pde, V2P(pt) | PTE_P | PTE_W | PTE_U);
	}
	pte_t *pt = P2V(PTE_ADDR(*pde));
	return &pt[PTX(va)];
}

int map_page(pde_t *pgdir, uint32 va, uint32 pa, uint32 perm)
{
	pte_t *pte = walk(pgdir, va, 1);
	if (!pte)
		return -1;
	pv.set_pte(pte, pa | perm | PTE_P);
	return 0;
}

/* Free the user pages and page tables of [start, end). */
void unmap_range(pde_t *pgdir, uint32 start, uint32 end)
{
	pv_lazy_mmu(1);
	for (uint32 va = PGROUNDDOWN(start); va < end; va += PGSIZE) {
		if (!(pgdir[PDX(va)] & PTE_P)) {
			va = (va | 0x3fffff);
			if (va + 1 == 0)
				break;
			continue;
		}
		pte_t *pte = walk(pgdir, va, 0);
		if (pte && (*pte & PTE_P)) {
			kfree(P2V(PTE_ADDR(*pte)));
			pv.set_pte(pte, 0);
			pv.invlpg(va);
		} else if (pte && (*pte & PTE_PREALLOC)) {
			kfree(P2V(PTE_ADDR(*pte))); /* never mapped: no TLB entry to drop */
			pv.set_pte(pte, 0);
		}
	}
	pv_lazy_mmu(0);
}

/* Allocate (zeroed) frames for the pages of [start, end) now and record each in its
 * not-present PTE with PTE_PREALLOC; the first touch maps it (page_fault). Returns 0,
 * or -1 when memory runs out (the caller unmaps the range). */
int prealloc_range(pde_t *pgdir, uint32 start, uint32 end)
{
	for (uint32 va = PGROUNDDOWN(start); va < end; va += PGSIZE) {
		pte_t *pte = walk(pgdir, va, 1);
		void *mem = pte ? kalloc() : NULL;
		if (!mem)
			return -1;
		pv.set_pte(pte, V2P(mem) | PTE_PREALLOC);
	}
	return 0;
}

void protect_range(pde_t *pgdir, uint32 start, uint32 end, int writable)
{
	for (uint32 va = PGROUNDDOWN(start); va < end; va += PGSIZE) {
		pte_t *pte = walk(pgdir, va, 0);
		if (!pte || !(*pte & PTE_P))
			continue;
		pte_t v = *pte;
		if (!writable)
			v &= ~(uint32)PTE_W;
		else if (!(v & PTE_COW))
			v |= PTE_W;
		pv.set_pte(pte, v);
		pv.invlpg(va);
	}
}

void pgdir_free(pde_t *pgdir)
{
	unmap_range(pgdir, 0, KERNBASE);
	pv_release_pgd(pgdir);
	for (uint32 i = 0; i < PDX(KERNBASE); i++)
		if (pgdir[i] & PTE_P)
			kfree(P2V(PTE_ADDR(pgdir[i])));
	kfree(pgdir);
}

void switch_uvm(struct proc *p)
{
	pv.set_kernel_stack((uint32)p->kstack + KSTACKSIZE);
	pv.load_cr3(V2P(p->pgdir));
}

/* Share every user page of `from` with `to`, writable ones copy-on-write. */
int copy_uvm_cow(pde_t *from, pde_t *to)
{
	pv_lazy_mmu(1);
	for (uint32 i = 0; i < PDX(KERNBASE); i++) {
		if (!(from[i] & PTE_P))
			continue;
		pte_t *pt = P2V(PTE_ADDR(from[i]));
		for (uint32 j = 0; j < 1024; j++) {
			pte_t v = pt[j];
			if (!(v & PTE_P))
				continue;
			if (v & (PTE_W | PTE_COW)) {
				v = (v & ~(uint32)PTE_W) | PTE_COW;
				pv.set_pte(&pt[j], v);
			}
			uint32 va = (i << 22) | (j << 12);
			if (map_page(to, va, PTE_ADDR(v), v & 0xfff & ~(uint32)(PTE_P | PTE_A | PTE_D)) < 0) {
				pv_lazy_mmu(0);
				return -1;
			}
			page_ref(PTE_ADDR(v));
		}
	}
	pv.flush_tlb(); /* the parent's pages just became read-only */
	pv_lazy_mmu(0);
	return 0;
}

/* Is va inside one of p's regions? Returns the region or NULL. */
static struct vma *find_vma(struct proc *p, uint32 va)
{
	for (int i = 0; i < NVMA; i++)
		if (p->vma[i].end && va >= p->vma[i].start && va < p->vma[i].end)
			return &p->vma[i];
	return NULL;
}

/* Handle a page fault of process p at va; returns 0 if fixed, -1 if the access is
 * invalid. */
int page_fault(struct proc *p, uint32 va, uint32 err)
{
	if (va >= KERNBASE)
		return -1;
	pte_t *pte = walk(p->pgdir, va, 0);
	if (pte && (*pte & PTE_P)) {
		/* present: only a write to a copy-on-write page is fixable */
		if (!(err & 2) || !(*pte & PTE_COW))
			return -1;
		struct vma *v = find_vma(p, va);
		if (!v || !v->writable)
			return -1;
		uint32 pa = PTE_ADDR(*pte);
		p->cow_faults++;
		if (page_refcount(pa) == 1) {
			pv.set_pte(pte, (*pte | PTE_W) & ~(uint32)PTE_COW);
		} else {
			void *mem = kalloc();
			if (!mem)
				return -1;
			memcpy(mem, P2V(pa), PGSIZE);
			pv.set_pte(pte, V2P(mem) | ((*pte & 0xfff & ~(uint32)PTE_COW) | PTE_W));
			kfree(P2V(pa));
		}
		pv.invlpg(PGROUNDDOWN(va));
		return 0;
	}
	struct vma *v = find_vma(p, va);
	if (!v || ((err & 2) && !v->writable))
		return -1;
	if (pte && (*pte & PTE_PREALLOC)) {
		/* the frame is already allocated and zeroed: map it */
		p->zero_faults++;
		pv.set_pte(pte, (PTE_ADDR(*pte)) | PTE_P | PTE_U | (v->writable ? PTE_W : 0));
		return 0;
	}
	void *mem = kalloc();
	if (!mem)
		return -1;
	p->zero_faults++;
	if (map_page(p->pgdir, PGROUNDDOWN(va), V2P(mem), PTE_U | (v->writable ? PTE_W : 0)) < 0) {
		kfree(mem);
		return -1;
	}
	return 0;
}

/* Make user page va present (and writable if `write`) in pgdir; return its kernel
 * address or NULL. */
static uint8 *user_page(pde_t *pgdir, uint32 va, int write)
{
	struct proc *p = myproc();
	if (va >= KERNBASE)
		return NULL;
	pte_t *pte = walk(pgdir, va, 0);
	if (!pte || !(*pte & PTE_P) || (write && !(*pte & PTE_W))) {
		if (!p || p->pgdir != pgdir || page_fault(p, va, PTE_U | (write ? 2 : 0) |
							     (pte && (*pte & PTE_P) ? 1 : 0)) < 0)
			return NULL;
		pte = walk(pgdir, va, 0);
	}
	if (!(*pte & PTE_U))
		return NULL;
	return (uint8 *)P2V(PTE_ADDR(*pte)) + (va & 0xfff);
}

int copyout(pde_t *pgdir, uint32 va, const void *src, uint32 n)
{
	const uint8 *s = src;
	while (n) {
		uint8 *d = user_page(pgdir, va, 1);
		if (!d)
			return -1;
		uint32 chunk = PGSIZE - (va & 0xfff);
		if (chunk > n)
			chunk = n;
		memcpy(d, s, chunk);
		n -= chunk;
		s += chunk;
		va += chunk;
	}
	return 0;
}

int copyin(pde_t *pgdir, void *dst, uint32 va, uint32 n)
{
	uint8 *d = dst;
	while (n) {
		const uint8 *s = user_page(pgdir, va, 0);
		if (!s)
			return -1;
		uint32 chunk = PGSIZE - (va & 0xfff);
		if (chunk > n)
			chunk = n;
		memcpy(d, s, chunk);
		n -= chunk;
		d += chunk;
		va += chunk;
	}
	return 0;
}

int copyinstr(pde_t *pgdir, char *dst, uint32 va, uint32 max)
{
	for (uint32 i = 0; i < max; i++) {
		const uint8 *s = user_page(pgdir, va + i, 0);
		if (!s)
			return -1;
		dst[i] = (char)*s;
		if (!*s)
			return 0;
	}
	return -1;
}

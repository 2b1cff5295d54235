/*
 * direct.c — the MMU of a machine with no VMM: the hardware walk of the guest's own
 * 2-level page tables (SDM Vol. 3A §4.3), 4 KB and 4 MB pages.
 *
 * One walk charges one mem.walk_ref per page-table entry read: two for a 4 KB page,
 * one for a 4 MB page. Accessed and dirty bits are set as the hardware sets them, in
 * QEMU's order (which the differential tests compare against): the PDE's accessed bit
 * when the walk goes through it, the leaf's accessed and dirty bits only after the
 * access has passed its permission checks.
 */
#include "core/mem.h"
#include "core/mmu.h"

/* Read a page-table entry at physical `pa` (entries outside RAM read as not present). */
static u32 pte_read(struct cpu *c, u32 pa)
{
	const u8 *p = cpu_phys(c, pa, 4);
	cpu_walk_ref(c);
	return p ? load_n(p, 4) : 0;
}

static void pte_write(struct cpu *c, u32 pa, u32 v)
{
	u8 *p = cpu_phys(c, pa, 4);
	if (p)
		store_n(p, 4, v);
}

/* Return the page-fault error code for an access through an entry with effective
 * user/writable bits, or 0 if it is allowed. */
static u32 check(const struct cpu *c, unsigned acc, bool u, bool w)
{
	bool user = acc & ACC_USER, write = (acc & 3) == ACC_WRITE;
	u32 pfec = PFEC_P | (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	if (user && !u)
		return pfec;
	if (write && !w && (user || (c->cr0 & CR0_WP)))
		return pfec;
	return 0;
}

static int direct_translate(struct cpu *c, u32 lin, unsigned acc, struct tlb_entry *f, u32 *pfec)
{
	bool user = acc & ACC_USER, write = (acc & 3) == ACC_WRITE;
	u32 np = (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	u32 pde_pa = (c->cr3 & PTE_FRAME) + ((lin >> 22) << 2);
	u32 pde = pte_read(c, pde_pa);
	if (!(pde & PTE_P)) {
		*pfec = np;
		return -1;
	}
	if ((pde & PTE_PS) && (c->cr4 & CR4_PSE)) {
		u32 e = check(c, acc, pde & PTE_U, pde & PTE_W);
		if (e) {
			*pfec = e;
			return -1;
		}
		u32 set = PTE_A | (write ? PTE_D : 0);
		if ((pde & set) != set) {
			pde |= set;
			pte_write(c, pde_pa, pde);
		}
		f->vpn = (lin >> 12) & ~0x3ffu;
		f->ppn = (pde & PDE_FRAME_4M) >> 12;
		f->large = 1;
		f->global = (pde & PTE_G) && (c->cr4 & CR4_PGE);
		f->user = (pde & PTE_U) != 0;
		f->writable = (pde & PTE_W) != 0;
		f->dirty = (pde & PTE_D) != 0;
		return 0;
	}
	if (!(pde & PTE_A)) {
		pde |= PTE_A;
		pte_write(c, pde_pa, pde);
	}
	u32 pte_pa = (pde & PTE_FRAME) + (((lin >> 12) & 0x3ff) << 2);
	u32 pte = pte_read(c, pte_pa);
	if (!(pte & PTE_P)) {
		*pfec = np;
		return -1;
	}
	bool u = (pde & PTE_U) && (pte & PTE_U), w = (pde & PTE_W) && (pte & PTE_W);
	u32 e = check(c, acc, u, w);
	if (e) {
		*pfec = e;
		return -1;
	}
	u32 set = PTE_A | (write ? PTE_D : 0);
	if ((pte & set) != set) {
		pte |= set;
		pte_write(c, pte_pa, pte);
	}
	f->vpn = lin >> 12;
	f->ppn = pte >> 12;
	f->large = 0;
	f->global = (pte & PTE_G) && (c->cr4 & CR4_PGE);
	f->user = u;
	f->writable = w;
	f->dirty = (pte & PTE_D) != 0;
	return 0;
}

const struct mmu_ops mmu_direct = {
	.name = "direct",
	.translate = direct_translate,
};

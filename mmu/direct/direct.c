/*
 * direct.c — the MMU of a machine with no VMM: the hardware walks the guest's own
 * 2-level page tables (core/pagewalk.c), 4 KB and 4 MB pages, guest-physical being
 * host-physical.
 *
 * One walk charges one mem.walk_ref per page-table entry read: two for a 4 KB page,
 * one for a 4 MB page. Accessed and dirty bits are set as the hardware sets them, in
 * QEMU's order (which the differential tests compare against).
 */
#include "core/mem.h"
#include "core/mmu.h"
#include "core/pagewalk.h"

/* A reference of the hardware walk: one memory read (entries outside RAM read as not
 * present). */
static int hw_read(struct cpu *c, void *ctx, u32 pa, u32 *v, u32 *where)
{
	const u8 *p = cpu_phys(c, pa, 4);
	cpu_walk_ref(c);
	*v = p ? load_n(p, 4) : 0;
	*where = pa;
	return 0;
}

static void hw_write(struct cpu *c, void *ctx, u32 pa, u32 v)
{
	u8 *p = cpu_phys(c, pa, 4);
	if (p)
		store_n(p, 4, v);
}

static const struct pw_ref hw_ref = { .read = hw_read, .write = hw_write };

static int direct_translate(struct cpu *c, u32 lin, unsigned acc, struct tlb_entry *f, u32 *pfec)
{
	struct pw_result r;
	int rc = pw_walk(c, c->cr3, lin, acc, &hw_ref, &r, pfec);
	if (rc)
		return rc;
	f->large = r.large;
	f->vpn = r.large ? (lin >> 12) & ~0x3ffu : lin >> 12;
	f->ppn = r.large ? (r.leaf & PDE_FRAME_4M) >> 12 : r.gpa >> 12;
	f->global = r.global;
	f->user = r.user;
	f->writable = r.writable;
	f->dirty = r.dirty;
	return 0;
}

const struct mmu_ops mmu_direct = {
	.name = "direct",
	.translate = direct_translate,
};

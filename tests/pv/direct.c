/*
 * direct.c — the pv attack kernel's page tables, and its attacks on pv/direct (e).
 *
 * Before registering, the kernel turns paging on as a kernel does at boot (emulated
 * like te): `pd` and `pt0` map the first 4 MB one to one, the page tables themselves
 * read-only, as pv/direct requires. Under pv/direct it then has the VMM validate them
 * (PVH_NEW_BASEPTR) and tries what the rules of pvabi.h forbid: frames past RAM, page
 * tables mapped writable, 4 MB pages, the VMM's hole, updates of frames that are not
 * tables, directories that map themselves writable, plain stores to tables, a
 * writable TLB entry outliving its mapping, privileged instructions that would go
 * around the validation (CR0.WP and PG, CR3), and unpinning what was never pinned.
 */
#include "attack.h"

/* Page tables, built before registration with plain stores: `pd` and `pt0` map the
 * first 4 MB (the kernel) one to one, the page tables themselves read-only; `pd2` and
 * `pt2` are the same but map `pd2` writable (a directory pv/direct must refuse);
 * `spare` is an empty page a refused entry may point at. */
#define PAGE __attribute__((aligned(4096)))
u32 pd[1024] PAGE, pt0[1024] PAGE, spare[1024] PAGE, xdata[1024] PAGE;
static u32 pd2[1024] PAGE, pt2[1024] PAGE;
#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u

/* privileged instructions: emulated before registration; afterwards a PV kernel asks
 * by hypercall, and these are attacks */
static u32 read_cr0(void)
{
	u32 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static void write_cr0(u32 v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static void write_cr3(u32 v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }

void paging_on(void)
{
	for (u32 i = 0; i < 1024; i++)
		pt0[i] = pt2[i] = (i << 12) | 7; /* present, writable, user */
	u32 *ro[] = { pd, pt0, pd2, pt2, spare };
	for (unsigned k = 0; k < 5; k++) {
		pt0[(u32)ro[k] >> 12] &= ~2u;
		pt2[(u32)ro[k] >> 12] &= ~2u;
	}
	pt2[(u32)pd2 >> 12] |= 2; /* the one difference */
	pd[0] = (u32)pt0 | 7;
	pd2[0] = (u32)pt2 | 7;
	write_cr3((u32)pd);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

static int update(u32 *entry, u32 val)
{
	struct pv_mmu_update u = { (u32)entry, val }; /* linear = physical below 4 MB */
	return hc(PVH_MMU_UPDATE, (u32)&u, 1);
}

static void paging_off_and_on(u32 cr0)
{
	write_cr0(cr0 & ~CR0_PG);
	write_cr0(cr0); /* reached only if the first was allowed */
}

void attack_direct(void)
{
	/* the boot tables become validated ones: the baseline, which must succeed */
	note("new_baseptr_valid", hc(PVH_NEW_BASEPTR, (u32)pd, 0));
	note("mmu_update_frame_beyond_ram", update(&pt0[1023], ram_end | 1));
	note("mmu_update_directory_writable", update(&pt0[1023], (u32)pd | 3));
	note("mmu_update_l1_writable", update(&pt0[1023], (u32)pt0 | 3));
	note("mmu_update_4mb_page", update(&pd[1], 0x400000u | 0x83));
	note("mmu_update_vmm_hole", update(&pd[PV_VMM_HOLE_PDE], (u32)spare | 3));
	note("mmu_update_not_a_table", update(&xdata[0], (u32)spare | 1));
	note("mmu_update_unaligned_entry", update((u32 *)((u32)&pt0[5] + 1), (u32)spare | 1));
	note("mmu_update_directory_as_l1", update(&pd[1], (u32)pd | 3));
	note("mmu_update_too_many", hc(PVH_MMU_UPDATE, (u32)scratch, 1025));
	note("mmu_update_list_unmapped", hc(PVH_MMU_UPDATE, 0x40000000u, 1));
	/* a list stops at its first refusal, what came before it applied */
	struct pv_mmu_update list[3] = { { (u32)&pt0[1000], (u32)xdata | 1 }, { (u32)&pt0[1001], (u32)pd | 3 },
					 { (u32)&pt0[1002], (u32)xdata | 1 } };
	u32 before = pt0[1002];
	int r = hc(PVH_MMU_UPDATE, (u32)list, 3);
	refusals += r < 0;
	pr("mmu_update_list_stops %d first=%s third=%s\n", r, pt0[1000] == ((u32)xdata | 1) ? "applied" : "not",
	   pt0[1002] == before ? "untouched" : "applied");
	note("new_baseptr_maps_itself_writable", hc(PVH_NEW_BASEPTR, (u32)pd2, 0));
	note("new_baseptr_writable_frame", hc(PVH_NEW_BASEPTR, (u32)xdata, 0));
	note("new_baseptr_l1_frame", hc(PVH_NEW_BASEPTR, (u32)pt0, 0));
	note("new_baseptr_unaligned", hc(PVH_NEW_BASEPTR, (u32)pd + 4, 0));
	note("new_baseptr_beyond_ram", hc(PVH_NEW_BASEPTR, ram_end, 0));
	note("pin_writable_frame", hc(PVH_PIN_TABLE, (u32)xdata, 1));
	note("pin_bad_flag", hc(PVH_PIN_TABLE, (u32)pd, 2));
	/* the processor's own view: page tables are read-only to the kernel */
	pf_target = (u32)&pt0[1010];
	fault_line("pt_plain_store", guarded(write_ds, (u32)&pt0[1010]));
	pf_target = (u32)&pd[1010];
	fault_line("pd_plain_store", guarded(write_ds, (u32)&pd[1010]));
	pf_target = (u32)&pt0[1010];
	/* privileged instructions the VMM must not carry out for a registered kernel
	 * behind its own validation: each must fault; if one does not, the kernel puts
	 * things back so that the run goes on */
	u32 cr0 = read_cr0();
	priv_line("cr0_write_clear_wp", guarded(write_cr0, cr0 & ~CR0_WP));
	fault_line("pt_plain_store_after_cr0_write", guarded(write_ds, (u32)&pt0[1010]));
	priv_line("cr0_write_unchanged", guarded(write_cr0, cr0)); /* harmless: emulated */
	priv_line("cr0_write_paging_off", guarded(paging_off_and_on, cr0));
	priv_line("cr3_write_unvalidated", guarded(write_cr3, (u32)pd2));
	pf_target = (u32)&pd2[1010];
	fault_line("pd_store_after_cr3_write", guarded(write_ds, (u32)&pd2[1010]));
	note("new_baseptr_back", hc(PVH_NEW_BASEPTR, (u32)pd, 0));
	/* a writable mapping dropped without INVLPG lives on in the TLB: before its
	 * frame becomes a page table, the VMM must flush it */
	u32 *xpte = &pt0[(u32)xdata >> 12];
	xdata[0] = 0; /* the TLB now maps xdata writable */
	note("xdata_read_only", update(xpte, (u32)xdata | 1));
	note("xdata_becomes_l1", update(&pd[2], (u32)xdata | 3));
	pf_target = (u32)&xdata[5];
	fault_line("stale_tlb_store_to_new_l1", guarded(write_ds, (u32)&xdata[5]));
	note("xdata_l1_unlinked", update(&pd[2], 0));
	note("xdata_writable_again", update(xpte, (u32)xdata | 7));
	if (has("disk"))
		attack_blk(); /* a disk read must not write into a validated page table */
	/* last, as it may undo the validation of what the processor walks: unpinning
	 * a directory that was never pinned (it is only CR3) */
	note("unpin_never_pinned", hc(PVH_PIN_TABLE, (u32)pd, 0));
	note("mmu_update_after_unpin", update(&pt0[1020], (u32)spare | 1));
}

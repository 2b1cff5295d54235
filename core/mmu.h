/*
 * mmu.h — the interface of MMU engines (DESIGN §6).
 *
 * An MMU engine answers the machine's modeled-TLB misses and reacts to the guest's
 * page-table events. `direct` walks the guest's own tables; `shadow` and `nested`
 * (later) walk structures of the VMM's. A translate call performs the whole walk of its
 * technique, charging one `mem.walk_ref` per memory reference (cpu_walk_ref()), and
 * either fills a TLB entry or reports the guest page fault the access takes. The core
 * owns the TLB, permission checks on hits, and the delivery (or interception) of #PF.
 *
 * NULL hooks mean "nothing to do".
 */
#ifndef RINGLAB_MMU_H
#define RINGLAB_MMU_H

#include <stdio.h>

#include "cpu.h"
#include "tlb.h"

enum {
	ACC_READ = 0,
	ACC_WRITE = 1,
	ACC_FETCH = 2,
	ACC_USER = 4, /* the access is made at CPL 3 (not an implicit supervisor access) */
	ACC_BYPASS = 8, /* the VMM's emulation of a write (cpu_emulate): ignore its own write
			 * protection of guest page tables, honour the guest's; not cached */
};

/* A #PF that exited to the VMM, as the VMM layer hands it to the MMU engine. */
struct mmu_fault {
	u32 lin;         /* the faulting linear address (the guest's CR2 is not touched) */
	u32 err;         /* the hardware error code */
	bool delivering; /* the processor's own access while delivering an event (a stack
			  * frame, a gate): it cannot be emulated as an instruction's write */
};

struct mmu_ops {
	const char *name;
	bool needs_nested_paging; /* only on a CPU with EPT/NPT (profile vmx.nested_paging) */
	int (*init)(struct cpu *c);
	void (*fini)(struct cpu *c);
	/* Translate linear `lin` for access `acc` (ACC_*). On success fill `*f` and return 0;
	 * on a page fault return -1 with the error code in `*pfec`; or return MMU_EXIT
	 * after filling c->exit (reason, gpa, qualification) to leave the guest (an EPT
	 * violation): the access restarts when the VMM resumes it. */
	int (*translate)(struct cpu *c, u32 lin, unsigned acc, struct tlb_entry *f, u32 *pfec);
	/* CR3 was loaded (the TLB is already flushed). */
	void (*cr3_load)(struct cpu *c, u32 old_cr3);
	/* INVLPG of `lin` (the TLB entry is already dropped). */
	void (*invlpg)(struct cpu *c, u32 lin);
	/* CR0.PG/WP or CR4.PSE/PGE changed. */
	void (*mode_change)(struct cpu *c);
	/* Handle a #PF that exited to the VMM (exception bitmap): return MMU_FIXED (a
	 * hidden fault the VMM resolved: resume), MMU_GUEST_FAULT (the guest's own fault:
	 * inject it, with *pfec its error code) or MMU_EMULATE (the VMM must emulate the
	 * instruction, then call after_emulate once it has completed). */
	int (*fault)(struct cpu *c, const struct mmu_fault *pf, u32 *pfec);
	void (*after_emulate)(struct cpu *c);
	/* Optional: the VMM will emulate an instruction whose write did not fault (binary
	 * translation's adaptive callout for a page-table store): after_emulate then
	 * resynchronises what was derived from the page it wrote, if any, and sets
	 * *traced to whether that page was one the engine traces (a guest page table). */
	void (*before_write)(struct cpu *c, bool *traced);
	/* Drop cached translations of the engine (a VM exit/entry without VPID). */
	void (*flush)(struct cpu *c);
	/* An EPT violation exit: map the guest-physical page (one beyond guest RAM maps to
	 * unassigned memory, as natively); returns 0, or -1 if it cannot (the run ends). */
	int (*violation)(struct cpu *c, u32 gpa);
	/* Guest-physical [pa, pa+len) was written by the VMM itself, not through a guest
	 * mapping (a paravirtual device's data): an engine that derived something from a
	 * page there (shadow: a guest page table) drops it. */
	void (*phys_written)(struct cpu *c, u32 pa, u32 len);
	/* Optional, read-only, for teaching (bench trace --shadow-dump): print the
	 * engine's own table for the guest's current address space to `out`, one line per
	 * run of contiguous mappings. Charges nothing, changes nothing. */
	void (*dump)(struct cpu *c, FILE *out);
};

enum { MMU_EXIT = -2 };
enum { MMU_FIXED = 1, MMU_GUEST_FAULT = 0, MMU_EMULATE = 2 };

/* Charge one page-walk memory reference (the `mem` category, counter mem.walk_refs). */
static inline void cpu_walk_ref(struct cpu *c)
{
	cost_charge(c->cost, COST_MEM, c->prof->v[P_MEM_WALK_REF]);
	(*c->cnt.walk_refs)++;
}

/* Find an MMU engine by name ("direct"), or NULL. */
const struct mmu_ops *mmu_find(const char *name);

#endif

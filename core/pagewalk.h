/*
 * pagewalk.h — the one walk of a guest's 2-level page tables (SDM Vol. 3A §4.3).
 *
 * A 32-bit linear address splits 10/10/12:
 *
 *     31        22 21        12 11           0
 *    +------------+------------+--------------+
 *    | dir index  | table index|    offset    |     4 KB page
 *    +------------+------------+--------------+
 *    | dir index  |        offset (22 bits)   |     4 MB page (PDE.PS, CR4.PSE)
 *    +------------+---------------------------+
 *
 * Every MMU engine walks these tables, each in its own way: the direct MMU is the
 * hardware walking guest-physical = host-physical memory (one mem.walk_ref per entry);
 * the nested MMU is the hardware walking in two dimensions (every guest-physical
 * reference translated by the nested table first); the shadow MMU is VMM *software*
 * walking the guest's tables to fill a shadow entry (vmm.pte_read per entry); pv will
 * walk a table to validate an update. What differs is how one guest-physical
 * reference is made and charged, so that is the parameter (struct pw_ref); the walk
 * itself, its accessed/dirty updates and its permission check exist once, here.
 *
 * Order of effects, as the hardware and QEMU (the reference) do it: the PDE's accessed
 * bit is set when the walk goes through it to a page table, before the PTE is read;
 * the leaf's accessed and dirty bits are set only after the access has passed its
 * permission checks and its frame has been translated.
 */
#ifndef RINGLAB_PAGEWALK_H
#define RINGLAB_PAGEWALK_H

#include "cpu.h"

/* The parts of a linear address. */
static inline u32 pw_dir_index(u32 lin) { return lin >> 22; }
static inline u32 pw_table_index(u32 lin) { return (lin >> 12) & 0x3ff; }
static inline u32 pw_offset(u32 lin) { return lin & 0xfff; }
/* The guest-physical address of entry `index` of the table at frame address `table`. */
static inline u32 pw_entry(u32 table, u32 index) { return (table & PTE_FRAME) + index * 4; }

/* Page-fault error code of an access (ACC_* of mmu.h decoded) through an entry whose
 * effective user and writable bits are `u` and `w`; 0 if the access is allowed.
 * CR0.WP decides whether supervisor writes honour read-only pages. */
static inline u32 pw_check(const struct cpu *c, bool user, bool write, bool u, bool w)
{
	u32 pfec = PFEC_P | (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	if (user && !u)
		return pfec;
	if (write && !w && (user || (c->cr0 & CR0_WP)))
		return pfec;
	return 0;
}

/* How the walk makes one guest-physical reference. */
struct pw_ref {
	/* Read the entry at guest-physical `gpa`, charging what the reference costs.
	 * Return 0 with *v and *where (an opaque address handed back to write), or a
	 * non-zero code the walk returns as it is (MMU_EXIT: the walk left the guest). */
	int (*read)(struct cpu *c, void *ctx, u32 gpa, u32 *v, u32 *where);
	/* Write back an entry read from `where` (accessed and dirty bits). */
	void (*write)(struct cpu *c, void *ctx, u32 where, u32 v);
	/* Optional: translate the frame the access reaches (guest-physical address
	 * `gpa`) before the leaf's A/D bits are set; 0 with *hpa, or a code as read. */
	int (*leaf)(struct cpu *c, void *ctx, u32 gpa, unsigned acc, u32 *hpa);
	void *ctx;
};

struct pw_result {
	u32 gpa;       /* guest-physical address of the access */
	u32 hpa;       /* ... as translated by ref->leaf (= gpa without one) */
	u32 leaf;      /* the leaf entry after its A/D update (a PTE, or the 4 MB PDE) */
	u32 pde_gpa;   /* where the walk read the PDE */
	u32 pte_gpa;   /* where it read the PTE (= pde_gpa for a 4 MB page) */
	u8 large, user, writable, dirty, global;
};

enum { PW_FAULT = -1 };

/* Walk the tables rooted at directory `root` (a CR3 value) for linear `lin` and access
 * `acc` (ACC_READ/WRITE/FETCH | ACC_USER), with references made by `ref`. Returns 0
 * with *r filled, PW_FAULT with the page-fault error code in *pfec, or a non-zero
 * code of ref (MMU_EXIT). */
int pw_walk(struct cpu *c, u32 root, u32 lin, unsigned acc, const struct pw_ref *ref,
	    struct pw_result *r, u32 *pfec);

#endif

/*
 * pagewalk.c — the guest page walk every MMU shares (see pagewalk.h for the split
 * of an address, the order of A/D updates, and why a reference is a parameter).
 */
#include "pagewalk.h"

#include "mmu.h"

int pw_walk(struct cpu *c, u32 root, u32 lin, unsigned acc, const struct pw_ref *ref,
	    struct pw_result *r, u32 *pfec)
{
	bool user = acc & ACC_USER, write = (acc & 3) == ACC_WRITE;
	u32 np = (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	u32 pde, leaf, where, leaf_where;
	int rc;

	r->pde_gpa = pw_entry(root, pw_dir_index(lin));
	if ((rc = ref->read(c, ref->ctx, r->pde_gpa, &pde, &where)))
		return rc;
	if (!(pde & PTE_P)) {
		*pfec = np;
		return PW_FAULT;
	}
	r->large = (pde & PTE_PS) && (c->cr4 & CR4_PSE);
	if (r->large) {
		r->user = (pde & PTE_U) != 0;
		r->writable = (pde & PTE_W) != 0;
		r->pte_gpa = r->pde_gpa;
		r->gpa = (pde & PDE_FRAME_4M) | (lin & 0x3fffffu);
		leaf = pde;
		leaf_where = where;
	} else {
		if (!(pde & PTE_A))
			ref->write(c, ref->ctx, where, pde |= PTE_A);
		r->pte_gpa = pw_entry(pde, pw_table_index(lin));
		if ((rc = ref->read(c, ref->ctx, r->pte_gpa, &leaf, &leaf_where)))
			return rc;
		if (!(leaf & PTE_P)) {
			*pfec = np;
			return PW_FAULT;
		}
		r->user = (pde & PTE_U) && (leaf & PTE_U);
		r->writable = (pde & PTE_W) && (leaf & PTE_W);
		r->gpa = (leaf & PTE_FRAME) | pw_offset(lin);
	}
	if ((*pfec = pw_check(c, user, write, r->user, r->writable)))
		return PW_FAULT;
	r->hpa = r->gpa;
	if (ref->leaf && (rc = ref->leaf(c, ref->ctx, r->gpa, acc, &r->hpa)))
		return rc;
	u32 set = PTE_A | (write ? PTE_D : 0);
	if ((leaf & set) != set)
		ref->write(c, ref->ctx, leaf_where, leaf |= set);
	r->leaf = leaf;
	r->dirty = (leaf & PTE_D) != 0;
	r->global = (leaf & PTE_G) && (c->cr4 & CR4_PGE);
	return 0;
}

/*
 * guestmem.h — the VMM reading and writing the guest's linear memory, as the guest's
 * own page tables map it (a software walk of those tables, each reference charged
 * vmm.pte_read): hypercall arguments, descriptor tables, the guest's TSS.
 */
#ifndef RINGLAB_GUESTMEM_H
#define RINGLAB_GUESTMEM_H

#include "core/vm.h"

/* Copy `n` bytes at guest linear `lin` into `buf`; false if any byte is not mapped. */
bool vmm_guest_read(struct vm *vm, u32 lin, void *buf, u32 n);

/* Copy `n` bytes from `buf` to guest linear `lin`; false (nothing partial is undone)
 * if a page is not mapped writable. Decoded code there is invalidated; a shadowing
 * MMU is not told, so it must not be used on the guest's page tables. */
bool vmm_guest_write(struct vm *vm, u32 lin, const void *buf, u32 n);

/* The guest-physical address of linear `lin` through the guest's tables (identity with
 * paging off), for an access at CPL 0 (`write`: a write); false if not mapped so. */
bool vmm_guest_phys(struct vm *vm, u32 lin, bool write, u32 *pa);

/* The same for a read, and whether the mapping is global (PTE.G with CR4.PGE): a CR3
 * load leaves it in the TLB, so it stands until an INVLPG or a CR0/CR4 change. */
bool vmm_guest_phys_global(struct vm *vm, u32 lin, u32 *pa, bool *global);

#endif

/*
 * ringcomp.h — ring compression: running a guest kernel in ring 1 on a CPU without
 * VT-x (te, and pv before and after its kernel registers).
 *
 * The VMM keeps a shadow of the guest's GDT in memory of its own, with the kernel's
 * code segments (and, for a paravirtual kernel, its data segments) moved from DPL 0 to
 * DPL 1, so that the guest's gates and selectors enter ring 1, never ring 0; and a TSS
 * of its own whose ring-1 stack is the guest kernel's stack. The processor's GDTR and
 * TR point at these; the guest's own tables are what it believes it loaded.
 *
 * Flags choose how much the VMM protects itself. RC_SAFE (pv, from the first
 * instruction): no code or data descriptor (of any ring: ring 1 may load a ring-3 data
 * segment) may reach the VMM's window at the top
 * of the linear space (limits are truncated below it, as Xen truncates a PV guest's
 * segments) and LDT descriptors and gates are dropped, so nothing the guest loads
 * leads to ring 0 or into the VMM's memory. RC_PV (a registered paravirtual kernel):
 * its data segments move to ring 1 as well, its TSS descriptors are dropped and the
 * VMM's TSS is loaded into TR at once. te uses neither: the naive VMM.
 */
#ifndef RINGLAB_RINGCOMP_H
#define RINGLAB_RINGCOMP_H

#include "core/vm.h"

#define RC_MAX_GDT 1023u /* descriptors copied from the guest's GDT */

struct ringcomp {
	u32 gdt_off, tss_off;  /* the shadow GDT (8 KB) and the TSS in the VMM's memory */
	u32 vgdt_base;         /* the guest's GDTR (what it believes it loaded) */
	u16 vgdt_limit;
	u32 gtss_base;         /* te: the guest's TSS, whose ESP0 is the kernel stack */
	u16 ss1;               /* te: the ring-1 stack selector the VMM added */
	u64 *shadow_gdts;      /* ENGINE.shadow_gdts */
};

/* Prepare `rc` for `vm`, its tables at the given offsets of vm->vmm_mem. */
void ringcomp_init(struct ringcomp *rc, struct vm *vm, const char *engine, u32 gdt_off, u32 tss_off);

enum { RC_SAFE = 1, RC_PV = 2 };

/* Shadow the guest GDT at linear `base` with `limit` as `flags` say and load the shadow
 * into GDTR (and, with RC_PV, the VMM's TSS into TR). Each descriptor copied is charged
 * vmm.pte_write. Returns false if the guest's table is not mapped (nothing changed). */
bool ringcomp_shadow_gdt(struct vm *vm, struct ringcomp *rc, u32 base, u16 limit, unsigned flags);

/* Start the guest kernel deprivileged: the loader's CS at DPL 1 with RPL 1, CPL 1 (te
 * and pv, from the first instruction). */
void ringcomp_enter_ring1(struct vm *vm);

/* RC_SAFE for what the segment registers already hold (the boot loader's flat
 * segments, descriptors cached before the shadow changed): limits truncated below the
 * VMM's window, a segment that cannot be made so unusable. */
void ringcomp_truncate_loaded(struct vm *vm);

/* te: keep the ring-1 stack the guest's ring-0 stack (its TSS ESP0, as last written). */
void ringcomp_sync_stack(struct vm *vm, struct ringcomp *rc);

/* pv: the ring-1 stack a trap from ring 3 switches to (SS1:ESP1 of the VMM's TSS). */
void ringcomp_set_stack(struct vm *vm, struct ringcomp *rc, u16 ss, u32 esp);

/* True if `sel` names a writable data segment of DPL 1 in the shadow (a ring-1 stack). */
bool ringcomp_is_stack(struct vm *vm, u16 sel);

/* True if `sel` names a code segment of DPL 1 in the shadow (a trap-table target). */
bool ringcomp_is_kernel_code(struct vm *vm, u16 sel);

#endif

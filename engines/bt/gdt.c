/*
 * gdt.c — the bt engine's descriptor tables. The processor's GDT is a shadow of the
 * guest's (ringcomp, RC_SAFE: every segment truncated below the VMM's window) with the
 * guest's DPL-0 code and data descriptors at DPL 1, so that the TC, at CPL 1, loads the
 * kernel's data segments itself, plus the VMM's own code descriptor past the limit the
 * guest sees. The guest's GDT is watched: a write to it shadows it again before the next
 * segment load. The VMM reads descriptors only from its own memory or through the
 * guest's tables in software, never through the processor (which could fault).
 */
#include <string.h>

#include "core/block.h"
#include "core/segment.h"
#include "tc.h"
#include "vmm/guestmem.h"

/* The VMM's code descriptor: flat 4 GB, code execute/read, DPL 1, 32-bit. */
static const struct desc vmm_code = { 0x0000ffffu, 0x00cfba00u };

void bt_load_vmm_cs(struct bt *b)
{
	seg_from_desc(&b->vmm.vm->cpu.seg[SEG_CS], b->vmm_cs, &vmm_code);
}

/* Watch the guest's GDT at linear `base`, `len` bytes: a write there sets gdt_dirty. */
static void watch_gdt(struct bt *b, u32 base, u32 len)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 first = 0x1000 - (base & 0xfff);
	if (first > len)
		first = len;
	b->gdt_dirty = false;
	b->gdt_len[0] = b->gdt_len[1] = 0;
	if (len && vmm_guest_phys(vm, base, false, &b->gdt_pa[0])) {
		b->gdt_len[0] = first;
		cpu_watch_code(c, b->gdt_pa[0], first);
	}
	if (len > first && len - first <= 0x1000 && vmm_guest_phys(vm, base + first, false, &b->gdt_pa[1])) {
		b->gdt_len[1] = len - first;
		cpu_watch_code(c, b->gdt_pa[1], len - first);
	}
}

/* Give the guest's DPL-0 data descriptors (promoted to DPL 1 in the shadow) DPL 0 again
 * (`dpl0`: for an emulated SS load at virtual CPL 0), or DPL 1 again. */
void bt_data_dpl0(struct bt *b, bool dpl0)
{
	u32 *sh = (u32 *)(b->vmm.vm->vmm_mem + BT_GDT);
	for (u32 i = 0; i < RC_MAX_GDT; i++)
		if (b->promoted[i >> 3] >> (i & 7) & 1)
			sh[2 * i + 1] = dpl0 ? sh[2 * i + 1] & ~0x6000u : (sh[2 * i + 1] & ~0x6000u) | 0x2000u;
}

/* Shadow the guest's GDT (RC_SAFE): its DPL-0 code and data descriptors at DPL 1, so
 * that the TC, at CPL 1, loads the kernel's data segments itself (MOV/POP DS, ES, FS
 * are IDENT; translate.c). The VMM's code descriptor is written after it but left out
 * of the limit, as is the VMM's data selector: the VMM loads CS and GS directly, and a
 * guest load of either selector takes the #GP a selector past the guest's limit gives.
 * (ringcomp's ring-1 stack descriptor, unused by bt, is dropped for the same reason.) */
void bt_shadow_gdt(struct bt *b, u32 base, u16 limit)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	ringcomp_shadow_gdt(vm, &b->rc, base, limit, RC_SAFE);
	b->vgs_stale = true; /* a POP GS of the same selector must read the table again */
	memcpy(vm->vmm_mem + BT_VGDTR, &limit, 2); /* what the TC's SGDT stores */
	memcpy(vm->vmm_mem + BT_VGDTR + 2, &base, 4);
	u32 n = ((u32)limit + 1) / 8;
	if (n > RC_MAX_GDT)
		n = RC_MAX_GDT;
	u32 *sh = (u32 *)(vm->vmm_mem + BT_GDT);
	memset(b->promoted, 0, sizeof(b->promoted));
	for (u32 i = 1; i < n; i++) {
		u32 hi = sh[2 * i + 1];
		if ((hi & 0x1000) && !(hi & 0x800) && !(hi & 0x6000)) {
			sh[2 * i + 1] = hi | 0x2000u;
			b->promoted[i >> 3] |= (u8)(1u << (i & 7));
		}
	}
	b->ss_dpl0 = false;
	sh[2 * n] = sh[2 * n + 1] = 0;
	sh[2 * (n + 1)] = vmm_code.lo;
	sh[2 * (n + 1) + 1] = vmm_code.hi;
	c->gdtr_base = vm->vmm_win + BT_GDT;
	c->gdtr_limit = (u16)(8 * (n + 1) - 1);
	b->vmm_cs = (u16)(((n + 1) << 3) | 1);
	b->vmm_ds = (u16)((n + 2) << 3); /* past the limit: loading it faults */
	if (c->cpl != 3)
		c->seg[SEG_CS].sel = b->vmm_cs;
	/* a guest write to its GDT re-shadows it before the next segment load */
	b->gdt_bytes = 8 * n;
	if (!vmm_guest_read(vm, base, b->gdt_copy, b->gdt_bytes))
		b->gdt_bytes = 0;
	watch_gdt(b, base, 8 * n);
}

/* The guest wrote near its GDT: shadow it again if it changed, else watch it again. */
void bt_check_gdt(struct bt *b)
{
	u8 *now = b->gdt_now;
	u32 base = b->rc.vgdt_base, n = b->gdt_bytes;
	if (n && vmm_guest_read(b->vmm.vm, base, now, n) && !memcmp(now, b->gdt_copy, n))
		watch_gdt(b, base, n);
	else
		bt_shadow_gdt(b, base, b->rc.vgdt_limit);
}

/* Read the guest's descriptor `sel` from its own GDT (what it believes it loaded). */
bool bt_guest_desc(struct bt *b, u16 sel, struct desc *d)
{
	if ((sel & 4) || (u32)(sel | 7) > b->rc.vgdt_limit)
		return false;
	u32 w[2];
	if (!vmm_guest_read(b->vmm.vm, b->rc.vgdt_base + (sel & ~7u), w, 8))
		return false;
	d->lo = w[0];
	d->hi = w[1];
	return true;
}

/* Read the shadow GDT's descriptor `sel` from the VMM's memory, whatever GDTR holds
 * now (the guest's, during a descriptor-table emulation). Never through the guest's
 * mappings, so it cannot fault: the VMM runs outside the machine's fault handling, and
 * desc_read() there would longjmp into a run loop that has returned. */
bool bt_shadow_desc(struct bt *b, u16 sel, struct desc *d)
{
	struct vm *vm = b->vmm.vm;
	u32 limit = b->desc_swapped ? b->shadow_limit : vm->cpu.gdtr_limit;
	if ((sel & 4) || !(sel & ~7u) || (u32)(sel | 7) > limit)
		return false;
	const u32 *sh = (const u32 *)(vm->vmm_mem + BT_GDT);
	d->lo = sh[2 * (sel >> 3)];
	d->hi = sh[2 * (sel >> 3) + 1];
	return true;
}


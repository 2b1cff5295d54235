/*
 * ringcomp.c — ring compression: the shadow GDT and the VMM's TSS (see ringcomp.h).
 */
#include "ringcomp.h"

#include <stdio.h>
#include <string.h>

#include "core/segment.h"
#include "guestmem.h"

void ringcomp_init(struct ringcomp *rc, struct vm *vm, const char *engine, u32 gdt_off, u32 tss_off)
{
	char name[STATS_NAME_MAX];
	memset(rc, 0, sizeof(*rc));
	rc->gdt_off = gdt_off;
	rc->tss_off = tss_off;
	snprintf(name, sizeof(name), "%s.shadow_gdts", engine);
	rc->shadow_gdts = stats_counter(&vm->stats, name,
					"GDTs the VMM copied into its shadow with the kernel's code in ring 1 (count)");
}

static u32 desc_base(const u32 d[2]) { return (d[0] >> 16) | ((d[1] & 0xff) << 16) | (d[1] & 0xff000000u); }

/* pv: make a code or data descriptor of ring 0-2 end below the VMM's window, or drop
 * it (zero) if it cannot. */
static void truncate(u32 d[2], u32 win)
{
	bool code = d[1] & 0x800, down = !code && (d[1] & 0x400);
	u32 base = desc_base(d);
	u32 lim = (d[0] & 0xffff) | (d[1] & 0xf0000u);
	u32 bytes = (d[1] & 0x800000u) ? (lim << 12) | 0xfff : lim;
	if (down || base >= win) {
		d[0] = d[1] = 0;
		return;
	}
	if ((u64)base + bytes < win)
		return;
	u32 last = win - 1 - base; /* the highest offset allowed */
	if (d[1] & 0x800000u) {
		if (last < 0xfff) {
			d[0] = d[1] = 0;
			return;
		}
		lim = ((last + 1) >> 12) - 1;
	} else {
		lim = last > 0xfffff ? 0xfffff : last;
	}
	d[0] = (d[0] & 0xffff0000u) | (lim & 0xffff);
	d[1] = (d[1] & ~0xf0000u) | (lim & 0xf0000u);
}

bool ringcomp_shadow_gdt(struct vm *vm, struct ringcomp *rc, u32 base, u16 limit, unsigned flags)
{
	bool pv = flags & RC_PV, safe = flags & (RC_SAFE | RC_PV);
	struct cpu *c = &vm->cpu;
	u32 n = ((u32)limit + 1) / 8;
	if (n > RC_MAX_GDT)
		n = RC_MAX_GDT;
	u32 *sh = (u32 *)(vm->vmm_mem + rc->gdt_off);
	u32 tss_base = vm->vmm_win + rc->tss_off;
	if (pv) {
		/* all of it must be readable before anything changes */
		u32 probe;
		for (u32 i = 0; i < n; i += 512)
			if (!vmm_guest_read(vm, base + i * 8, &probe, 4))
				return false;
		if (n && !vmm_guest_read(vm, base + (n - 1) * 8, &probe, 4))
			return false;
	}
	rc->vgdt_base = base;
	rc->vgdt_limit = limit;
	memset(sh, 0, 8 * (RC_MAX_GDT + 1));
	for (u32 i = 0; i < n; i++) {
		u32 d[2] = { 0, 0 };
		if (!vmm_guest_read(vm, base + i * 8, d, 8))
			continue;
		bool seg = d[1] & 0x1000, code = d[1] & 0x800, dpl0 = !(d[1] & 0x6000);
		if (seg && (code || pv) && dpl0)
			d[1] |= 1u << 13; /* ring compression: the kernel runs in ring 1 */
		bool tss = !seg && ((d[1] >> 8) & 0xf) == 0x9; /* an available 32-bit TSS */
		if (safe && seg)
			truncate(d, vm->vmm_win); /* ring 3's too: ring 1 may load them */
		if ((pv && !seg) || (safe && !seg && !tss))
			d[0] = d[1] = 0; /* LDTs and gates (and under RC_PV TSSs): the VMM's alone */
		else if (tss) {
			rc->gtss_base = desc_base(d);
			d[0] = (103u & 0xffff) | (tss_base << 16);
			d[1] = ((tss_base >> 16) & 0xff) | (d[1] & 0x0000ff00u) | (tss_base & 0xff000000u);
		}
		sh[2 * i] = d[0];
		sh[2 * i + 1] = d[1];
		cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_PTE_WRITE]);
	}
	u32 *tss = (u32 *)(vm->vmm_mem + rc->tss_off);
	if (pv) {
		/* the VMM's TSS, busy, in TR: only its ring-1 stack is used */
		sh[2 * n] = (103u & 0xffff) | (tss_base << 16);
		sh[2 * n + 1] = ((tss_base >> 16) & 0xff) | 0x8b00u | (tss_base & 0xff000000u);
		struct desc td = { sh[2 * n], sh[2 * n + 1] };
		seg_from_desc(&c->tr, (u16)(n << 3), &td);
		if (!tss[25])
			tss[25] = 104u << 16; /* no I/O bitmap: IN/OUT in ring 1 fault */
	} else {
		/* a flat ring-1 data segment for the ring-1 stack */
		u32 ss1[2] = { 0x0000ffffu, 0x00cfb200u }; /* P, DPL 1, S, data RW, G, D/B, limit 0xfffff */
		if (safe)
			truncate(ss1, vm->vmm_win);
		sh[2 * n] = ss1[0];
		sh[2 * n + 1] = ss1[1];
		rc->ss1 = (u16)((n << 3) | 1);
		memset(tss, 0, 104);
		tss[4] = rc->ss1;            /* SS1 */
		tss[25] = 104u << 16;        /* no I/O bitmap: IN/OUT in ring 1 fault */
	}
	c->gdtr_base = vm->vmm_win + rc->gdt_off;
	c->gdtr_limit = (u16)(8 * (n + 1) - 1);
	(*rc->shadow_gdts)++;
	return true;
}

void ringcomp_enter_ring1(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	c->seg[SEG_CS].attr = (u16)((c->seg[SEG_CS].attr & ~SEG_DPL) | (1u << SEG_DPL_SHIFT));
	c->seg[SEG_CS].sel |= 1;
	c->cpl = 1;
	cpu_flush_fast_tlb(c);
}

void ringcomp_truncate_loaded(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	for (unsigned i = 0; i < 6; i++) {
		struct seg *s = &c->seg[i];
		if (!(s->attr & SEG_P) || !(s->attr & SEG_S))
			continue;
		bool down = !(s->attr & SEG_TYPE_CODE) && (s->attr & SEG_TYPE_EC);
		if (down || s->base >= vm->vmm_win) {
			if (i != SEG_CS && i != SEG_SS) {
				s->attr = 0; /* unusable, as a null selector leaves it */
				s->sel = 0;
			} else {
				s->limit = 0;
			}
		} else if ((u64)s->base + s->limit >= vm->vmm_win) {
			s->limit = vm->vmm_win - 1 - s->base;
		}
		seg_update_check(s);
	}
}

void ringcomp_sync_stack(struct vm *vm, struct ringcomp *rc)
{
	u32 esp0;
	if (rc->gtss_base && vmm_guest_read(vm, rc->gtss_base + 4, &esp0, 4))
		((u32 *)(vm->vmm_mem + rc->tss_off))[3] = esp0; /* ESP1 */
}

void ringcomp_set_stack(struct vm *vm, struct ringcomp *rc, u16 ss, u32 esp)
{
	u32 *tss = (u32 *)(vm->vmm_mem + rc->tss_off);
	tss[3] = esp; /* ESP1 */
	tss[4] = ss;  /* SS1 */
}

/* Read shadow descriptor `sel` (GDT only) from the VMM's memory; false if beyond the
 * shadow's limit or the shadow is not loaded. */
static bool shadow_desc(struct vm *vm, u16 sel, struct desc *d)
{
	struct cpu *c = &vm->cpu;
	if ((sel & 4) || !(sel & ~7u) || (u32)(sel | 7) > c->gdtr_limit || !vm->vmm_mem)
		return false;
	const u32 *sh = (const u32 *)(vm->vmm_mem + (c->gdtr_base - vm->vmm_win));
	if (c->gdtr_base - vm->vmm_win + (u32)(sel | 7) >= vm->vmm_size)
		return false;
	d->lo = sh[2 * (sel >> 3)];
	d->hi = sh[2 * (sel >> 3) + 1];
	return true;
}

bool ringcomp_is_stack(struct vm *vm, u16 sel)
{
	struct desc d;
	return (sel & 3) == 1 && shadow_desc(vm, sel, &d) && desc_present(&d) && desc_is_seg(&d) &&
	       !desc_is_code(&d) && (d.hi & 0x200) && desc_dpl(&d) == 1;
}

bool ringcomp_is_kernel_code(struct vm *vm, u16 sel)
{
	struct desc d;
	return shadow_desc(vm, sel, &d) && desc_present(&d) && desc_is_code(&d) && desc_dpl(&d) == 1;
}

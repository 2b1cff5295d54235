/*
 * segment.c — descriptor tables and segment-register loads, with the protection
 * checks of the SDM (Vol. 3A §5): null selectors, table limits, descriptor types,
 * RPL/DPL/CPL rules and presence, each raising the fault and error code hardware does.
 */
#include "segment.h"

#include "fault.h"
#include "mem.h"

bool desc_read(struct cpu *c, u16 sel, struct desc *d)
{
	u32 base, limit, off = sel & ~7u;
	if (sel & 4) {
		if (!(c->ldtr.attr & SEG_P))
			return false;
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	} else {
		base = c->gdtr_base;
		limit = c->gdtr_limit;
	}
	if (off + 7 > limit)
		return false;
	d->lo = mem_read_sys(c, base + off, 4);
	d->hi = mem_read_sys(c, base + off + 4, 4);
	return true;
}

void desc_set_accessed(struct cpu *c, u16 sel, struct desc *d)
{
	if (d->hi & 0x100)
		return;
	d->hi |= 0x100;
	u32 base = (sel & 4) ? c->ldtr.base : c->gdtr_base;
	mem_write_sys(c, base + (sel & ~7u) + 4, 4, d->hi);
}

void seg_update_check(struct seg *s)
{
	u16 a = s->attr;
	bool present = a & SEG_P, code = a & SEG_TYPE_CODE, rw = a & SEG_TYPE_RW;
	bool flat = present && s->limit == 0xffffffffu && (code || !(a & SEG_TYPE_EC));
	bool readable = flat && (!code || rw);
	bool writable = flat && !code && rw;
	s->check = (u8)((readable ? 0 : 1) | (writable ? 0 : 2));
}

void seg_from_desc(struct seg *s, u16 sel, const struct desc *d)
{
	s->sel = sel;
	s->base = (d->lo >> 16) | ((d->hi & 0xff) << 16) | (d->hi & 0xff000000u);
	u32 limit = (d->lo & 0xffff) | (d->hi & 0x000f0000u);
	if (d->hi & 0x00800000u)
		limit = (limit << 12) | 0xfff;
	s->limit = limit;
	s->attr = desc_attr(d);
	seg_update_check(s);
}

static void seg_null(struct seg *s, u16 sel)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0;
	s->attr = 0; /* not present: any access faults */
	seg_update_check(s);
}

void seg_load(struct cpu *c, unsigned sr, u16 sel)
{
	unsigned rpl = sel & 3;
	u32 err = sel & ~3u;
	struct desc d;
	if ((sel & ~3u) == 0) {
		if (sr == SEG_SS)
			cpu_fault(c, EXC_GP, 0);
		seg_null(&c->seg[sr], sel);
		return;
	}
	if (!desc_read(c, sel, &d))
		cpu_fault(c, EXC_GP, err);
	unsigned dpl = desc_dpl(&d);
	if (sr == SEG_SS) {
		if (rpl != c->cpl || dpl != c->cpl || !desc_is_seg(&d) || desc_is_code(&d) ||
		    !(d.hi & 0x200))
			cpu_fault(c, EXC_GP, err);
		if (!desc_present(&d))
			cpu_fault(c, EXC_SS, err);
	} else {
		if (!desc_is_seg(&d) || (desc_is_code(&d) && !(d.hi & 0x200)))
			cpu_fault(c, EXC_GP, err);
		bool conforming_code = desc_is_code(&d) && (d.hi & 0x400);
		if (!conforming_code && (rpl > dpl || c->cpl > dpl))
			cpu_fault(c, EXC_GP, err);
		if (!desc_present(&d))
			cpu_fault(c, EXC_NP, err);
	}
	desc_set_accessed(c, sel, &d);
	seg_from_desc(&c->seg[sr], sel, &d);
}

void seg_load_cs(struct cpu *c, u16 sel, const struct desc *d, unsigned cpl)
{
	c->unchain = 1;
	seg_from_desc(&c->seg[SEG_CS], (u16)((sel & ~3u) | cpl), d);
	cpu_set_cpl(c, cpl);
}

void seg_null_invalid(struct cpu *c)
{
	static const unsigned regs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
	for (unsigned i = 0; i < 4; i++) {
		struct seg *s = &c->seg[regs[i]];
		unsigned dpl = (s->attr & SEG_DPL) >> SEG_DPL_SHIFT;
		bool code = s->attr & SEG_TYPE_CODE, conf = s->attr & SEG_TYPE_EC;
		if (!(s->attr & SEG_P))
			continue;
		if ((!code || !conf) && dpl < c->cpl)
			seg_null(s, 0);
	}
}

void seg_far_check(struct cpu *c, u16 sel, struct desc *d)
{
	u32 err = sel & ~3u;
	if (!err)
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, sel, d))
		cpu_fault(c, EXC_GP, err);
	if (!desc_is_seg(d)) {
		unsigned t = desc_type(d);
		if (t == SYS_CALLGATE32 || t == SYS_CALLGATE16 || t == SYS_TASKGATE ||
		    t == SYS_TSS32_AVAIL || t == SYS_TSS16_AVAIL)
			cpu_unimplemented(c, "far transfer through a call gate, task gate or TSS");
		cpu_fault(c, EXC_GP, err);
	}
	if (!desc_is_code(d))
		cpu_fault(c, EXC_GP, err);
	unsigned dpl = desc_dpl(d), rpl = sel & 3;
	if (d->hi & 0x400) { /* conforming */
		if (dpl > c->cpl)
			cpu_fault(c, EXC_GP, err);
	} else if (rpl > c->cpl || dpl != c->cpl) {
		cpu_fault(c, EXC_GP, err);
	}
	if (!desc_present(d))
		cpu_fault(c, EXC_NP, err);
	desc_set_accessed(c, sel, d);
}

/*
 * segment.c — descriptor tables and segment-register loads, with the protection
 * checks of the SDM (Vol. 3A §5): null selectors, table limits, descriptor types,
 * RPL/DPL/CPL rules and presence, each raising the fault and error code hardware does.
 *
 * A guest kernel reloads the same few selectors on every system call and interrupt
 * (DS and ES on entry, the user's on the way out), so the loads have a short path:
 * the descriptor is read as always (one fast-TLB probe for both dwords when it lies in
 * one page: those reads are modeled accesses and stay exactly as they were), and when
 * it reads back as the last load of that selector found it, at the same CPL into the
 * same kind of register, the result is copied (struct seg_memo in cpu.h) instead of
 * being checked and decoded again. Nothing to invalidate: the memo is validated by the
 * descriptor's content, whatever wrote the table or moved it.
 */
#include "segment.h"

#include "fault.h"
#include "mem.h"

void desc_set_accessed(struct cpu *c, u16 sel, struct desc *d)
{
	if (d->hi & 0x100)
		return;
	d->hi |= 0x100;
	u32 base = (sel & 4) ? c->ldtr.base : c->gdtr_base;
	mem_write_sys(c, base + (sel & ~7u) + 4, 4, d->hi);
}

static void seg_null(struct seg *s, u16 sel)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0;
	s->attr = 0; /* not present: any access faults */
	seg_update_check(s);
}

/* The checks and the decoding of seg_load for descriptor `d` (read), remembered in
 * memo `m`. */
static __attribute__((noinline)) void seg_load_checked(struct cpu *c, unsigned sr, u16 sel,
							struct desc *d, struct seg_memo *m)
{
	unsigned rpl = sel & 3;
	u32 err = sel & ~3u;
	unsigned dpl = desc_dpl(d);
	if (sr == SEG_SS) {
		if (rpl != c->cpl || dpl != c->cpl || !desc_is_seg(d) || desc_is_code(d) ||
		    !(d->hi & 0x200))
			cpu_fault(c, EXC_GP, err);
		if (!desc_present(d))
			cpu_fault(c, EXC_SS, err);
	} else {
		if (!desc_is_seg(d) || (desc_is_code(d) && !(d->hi & 0x200)))
			cpu_fault(c, EXC_GP, err);
		bool conforming_code = desc_is_code(d) && (d->hi & 0x400);
		if (!conforming_code && (rpl > dpl || c->cpl > dpl))
			cpu_fault(c, EXC_GP, err);
		if (!desc_present(d))
			cpu_fault(c, EXC_NP, err);
	}
	desc_set_accessed(c, sel, d);
	seg_from_desc(&c->seg[sr], sel, d);
	*m = (struct seg_memo){ .lo = d->lo, .hi = d->hi, .sel = sel,
				.key = (u8)(c->cpl | (sr == SEG_SS ? 4 : 0)), .seg = c->seg[sr] };
}

/* The memo slot for `sel` loaded into SS or not. */
static inline struct seg_memo *seg_memo_slot(struct cpu *c, u16 sel, bool ss)
{
	return &c->seg_memo[((sel >> 3) * 2 + ss) & (SEG_MEMO_SIZE - 1)];
}

void seg_load(struct cpu *c, unsigned sr, u16 sel)
{
	struct desc d;
	if ((sel & ~3u) == 0) {
		if (sr == SEG_SS)
			cpu_fault(c, EXC_GP, 0);
		seg_null(&c->seg[sr], sel);
		return;
	}
	if (__builtin_expect(!desc_read(c, sel, &d), 0))
		cpu_fault(c, EXC_GP, sel & ~3u);
	bool ss = sr == SEG_SS;
	struct seg_memo *m = seg_memo_slot(c, sel, ss);
	if (m->lo == d.lo && m->hi == d.hi && m->sel == sel && m->key == (c->cpl | (ss ? 4 : 0))) {
		/* the checks pass and the accessed bit is set, as last time */
		c->seg[sr] = m->seg;
		return;
	}
	seg_load_checked(c, sr, sel, &d, m);
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

/*
 * segment.h — segmentation: descriptor tables, segment-register loads with their
 * protection checks, and the privilege level.
 *
 * The guest uses flat segments, but the checks are real because the sensitive
 * instructions of the x86 (Robin & Irvine) are about exactly these rules: what a
 * selector's RPL, a descriptor's DPL and the CPL allow, and what a guest running at
 * the "wrong" privilege level can observe.
 */
#ifndef RINGLAB_SEGMENT_H
#define RINGLAB_SEGMENT_H

#include "cpu.h"
#include "mem.h"

/* A descriptor as read from a table: its two dwords. */
struct desc {
	u32 lo, hi;
};

static inline u16 desc_attr(const struct desc *d) { return (u16)((d->hi >> 8) & 0xf0ff); }
static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline bool desc_present(const struct desc *d) { return d->hi & 0x8000; }
static inline bool desc_is_seg(const struct desc *d) { return d->hi & 0x1000; } /* S bit */
static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 15; }
static inline bool desc_is_code(const struct desc *d) { return desc_is_seg(d) && (d->hi & 0x800); }

/* Where the descriptor `sel` names lies (GDT or LDT by TI): false when the index is
 * beyond the table's limit or the LDT is not present. */
static inline bool desc_lin(const struct cpu *c, u16 sel, u32 *lin)
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
	*lin = base + off;
	return true;
}

/* Read the 8-byte descriptor at linear `lin` as two supervisor dword reads. When both
 * would hit the fast TLB in one page, one probe serves them (no modeled effect either
 * way); else they are made one by one, slow paths and all. */
static inline __attribute__((always_inline)) void desc_read_at(struct cpu *c, u32 lin,
							       struct desc *d)
{
	const u8 *p = mem_sys_read_ptr(c, lin, 8);
	if (__builtin_expect(p != NULL, 1)) {
		d->lo = load_n(p, 4);
		d->hi = load_n(p + 4, 4);
		return;
	}
	d->lo = mem_read_sys(c, lin, 4);
	d->hi = mem_read_sys(c, lin + 4, 4);
}

/* Read the descriptor `sel` names (GDT or LDT by TI). Returns false when the index is
 * beyond the table's limit (the caller raises the fault its instruction defines). */
static inline __attribute__((always_inline)) bool desc_read(struct cpu *c, u16 sel,
							    struct desc *d)
{
	u32 lin;
	if (!desc_lin(c, sel, &lin))
		return false;
	desc_read_at(c, lin, d);
	return true;
}

/* Set the accessed bit of a code/data descriptor in its table, as hardware does. */
void desc_set_accessed(struct cpu *c, u16 sel, struct desc *d);

/* Recompute which accesses through `s` need checks (see struct seg). */
static inline void seg_update_check(struct seg *s)
{
	u16 a = s->attr;
	bool present = a & SEG_P, code = a & SEG_TYPE_CODE, rw = a & SEG_TYPE_RW;
	bool flat = present && s->limit == 0xffffffffu && (code || !(a & SEG_TYPE_EC));
	bool readable = flat && (!code || rw);
	bool writable = flat && !code && rw;
	s->check = (u8)((readable ? 0 : 1) | (writable ? 0 : 2));
}

/* Fill segment register `s` (hidden part included) from a descriptor. */
static inline void seg_from_desc(struct seg *s, u16 sel, const struct desc *d)
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

/* Load data segment register `sr` (DS, ES, FS, GS or SS) with `sel`, with the checks of
 * MOV Sreg / POP Sreg / LDS (#GP, #SS, #NP). */
void seg_load(struct cpu *c, unsigned sr, u16 sel);

/* Make `cpl` current: selects the fast TLBs for its privilege class. */
static inline void cpu_set_cpl(struct cpu *c, unsigned cpl)
{
	c->cpl = (u8)cpl;
	c->unchain = 1;
	c->ft = c->ftlb[cpl == 3];
	c->ct = c->ctlb[cpl == 3];
}

/* Load CS from a checked descriptor and make `cpl` the current privilege level. */
static inline void seg_load_cs(struct cpu *c, u16 sel, const struct desc *d, unsigned cpl)
{
	c->unchain = 1;
	seg_from_desc(&c->seg[SEG_CS], (u16)((sel & ~3u) | cpl), d);
	cpu_set_cpl(c, cpl);
}

/* After a return to an outer ring: null DS, ES, FS, GS whose DPL the new CPL may not
 * use (data or non-conforming code with DPL < CPL). */
void seg_null_invalid(struct cpu *c);

/* Check `sel` as the target of a far JMP or CALL at the current CPL and read its
 * descriptor into `d` (#GP, #NP). Gates and TSS targets are not implemented. */
void seg_far_check(struct cpu *c, u16 sel, struct desc *d);

#endif

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

/* Read the descriptor `sel` names (GDT or LDT by TI). Returns false when the index is
 * beyond the table's limit (the caller raises the fault its instruction defines). */
bool desc_read(struct cpu *c, u16 sel, struct desc *d);

/* Set the accessed bit of a code/data descriptor in its table, as hardware does. */
void desc_set_accessed(struct cpu *c, u16 sel, struct desc *d);

/* Fill segment register `s` (hidden part included) from a descriptor. */
void seg_from_desc(struct seg *s, u16 sel, const struct desc *d);

/* Recompute which accesses through `s` need checks (see struct seg). */
void seg_update_check(struct seg *s);

/* Load data segment register `sr` (DS, ES, FS, GS or SS) with `sel`, with the checks of
 * MOV Sreg / POP Sreg / LDS (#GP, #SS, #NP). */
void seg_load(struct cpu *c, unsigned sr, u16 sel);

/* Load CS from a checked descriptor and make `cpl` the current privilege level. */
void seg_load_cs(struct cpu *c, u16 sel, const struct desc *d, unsigned cpl);

/* Make `cpl` current: selects the fast TLBs for its privilege class. */
static inline void cpu_set_cpl(struct cpu *c, unsigned cpl)
{
	c->cpl = (u8)cpl;
	c->unchain = 1;
	c->ft = c->ftlb[cpl == 3];
	c->ct = c->ctlb[cpl == 3];
}

/* After a return to an outer ring: null DS, ES, FS, GS whose DPL the new CPL may not
 * use (data or non-conforming code with DPL < CPL). */
void seg_null_invalid(struct cpu *c);

/* Check `sel` as the target of a far JMP or CALL at the current CPL and read its
 * descriptor into `d` (#GP, #NP). Gates and TSS targets are not implemented. */
void seg_far_check(struct cpu *c, u16 sel, struct desc *d);

#endif

/*
 * traps.c — exception and interrupt delivery through the IDT, and IRET
 * (SDM Vol. 3A §6.12 and the IRET pseudo-code).
 *
 * Delivery reads every descriptor and pushes the whole frame before it changes any
 * register, so a fault in the middle (a bad gate, a not-present stack segment, an
 * unmapped kernel stack) finds the processor as it was; cpu.c then turns it into a
 * double fault or delivers it in turn.
 */
#include "traps.h"

#include "fault.h"
#include "flags.h"
#include "mem.h"
#include "operand.h"
#include "segment.h"

/* Write one value of `size` below `*sp` on the stack described by `ss`. */
static void frame_push(struct cpu *c, const struct seg *ss, u32 *sp, unsigned size, u32 v,
		       u32 ss_err)
{
	bool big = ss->attr & SEG_DB;
	u32 nsp = (*sp - size) & (big ? 0xffffffffu : 0xffff);
	if (ss->check & 2) {
		bool down = ss->attr & SEG_TYPE_EC;
		u32 upper = down ? (big ? 0xffffffffu : 0xffff) : ss->limit;
		u32 lower = down ? ss->limit + 1 : 0;
		if (nsp < lower || nsp + size - 1 > upper)
			cpu_fault(c, EXC_SS, ss_err);
	}
	if (c->cpl == 3 && !c->delivering_inner)
		mem_write(c, ss->base + nsp, size, v);
	else
		mem_write_sys(c, ss->base + nsp, size, v);
	*sp = nsp;
}

/* Push the `n` values `v` (v[0] first) of `size` below `*sp`, as n frame_push calls
 * would. The common frame, on a flat 32-bit stack within one page the fast TLB holds
 * writable, is stored at once: each of those pushes would have hit that entry, with no
 * modeled effect. Anything else (limit checks, a page boundary, a miss) takes the
 * pushes one by one. */
static void frame_push_all(struct cpu *c, const struct seg *ss, u32 *sp, unsigned size,
			   const u32 *v, unsigned n, u32 ss_err)
{
	u32 bytes = n * size, lin = ss->base + *sp - bytes;
	if (!ss->check && (ss->attr & SEG_DB) && (lin & 0xfff) <= 0x1000 - bytes) {
		bool user = c->cpl == 3 && !c->delivering_inner; /* frame_push's mem_write */
		const struct ftlb_entry *e = &c->ftlb[user][(lin >> 12) & (FTLB_SIZE - 1)];
		if (e->wtag == lin >> 12) {
			u8 *p = (u8 *)(lin + e->addend) + bytes;
			for (unsigned i = 0; i < n; i++)
				store_n(p -= size, size, v[i]);
			*sp -= bytes;
			return;
		}
	}
	for (unsigned i = 0; i < n; i++)
		frame_push(c, ss, sp, size, v[i], ss_err);
}

void trap_deliver(struct cpu *c, u8 vec, enum trap_kind kind, bool has_err, u32 err,
		  u32 ret_eip, u32 cur_eip)
{
	u32 ext = kind == TRAP_SOFT ? 0 : 1;
	u32 gerr = vec * 8u + 2 + ext;

	c->delivering = 1;
	c->deliver_vec = vec;
	c->deliver_kind = (u8)kind;
	c->deliver_has_err = has_err;
	c->deliver_err = err;
	c->fault_eip = cur_eip;

	if (vec * 8u + 7 > c->idtr_limit)
		cpu_fault(c, EXC_GP, gerr);
	struct desc gate;
	desc_read_at(c, c->idtr_base + vec * 8u, &gate);
	u32 lo = gate.lo, hi = gate.hi;
	unsigned type = (hi >> 8) & 0x1f; /* S bit included: must be 0 */
	if (type == SYS_TASKGATE)
		cpu_unimplemented(c, "interrupt through a task gate (hardware task switch)");
	if (type != SYS_INTGATE32 && type != SYS_TRAPGATE32 && type != SYS_INTGATE16 &&
	    type != SYS_TRAPGATE16)
		cpu_fault(c, EXC_GP, gerr);
	if (kind == TRAP_SOFT && ((hi >> 13) & 3) < c->cpl)
		cpu_fault(c, EXC_GP, gerr);
	if (!(hi & 0x8000))
		cpu_fault(c, EXC_NP, gerr);

	unsigned gsize = (type & 8) ? 4 : 2;
	u16 sel = (u16)(lo >> 16);
	u32 off = (lo & 0xffff) | (gsize == 4 ? (hi & 0xffff0000u) : 0);
	struct desc cd;
	if (!(sel & ~3u))
		cpu_fault(c, EXC_GP, ext);
	if (!desc_read(c, sel, &cd) || !desc_is_code(&cd))
		cpu_fault(c, EXC_GP, (sel & ~3u) + ext);
	unsigned dpl = desc_dpl(&cd);
	if (dpl > c->cpl)
		cpu_fault(c, EXC_GP, (sel & ~3u) + ext);
	if (!desc_present(&cd))
		cpu_fault(c, EXC_NP, (sel & ~3u) + ext);

	u32 eflags = cpu_get_eflags(c);
	bool inner = !(cd.hi & 0x400) && dpl < c->cpl;
	struct seg nss = c->seg[SEG_SS];
	u32 sp = c->r[R_ESP];
	if (!(nss.attr & SEG_DB))
		sp &= 0xffff;

	c->delivering_inner = inner;
	if (inner) {
		/* Switch to the inner ring's stack named in the TSS. */
		struct seg *tr = &c->tr;
		bool tss32 = (tr->attr & 8) != 0;
		u32 esp_off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
		u32 need = tss32 ? esp_off + 5 : esp_off + 3;
		u32 tss_err = (tr->sel & ~3u) + ext;
		if (!(tr->attr & SEG_P) || need > tr->limit)
			cpu_fault(c, EXC_TS, tss_err);
		u32 nesp = tss32 ? mem_read_sys(c, tr->base + esp_off, 4)
				 : mem_read_sys(c, tr->base + esp_off, 2);
		u16 nsel = (u16)mem_read_sys(c, tr->base + esp_off + (tss32 ? 4 : 2), 2);
		struct desc sd;
		if (!(nsel & ~3u))
			cpu_fault(c, EXC_TS, ext);
		if (!desc_read(c, nsel, &sd))
			cpu_fault(c, EXC_TS, (nsel & ~3u) + ext);
		if ((nsel & 3) != dpl || desc_dpl(&sd) != dpl || !desc_is_seg(&sd) ||
		    desc_is_code(&sd) || !(sd.hi & 0x200))
			cpu_fault(c, EXC_TS, (nsel & ~3u) + ext);
		if (!desc_present(&sd))
			cpu_fault(c, EXC_SS, (nsel & ~3u) + ext);
		seg_from_desc(&nss, nsel, &sd);
		sp = (nss.attr & SEG_DB) ? nesp : nesp & 0xffff;
		u32 sserr = (nsel & ~3u) + ext;
		const u32 frame[] = { c->seg[SEG_SS].sel, c->r[R_ESP], eflags, c->seg[SEG_CS].sel,
				      ret_eip, err };
		frame_push_all(c, &nss, &sp, gsize, frame, has_err ? 6 : 5, sserr);
		desc_set_accessed(c, nsel, &sd);
	} else {
		const u32 frame[] = { eflags, c->seg[SEG_CS].sel, ret_eip, err };
		frame_push_all(c, &nss, &sp, gsize, frame, has_err ? 4 : 3, ext);
	}

	/* Commit. */
	cc_materialize(c);
	c->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	if (!(type & 1))
		c->eflags &= ~FL_IF;
	unsigned ncpl = (cd.hi & 0x400) ? c->cpl : dpl;
	c->seg[SEG_SS] = nss;
	if (nss.attr & SEG_DB)
		c->r[R_ESP] = sp;
	else
		c->r[R_ESP] = (c->r[R_ESP] & 0xffff0000u) | (sp & 0xffff);
	desc_set_accessed(c, sel, &cd);
	seg_load_cs(c, sel, &cd, ncpl);
	c->eip = gsize == 4 ? off : off & 0xffff;

	const u64 *v = c->prof->v;
	cost_charge(c->cost, COST_TRAP, kind == TRAP_EXT ? v[P_TRAP_INTERRUPT] : v[P_TRAP_EXCEPTION]);
	if (inner)
		cost_charge(c->cost, COST_TRAP, v[P_TRAP_RING_SWITCH]);
	if (kind == TRAP_EXT)
		(*c->cnt.interrupts)++;
	else if (kind == TRAP_SOFT)
		(*c->cnt.soft_ints)++;
	else
		(*c->cnt.exceptions[vec & 31])++;
	c->delivering = 0;
	c->event_delivered = 1;
}

/* Read the `n` values of `size` at the stack top (v[0] at ESP), as n stack_peek calls
 * would; on a flat 32-bit stack, within one page the fast TLB holds, by one probe. */
static void stack_peek_all(struct cpu *c, unsigned size, u32 *v, unsigned n)
{
	const struct seg *ss = &c->seg[SEG_SS];
	u32 bytes = n * size, lin = ss->base + c->r[R_ESP];
	if (!ss->check && (ss->attr & SEG_DB) && (lin & 0xfff) <= 0x1000 - bytes) {
		const struct ftlb_entry *e = &c->ft[(lin >> 12) & (FTLB_SIZE - 1)];
		if (e->rtag == lin >> 12) {
			const u8 *p = (const u8 *)(lin + e->addend);
			for (unsigned i = 0; i < n; i++)
				v[i] = load_n(p + i * size, size);
			return;
		}
	}
	for (unsigned i = 0; i < n; i++)
		v[i] = stack_peek(c, i * size, size);
}

void trap_iret(struct cpu *c, unsigned s)
{
	if (c->eflags & FL_NT)
		cpu_unimplemented(c, "IRET with EFLAGS.NT set (task return)");
	u32 top[3];
	stack_peek_all(c, s, top, 3);
	u32 neip = top[0], nfl = top[2];
	u16 ncs = (u16)top[1];
	u32 cur = cpu_get_eflags(c);
	if (s == 2)
		nfl = (cur & 0xffff0000u) | (nfl & 0xffff);
	if ((nfl & FL_VM) && c->cpl == 0)
		cpu_unimplemented(c, "IRET to virtual-8086 mode");

	u32 err = ncs & ~3u;
	unsigned rpl = ncs & 3;
	struct desc cd;
	if (!err)
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, ncs, &cd) || !desc_is_code(&cd) || rpl < c->cpl)
		cpu_fault(c, EXC_GP, err);
	if ((cd.hi & 0x400) ? desc_dpl(&cd) > rpl : desc_dpl(&cd) != rpl)
		cpu_fault(c, EXC_GP, err);
	if (!desc_present(&cd))
		cpu_fault(c, EXC_NP, err);

	bool outer = rpl > c->cpl;
	u32 nesp = 0;
	u16 nss = 0;
	struct desc sd;
	if (outer) {
		nesp = stack_peek(c, 3 * s, s);
		nss = (u16)stack_peek(c, 4 * s, s);
		if (!(nss & ~3u))
			cpu_fault(c, EXC_GP, 0);
		if (!desc_read(c, nss, &sd))
			cpu_fault(c, EXC_GP, nss & ~3u);
		if ((nss & 3) != rpl || !desc_is_seg(&sd) || desc_is_code(&sd) ||
		    !(sd.hi & 0x200) || desc_dpl(&sd) != rpl)
			cpu_fault(c, EXC_GP, nss & ~3u);
		if (!desc_present(&sd))
			cpu_fault(c, EXC_SS, nss & ~3u);
	}

	/* EFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL. */
	u32 mask = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_RF | FL_AC | FL_ID;
	if (c->cpl == 0)
		mask |= FL_IOPL | FL_VIF | FL_VIP;
	if (c->cpl <= ((cur & FL_IOPL) >> FL_IOPL_SHIFT))
		mask |= FL_IF;
	if (s == 2)
		mask &= 0xffff;
	c->eflags = ((cur & ~mask) | (nfl & mask) | FL_1);
	cpu_eflags_loaded(c);
	c->cc_op = CC_EAGER;

	desc_set_accessed(c, ncs, &cd);
	seg_load_cs(c, ncs, &cd, rpl);
	c->eip = s == 2 ? neip & 0xffff : neip;
	if (outer) {
		desc_set_accessed(c, nss, &sd);
		seg_from_desc(&c->seg[SEG_SS], nss, &sd);
		if (c->seg[SEG_SS].attr & SEG_DB)
			c->r[R_ESP] = nesp;
		else
			c->r[R_ESP] = (c->r[R_ESP] & 0xffff0000u) | (nesp & 0xffff);
		seg_null_invalid(c);
	} else {
		sp_set(c, sp_get(c) + 3 * s);
	}
	cost_charge(c->cost, COST_TRAP, c->prof->v[P_TRAP_IRET]);
}

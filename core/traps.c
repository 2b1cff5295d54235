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
	u32 lo = mem_read_sys(c, c->idtr_base + vec * 8u, 4);
	u32 hi = mem_read_sys(c, c->idtr_base + vec * 8u + 4, 4);
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
		frame_push(c, &nss, &sp, gsize, c->seg[SEG_SS].sel, sserr);
		frame_push(c, &nss, &sp, gsize, c->r[R_ESP], sserr);
		frame_push(c, &nss, &sp, gsize, eflags, sserr);
		frame_push(c, &nss, &sp, gsize, c->seg[SEG_CS].sel, sserr);
		frame_push(c, &nss, &sp, gsize, ret_eip, sserr);
		if (has_err)
			frame_push(c, &nss, &sp, gsize, err, sserr);
		desc_set_accessed(c, nsel, &sd);
	} else {
		frame_push(c, &nss, &sp, gsize, eflags, ext);
		frame_push(c, &nss, &sp, gsize, c->seg[SEG_CS].sel, ext);
		frame_push(c, &nss, &sp, gsize, ret_eip, ext);
		if (has_err)
			frame_push(c, &nss, &sp, gsize, err, ext);
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

void trap_iret(struct cpu *c, unsigned s)
{
	if (c->eflags & FL_NT)
		cpu_unimplemented(c, "IRET with EFLAGS.NT set (task return)");
	u32 neip = stack_peek(c, 0, s);
	u16 ncs = (u16)stack_peek(c, s, s);
	u32 nfl = stack_peek(c, 2 * s, s);
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

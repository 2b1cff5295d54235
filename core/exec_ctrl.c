/*
 * exec_ctrl.c — transfers of control: near jumps, calls and returns, conditional
 * branches, LOOP/JECXZ, software interrupts, IRET, and far JMP/CALL/RET.
 *
 * These instructions end their block. The run loop has already set EIP to the
 * fall-through address, so a branch not taken does nothing; a taken one sets EIP.
 */
#include "exec.h"
#include "fault.h"
#include "flags.h"
#include "operand.h"
#include "segment.h"
#include "traps.h"

/* Jump to `target` in the current code segment (masked to 16 bits for osize 2). */
static inline void jump(struct cpu *c, const struct insn *in, u32 target)
{
	if (in->osize == 2)
		target &= 0xffff;
	if (target > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	c->eip = target;
}

HANDLER(h_jmp_rel) { jump(c, in, insn_next(in) + in->imm); }

HANDLER(h_jcc)
{
	if (cc_cond(c, in->op))
		jump(c, in, insn_next(in) + in->imm);
}

HANDLER(h_call_rel)
{
	u32 target = insn_next(in) + in->imm;
	if (in->osize == 2)
		target &= 0xffff;
	if (target > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	push(c, in->osize, insn_next(in));
	c->eip = target;
}

HANDLER(h_ret)
{
	u32 target = stack_peek(c, 0, in->osize);
	jump(c, in, target);
	sp_set(c, sp_get(c) + in->osize);
}

HANDLER(h_ret_imm)
{
	u32 target = stack_peek(c, 0, in->osize);
	jump(c, in, target);
	sp_set(c, sp_get(c) + in->osize + in->imm);
}

HANDLER(h_jmp_rm) { jump(c, in, rm_read(c, in, in->osize)); }

HANDLER(h_call_rm)
{
	u32 target = rm_read(c, in, in->osize);
	if (in->osize == 2)
		target &= 0xffff;
	if (target > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	push(c, in->osize, insn_next(in));
	c->eip = target;
}

HANDLER(h_loop)
{
	bool a16 = in->flags & IF_A16;
	u32 cx;
	if (in->op == 3) {
		cx = a16 ? c->r[R_ECX] & 0xffff : c->r[R_ECX];
		if (!cx)
			jump(c, in, insn_next(in) + in->imm);
		return;
	}
	if (a16) {
		cx = (c->r[R_ECX] - 1) & 0xffff;
		c->r[R_ECX] = (c->r[R_ECX] & 0xffff0000u) | cx;
	} else {
		cx = --c->r[R_ECX];
	}
	bool take = cx != 0;
	if (in->op == 0)
		take = take && !cc_zf(c);
	else if (in->op == 1)
		take = take && cc_zf(c);
	if (take)
		jump(c, in, insn_next(in) + in->imm);
}

/* A software interrupt or trap-class exception raised by an instruction. An INT n the
 * engine intercepts (a hypercall, a callout) leaves the guest instead of being
 * delivered; EIP stays at the instruction and insn_len says how far to step over it. */
static void soft_trap(struct cpu *c, const struct insn *in, u8 vec, enum trap_kind kind)
{
	if (kind == TRAP_SOFT && c->icpt.active && !c->bypass && c->icpt.softint[vec]) {
		c->exit->vector = vec;
		cpu_exit_insn(c, c->icpt.softint[vec], vec);
	}
	if (kind != TRAP_SOFT || vec == EXC_BP || vec == EXC_OF) {
		if (c->icpt.active && (c->icpt.exception_bitmap >> vec & 1) && vec < 32) {
			c->exit->vector = vec;
			c->exit->error_code = 0;
			cpu_exit_insn(c, EXIT_EXCEPTION_NMI, 0);
		}
	}
	trap_deliver(c, vec, kind, false, 0, insn_next(in), in->eip);
}

HANDLER(h_int) { soft_trap(c, in, (u8)in->imm, TRAP_SOFT); }
HANDLER(h_int3) { soft_trap(c, in, EXC_BP, TRAP_SOFT); }
HANDLER(h_int1) { soft_trap(c, in, EXC_DB, TRAP_ICE); }

HANDLER(h_into)
{
	if (cc_of(c))
		soft_trap(c, in, EXC_OF, TRAP_SOFT);
}

HANDLER(h_iret) { trap_iret(c, in->osize); }

/* Far JMP or CALL to sel:off. */
static void far_transfer(struct cpu *c, const struct insn *in, u16 sel, u32 off, bool call)
{
	struct desc d;
	seg_far_check(c, sel, &d);
	u32 limit = (d.lo & 0xffff) | (d.hi & 0x000f0000u);
	if (d.hi & 0x00800000u)
		limit = (limit << 12) | 0xfff;
	if (in->osize == 2)
		off &= 0xffff;
	if (off > limit)
		cpu_fault(c, EXC_GP, 0);
	if (call) {
		push(c, in->osize, c->seg[SEG_CS].sel);
		push(c, in->osize, insn_next(in));
	}
	seg_load_cs(c, sel, &d, c->cpl);
	c->eip = off;
}

HANDLER(h_jmp_far) { far_transfer(c, in, in->imm2, in->imm, false); }
HANDLER(h_call_far) { far_transfer(c, in, in->imm2, in->imm, true); }

HANDLER(h_jmp_far_m)
{
	u32 ea = insn_ea(c, in);
	u32 off = seg_read(c, in->seg, ea, in->osize);
	u16 sel = (u16)seg_read(c, in->seg, ea + in->osize, 2);
	far_transfer(c, in, sel, off, false);
}

HANDLER(h_call_far_m)
{
	u32 ea = insn_ea(c, in);
	u32 off = seg_read(c, in->seg, ea, in->osize);
	u16 sel = (u16)seg_read(c, in->seg, ea + in->osize, 2);
	far_transfer(c, in, sel, off, true);
}

HANDLER(h_retf)
{
	unsigned s = in->osize;
	u32 off = stack_peek(c, 0, s);
	u16 sel = (u16)stack_peek(c, s, s);
	u32 err = sel & ~3u;
	unsigned rpl = sel & 3;
	struct desc d;
	if (!err)
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, sel, &d) || !desc_is_code(&d) || rpl < c->cpl)
		cpu_fault(c, EXC_GP, err);
	if ((d.hi & 0x400) ? desc_dpl(&d) > rpl : desc_dpl(&d) != rpl)
		cpu_fault(c, EXC_GP, err);
	if (!desc_present(&d))
		cpu_fault(c, EXC_NP, err);
	if (s == 2)
		off &= 0xffff;
	if (rpl == c->cpl) {
		seg_load_cs(c, sel, &d, rpl);
		c->eip = off;
		sp_set(c, sp_get(c) + 2 * s + in->imm);
		return;
	}
	/* Return to an outer ring: SS:ESP follow, above the released parameters. */
	u32 nesp = stack_peek(c, 2 * s + in->imm, s);
	u16 nss = (u16)stack_peek(c, 3 * s + in->imm, s);
	struct desc sd;
	if (!(nss & ~3u))
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, nss, &sd))
		cpu_fault(c, EXC_GP, nss & ~3u);
	if ((nss & 3) != rpl || !desc_is_seg(&sd) || desc_is_code(&sd) || !(sd.hi & 0x200) ||
	    desc_dpl(&sd) != rpl)
		cpu_fault(c, EXC_GP, nss & ~3u);
	if (!desc_present(&sd))
		cpu_fault(c, EXC_SS, nss & ~3u);
	desc_set_accessed(c, sel, &d);
	seg_load_cs(c, sel, &d, rpl);
	c->eip = off;
	desc_set_accessed(c, nss, &sd);
	seg_from_desc(&c->seg[SEG_SS], nss, &sd);
	sp_set(c, nesp + in->imm);
	seg_null_invalid(c);
}

HANDLER(h_ud) { cpu_fault(c, EXC_UD, 0); }

HANDLER(h_fpu)
{
	/* No FPU: with CR0.EM or CR0.TS the escape raises #NM, as a kernel emulating or
	 * lazily switching the FPU expects; otherwise #UD. */
	if (c->cr0 & (CR0_EM | CR0_TS))
		cpu_fault(c, EXC_NM, 0);
	cpu_fault(c, EXC_UD, 0);
}

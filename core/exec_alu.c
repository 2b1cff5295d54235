/*
 * exec_alu.c — arithmetic and logic: the ALU group, INC/DEC/NEG/NOT/TEST, shifts and
 * rotates, multiply and divide, bit tests and scans, BCD adjustments, flag moves.
 *
 * Arithmetic records its operands for lazy flags (flags.h); rotates, bit operations
 * and BCD change single flags and so compute them eagerly. Where the SDM leaves a flag
 * undefined we compute it the same way every run (the differential tests mask it).
 */
#include "exec.h"
#include "fault.h"
#include "flags.h"
#include "operand.h"

u32 cc_arith_lazy(const struct cpu *c)
{
	switch (c->cc_op) {
	case CC_ADD: return cc_arith_op(c, CC_ADD);
	case CC_ADC: return cc_arith_op(c, CC_ADC);
	case CC_SUB: return cc_arith_op(c, CC_SUB);
	case CC_SBB: return cc_arith_op(c, CC_SBB);
	case CC_LOGIC: return cc_arith_op(c, CC_LOGIC);
	case CC_INC: return cc_arith_op(c, CC_INC);
	case CC_DEC: return cc_arith_op(c, CC_DEC);
	case CC_SHL: return cc_arith_op(c, CC_SHL);
	case CC_SHR: return cc_arith_op(c, CC_SHR);
	case CC_SAR: return cc_arith_op(c, CC_SAR);
	case CC_MUL: return cc_arith_op(c, CC_MUL);
	}
	return cc_arith_op(c, c->cc_op);
}

/* Perform ALU op `op` (ADD OR ADC SBB AND SUB XOR CMP) of width `bits`; set flags. */
static inline u32 alu(struct cpu *c, unsigned op, unsigned bits, u32 a, u32 b)
{
	u32 r, cf;
	switch (op) {
	case 0: r = a + b; cc_set(c, CC_ADD, bits, a, b, r); break;
	case 1: r = a | b; cc_set(c, CC_LOGIC, bits, a, b, r); break;
	case 2:
		cf = cc_cf(c);
		r = a + b + cf;
		cc_set(c, CC_ADC, bits, a, b, r);
		c->cc_aux = (u8)cf;
		break;
	case 3:
		cf = cc_cf(c);
		r = a - b - cf;
		cc_set(c, CC_SBB, bits, a, b, r);
		c->cc_aux = (u8)cf;
		break;
	case 4: r = a & b; cc_set(c, CC_LOGIC, bits, a, b, r); break;
	case 6: r = a ^ b; cc_set(c, CC_LOGIC, bits, a, b, r); break;
	default: r = a - b; cc_set(c, CC_SUB, bits, a, b, r); break;
	}
	return r & width_mask(bits);
}

/* Set the result flags of `res` and then CF and OF explicitly (AF cleared). */
static void flags_eager(struct cpu *c, unsigned bits, u32 res, bool cf, bool of)
{
	cc_set(c, CC_LOGIC, bits, 0, 0, res);
	cc_materialize(c);
	c->eflags = (c->eflags & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
}

static inline void set_flag(struct cpu *c, u32 flag, bool on)
{
	cc_materialize(c);
	c->eflags = on ? c->eflags | flag : c->eflags & ~flag;
}

HANDLER(h_alu_rm_r)
{
	unsigned s = in->osize, op = in->op & 7;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		u32 r = alu(c, op, s * 8, seg_read(c, in->seg, ea, s), reg_get(c, in->reg, s));
		if (op != 7)
			seg_write(c, in->seg, ea, s, r);
	} else {
		u32 r = alu(c, op, s * 8, reg_get(c, in->rm, s), reg_get(c, in->reg, s));
		if (op != 7)
			reg_set(c, in->rm, s, r);
	}
}

HANDLER(h_alu_r_rm)
{
	unsigned s = in->osize, op = in->op & 7;
	u32 r = alu(c, op, s * 8, reg_get(c, in->reg, s), rm_read(c, in, s));
	if (op != 7)
		reg_set(c, in->reg, s, r);
}

HANDLER(h_alu_rm_imm)
{
	unsigned s = in->osize, op = in->op & 7;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		u32 r = alu(c, op, s * 8, seg_read(c, in->seg, ea, s), in->imm);
		if (op != 7)
			seg_write(c, in->seg, ea, s, r);
	} else {
		u32 r = alu(c, op, s * 8, reg_get(c, in->rm, s), in->imm);
		if (op != 7)
			reg_set(c, in->rm, s, r);
	}
}

HANDLER(h_alu32_rr)
{
	unsigned d = in->rm, s = in->reg;
	if (in->op & 0x80) {
		d = in->reg;
		s = in->rm;
	}
	unsigned op = in->op & 7;
	u32 r = alu(c, op, 32, c->r[d], c->r[s]);
	if (op != 7)
		c->r[d] = r;
}

HANDLER(h_alu32_r_imm)
{
	unsigned op = in->op & 7;
	u32 r = alu(c, op, 32, c->r[in->rm], in->imm);
	if (op != 7)
		c->r[in->rm] = r;
}

HANDLER(h_alu32_r_m)
{
	unsigned op = in->op & 7;
	u32 r = alu(c, op, 32, c->r[in->reg], seg_read(c, in->seg, insn_ea(c, in), 4));
	if (op != 7)
		c->r[in->reg] = r;
}

HANDLER(h_cmp32_m_imm)
{
	u32 a = seg_read(c, in->seg, insn_ea(c, in), 4);
	cc_set(c, CC_SUB, 32, a, in->imm, a - in->imm);
}

HANDLER(h_test_rm_r)
{
	unsigned s = in->osize;
	u32 r = rm_read(c, in, s) & reg_get(c, in->reg, s);
	cc_set(c, CC_LOGIC, s * 8, 0, 0, r);
}

HANDLER(h_test_rm_imm)
{
	unsigned s = in->osize;
	u32 r = rm_read(c, in, s) & in->imm;
	cc_set(c, CC_LOGIC, s * 8, 0, 0, r);
}

static inline u32 incdec(struct cpu *c, unsigned bits, u32 a, bool dec)
{
	u8 cf = cc_cf(c);
	u32 r = dec ? a - 1 : a + 1;
	cc_set(c, dec ? CC_DEC : CC_INC, bits, a, 1, r);
	c->cc_aux = cf;
	return r & width_mask(bits);
}

HANDLER(h_inc_rm)
{
	unsigned s = in->osize;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		seg_write(c, in->seg, ea, s, incdec(c, s * 8, seg_read(c, in->seg, ea, s), false));
	} else {
		reg_set(c, in->rm, s, incdec(c, s * 8, reg_get(c, in->rm, s), false));
	}
}

HANDLER(h_dec_rm)
{
	unsigned s = in->osize;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		seg_write(c, in->seg, ea, s, incdec(c, s * 8, seg_read(c, in->seg, ea, s), true));
	} else {
		reg_set(c, in->rm, s, incdec(c, s * 8, reg_get(c, in->rm, s), true));
	}
}

HANDLER(h_inc32_r) { c->r[in->reg] = incdec(c, 32, c->r[in->reg], false); }
HANDLER(h_dec32_r) { c->r[in->reg] = incdec(c, 32, c->r[in->reg], true); }

HANDLER(h_not_rm)
{
	unsigned s = in->osize;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		seg_write(c, in->seg, ea, s, ~seg_read(c, in->seg, ea, s));
	} else {
		reg_set(c, in->rm, s, ~reg_get(c, in->rm, s));
	}
}

HANDLER(h_neg_rm)
{
	unsigned s = in->osize;
	u32 ea = 0, a;
	if (in->flags & IF_MEM) {
		ea = insn_ea(c, in);
		a = seg_read(c, in->seg, ea, s);
	} else {
		a = reg_get(c, in->rm, s);
	}
	u32 r = alu(c, 5, s * 8, 0, a);
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, ea, s, r);
	else
		reg_set(c, in->rm, s, r);
}

/* Shift or rotate `a` (width bits) by `count` (already masked to 5 bits, nonzero). */
static u32 shift(struct cpu *c, unsigned kind, unsigned bits, u32 a, unsigned count)
{
	u32 m = width_mask(bits), sb = sign_bit(bits), r;
	a &= m;
	switch (kind) {
	case 0: { /* ROL */
		unsigned n = count % bits;
		r = n ? ((a << n) | (a >> (bits - n))) & m : a;
		bool cf = r & 1;
		cc_materialize(c);
		c->eflags = (c->eflags & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) |
			    ((((r & sb) != 0) ^ cf) ? FL_OF : 0);
		return r;
	}
	case 1: { /* ROR */
		unsigned n = count % bits;
		r = n ? ((a >> n) | (a << (bits - n))) & m : a;
		bool cf = r & sb, of = ((r ^ (r << 1)) & sb) != 0;
		cc_materialize(c);
		c->eflags = (c->eflags & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		return r;
	}
	case 2: { /* RCL: rotate bits+1 wide through CF */
		unsigned n = count % (bits + 1);
		cc_materialize(c);
		u64 v = ((u64)(c->eflags & FL_CF) << bits) | a;
		if (n)
			v = ((v << n) | (v >> (bits + 1 - n))) & (((u64)1 << (bits + 1)) - 1);
		r = (u32)v & m;
		bool cf = (v >> bits) & 1;
		c->eflags = (c->eflags & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) |
			    ((((r & sb) != 0) ^ cf) ? FL_OF : 0);
		return r;
	}
	case 3: { /* RCR */
		unsigned n = count % (bits + 1);
		cc_materialize(c);
		bool oldcf = c->eflags & FL_CF;
		u64 v = ((u64)oldcf << bits) | a;
		bool of = (((a & sb) != 0) ^ oldcf);
		if (n)
			v = ((v >> n) | (v << (bits + 1 - n))) & (((u64)1 << (bits + 1)) - 1);
		r = (u32)v & m;
		bool cf = (v >> bits) & 1;
		if (n != 1)
			of = ((r ^ (r << 1)) & sb) != 0;
		c->eflags = (c->eflags & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		return r;
	}
	case 4: case 6: /* SHL/SAL */
		r = (u32)((u64)a << count) & m;
		cc_set(c, CC_SHL, bits, a, count, r);
		return r;
	case 5: /* SHR */
		r = count >= 32 ? 0 : (a >> count);
		cc_set(c, CC_SHR, bits, a, count, r);
		return r;
	default: { /* SAR */
		s32 sa = (s32)(a << (32 - bits)) >> (32 - bits);
		r = (u32)(sa >> (count > 31 ? 31 : count)) & m;
		cc_set(c, CC_SAR, bits, a, count, r);
		return r;
	}
	}
}

static void shift_op(struct cpu *c, const struct insn *in, unsigned count)
{
	count &= 31;
	if (!count)
		return; /* no flags change, but the operand is still read */
	unsigned s = in->osize, kind = in->op & 7;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		seg_write(c, in->seg, ea, s, shift(c, kind, s * 8, seg_read(c, in->seg, ea, s), count));
	} else {
		reg_set(c, in->rm, s, shift(c, kind, s * 8, reg_get(c, in->rm, s), count));
	}
}

HANDLER(h_shift_rm)
{
	unsigned count = (in->op & 0x80) ? 1 : in->imm;
	if (!(count & 31))
		(void)rm_read(c, in, in->osize);
	shift_op(c, in, count);
}

HANDLER(h_shift_rm_cl)
{
	if (!(c->r[R_ECX] & 31))
		(void)rm_read(c, in, in->osize);
	shift_op(c, in, c->r[R_ECX] & 0xff);
}

static void double_shift(struct cpu *c, const struct insn *in, bool left)
{
	unsigned s = in->osize, bits = s * 8;
	unsigned count = (in->op ? c->r[R_ECX] : in->imm) & 31;
	u32 ea = (in->flags & IF_MEM) ? insn_ea(c, in) : 0;
	u32 d = (in->flags & IF_MEM) ? seg_read(c, in->seg, ea, s) : reg_get(c, in->rm, s);
	if (!count)
		return;
	u32 src = reg_get(c, in->reg, s), m = width_mask(bits), r;
	bool cf;
	if (bits == 16) {
		/* 16-bit: the operand is dest:src (or src:dest) 32 bits wide; counts above
		 * 16 give undefined results, computed as a 48-bit rotate like QEMU. */
		u64 v = left ? ((u64)d << 32) | ((u64)src << 16) | d : ((u64)d) | ((u64)src << 16) | ((u64)d << 32);
		if (left) {
			u64 t = v << count;
			r = (u32)(t >> 32) & m;
			cf = (v >> (48 - count)) & 1;
		} else {
			u64 t = v >> count;
			r = (u32)t & m;
			cf = (v >> (count - 1)) & 1;
		}
	} else if (left) {
		r = (d << count) | (count == 32 ? src : (src >> (32 - count)));
		cf = (d >> (32 - count)) & 1;
	} else {
		r = (d >> count) | (src << (32 - count));
		cf = (d >> (count - 1)) & 1;
	}
	r &= m;
	flags_eager(c, bits, r, cf, ((r ^ d) & sign_bit(bits)) != 0);
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, ea, s, r);
	else
		reg_set(c, in->rm, s, r);
}

HANDLER(h_shld) { double_shift(c, in, true); }
HANDLER(h_shrd) { double_shift(c, in, false); }

HANDLER(h_mul_rm)
{
	unsigned s = in->osize;
	u32 b = rm_read(c, in, s);
	bool hi;
	u32 lo;
	if (s == 1) {
		u32 r = (c->r[R_EAX] & 0xff) * b;
		reg_set(c, R_EAX, 2, r);
		hi = r >> 8;
		lo = r & 0xff;
	} else if (s == 2) {
		u32 r = (c->r[R_EAX] & 0xffff) * b;
		reg_set(c, R_EAX, 2, r);
		reg_set(c, R_EDX, 2, r >> 16);
		hi = r >> 16;
		lo = r & 0xffff;
	} else {
		u64 r = (u64)c->r[R_EAX] * b;
		c->r[R_EAX] = (u32)r;
		c->r[R_EDX] = (u32)(r >> 32);
		hi = r >> 32;
		lo = (u32)r;
	}
	cc_set(c, CC_MUL, s * 8, 0, 0, lo);
	c->cc_aux = hi;
}

HANDLER(h_imul1_rm)
{
	unsigned s = in->osize;
	u32 b = rm_read(c, in, s);
	bool ovf;
	u32 lo;
	if (s == 1) {
		s32 r = (s32)(s8)c->r[R_EAX] * (s8)b;
		reg_set(c, R_EAX, 2, (u32)r);
		ovf = r != (s8)r;
		lo = (u32)r & 0xff;
	} else if (s == 2) {
		s32 r = (s32)(s16)c->r[R_EAX] * (s16)b;
		reg_set(c, R_EAX, 2, (u32)r);
		reg_set(c, R_EDX, 2, (u32)r >> 16);
		ovf = r != (s16)r;
		lo = (u32)r & 0xffff;
	} else {
		s64 r = (s64)(s32)c->r[R_EAX] * (s32)b;
		c->r[R_EAX] = (u32)r;
		c->r[R_EDX] = (u32)((u64)r >> 32);
		ovf = r != (s32)r;
		lo = (u32)r;
	}
	cc_set(c, CC_MUL, s * 8, 0, 0, lo);
	c->cc_aux = ovf;
}

static void imul2(struct cpu *c, const struct insn *in, u32 a, u32 b)
{
	unsigned s = in->osize;
	s64 r;
	bool ovf;
	if (s == 2) {
		r = (s64)(s16)a * (s16)b;
		ovf = r != (s16)r;
	} else {
		r = (s64)(s32)a * (s32)b;
		ovf = r != (s32)r;
	}
	u32 lo = (u32)r & width_mask(s * 8);
	reg_set(c, in->reg, s, lo);
	cc_set(c, CC_MUL, s * 8, 0, 0, lo);
	c->cc_aux = ovf;
}

HANDLER(h_imul_r_rm) { imul2(c, in, reg_get(c, in->reg, in->osize), rm_read(c, in, in->osize)); }
HANDLER(h_imul_r_rm_imm) { imul2(c, in, rm_read(c, in, in->osize), in->imm); }

HANDLER(h_div_rm)
{
	unsigned s = in->osize;
	u32 b = rm_read(c, in, s);
	if (!b)
		cpu_fault(c, EXC_DE, 0);
	if (s == 1) {
		u32 a = c->r[R_EAX] & 0xffff, q = a / b;
		if (q > 0xff)
			cpu_fault(c, EXC_DE, 0);
		reg_set(c, R_EAX, 2, ((a % b) << 8) | q);
	} else if (s == 2) {
		u32 a = ((c->r[R_EDX] & 0xffff) << 16) | (c->r[R_EAX] & 0xffff), q = a / b;
		if (q > 0xffff)
			cpu_fault(c, EXC_DE, 0);
		reg_set(c, R_EAX, 2, q);
		reg_set(c, R_EDX, 2, a % b);
	} else {
		u64 a = ((u64)c->r[R_EDX] << 32) | c->r[R_EAX], q = a / b;
		if (q > 0xffffffffu)
			cpu_fault(c, EXC_DE, 0);
		c->r[R_EAX] = (u32)q;
		c->r[R_EDX] = (u32)(a % b);
	}
}

HANDLER(h_idiv_rm)
{
	unsigned s = in->osize;
	u32 b = rm_read(c, in, s);
	if (!b)
		cpu_fault(c, EXC_DE, 0);
	if (s == 1) {
		s32 a = (s16)c->r[R_EAX], d = (s8)b, q = a / d;
		if (q != (s8)q)
			cpu_fault(c, EXC_DE, 0);
		reg_set(c, R_EAX, 2, (((u32)(a % d) & 0xff) << 8) | ((u32)q & 0xff));
	} else if (s == 2) {
		s32 a = (s32)(((c->r[R_EDX] & 0xffff) << 16) | (c->r[R_EAX] & 0xffff));
		s32 d = (s16)b;
		s64 q = (s64)a / d;
		if (q != (s16)q)
			cpu_fault(c, EXC_DE, 0);
		reg_set(c, R_EAX, 2, (u32)q);
		reg_set(c, R_EDX, 2, (u32)((s64)a % d));
	} else {
		s64 a = (s64)(((u64)c->r[R_EDX] << 32) | c->r[R_EAX]), d = (s32)b;
		if (a == INT64_MIN && d == -1)
			cpu_fault(c, EXC_DE, 0);
		s64 q = a / d;
		if (q != (s32)q)
			cpu_fault(c, EXC_DE, 0);
		c->r[R_EAX] = (u32)q;
		c->r[R_EDX] = (u32)(a % d);
	}
}

/* BT/BTS/BTR/BTC on the ModRM operand; `off` is the bit offset (register forms may
 * address memory beyond the operand). */
static void bit_op(struct cpu *c, const struct insn *in, s32 off, bool reg_offset)
{
	unsigned s = in->osize, bits = s * 8, op = in->op;
	u32 ea = 0, v, bit;
	if (in->flags & IF_MEM) {
		ea = insn_ea(c, in);
		if (reg_offset) {
			s32 word = off >> (bits == 32 ? 5 : 4);
			ea += (u32)(word * (s32)s);
			if (in->flags & IF_A16)
				ea &= 0xffff;
		}
		bit = (u32)off & (bits - 1);
		v = seg_read(c, in->seg, ea, s);
	} else {
		bit = (u32)off & (bits - 1);
		v = reg_get(c, in->rm, s);
	}
	bool cf = (v >> bit) & 1;
	set_flag(c, FL_CF, cf);
	if (op == 0)
		return;
	if (op == 1)
		v |= 1u << bit;
	else if (op == 2)
		v &= ~(1u << bit);
	else
		v ^= 1u << bit;
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, ea, s, v);
	else
		reg_set(c, in->rm, s, v);
}

HANDLER(h_bt)
{
	u32 r = reg_get(c, in->reg, in->osize);
	s32 off = in->osize == 2 ? (s16)r : (s32)r;
	bit_op(c, in, off, true);
}

HANDLER(h_bt_imm) { bit_op(c, in, (s32)(in->imm & (in->osize * 8 - 1)), false); }

HANDLER(h_bsf)
{
	u32 v = rm_read(c, in, in->osize);
	set_flag(c, FL_ZF, v == 0);
	if (v)
		reg_set(c, in->reg, in->osize, (u32)__builtin_ctz(v));
}

HANDLER(h_bsr)
{
	u32 v = rm_read(c, in, in->osize);
	set_flag(c, FL_ZF, v == 0);
	if (v)
		reg_set(c, in->reg, in->osize, 31u - (u32)__builtin_clz(v));
}

/* Set SF, ZF, PF from an 8-bit result, keeping the other flags. */
static void szp8(struct cpu *c, u32 r)
{
	r &= 0xff;
	c->eflags &= ~(FL_SF | FL_ZF | FL_PF);
	c->eflags |= (r & 0x80 ? FL_SF : 0) | (r == 0 ? FL_ZF : 0) |
		     (__builtin_parity(r) ? 0 : FL_PF);
}

HANDLER(h_daa)
{
	cc_materialize(c);
	u32 al = c->r[R_EAX] & 0xff, old = al;
	bool cf = c->eflags & FL_CF, af = false;
	if ((al & 0xf) > 9 || (c->eflags & FL_AF)) {
		al += 6;
		af = true;
	}
	if (old > 0x99 || cf) {
		al += 0x60;
		cf = true;
	} else {
		cf = false;
	}
	reg_set(c, R_EAX, 1, al);
	c->eflags = (c->eflags & ~(FL_CF | FL_AF | FL_OF)) | (cf ? FL_CF : 0) | (af ? FL_AF : 0);
	szp8(c, al);
}

HANDLER(h_das)
{
	cc_materialize(c);
	u32 al = c->r[R_EAX] & 0xff, old = al;
	bool cf = c->eflags & FL_CF, af = false, oldcf = cf;
	cf = false;
	if ((al & 0xf) > 9 || (c->eflags & FL_AF)) {
		cf = oldcf || al < 6;
		al -= 6;
		af = true;
	}
	if (old > 0x99 || oldcf) {
		al -= 0x60;
		cf = true;
	}
	reg_set(c, R_EAX, 1, al);
	c->eflags = (c->eflags & ~(FL_CF | FL_AF | FL_OF)) | (cf ? FL_CF : 0) | (af ? FL_AF : 0);
	szp8(c, al);
}

static void ascii_adjust(struct cpu *c, bool sub)
{
	cc_materialize(c);
	u32 ax = c->r[R_EAX] & 0xffff;
	bool adj = (ax & 0xf) > 9 || (c->eflags & FL_AF);
	if (adj) {
		/* SDM: AAA is AX + 106h (AL's carry reaches AH); AAS is AX - 6, AH - 1. */
		if (sub)
			ax = ((ax - 6) & 0xffff) - 0x100;
		else
			ax = ax + 0x106;
		ax &= 0xffff;
	}
	ax &= 0xff0f;
	reg_set(c, R_EAX, 2, ax);
	c->eflags &= ~(FL_CF | FL_AF);
	if (adj)
		c->eflags |= FL_CF | FL_AF;
}

HANDLER(h_aaa) { ascii_adjust(c, false); }
HANDLER(h_aas) { ascii_adjust(c, true); }

HANDLER(h_aam)
{
	u32 base = in->imm & 0xff, al = c->r[R_EAX] & 0xff;
	if (!base)
		cpu_fault(c, EXC_DE, 0);
	u32 r = ((al / base) << 8) | (al % base);
	reg_set(c, R_EAX, 2, r);
	cc_set(c, CC_LOGIC, 8, 0, 0, r & 0xff);
}

HANDLER(h_aad)
{
	u32 ax = c->r[R_EAX];
	u32 al = ((ax & 0xff) + ((ax >> 8) & 0xff) * (in->imm & 0xff)) & 0xff;
	reg_set(c, R_EAX, 2, al);
	cc_set(c, CC_LOGIC, 8, 0, 0, al);
}

HANDLER(h_salc) { reg_set(c, R_EAX, 1, cc_cf(c) ? 0xff : 0); }

HANDLER(h_flagop)
{
	cc_materialize(c);
	switch (in->op) {
	case 0: c->eflags &= ~FL_CF; break;
	case 1: c->eflags |= FL_CF; break;
	case 2: c->eflags ^= FL_CF; break;
	case 3: c->eflags &= ~FL_DF; break;
	default: c->eflags |= FL_DF; break;
	}
}

HANDLER(h_lahf)
{
	u32 f = cc_arith(c) & (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF);
	reg_set(c, 4, 1, f | FL_1); /* AH */
}

HANDLER(h_sahf)
{
	cc_materialize(c);
	u32 ah = (c->r[R_EAX] >> 8) & (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF);
	c->eflags = (c->eflags & ~(FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)) | ah;
}

HANDLER(h_xadd)
{
	unsigned s = in->osize;
	u32 ea = (in->flags & IF_MEM) ? insn_ea(c, in) : 0;
	u32 d = (in->flags & IF_MEM) ? seg_read(c, in->seg, ea, s) : reg_get(c, in->rm, s);
	u32 src = reg_get(c, in->reg, s);
	u32 r = alu(c, 0, s * 8, d, src);
	if (in->flags & IF_MEM) {
		seg_write(c, in->seg, ea, s, r);
		reg_set(c, in->reg, s, d);
	} else {
		reg_set(c, in->reg, s, d);
		reg_set(c, in->rm, s, r);
	}
}

HANDLER(h_cmpxchg)
{
	unsigned s = in->osize;
	u32 ea = (in->flags & IF_MEM) ? insn_ea(c, in) : 0;
	u32 d = (in->flags & IF_MEM) ? seg_read(c, in->seg, ea, s) : reg_get(c, in->rm, s);
	u32 acc = reg_get(c, R_EAX, s);
	alu(c, 7, s * 8, acc, d);
	bool eq = acc == d;
	u32 w = eq ? reg_get(c, in->reg, s) : d;
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, ea, s, w);
	else
		reg_set(c, in->rm, s, w);
	if (!eq)
		reg_set(c, R_EAX, s, d);
}

HANDLER(h_cmpxchg8b)
{
	u32 ea = insn_ea(c, in);
	u32 lo = seg_read(c, in->seg, ea, 4), hi = seg_read(c, in->seg, ea + 4, 4);
	bool eq = lo == c->r[R_EAX] && hi == c->r[R_EDX];
	if (eq) {
		seg_write(c, in->seg, ea, 4, c->r[R_EBX]);
		seg_write(c, in->seg, ea + 4, 4, c->r[R_ECX]);
	} else {
		seg_write(c, in->seg, ea, 4, lo);
		seg_write(c, in->seg, ea + 4, 4, hi);
		c->r[R_EAX] = lo;
		c->r[R_EDX] = hi;
	}
	set_flag(c, FL_ZF, eq);
}

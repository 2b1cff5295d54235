/*
 * flags.h — lazy arithmetic flags.
 *
 * Most flag results are never read: an ADD's flags are overwritten by the next CMP
 * before any Jcc looks. So a flag-setting instruction only records what it did
 * (cc_op, operand width, operands, result, and a carry-in or saved CF in cc_aux), and
 * the six arithmetic flags are computed when something reads them. cc_op == CC_EAGER
 * means the flags are already in cpu.eflags.
 *
 * Flags the SDM leaves undefined are computed deterministically (the same way every
 * run); the differential tests mask them.
 */
#ifndef RINGLAB_FLAGS_H
#define RINGLAB_FLAGS_H

#include "cpu.h"

enum cc_op {
	CC_EAGER, CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC,
	CC_SHL, CC_SHR, CC_SAR, CC_MUL,
};

static inline u32 width_mask(unsigned bits) { return bits == 32 ? 0xffffffffu : (1u << bits) - 1; }

static inline u32 sign_bit(unsigned bits) { return 1u << (bits - 1); }

/* Record the operands and result of a flag-setting operation. */
static inline void cc_set(struct cpu *c, enum cc_op op, unsigned bits, u32 a, u32 b, u32 res)
{
	c->cc_op = (u8)op;
	c->cc_bits = (u8)bits;
	c->cc_a = a;
	c->cc_b = b;
	c->cc_res = res;
}

/* Each flag of the recorded operation `op` (normally c->cc_op: the *_op forms let
 * cc_arith_lazy compute all six with `op` a constant, one case per operation). */
#define CC_INLINE static inline __attribute__((always_inline))

CC_INLINE bool cc_cf_op(const struct cpu *c, unsigned op)
{
	u32 m = width_mask(c->cc_bits), a = c->cc_a & m, b = c->cc_b & m, r = c->cc_res & m;
	switch (op) {
	case CC_EAGER: return c->eflags & FL_CF;
	case CC_ADD: return r < a;
	case CC_ADC: return c->cc_aux ? r <= a : r < a;
	case CC_SUB: return a < b;
	case CC_SBB: return c->cc_aux ? a <= b : a < b;
	case CC_LOGIC: return false;
	case CC_INC:
	case CC_DEC:
	case CC_MUL: return c->cc_aux;
	case CC_SHL: return b <= 32 ? (((u64)a << b) >> c->cc_bits) & 1 : 0;
	case CC_SHR: return b <= 32 ? ((u64)a >> (b - 1)) & 1 : 0;
	case CC_SAR: {
		s64 sa = (s64)(s32)(c->cc_a << (32 - c->cc_bits)) >> (32 - c->cc_bits);
		return (sa >> (b > 32 ? 32 : b - 1)) & 1;
	}
	}
	return false;
}

CC_INLINE bool cc_zf_op(const struct cpu *c, unsigned op)
{
	if (op == CC_EAGER)
		return c->eflags & FL_ZF;
	return (c->cc_res & width_mask(c->cc_bits)) == 0;
}

CC_INLINE bool cc_sf_op(const struct cpu *c, unsigned op)
{
	if (op == CC_EAGER)
		return c->eflags & FL_SF;
	return c->cc_res & sign_bit(c->cc_bits);
}

CC_INLINE bool cc_pf_op(const struct cpu *c, unsigned op)
{
	if (op == CC_EAGER)
		return c->eflags & FL_PF;
	return !__builtin_parity(c->cc_res & 0xff);
}

CC_INLINE bool cc_af_op(const struct cpu *c, unsigned op)
{
	switch (op) {
	case CC_EAGER: return c->eflags & FL_AF;
	case CC_ADD: case CC_ADC: case CC_SUB: case CC_SBB: case CC_INC: case CC_DEC:
		return (c->cc_a ^ c->cc_b ^ c->cc_res) & 0x10;
	default: return false;
	}
}

CC_INLINE bool cc_of_op(const struct cpu *c, unsigned op)
{
	u32 sb = sign_bit(c->cc_bits), a = c->cc_a, b = c->cc_b, r = c->cc_res;
	switch (op) {
	case CC_EAGER: return c->eflags & FL_OF;
	case CC_ADD: case CC_ADC: return ((a ^ r) & (b ^ r)) & sb;
	case CC_SUB: case CC_SBB: return ((a ^ b) & (a ^ r)) & sb;
	case CC_LOGIC: return false;
	case CC_INC: return (r & width_mask(c->cc_bits)) == sb;
	case CC_DEC: return (a & width_mask(c->cc_bits)) == sb;
	case CC_SHL: return ((r & sb) != 0) ^ cc_cf_op(c, op);
	case CC_SHR: return (a & sb) != 0;
	case CC_SAR: return false;
	case CC_MUL: return c->cc_aux;
	}
	return false;
}

/* The six arithmetic flags of `op` as EFLAGS bits. */
CC_INLINE u32 cc_arith_op(const struct cpu *c, unsigned op)
{
	return (cc_cf_op(c, op) ? FL_CF : 0) | (cc_pf_op(c, op) ? FL_PF : 0) |
	       (cc_af_op(c, op) ? FL_AF : 0) | (cc_zf_op(c, op) ? FL_ZF : 0) |
	       (cc_sf_op(c, op) ? FL_SF : 0) | (cc_of_op(c, op) ? FL_OF : 0);
}

static inline bool cc_cf(const struct cpu *c) { return cc_cf_op(c, c->cc_op); }
static inline bool cc_zf(const struct cpu *c) { return cc_zf_op(c, c->cc_op); }
static inline bool cc_sf(const struct cpu *c) { return cc_sf_op(c, c->cc_op); }
static inline bool cc_pf(const struct cpu *c) { return cc_pf_op(c, c->cc_op); }
static inline bool cc_af(const struct cpu *c) { return cc_af_op(c, c->cc_op); }
static inline bool cc_of(const struct cpu *c) { return cc_of_op(c, c->cc_op); }

/* cc_arith when cc_op != CC_EAGER (exec_alu.c). */
u32 cc_arith_lazy(const struct cpu *c);

/* The six arithmetic flags as EFLAGS bits. */
static inline u32 cc_arith(const struct cpu *c)
{
	if (c->cc_op == CC_EAGER)
		return c->eflags & FL_ARITH;
	return cc_arith_lazy(c);
}

/* Fold the lazy flags into cpu.eflags so that they can be changed bit by bit. */
static inline void cc_materialize(struct cpu *c)
{
	if (c->cc_op != CC_EAGER) {
		c->eflags = (c->eflags & ~FL_ARITH) | cc_arith(c);
		c->cc_op = CC_EAGER;
	}
}

/* Evaluate condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc). The common
 * cases are read straight from the recorded operands or result, at any width: shifted
 * to the top of a word, unsigned and signed comparisons of the values keep their order
 * and equality. */
static inline bool cc_cond(const struct cpu *c, unsigned cc)
{
	bool r;
	unsigned k = cc >> 1, sh = 32 - c->cc_bits;
	/* if/else rather than a switch: with cc a constant (exec_fast.c's per-condition
	 * Jcc handlers) each branch folds to a compare or two */
	if ((k == 2 || k == 4) && (unsigned)c->cc_op - CC_ADD <= CC_DEC - CC_ADD) {
		/* ZF and SF of ADD ADC SUB SBB LOGIC INC DEC: from the result (for SUB,
		 * a - b == 0 exactly when a == b at the width) */
		r = k == 2 ? (c->cc_res << sh) == 0 : (s32)(c->cc_res << sh) < 0;
	} else if (c->cc_op == CC_SUB && k != 0 && k != 2 && k != 4 && k != 5) {
		u32 a = c->cc_a << sh, b = c->cc_b << sh;
		if (k == 1)
			r = a < b;
		else if (k == 3)
			r = a <= b;
		else if (k == 6)
			r = (s32)a < (s32)b;
		else
			r = (s32)a <= (s32)b;
	} else if (c->cc_op == CC_LOGIC && k != 5) {
		/* CF = OF = 0 */
		s32 v = (s32)(c->cc_res << sh);
		if (k <= 1)
			r = false;
		else if (k <= 3)
			r = v == 0;
		else if (k == 4 || k == 6)
			r = v < 0;
		else
			r = v <= 0;
	} else {
		switch (k) {
		case 0: r = cc_of(c); break;
		case 1: r = cc_cf(c); break;
		case 2: r = cc_zf(c); break;
		case 3: r = cc_cf(c) || cc_zf(c); break;
		case 4: r = cc_sf(c); break;
		case 5: r = cc_pf(c); break;
		case 6: r = cc_sf(c) != cc_of(c); break;
		default: r = cc_zf(c) || (cc_sf(c) != cc_of(c)); break;
		}
	}
	return (cc & 1) ? !r : r;
}

#endif

/*
 * exec_fast.c — handlers specialised at decode time for the forms that dominate
 * compiled code: 32-bit ALU operations on a register with a register or an immediate
 * and on memory with an immediate, 32-bit shifts of a register by a constant,
 * conditional jumps by condition, register MOV, TEST and IMUL, 32-bit MOV to and from
 * memory and LEA by addressing form, MOVZX and byte MOV, and 32-bit CALL, RET, PUSH
 * and POP; and flag liveness within a block (exec_flags_liveness): a
 * handler whose lazy-flag record a later record of the same block overwrites before
 * anything can read it is replaced by one that skips the record; and fused
 * compare-and-branch (exec_fuse_branch): CMP or TEST just before a block's closing
 * Jcc also takes the branch, which then never runs.
 *
 * Each does exactly what the general handler does for its form (the same result, the
 * same lazy-flag record), without the run-time switches over operation, width and
 * operand kind; the decoder picks one when the form allows (exec_fast_pick). The
 * modeled cost of an instruction comes from its class, never from its handler, so
 * choosing a faster handler cannot change a modeled cycle.
 */
#include "exec.h"
#include "fault.h"
#include "flags.h"
#include "mem.h"
#include "operand.h"

/* Register-register: the destination is rm, the source reg (the decoder swaps the
 * two fields of the 0x80 "reg, rm" direction). */
#define ALU_RR(name, expr, cc, write)                                  \
	PURE_HANDLER(name)                                           \
	{                                                              \
		u32 a = c->r[in->rm], b = c->r[in->reg], r = (expr);   \
		cc_set(c, cc, 32, a, b, r);                            \
		if (write)                                             \
			c->r[in->rm] = r;                              \
	}
#define ALU_RI(name, expr, cc, write)                                  \
	PURE_HANDLER(name)                                           \
	{                                                              \
		u32 a = c->r[in->rm], b = in->imm, r = (expr);         \
		cc_set(c, cc, 32, a, b, r);                            \
		if (write)                                             \
			c->r[in->rm] = r;                              \
	}

ALU_RR(h_add32_rr, a + b, CC_ADD, 1)
ALU_RR(h_or32_rr, a | b, CC_LOGIC, 1)
ALU_RR(h_and32_rr, a & b, CC_LOGIC, 1)
ALU_RR(h_sub32_rr, a - b, CC_SUB, 1)
ALU_RR(h_xor32_rr, a ^ b, CC_LOGIC, 1)
ALU_RR(h_cmp32_rr, a - b, CC_SUB, 0)
ALU_RI(h_add32_ri, a + b, CC_ADD, 1)
ALU_RI(h_or32_ri, a | b, CC_LOGIC, 1)
ALU_RI(h_and32_ri, a & b, CC_LOGIC, 1)
ALU_RI(h_sub32_ri, a - b, CC_SUB, 1)
ALU_RI(h_xor32_ri, a ^ b, CC_LOGIC, 1)
ALU_RI(h_cmp32_ri, a - b, CC_SUB, 0)

/* ADD, OR, AND, SUB, XOR m32, imm (the kernel's counters): read, operate, write
 * back, when the fast path serves both accesses; else the general handler. */
#define ALU_MI(name, expr, cc)                                                    \
	STATIC_HANDLER_DECL(name)                                                 \
	{                                                                         \
		u32 ea = insn_ea(c, in);                                          \
		const u8 *rp = seg_read_ptr(c, in->seg, ea, 4);                   \
		u8 *wp;                                                           \
		if (__builtin_expect(!rp || !(wp = seg_write_ptr(c, in->seg, ea, 4)), 0)) { \
			h_alu_rm_imm(c, in);                                      \
			return;                                                   \
		}                                                                 \
		u32 a = load_n(rp, 4), b = in->imm, r = (expr);                   \
		cc_set(c, cc, 32, a, b, r);                                       \
		store_n(wp, 4, r);                                                \
		insn_run_next_pure(c, in);                                        \
	}
ALU_MI(h_add32_mi, a + b, CC_ADD)
ALU_MI(h_or32_mi, a | b, CC_LOGIC)
ALU_MI(h_and32_mi, a & b, CC_LOGIC)
ALU_MI(h_sub32_mi, a - b, CC_SUB)
ALU_MI(h_xor32_mi, a ^ b, CC_LOGIC)

/* Shifts of a register by a constant 1..31 (kept in imm). */
PURE_HANDLER(h_shl32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = a << n;
	cc_set(c, CC_SHL, 32, a, n, r);
	c->r[in->rm] = r;
}

PURE_HANDLER(h_shr32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = a >> n;
	cc_set(c, CC_SHR, 32, a, n, r);
	c->r[in->rm] = r;
}

PURE_HANDLER(h_sar32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = (u32)((s32)a >> n);
	cc_set(c, CC_SAR, 32, a, n, r);
	c->r[in->rm] = r;
}

/* Jcc, one handler per condition code, with the target computed at decode time (kept
 * in disp: a relative branch has no memory operand). Flattened, so that cc_cond folds
 * to its condition's compare in each. */
#define JCC(name, cc)                                                       \
	__attribute__((flatten)) PURE_HANDLER(name)                       \
	{                                                                   \
		if (!cc_cond(c, cc))                                        \
			return;                                             \
		if (in->disp > c->seg[SEG_CS].limit)                        \
			cpu_fault(c, EXC_GP, 0);                            \
		c->eip = in->disp;                                          \
	}
JCC(h_jo, 0)
JCC(h_jno, 1)
JCC(h_jb, 2)
JCC(h_jnb, 3)
JCC(h_jz, 4)
JCC(h_jnz, 5)
JCC(h_jbe, 6)
JCC(h_jnbe, 7)
JCC(h_js, 8)
JCC(h_jns, 9)
JCC(h_jp, 10)
JCC(h_jnp, 11)
JCC(h_jl, 12)
JCC(h_jnl, 13)
JCC(h_jle, 14)
JCC(h_jnle, 15)

/* MOV r32, r32 with the destination in rm (the decoder's direction resolved). */
PURE_HANDLER(h_mov32_rr_to_rm) { c->r[in->rm] = c->r[in->reg]; }

/* TEST r32, imm32, TEST r32, r32 and IMUL r32, r32, imm with register operands. */
PURE_HANDLER(h_test32_ri) { cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & in->imm); }
PURE_HANDLER(h_test32_rr) { cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & c->r[in->reg]); }

PURE_HANDLER(h_imul32_rri)
{
	s64 r = (s64)(s32)c->r[in->rm] * (s32)in->imm;
	u32 lo = (u32)r;
	c->r[in->reg] = lo;
	cc_set(c, CC_MUL, 32, 0, 0, lo);
	c->cc_aux = r != (s32)r;
}

/* MOV r32, m32 and MOV m32, r32 by addressing form (32-bit addressing): base +
 * displacement (bd), index * scale + displacement (xd), base + index * scale +
 * displacement (bxd), displacement alone (d). The fast path is inline, the rest a tail call to the general
 * handler (in another file, so never inlined here: the fast path needs no frame). */
#define MOV32_M(form, ea)                                                         \
	STATIC_HANDLER_DECL(h_mov32_r_##form)                                     \
	{                                                                         \
		const u8 *p = seg_read_ptr(c, in->seg, (ea), 4);                  \
		if (__builtin_expect(!p, 0)) {                                    \
			h_mov32_r_m(c, in);                                       \
			return;                                                   \
		}                                                                 \
		c->r[in->reg] = load_n(p, 4);                                     \
		insn_run_next_pure(c, in);                                             \
	}                                                                         \
	STATIC_HANDLER_DECL(h_mov32_##form##_r)                                   \
	{                                                                         \
		u8 *p = seg_write_ptr(c, in->seg, (ea), 4);                       \
		if (__builtin_expect(!p, 0)) {                                    \
			h_mov32_m_r(c, in);                                       \
			return;                                                   \
		}                                                                 \
		store_n(p, 4, c->r[in->reg]);                                     \
		insn_run_next_pure(c, in);                                             \
	}
MOV32_M(bd, c->r[in->base] + in->disp)
MOV32_M(xd, (c->r[in->index] << in->scale) + in->disp)
MOV32_M(bxd, c->r[in->base] + (c->r[in->index] << in->scale) + in->disp)
MOV32_M(d, in->disp)

/* MOV EAX, moffs32 and MOV moffs32, EAX. */
STATIC_HANDLER_DECL(h_mov32_eax_moffs)
{
	const u8 *p = seg_read_ptr(c, in->seg, in->disp, 4);
	if (__builtin_expect(!p, 0)) {
		h_mov_moffs_load(c, in);
		return;
	}
	c->r[R_EAX] = load_n(p, 4);
	insn_run_next_pure(c, in);
}

STATIC_HANDLER_DECL(h_mov32_moffs_eax)
{
	u8 *p = seg_write_ptr(c, in->seg, in->disp, 4);
	if (__builtin_expect(!p, 0)) {
		h_mov_moffs_store(c, in);
		return;
	}
	store_n(p, 4, c->r[R_EAX]);
	insn_run_next_pure(c, in);
}

/* MOVZX r32, m8/m16 and MOV r8, m8 / m8, r8 with 32-bit addressing (the address by
 * insn_ea);
 * MOVZX r32, r8/r16. The general handler serves what the fast path does not. */
#define MOVZX_M(name, size)                                                       \
	STATIC_HANDLER_DECL(name)                                                 \
	{                                                                         \
		const u8 *p = seg_read_ptr(c, in->seg, insn_ea(c, in), size);      \
		if (__builtin_expect(!p, 0)) {                                    \
			h_movzx(c, in);                                           \
			return;                                                   \
		}                                                                 \
		c->r[in->reg] = load_n(p, size);                                  \
		insn_run_next_pure(c, in);                                        \
	}
MOVZX_M(h_movzx32_m8, 1)
MOVZX_M(h_movzx32_m16, 2)
PURE_HANDLER(h_movzx32_r8) { c->r[in->reg] = reg_get(c, in->rm, 1); }
PURE_HANDLER(h_movzx32_r16) { c->r[in->reg] = c->r[in->rm] & 0xffff; }

STATIC_HANDLER_DECL(h_mov8_r_m)
{
	const u8 *p = seg_read_ptr(c, in->seg, insn_ea(c, in), 1);
	if (__builtin_expect(!p, 0)) {
		h_mov_r_rm(c, in);
		return;
	}
	reg_set(c, in->reg, 1, *p);
	insn_run_next_pure(c, in);
}

STATIC_HANDLER_DECL(h_mov8_m_r)
{
	u8 *p = seg_write_ptr(c, in->seg, insn_ea(c, in), 1);
	if (__builtin_expect(!p, 0)) {
		h_mov_rm_r(c, in);
		return;
	}
	*p = (u8)reg_get(c, in->reg, 1);
	insn_run_next_pure(c, in);
}

/* LEA r32 by the same addressing forms. */
PURE_HANDLER(h_lea32_bd) { c->r[in->reg] = c->r[in->base] + in->disp; }
PURE_HANDLER(h_lea32_xd) { c->r[in->reg] = (c->r[in->index] << in->scale) + in->disp; }
PURE_HANDLER(h_lea32_bxd) { c->r[in->reg] = c->r[in->base] + (c->r[in->index] << in->scale) + in->disp; }

/* TEST r8, imm and TEST r8, r8. */
PURE_HANDLER(h_test8_ri) { cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & in->imm); }
PURE_HANDLER(h_test8_rr) { cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & reg_get(c, in->reg, 1)); }

/* TEST m32, imm and TEST m8, imm. */
#define TEST_M_IMM(name, size)                                                    \
	STATIC_HANDLER_DECL(name)                                                 \
	{                                                                         \
		const u8 *p = seg_read_ptr(c, in->seg, insn_ea(c, in), size);      \
		if (__builtin_expect(!p, 0)) {                                    \
			h_test_rm_imm(c, in);                                   \
			return;                                                   \
		}                                                                 \
		cc_set(c, CC_LOGIC, (size) * 8, 0, 0, load_n(p, size) & in->imm); \
		insn_run_next_pure(c, in);                                             \
	}
TEST_M_IMM(h_test32_m_imm, 4)
TEST_M_IMM(h_test8_m_imm, 1)

/* CALL rel32 and RET with a 32-bit operand: on a 32-bit stack whose access the fast
 * path serves and a target within CS, done inline; otherwise (faults included) by the
 * general handler, which starts afresh. The call's target is computed at decode time
 * (disp). */
STATIC_HANDLER_DECL(h_call32)
{
	u32 sp = c->r[R_ESP] - 4;
	u8 *p;
	if (__builtin_expect(!stack32(c) || in->disp > c->seg[SEG_CS].limit ||
				     !(p = seg_write_ptr(c, SEG_SS, sp, 4)), 0)) {
		h_call_rel(c, in);
		return;
	}
	store_n(p, 4, insn_next(in));
	c->r[R_ESP] = sp;
	c->eip = in->disp;
	insn_run_next_pure(c, in);
}

/* PUSH r32 and POP r32 on a 32-bit stack, the same way. */
STATIC_HANDLER_DECL(h_push32_r)
{
	u32 sp = c->r[R_ESP] - 4;
	u8 *p;
	if (__builtin_expect(!stack32(c) || !(p = seg_write_ptr(c, SEG_SS, sp, 4)), 0)) {
		h_push_r(c, in);
		return;
	}
	store_n(p, 4, c->r[in->reg]);
	c->r[R_ESP] = sp;
	insn_run_next_pure(c, in);
}

STATIC_HANDLER_DECL(h_pop32_r)
{
	u32 sp = c->r[R_ESP];
	const u8 *p;
	if (__builtin_expect(!stack32(c) || !(p = seg_read_ptr(c, SEG_SS, sp, 4)), 0)) {
		h_pop_r(c, in);
		return;
	}
	u32 v = load_n(p, 4);
	c->r[R_ESP] = sp + 4;
	c->r[in->reg] = v; /* after ESP: POP ESP loads the value popped */
	insn_run_next_pure(c, in);
}

STATIC_HANDLER_DECL(h_ret32)
{
	u32 sp = c->r[R_ESP], target;
	const u8 *p;
	if (__builtin_expect(!stack32(c) || !(p = seg_read_ptr(c, SEG_SS, sp, 4)) ||
				     (target = load_n(p, 4)) > c->seg[SEG_CS].limit, 0)) {
		h_ret(c, in);
		return;
	}
	c->r[R_ESP] = sp + 4;
	c->eip = target;
	insn_run_next_pure(c, in);
}

/* Flag liveness. The variants without the lazy-flag record ("_nf"): the same result,
 * no cc_set. CMP and TEST without their flags do nothing at all. */
#define ALU_RR_NF(name, expr) PURE_HANDLER(name) { u32 a = c->r[in->rm], b = c->r[in->reg]; c->r[in->rm] = (expr); }
#define ALU_RI_NF(name, expr) PURE_HANDLER(name) { u32 a = c->r[in->rm], b = in->imm; c->r[in->rm] = (expr); }
ALU_RR_NF(h_add32_rr_nf, a + b)
ALU_RR_NF(h_or32_rr_nf, a | b)
ALU_RR_NF(h_and32_rr_nf, a & b)
ALU_RR_NF(h_sub32_rr_nf, a - b)
ALU_RR_NF(h_xor32_rr_nf, a ^ b)
ALU_RI_NF(h_add32_ri_nf, a + b)
ALU_RI_NF(h_or32_ri_nf, a | b)
ALU_RI_NF(h_and32_ri_nf, a & b)
ALU_RI_NF(h_sub32_ri_nf, a - b)
ALU_RI_NF(h_xor32_ri_nf, a ^ b)
PURE_HANDLER(h_shl32_ri_nf) { c->r[in->rm] <<= in->imm; }
PURE_HANDLER(h_shr32_ri_nf) { c->r[in->rm] >>= in->imm; }
PURE_HANDLER(h_sar32_ri_nf) { c->r[in->rm] = (u32)((s32)c->r[in->rm] >> in->imm); }
PURE_HANDLER(h_flags_only_nf) { (void)c, (void)in; }

/* What each fast handler does to the flags: WRITES replaces the whole lazy-flag record
 * and reads no flag (`dead` is its variant without the record); PASSES neither reads
 * nor writes flags and can neither fault nor end the block. Any other handler may
 * read the flags, or let something read them (a fault's handler sees EFLAGS). */
enum { WRITES, PASSES };
static const struct {
	insn_fn fn, dead;
	u8 kind;
} flag_forms[] = {
	{ h_add32_rr, h_add32_rr_nf, WRITES }, { h_or32_rr, h_or32_rr_nf, WRITES },
	{ h_and32_rr, h_and32_rr_nf, WRITES }, { h_sub32_rr, h_sub32_rr_nf, WRITES },
	{ h_xor32_rr, h_xor32_rr_nf, WRITES }, { h_cmp32_rr, h_flags_only_nf, WRITES },
	{ h_add32_ri, h_add32_ri_nf, WRITES }, { h_or32_ri, h_or32_ri_nf, WRITES },
	{ h_and32_ri, h_and32_ri_nf, WRITES }, { h_sub32_ri, h_sub32_ri_nf, WRITES },
	{ h_xor32_ri, h_xor32_ri_nf, WRITES }, { h_cmp32_ri, h_flags_only_nf, WRITES },
	{ h_shl32_ri, h_shl32_ri_nf, WRITES }, { h_shr32_ri, h_shr32_ri_nf, WRITES },
	{ h_sar32_ri, h_sar32_ri_nf, WRITES }, { h_test32_ri, h_flags_only_nf, WRITES },
	{ h_test8_ri, h_flags_only_nf, WRITES }, { h_test32_rr, h_flags_only_nf, WRITES },
	{ h_test8_rr, h_flags_only_nf, WRITES },
	{ h_mov32_rr_to_rm, NULL, PASSES }, { h_lea32_bd, NULL, PASSES },
	{ h_lea32_xd, NULL, PASSES }, { h_lea32_bxd, NULL, PASSES },
};

static int flag_form(insn_fn fn)
{
	for (unsigned i = 0; i < sizeof(flag_forms) / sizeof(flag_forms[0]); i++)
		if (flag_forms[i].fn == fn)
			return (int)i;
	return -1;
}

void exec_flags_liveness(struct insn *in, unsigned n)
{
	bool live = true; /* at the block's end: its successors may read them */
	for (unsigned i = n; i-- > 0;) {
		int f = flag_form(in[i].fn);
		if (f < 0) {
			live = true;
		} else if (flag_forms[f].kind == WRITES) {
			if (!live)
				in[i].fn = flag_forms[f].dead;
			live = false;
		}
	}
}

bool exec_flags_dead(const struct insn *in)
{
	for (unsigned i = 0; i < sizeof(flag_forms) / sizeof(flag_forms[0]); i++)
		if (flag_forms[i].dead && flag_forms[i].dead == in->fn)
			return true;
	return false;
}

/* Fused compare-and-branch: CMP r32, r32 / CMP r32, imm / TEST r32, imm / TEST r32, r32 /
 * TEST r8, imm as the record
 * before the block's closing Jcc (in + 1). The handler leaves the same lazy-flag record
 * (the flags are live at the block's end) and decides the branch from its operands
 * instead of from that record; the Jcc's record is not run (its count and base cost
 * are the block's, charged before it ran). A target beyond the CS limit faults at the
 * Jcc, as the Jcc would. */
#define FUSED_TAIL(cond)                                                       \
	if (!(cond))                                                           \
		return; /* not taken: c->eip is the block's fall-through */    \
	const struct insn *j = in + 1;                                         \
	if (__builtin_expect(j->disp > c->seg[SEG_CS].limit, 0)) {             \
		c->ip = j;                                                     \
		cpu_fault(c, EXC_GP, 0);                                       \
	}                                                                      \
	c->eip = j->disp;
#define FUSED_CMP(name, B, cond)                                               \
	static HANDLER_DECL(name);                                             \
	static HANDLER_DECL(name)                                              \
	{                                                                      \
		u32 a = c->r[in->rm], b = (B);                                 \
		cc_set(c, CC_SUB, 32, a, b, a - b);                            \
		FUSED_TAIL(cond)                                               \
	}
#define FUSED_CMP_ALL(p, B)                                                    \
	FUSED_CMP(p##_jb, B, a < b)                                            \
	FUSED_CMP(p##_jnb, B, a >= b)                                          \
	FUSED_CMP(p##_jz, B, a == b)                                           \
	FUSED_CMP(p##_jnz, B, a != b)                                          \
	FUSED_CMP(p##_jbe, B, a <= b)                                          \
	FUSED_CMP(p##_jnbe, B, a > b)                                          \
	FUSED_CMP(p##_jl, B, (s32)a < (s32)b)                                  \
	FUSED_CMP(p##_jnl, B, (s32)a >= (s32)b)                                \
	FUSED_CMP(p##_jle, B, (s32)a <= (s32)b)                                \
	FUSED_CMP(p##_jnle, B, (s32)a > (s32)b)
FUSED_CMP_ALL(h_cmp32_rr, c->r[in->reg])
FUSED_CMP_ALL(h_cmp32_ri, in->imm)
#define FUSED_TEST(name, R, bits, cond)                                        \
	static HANDLER_DECL(name);                                             \
	static HANDLER_DECL(name)                                              \
	{                                                                      \
		u32 r = (R);                                                   \
		cc_set(c, CC_LOGIC, bits, 0, 0, r);                            \
		FUSED_TAIL(cond)                                               \
	}
#define FUSED_TEST_ALL(p, R, bits)                                             \
	FUSED_TEST(p##_jz, R, bits, r == 0)                                    \
	FUSED_TEST(p##_jnz, R, bits, r != 0)                                   \
	FUSED_TEST(p##_js, R, bits, (s32)(r << (32 - (bits))) < 0)             \
	FUSED_TEST(p##_jns, R, bits, (s32)(r << (32 - (bits))) >= 0)
FUSED_TEST_ALL(h_test32_ri, c->r[in->rm] & in->imm, 32)
FUSED_TEST_ALL(h_test32_rr, c->r[in->rm] & c->r[in->reg], 32)
FUSED_TEST_ALL(h_test8_ri, reg_get(c, in->rm, 1) & in->imm, 8)
FUSED_TEST_ALL(h_test8_rr, reg_get(c, in->rm, 1) & reg_get(c, in->reg, 1), 8)

/* The Jcc handlers, and the fused ones for each first record, by the Jcc's condition
 * code (0 O, 1 NO, 2 B, 3 NB, 4 Z, 5 NZ, 6 BE, 7 NBE, 8 S, 9 NS, 10 P, 11 NP, 12 L,
 * 13 NL, 14 LE, 15 NLE); NULL: not fused. */
static const insn_fn jcc[16] = { h_jo, h_jno, h_jb, h_jnb, h_jz, h_jnz, h_jbe, h_jnbe,
				 h_js, h_jns, h_jp, h_jnp, h_jl, h_jnl, h_jle, h_jnle };
static const insn_fn cmp_rr[16] = { NULL, NULL, h_cmp32_rr_jb, h_cmp32_rr_jnb, h_cmp32_rr_jz,
				    h_cmp32_rr_jnz, h_cmp32_rr_jbe, h_cmp32_rr_jnbe, NULL, NULL,
				    NULL, NULL, h_cmp32_rr_jl, h_cmp32_rr_jnl, h_cmp32_rr_jle,
				    h_cmp32_rr_jnle };
static const insn_fn cmp_ri[16] = { NULL, NULL, h_cmp32_ri_jb, h_cmp32_ri_jnb, h_cmp32_ri_jz,
				    h_cmp32_ri_jnz, h_cmp32_ri_jbe, h_cmp32_ri_jnbe, NULL, NULL,
				    NULL, NULL, h_cmp32_ri_jl, h_cmp32_ri_jnl, h_cmp32_ri_jle,
				    h_cmp32_ri_jnle };
static const insn_fn test_ri[16] = { NULL, NULL, NULL, NULL, h_test32_ri_jz, h_test32_ri_jnz,
				     NULL, NULL, h_test32_ri_js, h_test32_ri_jns };
static const insn_fn test_rr[16] = { NULL, NULL, NULL, NULL, h_test32_rr_jz, h_test32_rr_jnz,
				     NULL, NULL, h_test32_rr_js, h_test32_rr_jns };
static const insn_fn test8_ri[16] = { NULL, NULL, NULL, NULL, h_test8_ri_jz, h_test8_ri_jnz,
				      NULL, NULL, h_test8_ri_js, h_test8_ri_jns };
static const insn_fn test8_rr[16] = { NULL, NULL, NULL, NULL, h_test8_rr_jz, h_test8_rr_jnz,
				      NULL, NULL, h_test8_rr_js, h_test8_rr_jns };

void exec_fuse_branch(struct insn *in, unsigned n)
{
	if (n < 2)
		return;
	struct insn *x = &in[n - 2];
	const struct insn *j = &in[n - 1];
	const insn_fn *to = x->fn == h_cmp32_rr ? cmp_rr : x->fn == h_cmp32_ri ? cmp_ri
			  : x->fn == h_test32_ri ? test_ri : x->fn == h_test32_rr ? test_rr
			  : x->fn == h_test8_ri ? test8_ri : x->fn == h_test8_rr ? test8_rr : NULL;
	if (!to)
		return;
	for (unsigned cc = 0; cc < 16; cc++)
		if (j->fn == jcc[cc] && to[cc]) {
			x->fn = to[cc];
			return;
		}
}

bool exec_branch_fused(const struct insn *in)
{
	for (unsigned cc = 0; cc < 16; cc++)
		if (in->fn && (in->fn == cmp_rr[cc] || in->fn == cmp_ri[cc] || in->fn == test_ri[cc] ||
			       in->fn == test_rr[cc] || in->fn == test8_ri[cc] || in->fn == test8_rr[cc]))
			return true;
	return false;
}

void exec_fast_pick(struct insn *in)
{
	if (in->fn == h_jcc) {
		u32 target = insn_next(in) + in->imm;
		if (in->osize == 2)
			target &= 0xffff;
		in->disp = target;
		in->fn = jcc[in->op & 15];
		return;
	}
	static const insn_fn rr[8] = { h_add32_rr, h_or32_rr, NULL, NULL, h_and32_rr, h_sub32_rr, h_xor32_rr, h_cmp32_rr };
	static const insn_fn ri[8] = { h_add32_ri, h_or32_ri, NULL, NULL, h_and32_ri, h_sub32_ri, h_xor32_ri, h_cmp32_ri };
	static const insn_fn mi[8] = { h_add32_mi, h_or32_mi, NULL, NULL, h_and32_mi, h_sub32_mi, h_xor32_mi, NULL };
	unsigned op = in->op & 7;
	if (in->fn == h_alu32_rr && rr[op]) {
		if (in->op & 0x80) { /* reg is the destination */
			u8 t = in->rm;
			in->rm = in->reg;
			in->reg = t;
		}
		in->fn = rr[op];
	} else if (in->fn == h_mov32_rr) {
		if (in->op) { /* reg is the destination */
			u8 t = in->rm;
			in->rm = in->reg;
			in->reg = t;
		}
		in->fn = h_mov32_rr_to_rm;
	} else if ((in->fn == h_mov_moffs_load || in->fn == h_mov_moffs_store) && in->osize == 4 &&
		   !(in->flags & IF_A16)) {
		in->fn = in->fn == h_mov_moffs_load ? h_mov32_eax_moffs : h_mov32_moffs_eax;
	} else if (in->fn == h_movzx && in->osize == 4 && !(in->flags & IF_A16)) {
		if (in->flags & IF_MEM)
			in->fn = in->op == 1 ? h_movzx32_m8 : h_movzx32_m16;
		else
			in->fn = in->op == 1 ? h_movzx32_r8 : h_movzx32_r16;
	} else if ((in->fn == h_mov_rm_r || in->fn == h_mov_r_rm) && in->osize == 1 && (in->flags & IF_MEM) &&
		   !(in->flags & IF_A16)) {
		in->fn = in->fn == h_mov_rm_r ? h_mov8_m_r : h_mov8_r_m;
	} else if (in->fn == h_test_rm_r && !(in->flags & IF_MEM) && in->osize == 1) {
		in->fn = h_test8_rr;
	} else if (in->fn == h_test_rm_r && !(in->flags & IF_MEM) && in->osize == 4) {
		in->fn = h_test32_rr;
	} else if (in->fn == h_test_rm_imm && !(in->flags & IF_MEM) && in->osize == 4) {
		in->fn = h_test32_ri;
	} else if (in->fn == h_test_rm_imm && (in->flags & IF_MEM) && (in->osize == 4 || in->osize == 1)) {
		in->fn = in->osize == 4 ? h_test32_m_imm : h_test8_m_imm;
	} else if (in->fn == h_test_rm_imm && !(in->flags & IF_MEM) && in->osize == 1) {
		in->fn = h_test8_ri;
	} else if ((in->fn == h_mov32_r_m || in->fn == h_mov32_m_r) && !(in->flags & IF_A16)) {
		static const insn_fn ld[4] = { h_mov32_r_d, h_mov32_r_bd, h_mov32_r_xd, h_mov32_r_bxd };
		static const insn_fn st[4] = { h_mov32_d_r, h_mov32_bd_r, h_mov32_xd_r, h_mov32_bxd_r };
		unsigned form = (in->base != REG_NONE) | (in->index != REG_NONE) << 1;
		in->fn = in->fn == h_mov32_r_m ? ld[form] : st[form];
	} else if (in->fn == h_lea && in->osize == 4 && (in->flags & IF_MEM) && !(in->flags & IF_A16)) {
		static const insn_fn lea[4] = { NULL, h_lea32_bd, h_lea32_xd, h_lea32_bxd };
		unsigned form = (in->base != REG_NONE) | (in->index != REG_NONE) << 1;
		if (form)
			in->fn = lea[form];
	} else if (in->fn == h_imul_r_rm_imm && !(in->flags & IF_MEM) && in->osize == 4) {
		in->fn = h_imul32_rri;
	} else if (in->fn == h_call_rel && in->osize == 4) {
		in->disp = insn_next(in) + in->imm;
		in->fn = h_call32;
	} else if (in->fn == h_ret && in->osize == 4) {
		in->fn = h_ret32;
	} else if (in->fn == h_push_r && in->osize == 4) {
		in->fn = h_push32_r;
	} else if (in->fn == h_pop_r && in->osize == 4) {
		in->fn = h_pop32_r;
	} else if (in->fn == h_alu_rm_imm && (in->flags & IF_MEM) && in->osize == 4 && mi[op]) {
		in->fn = mi[op];
	} else if (in->fn == h_alu32_r_imm && ri[op]) {
		in->fn = ri[op];
	} else if (in->fn == h_shift_rm && !(in->flags & IF_MEM) && in->osize == 4 && (op >= 4)) {
		u32 count = ((in->op & 0x80) ? 1 : in->imm) & 31;
		if (!count)
			return;
		in->imm = count;
		in->fn = op == 5 ? h_shr32_ri : op == 7 ? h_sar32_ri : h_shl32_ri;
	}
}

/*
 * exec_fast.c — handlers specialised at decode time for the forms that dominate
 * compiled code: 32-bit ALU operations on a register with a register or an immediate
 * and on memory with an immediate, 32-bit shifts of a register by a constant,
 * conditional jumps by condition (and fused with the compare before them), register
 * MOV, TEST and IMUL, 32-bit MOV to and from memory and LEA by addressing form, MOVZX
 * and byte MOV by the same forms, and 32-bit CALL, RET, PUSH and POP.
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
	STATIC_HANDLER(name)                                           \
	{                                                              \
		u32 a = c->r[in->rm], b = c->r[in->reg], r = (expr);   \
		cc_set(c, cc, 32, a, b, r);                            \
		if (write)                                             \
			c->r[in->rm] = r;                              \
	}
#define ALU_RI(name, expr, cc, write)                                  \
	STATIC_HANDLER(name)                                           \
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
		insn_run_next(c, in);                                             \
	}
ALU_MI(h_add32_mi, a + b, CC_ADD)
ALU_MI(h_or32_mi, a | b, CC_LOGIC)
ALU_MI(h_and32_mi, a & b, CC_LOGIC)
ALU_MI(h_sub32_mi, a - b, CC_SUB)
ALU_MI(h_xor32_mi, a ^ b, CC_LOGIC)

/* Shifts of a register by a constant 1..31 (kept in imm). */
STATIC_HANDLER(h_shl32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = a << n;
	cc_set(c, CC_SHL, 32, a, n, r);
	c->r[in->rm] = r;
}

STATIC_HANDLER(h_shr32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = a >> n;
	cc_set(c, CC_SHR, 32, a, n, r);
	c->r[in->rm] = r;
}

STATIC_HANDLER(h_sar32_ri)
{
	u32 a = c->r[in->rm], n = in->imm, r = (u32)((s32)a >> n);
	cc_set(c, CC_SAR, 32, a, n, r);
	c->r[in->rm] = r;
}

/* Jcc, one handler per condition code, with the target computed at decode time (kept
 * in disp: a relative branch has no memory operand). Flattened, so that cc_cond folds
 * to its condition's compare in each. */
static inline __attribute__((always_inline)) void jcc_body(struct cpu *c, const struct insn *in,
								unsigned cc)
{
	if (!cc_cond(c, cc))
		return;
	if (in->disp > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	c->eip = in->disp;
}
#define JCC(name, cc) \
	__attribute__((flatten)) STATIC_HANDLER(name) { jcc_body(c, in, cc); }
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
STATIC_HANDLER(h_mov32_rr_to_rm) { c->r[in->rm] = c->r[in->reg]; }

/* TEST r32, r32, TEST r32, imm32 and IMUL r32, r32, imm with register operands. */
STATIC_HANDLER(h_test32_rr) { cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & c->r[in->reg]); }
STATIC_HANDLER(h_test32_ri) { cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & in->imm); }

STATIC_HANDLER(h_imul32_rri)
{
	s64 r = (s64)(s32)c->r[in->rm] * (s32)in->imm;
	u32 lo = (u32)r;
	c->r[in->reg] = lo;
	cc_set(c, CC_MUL, 32, 0, 0, lo);
	c->cc_aux = r != (s32)r;
}

/* MOV r32, m32 and MOV m32, r32 by addressing form (32-bit addressing): base +
 * displacement (bd), index * scale + displacement (xd), base + index * scale +
 * displacement (bxd). The fast path is inline, the rest a tail call to the general
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
		insn_run_next(c, in);                                             \
	}                                                                         \
	STATIC_HANDLER_DECL(h_mov32_##form##_r)                                   \
	{                                                                         \
		u8 *p = seg_write_ptr(c, in->seg, (ea), 4);                       \
		if (__builtin_expect(!p, 0)) {                                    \
			h_mov32_m_r(c, in);                                       \
			return;                                                   \
		}                                                                 \
		store_n(p, 4, c->r[in->reg]);                                     \
		insn_run_next(c, in);                                             \
	}
MOV32_M(bd, c->r[in->base] + in->disp)
MOV32_M(xd, (c->r[in->index] << in->scale) + in->disp)
MOV32_M(bxd, c->r[in->base] + (c->r[in->index] << in->scale) + in->disp)

/* MOVZX r32, m8 and m16, MOV r8, m8 and MOV m8, r8 by the same addressing forms, for
 * the kernel's byte and word handling (the general handlers switch over operand kind
 * and size at run time). */
#define MOVZX_M(form, size, ea)                                                   \
	STATIC_HANDLER_DECL(h_movzx##size##_r_##form)                             \
	{                                                                         \
		const u8 *p = seg_read_ptr(c, in->seg, (ea), (size) / 8);         \
		if (__builtin_expect(!p, 0)) {                                    \
			h_movzx(c, in);                                           \
			return;                                                   \
		}                                                                 \
		c->r[in->reg] = load_n(p, (size) / 8);                            \
		insn_run_next(c, in);                                             \
	}
#define MOV8_M(form, ea)                                                          \
	STATIC_HANDLER_DECL(h_mov8_r_##form)                                      \
	{                                                                         \
		const u8 *p = seg_read_ptr(c, in->seg, (ea), 1);                  \
		if (__builtin_expect(!p, 0)) {                                    \
			h_mov_r_rm(c, in);                                        \
			return;                                                   \
		}                                                                 \
		reg_set(c, in->reg, 1, *p);                                       \
		insn_run_next(c, in);                                             \
	}                                                                         \
	STATIC_HANDLER_DECL(h_mov8_##form##_r)                                    \
	{                                                                         \
		u8 *p = seg_write_ptr(c, in->seg, (ea), 1);                       \
		if (__builtin_expect(!p, 0)) {                                    \
			h_mov_rm_r(c, in);                                        \
			return;                                                   \
		}                                                                 \
		*p = (u8)reg_get(c, in->reg, 1);                                  \
		insn_run_next(c, in);                                             \
	}
MOVZX_M(bd, 8, c->r[in->base] + in->disp)
MOVZX_M(xd, 8, (c->r[in->index] << in->scale) + in->disp)
MOVZX_M(bxd, 8, c->r[in->base] + (c->r[in->index] << in->scale) + in->disp)
MOVZX_M(bd, 16, c->r[in->base] + in->disp)
MOVZX_M(xd, 16, (c->r[in->index] << in->scale) + in->disp)
MOVZX_M(bxd, 16, c->r[in->base] + (c->r[in->index] << in->scale) + in->disp)
MOV8_M(bd, c->r[in->base] + in->disp)
MOV8_M(xd, (c->r[in->index] << in->scale) + in->disp)
MOV8_M(bxd, c->r[in->base] + (c->r[in->index] << in->scale) + in->disp)

/* MOVZX r32, r8 and r32, r16. */
STATIC_HANDLER(h_movzx8_rr) { c->r[in->reg] = reg_get(c, in->rm, 1); }
STATIC_HANDLER(h_movzx16_rr) { c->r[in->reg] = c->r[in->rm] & 0xffff; }

/* LEA r32 by the same addressing forms. */
STATIC_HANDLER(h_lea32_bd) { c->r[in->reg] = c->r[in->base] + in->disp; }
STATIC_HANDLER(h_lea32_xd) { c->r[in->reg] = (c->r[in->index] << in->scale) + in->disp; }
STATIC_HANDLER(h_lea32_bxd) { c->r[in->reg] = c->r[in->base] + (c->r[in->index] << in->scale) + in->disp; }

/* TEST r8, imm and TEST r8, r8. */
STATIC_HANDLER(h_test8_ri) { cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & in->imm); }
STATIC_HANDLER(h_test8_rr) { cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & reg_get(c, in->reg, 1)); }

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
		insn_run_next(c, in);                                             \
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
	insn_run_next(c, in);
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
	insn_run_next(c, in);
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
	insn_run_next(c, in);
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
	insn_run_next(c, in);
}

/* A CMP or TEST fused with the Jcc that follows it and ends the block: the
 * handler of the compare runs the compare, then the Jcc record (in + 1) exactly as
 * threaded dispatch would (c->ip moves to it first, so a fault there is the Jcc's),
 * but with the flag record it has just made in hand, so the condition folds to one
 * host compare. The Jcc record keeps its own handler and its place in the block. */
#define FUSED(kind, cc, set)                                                      \
	__attribute__((flatten)) STATIC_HANDLER_DECL(h_##kind##_j##cc)            \
	{                                                                         \
		set;                                                              \
		const struct insn *j = in + 1;                                    \
		if (j < c->iend) {                                                \
			c->ip = j;                                                \
			jcc_body(c, j, cc);                                       \
			insn_run_next(c, j);                                      \
		}                                                                 \
	}
#define FUSED_ALL(kind, set)                                                      \
	FUSED(kind, 0, set) FUSED(kind, 1, set) FUSED(kind, 2, set) FUSED(kind, 3, set)     \
	FUSED(kind, 4, set) FUSED(kind, 5, set) FUSED(kind, 6, set) FUSED(kind, 7, set)     \
	FUSED(kind, 8, set) FUSED(kind, 9, set) FUSED(kind, 10, set) FUSED(kind, 11, set)   \
	FUSED(kind, 12, set) FUSED(kind, 13, set) FUSED(kind, 14, set) FUSED(kind, 15, set) \
	static const insn_fn fused_##kind[16] = {                                 \
		h_##kind##_j0, h_##kind##_j1, h_##kind##_j2, h_##kind##_j3,       \
		h_##kind##_j4, h_##kind##_j5, h_##kind##_j6, h_##kind##_j7,       \
		h_##kind##_j8, h_##kind##_j9, h_##kind##_j10, h_##kind##_j11,     \
		h_##kind##_j12, h_##kind##_j13, h_##kind##_j14, h_##kind##_j15,   \
	};
FUSED_ALL(cmp32_rr, cc_set(c, CC_SUB, 32, c->r[in->rm], c->r[in->reg], c->r[in->rm] - c->r[in->reg]))
FUSED_ALL(cmp32_ri, cc_set(c, CC_SUB, 32, c->r[in->rm], in->imm, c->r[in->rm] - in->imm))
FUSED_ALL(test32_rr, cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & c->r[in->reg]))
FUSED_ALL(test32_ri, cc_set(c, CC_LOGIC, 32, 0, 0, c->r[in->rm] & in->imm))
FUSED_ALL(test8_ri, cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & in->imm))
FUSED_ALL(test8_rr, cc_set(c, CC_LOGIC, 8, 0, 0, reg_get(c, in->rm, 1) & reg_get(c, in->reg, 1)))

/* The memory forms: the compare's inline fast-TLB read, or (a miss, a check, a page
 * boundary) its general handler, which then runs the Jcc record by threaded dispatch. */
#define FUSED_READ(size, fallback)                                                \
	const u8 *p = seg_read_ptr(c, in->seg, insn_ea(c, in), size);              \
	if (__builtin_expect(!p, 0)) {                                            \
		fallback(c, in);                                                  \
		return;                                                           \
	}
FUSED_ALL(cmp32_r_m, FUSED_READ(4, h_alu32_r_m)
	  cc_set(c, CC_SUB, 32, c->r[in->reg], load_n(p, 4), c->r[in->reg] - load_n(p, 4)))
FUSED_ALL(cmp32_m_r, FUSED_READ(4, h_alu_rm_r)
	  cc_set(c, CC_SUB, 32, load_n(p, 4), c->r[in->reg], load_n(p, 4) - c->r[in->reg]))
FUSED_ALL(cmp32_m_imm, FUSED_READ(4, h_cmp32_m_imm)
	  cc_set(c, CC_SUB, 32, load_n(p, 4), in->imm, load_n(p, 4) - in->imm))
FUSED_ALL(test32_m_imm, FUSED_READ(4, h_test_rm_imm) cc_set(c, CC_LOGIC, 32, 0, 0, load_n(p, 4) & in->imm))
FUSED_ALL(test8_m_imm, FUSED_READ(1, h_test_rm_imm) cc_set(c, CC_LOGIC, 8, 0, 0, *p & in->imm))

static const insn_fn jcc[16] = { h_jo, h_jno, h_jb, h_jnb, h_jz, h_jnz, h_jbe, h_jnbe,
				 h_js, h_jns, h_jp, h_jnp, h_jl, h_jnl, h_jle, h_jnle };

void exec_fast_fuse(struct insn *in, unsigned n)
{
	if (n < 2)
		return;
	struct insn *p = &in[n - 2];
	const struct insn *j = &in[n - 1];
	unsigned cc = 0;
	while (cc < 16 && jcc[cc] != j->fn)
		cc++;
	if (cc == 16)
		return;
	if (p->fn == h_cmp32_rr)
		p->fn = fused_cmp32_rr[cc];
	else if (p->fn == h_cmp32_ri)
		p->fn = fused_cmp32_ri[cc];
	else if (p->fn == h_test32_rr)
		p->fn = fused_test32_rr[cc];
	else if (p->fn == h_test32_ri)
		p->fn = fused_test32_ri[cc];
	else if (p->fn == h_test8_ri)
		p->fn = fused_test8_ri[cc];
	else if (p->fn == h_test8_rr)
		p->fn = fused_test8_rr[cc];
	else if (p->fn == h_alu32_r_m && (p->op & 7) == 7)
		p->fn = fused_cmp32_r_m[cc];
	else if (p->fn == h_alu_rm_r && (p->op & 7) == 7 && p->osize == 4 && (p->flags & IF_MEM))
		p->fn = fused_cmp32_m_r[cc];
	else if (p->fn == h_cmp32_m_imm)
		p->fn = fused_cmp32_m_imm[cc];
	else if (p->fn == h_test32_m_imm)
		p->fn = fused_test32_m_imm[cc];
	else if (p->fn == h_test8_m_imm)
		p->fn = fused_test8_m_imm[cc];
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
	} else if (in->fn == h_test_rm_r && !(in->flags & IF_MEM) && in->osize == 4) {
		in->fn = h_test32_rr;
	} else if (in->fn == h_test_rm_r && !(in->flags & IF_MEM) && in->osize == 1) {
		in->fn = h_test8_rr;
	} else if (in->fn == h_test_rm_imm && !(in->flags & IF_MEM) && in->osize == 4) {
		in->fn = h_test32_ri;
	} else if (in->fn == h_test_rm_imm && (in->flags & IF_MEM) && (in->osize == 4 || in->osize == 1)) {
		in->fn = in->osize == 4 ? h_test32_m_imm : h_test8_m_imm;
	} else if (in->fn == h_test_rm_imm && !(in->flags & IF_MEM) && in->osize == 1) {
		in->fn = h_test8_ri;
	} else if ((in->fn == h_mov32_r_m || in->fn == h_mov32_m_r) && !(in->flags & IF_A16)) {
		static const insn_fn ld[4] = { NULL, h_mov32_r_bd, h_mov32_r_xd, h_mov32_r_bxd };
		static const insn_fn st[4] = { NULL, h_mov32_bd_r, h_mov32_xd_r, h_mov32_bxd_r };
		unsigned form = (in->base != REG_NONE) | (in->index != REG_NONE) << 1;
		if (form)
			in->fn = in->fn == h_mov32_r_m ? ld[form] : st[form];
	} else if (in->fn == h_movzx && in->osize == 4 && !(in->flags & IF_A16)) {
		static const insn_fn zx8[4] = { h_movzx8_rr, h_movzx8_r_bd, h_movzx8_r_xd, h_movzx8_r_bxd };
		static const insn_fn zx16[4] = { h_movzx16_rr, h_movzx16_r_bd, h_movzx16_r_xd, h_movzx16_r_bxd };
		unsigned form = (in->flags & IF_MEM) ? (in->base != REG_NONE) | (in->index != REG_NONE) << 1 : 0;
		if (!(in->flags & IF_MEM) || form)
			in->fn = (in->op == 1 ? zx8 : zx16)[form];
	} else if ((in->fn == h_mov_r_rm || in->fn == h_mov_rm_r) && in->osize == 1 &&
		   (in->flags & IF_MEM) && !(in->flags & IF_A16)) {
		static const insn_fn ld[4] = { NULL, h_mov8_r_bd, h_mov8_r_xd, h_mov8_r_bxd };
		static const insn_fn st[4] = { NULL, h_mov8_bd_r, h_mov8_xd_r, h_mov8_bxd_r };
		unsigned form = (in->base != REG_NONE) | (in->index != REG_NONE) << 1;
		if (form)
			in->fn = in->fn == h_mov_r_rm ? ld[form] : st[form];
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
	} else if (in->fn == h_alu32_r_imm && ri[op]) {
		in->fn = ri[op];
	} else if (in->fn == h_alu_rm_imm && (in->flags & IF_MEM) && in->osize == 4 && mi[op]) {
		in->fn = mi[op];
	} else if (in->fn == h_shift_rm && !(in->flags & IF_MEM) && in->osize == 4 && (op >= 4)) {
		u32 count = ((in->op & 0x80) ? 1 : in->imm) & 31;
		if (!count)
			return;
		in->imm = count;
		in->fn = op == 5 ? h_shr32_ri : op == 7 ? h_sar32_ri : h_shl32_ri;
	}
}

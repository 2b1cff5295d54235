/*
 * exec.h — the instruction handlers the decoder points records at.
 *
 * Every handler has the one signature insn_fn. They are grouped by family in
 * exec_alu.c (arithmetic, logic, shifts, multiply/divide, bits, BCD, flags),
 * exec_data.c (moves, stack, strings, conversions), exec_ctrl.c (jumps, calls, loops,
 * software interrupts, far transfers) and exec_sys.c (privileged and sensitive
 * instructions, port I/O, CPUID, MSRs). `in->op` selects the sub-operation where one
 * handler serves several opcodes (ALU op, condition code, shift kind...).
 */
#ifndef RINGLAB_EXEC_H
#define RINGLAB_EXEC_H

#include "insn.h"

#define HANDLER_DECL(name) void name(struct cpu *c, const struct insn *in)

/* Threaded dispatch: a handler runs the next record of its block itself, by a tail
 * call, so that each handler has its own indirect jump (which the host predicts from
 * that handler) instead of every record sharing the run loop's one call site. The
 * handler ends the chain at c->iend, which cpu_end_block may have pulled in; a block
 * holds at most BLOCK_MAX_INSNS records, so where the host compiler makes no tail call
 * the chain is that many frames deep at most. */
static inline void insn_run_next(struct cpu *c, const struct insn *in)
{
	const struct insn *n = in + 1;
	if (n < c->iend) {
		c->ip = n;
		n->fn(c, n);
	}
}

/* Define handler `name` (declared in this header): the body that follows is its
 * instruction's semantics; the handler then runs the next record (insn_run_next).
 * STATIC_HANDLER defines one private to its file. */
#define HANDLER(name)                                                                      \
	static inline __attribute__((always_inline)) void name##_body(struct cpu *c,        \
								      const struct insn *in); \
	HANDLER_DECL(name)                                                                 \
	{                                                                                  \
		name##_body(c, in);                                                        \
		insn_run_next(c, in);                                                      \
	}                                                                                  \
	static inline __attribute__((always_inline)) void name##_body(struct cpu *c,        \
								      const struct insn *in)
#define STATIC_HANDLER(name) \
	static HANDLER_DECL(name); \
	HANDLER(name)
/* A private handler that writes its tail (insn_run_next) itself. */
#define STATIC_HANDLER_DECL(name) \
	static HANDLER_DECL(name);     \
	static HANDLER_DECL(name)
/* SLOW_HANDLER defines a private handler kept out of line: the general path a fast
 * handler tail-calls when its inline fast path does not apply, so that the fast path
 * itself makes no call and needs no stack frame. */
#define SLOW_HANDLER(name) \
	static __attribute__((noinline, cold)) HANDLER_DECL(name); \
	HANDLER(name)

/* exec_fast.c — replace a decoded record's handler by one specialised for its exact
 * form where one exists (same semantics, fewer host instructions). The record is
 * complete (its length included) when the decoder calls this. */
void exec_fast_pick(struct insn *in);

/* exec_fast.c — the block's records `in[0..n)` are decoded: fuse a CMP or TEST with
 * the Jcc that ends the block (one handler runs both, same semantics). */
void exec_fast_fuse(struct insn *in, unsigned n);

/* exec_alu.c — in->op: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP */
HANDLER_DECL(h_alu_rm_r);    /* op rm, reg */
HANDLER_DECL(h_alu_r_rm);    /* op reg, rm */
HANDLER_DECL(h_alu_rm_imm);  /* op rm, imm */
HANDLER_DECL(h_alu32_rr);    /* 32-bit op reg(rm), reg */
HANDLER_DECL(h_alu32_r_imm); /* 32-bit op reg(rm), imm */
HANDLER_DECL(h_alu32_r_m);   /* 32-bit op reg, mem */
HANDLER_DECL(h_cmp32_m_imm); /* 32-bit CMP mem, imm */
HANDLER_DECL(h_test_rm_r);
HANDLER_DECL(h_test_rm_imm);
HANDLER_DECL(h_inc_rm);
HANDLER_DECL(h_dec_rm);
HANDLER_DECL(h_inc32_r);
HANDLER_DECL(h_dec32_r);
HANDLER_DECL(h_not_rm);
HANDLER_DECL(h_neg_rm);
HANDLER_DECL(h_shift_rm);    /* op: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR; count imm */
HANDLER_DECL(h_shift_rm_cl);
HANDLER_DECL(h_shld);        /* op 0: imm count, 1: CL */
HANDLER_DECL(h_shrd);
HANDLER_DECL(h_mul_rm);      /* F6/F7 /4 */
HANDLER_DECL(h_imul1_rm);    /* F6/F7 /5 */
HANDLER_DECL(h_div_rm);
HANDLER_DECL(h_idiv_rm);
HANDLER_DECL(h_imul_r_rm);   /* 0F AF */
HANDLER_DECL(h_imul_r_rm_imm);
HANDLER_DECL(h_bt);          /* op: 0 BT 1 BTS 2 BTR 3 BTC; register bit offset */
HANDLER_DECL(h_bt_imm);
HANDLER_DECL(h_bsf);
HANDLER_DECL(h_bsr);
HANDLER_DECL(h_daa);
HANDLER_DECL(h_das);
HANDLER_DECL(h_aaa);
HANDLER_DECL(h_aas);
HANDLER_DECL(h_aam);
HANDLER_DECL(h_aad);
HANDLER_DECL(h_salc);
HANDLER_DECL(h_flagop);      /* op: 0 CLC 1 STC 2 CMC 3 CLD 4 STD */
HANDLER_DECL(h_lahf);
HANDLER_DECL(h_sahf);
HANDLER_DECL(h_xadd);
HANDLER_DECL(h_cmpxchg);
HANDLER_DECL(h_cmpxchg8b);

/* exec_data.c */
HANDLER_DECL(h_mov_rm_r);
HANDLER_DECL(h_mov_r_rm);
HANDLER_DECL(h_mov32_rr);
HANDLER_DECL(h_mov32_r_m);
HANDLER_DECL(h_mov32_m_r);
HANDLER_DECL(h_mov_rm_imm);
HANDLER_DECL(h_mov_r_imm);
HANDLER_DECL(h_mov_moffs_load);  /* MOV AL/eAX, moffs */
HANDLER_DECL(h_mov_moffs_store);
HANDLER_DECL(h_movzx);           /* op: source size */
HANDLER_DECL(h_movsx);
HANDLER_DECL(h_lea);
HANDLER_DECL(h_xchg_rm_r);
HANDLER_DECL(h_marker);          /* xchg bx,bx */
HANDLER_DECL(h_nop);
HANDLER_DECL(h_push_r);
HANDLER_DECL(h_pop_r);
HANDLER_DECL(h_push_imm);
HANDLER_DECL(h_push_rm);
HANDLER_DECL(h_pop_rm);
HANDLER_DECL(h_pusha);
HANDLER_DECL(h_popa);
HANDLER_DECL(h_enter);
HANDLER_DECL(h_leave);
HANDLER_DECL(h_cbw);             /* CBW / CWDE */
HANDLER_DECL(h_cwd);             /* CWD / CDQ */
HANDLER_DECL(h_setcc);
HANDLER_DECL(h_cmovcc);
HANDLER_DECL(h_bswap);
HANDLER_DECL(h_xlat);
HANDLER_DECL(h_movs);
HANDLER_DECL(h_stos);
HANDLER_DECL(h_lods);
HANDLER_DECL(h_cmps);
HANDLER_DECL(h_scas);
HANDLER_DECL(h_bound);
HANDLER_DECL(h_arpl);

/* exec_ctrl.c */
HANDLER_DECL(h_jmp_rel);
HANDLER_DECL(h_jcc);
HANDLER_DECL(h_call_rel);
HANDLER_DECL(h_ret);
HANDLER_DECL(h_ret_imm);
HANDLER_DECL(h_jmp_rm);
HANDLER_DECL(h_call_rm);
HANDLER_DECL(h_loop);            /* op: 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ */
HANDLER_DECL(h_int);             /* INT imm8 */
HANDLER_DECL(h_int3);
HANDLER_DECL(h_into);
HANDLER_DECL(h_int1);
HANDLER_DECL(h_iret);
HANDLER_DECL(h_jmp_far);         /* ptr16:32 */
HANDLER_DECL(h_call_far);
HANDLER_DECL(h_jmp_far_m);
HANDLER_DECL(h_call_far_m);
HANDLER_DECL(h_retf);            /* imm = bytes to release */
HANDLER_DECL(h_ud);              /* #UD */
HANDLER_DECL(h_fpu);             /* x87 escape: #NM or #UD, no FPU */

/* exec_sys.c */
HANDLER_DECL(h_mov_sreg_rm);     /* MOV Sreg, rm */
HANDLER_DECL(h_mov_rm_sreg);
HANDLER_DECL(h_push_sreg);       /* op: segment */
HANDLER_DECL(h_pop_sreg);
HANDLER_DECL(h_lxs);             /* LDS/LES/LSS/LFS/LGS; op: segment */
HANDLER_DECL(h_cli);
HANDLER_DECL(h_sti);
HANDLER_DECL(h_pushf);
HANDLER_DECL(h_popf);
HANDLER_DECL(h_hlt);
HANDLER_DECL(h_in);              /* op 0: imm8 port, 1: DX */
HANDLER_DECL(h_out);
HANDLER_DECL(h_ins);
HANDLER_DECL(h_outs);
HANDLER_DECL(h_mov_r_cr);
HANDLER_DECL(h_mov_cr_r);
HANDLER_DECL(h_mov_r_dr);
HANDLER_DECL(h_mov_dr_r);
HANDLER_DECL(h_clts);
HANDLER_DECL(h_lmsw);
HANDLER_DECL(h_smsw);
HANDLER_DECL(h_sgdt);            /* op 0 SGDT 1 SIDT */
HANDLER_DECL(h_lgdt);            /* op 0 LGDT 1 LIDT */
HANDLER_DECL(h_sldt);
HANDLER_DECL(h_str);
HANDLER_DECL(h_lldt);
HANDLER_DECL(h_ltr);
HANDLER_DECL(h_verr);            /* op 0 VERR 1 VERW */
HANDLER_DECL(h_lar);
HANDLER_DECL(h_lsl);
HANDLER_DECL(h_invlpg);
HANDLER_DECL(h_vmcall);          /* 0F 01 C1 */
HANDLER_DECL(h_wbinvd);          /* WBINVD / INVD */
HANDLER_DECL(h_cpuid);
HANDLER_DECL(h_rdtsc);
HANDLER_DECL(h_rdmsr);
HANDLER_DECL(h_wrmsr);
HANDLER_DECL(h_sysenter);
HANDLER_DECL(h_sysexit);
HANDLER_DECL(h_wait);

#endif

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

#define HANDLER(name) void name(struct cpu *c, const struct insn *in)

/* exec_fast.c — replace a decoded record's handler by one specialised for its exact
 * form where one exists (same semantics, fewer host instructions). */
void exec_fast_pick(struct insn *in);

/* exec_alu.c — in->op: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP */
HANDLER(h_alu_rm_r);    /* op rm, reg */
HANDLER(h_alu_r_rm);    /* op reg, rm */
HANDLER(h_alu_rm_imm);  /* op rm, imm */
HANDLER(h_alu32_rr);    /* 32-bit op reg(rm), reg */
HANDLER(h_alu32_r_imm); /* 32-bit op reg(rm), imm */
HANDLER(h_alu32_r_m);   /* 32-bit op reg, mem */
HANDLER(h_cmp32_m_imm); /* 32-bit CMP mem, imm */
HANDLER(h_test_rm_r);
HANDLER(h_test_rm_imm);
HANDLER(h_inc_rm);
HANDLER(h_dec_rm);
HANDLER(h_inc32_r);
HANDLER(h_dec32_r);
HANDLER(h_not_rm);
HANDLER(h_neg_rm);
HANDLER(h_shift_rm);    /* op: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR; count imm */
HANDLER(h_shift_rm_cl);
HANDLER(h_shld);        /* op 0: imm count, 1: CL */
HANDLER(h_shrd);
HANDLER(h_mul_rm);      /* F6/F7 /4 */
HANDLER(h_imul1_rm);    /* F6/F7 /5 */
HANDLER(h_div_rm);
HANDLER(h_idiv_rm);
HANDLER(h_imul_r_rm);   /* 0F AF */
HANDLER(h_imul_r_rm_imm);
HANDLER(h_bt);          /* op: 0 BT 1 BTS 2 BTR 3 BTC; register bit offset */
HANDLER(h_bt_imm);
HANDLER(h_bsf);
HANDLER(h_bsr);
HANDLER(h_daa);
HANDLER(h_das);
HANDLER(h_aaa);
HANDLER(h_aas);
HANDLER(h_aam);
HANDLER(h_aad);
HANDLER(h_salc);
HANDLER(h_flagop);      /* op: 0 CLC 1 STC 2 CMC 3 CLD 4 STD */
HANDLER(h_lahf);
HANDLER(h_sahf);
HANDLER(h_xadd);
HANDLER(h_cmpxchg);
HANDLER(h_cmpxchg8b);

/* exec_data.c */
HANDLER(h_mov_rm_r);
HANDLER(h_mov_r_rm);
HANDLER(h_mov32_rr);
HANDLER(h_mov32_r_m);
HANDLER(h_mov32_m_r);
HANDLER(h_mov_rm_imm);
HANDLER(h_mov_r_imm);
HANDLER(h_mov_moffs_load);  /* MOV AL/eAX, moffs */
HANDLER(h_mov_moffs_store);
HANDLER(h_movzx);           /* op: source size */
HANDLER(h_movsx);
HANDLER(h_lea);
HANDLER(h_xchg_rm_r);
HANDLER(h_marker);          /* xchg bx,bx */
HANDLER(h_nop);
HANDLER(h_push_r);
HANDLER(h_pop_r);
HANDLER(h_push_imm);
HANDLER(h_push_rm);
HANDLER(h_pop_rm);
HANDLER(h_pusha);
HANDLER(h_popa);
HANDLER(h_enter);
HANDLER(h_leave);
HANDLER(h_cbw);             /* CBW / CWDE */
HANDLER(h_cwd);             /* CWD / CDQ */
HANDLER(h_setcc);
HANDLER(h_cmovcc);
HANDLER(h_bswap);
HANDLER(h_xlat);
HANDLER(h_movs);
HANDLER(h_stos);
HANDLER(h_lods);
HANDLER(h_cmps);
HANDLER(h_scas);
HANDLER(h_bound);
HANDLER(h_arpl);

/* exec_ctrl.c */
HANDLER(h_jmp_rel);
HANDLER(h_jcc);
HANDLER(h_call_rel);
HANDLER(h_ret);
HANDLER(h_ret_imm);
HANDLER(h_jmp_rm);
HANDLER(h_call_rm);
HANDLER(h_loop);            /* op: 0 LOOPNE 1 LOOPE 2 LOOP 3 JECXZ */
HANDLER(h_int);             /* INT imm8 */
HANDLER(h_int3);
HANDLER(h_into);
HANDLER(h_int1);
HANDLER(h_iret);
HANDLER(h_jmp_far);         /* ptr16:32 */
HANDLER(h_call_far);
HANDLER(h_jmp_far_m);
HANDLER(h_call_far_m);
HANDLER(h_retf);            /* imm = bytes to release */
HANDLER(h_ud);              /* #UD */
HANDLER(h_fpu);             /* x87 escape: #NM or #UD, no FPU */

/* exec_sys.c */
HANDLER(h_mov_sreg_rm);     /* MOV Sreg, rm */
HANDLER(h_mov_rm_sreg);
HANDLER(h_push_sreg);       /* op: segment */
HANDLER(h_pop_sreg);
HANDLER(h_lxs);             /* LDS/LES/LSS/LFS/LGS; op: segment */
HANDLER(h_cli);
HANDLER(h_sti);
HANDLER(h_pushf);
HANDLER(h_popf);
HANDLER(h_hlt);
HANDLER(h_in);              /* op 0: imm8 port, 1: DX */
HANDLER(h_out);
HANDLER(h_ins);
HANDLER(h_outs);
HANDLER(h_mov_r_cr);
HANDLER(h_mov_cr_r);
HANDLER(h_mov_r_dr);
HANDLER(h_mov_dr_r);
HANDLER(h_clts);
HANDLER(h_lmsw);
HANDLER(h_smsw);
HANDLER(h_sgdt);            /* op 0 SGDT 1 SIDT */
HANDLER(h_lgdt);            /* op 0 LGDT 1 LIDT */
HANDLER(h_sldt);
HANDLER(h_str);
HANDLER(h_lldt);
HANDLER(h_ltr);
HANDLER(h_verr);            /* op 0 VERR 1 VERW */
HANDLER(h_lar);
HANDLER(h_lsl);
HANDLER(h_invlpg);
HANDLER(h_vmcall);          /* 0F 01 C1 */
HANDLER(h_wbinvd);          /* WBINVD / INVD */
HANDLER(h_cpuid);
HANDLER(h_rdtsc);
HANDLER(h_rdmsr);
HANDLER(h_wrmsr);
HANDLER(h_sysenter);
HANDLER(h_sysexit);
HANDLER(h_wait);

#endif

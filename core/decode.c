/*
 * decode.c — IA-32 instruction decoder: bytes at CS:EIP to one compact record.
 *
 * Runs once per instruction per block (block.c), never on the hot path, so it favours
 * clarity: prefixes, then the opcode (one byte, or 0x0F and a second), then a spec
 * lookup that says whether a ModRM byte and which immediates follow, which handler
 * runs it and which cost class it belongs to. Group opcodes (80-83, C0/C1, D0-D3,
 * F6/F7, FE/FF, 0F 00, 0F 01, 0F BA) are resolved with ModRM.reg.
 *
 * Unknown opcodes, and encodings the SDM makes invalid (LEA with a register operand,
 * LOCK on a non-RMW instruction), decode to a record that raises #UD when executed, so
 * the fault is raised at the right place. Fetches go through the code TLB and may raise
 * #PF; an instruction longer than 15 bytes or past the CS limit raises #GP(0).
 */
#include "exec.h"
#include "fault.h"
#include "mem.h"

/* What follows the opcode, and how the record is built. */
enum {
	D_MODRM = 1u << 0,
	D_IB = 1u << 1,    /* imm8, zero-extended */
	D_IBS = 1u << 2,   /* imm8, sign-extended */
	D_IW = 1u << 3,    /* imm16 */
	D_IV = 1u << 4,    /* imm16 or imm32 by operand size */
	D_BYTE = 1u << 5,  /* 8-bit operand size */
	D_END = 1u << 6,   /* ends the block */
	D_MOFFS = 1u << 7, /* moffs address of address size */
	D_FAR = 1u << 8,   /* ptr16:16/32 */
	D_ENTER = 1u << 9, /* imm16 then imm8 */
	D_RMW = 1u << 10,  /* memory operand read and written (LOCK allowed) */
	D_LD = 1u << 11,   /* memory operand read */
	D_ST = 1u << 12,   /* memory operand written */
	D_MEMONLY = 1u << 13, /* ModRM must name memory */
	D_REGONLY = 1u << 14, /* ModRM must name a register */
	D_W16 = 1u << 15,  /* operand size fixed at 16 bits */
};

struct spec {
	insn_fn fn;
	u16 f;
	u8 cls;
	u8 op;
};

#define S(fn_, f_, cls_, op_) ((struct spec){ fn_, (u16)(f_), cls_, op_ })
#define UD S(h_ud, 0, IC_NONE, 0)

struct fetcher {
	struct cpu *c;
	u32 eip, start;
	u32 page;      /* linear page of `host`, or FTLB_NONE */
	const u8 *host;
};

static u8 fetch8(struct fetcher *f)
{
	struct cpu *c = f->c;
	u32 eip = f->eip;
	if (eip - f->start >= 15)
		cpu_fault(c, EXC_GP, 0);
	if (eip > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	u32 lin = c->seg[SEG_CS].base + eip;
	if ((lin >> 12) != f->page) {
		u32 pa = mem_fetch_phys(c, lin);
		f->page = lin >> 12;
		const u8 *p = cpu_mem(c, pa & ~0xfffu, 0x1000);
		f->host = p;
	}
	f->eip++;
	return f->host ? f->host[lin & 0xfff] : 0; /* unassigned memory reads 0 (mem.c) */
}

static u32 fetch_n(struct fetcher *f, unsigned n)
{
	u32 v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (u32)fetch8(f) << (8 * i);
	return v;
}

/* Does the opcode take a ModRM byte? */
static bool has_modrm(bool ext, u8 op)
{
	if (!ext) {
		if (op < 0x40)
			return (op & 7) < 4;
		switch (op) {
		case 0x62: case 0x63: case 0x69: case 0x6b:
		case 0xc0: case 0xc1: case 0xc4: case 0xc5: case 0xc6: case 0xc7:
		case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		case 0xf6: case 0xf7: case 0xfe: case 0xff:
			return true;
		}
		if (op >= 0x80 && op <= 0x8f)
			return true;
		if (op >= 0xd8 && op <= 0xdf)
			return true;
		return false;
	}
	switch (op) {
	case 0x00: case 0x01: case 0x02: case 0x03: case 0x0d:
	case 0x20: case 0x21: case 0x22: case 0x23:
	case 0xa3: case 0xa4: case 0xa5: case 0xab: case 0xac: case 0xad: case 0xaf:
	case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6:
	case 0xb7: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe:
	case 0xbf: case 0xc0: case 0xc1: case 0xc7:
		return true;
	}
	return (op >= 0x18 && op <= 0x1f) || (op >= 0x40 && op <= 0x4f) ||
	       (op >= 0x90 && op <= 0x9f);
}

/* The spec of a one-byte opcode; `reg` is ModRM.reg, `mem` whether ModRM names memory. */
static struct spec spec1(u8 op, unsigned reg, bool mem)
{
	if (op < 0x40 && (op & 7) < 6) {
		unsigned alu = op >> 3, form = op & 7;
		u16 w = alu == 7 ? D_LD : D_RMW;
		switch (form) {
		case 0: return S(h_alu_rm_r, D_MODRM | D_BYTE | w, IC_ALU, alu);
		case 1: return S(mem ? h_alu_rm_r : h_alu32_rr, D_MODRM | w, IC_ALU, alu);
		case 2: return S(h_alu_r_rm, D_MODRM | D_BYTE | D_LD, IC_ALU, alu);
		case 3: return S(mem ? h_alu32_r_m : h_alu32_rr, D_MODRM | D_LD, IC_ALU, alu | 0x80);
		case 4: return S(h_alu_rm_imm, D_BYTE | D_IB, IC_ALU, alu);
		case 5: return S(h_alu32_r_imm, D_IV, IC_ALU, alu);
		}
	}
	switch (op) {
	case 0x06: return S(h_push_sreg, 0, IC_STACK, SEG_ES);
	case 0x07: return S(h_pop_sreg, 0, IC_SEGLOAD, SEG_ES);
	case 0x0e: return S(h_push_sreg, 0, IC_STACK, SEG_CS);
	case 0x16: return S(h_push_sreg, 0, IC_STACK, SEG_SS);
	case 0x17: return S(h_pop_sreg, D_END, IC_SEGLOAD, SEG_SS);
	case 0x1e: return S(h_push_sreg, 0, IC_STACK, SEG_DS);
	case 0x1f: return S(h_pop_sreg, 0, IC_SEGLOAD, SEG_DS);
	case 0x27: return S(h_daa, 0, IC_ALU, 0);
	case 0x2f: return S(h_das, 0, IC_ALU, 0);
	case 0x37: return S(h_aaa, 0, IC_ALU, 0);
	case 0x3f: return S(h_aas, 0, IC_ALU, 0);
	case 0x60: return S(h_pusha, 0, IC_STACK, 0);
	case 0x61: return S(h_popa, 0, IC_STACK, 0);
	case 0x62: return mem ? S(h_bound, D_MODRM | D_LD, IC_ALU, 0) : UD;
	case 0x63: return S(h_arpl, D_MODRM | D_W16 | D_RMW, IC_SEG_CHECK, 0);
	case 0x68: return S(h_push_imm, D_IV, IC_STACK, 0);
	case 0x69: return S(h_imul_r_rm_imm, D_MODRM | D_IV | D_LD, IC_MUL, 0);
	case 0x6a: return S(h_push_imm, D_IBS, IC_STACK, 0);
	case 0x6b: return S(h_imul_r_rm_imm, D_MODRM | D_IBS | D_LD, IC_MUL, 0);
	case 0x6c: return S(h_ins, D_BYTE | D_END, IC_IO, 0);
	case 0x6d: return S(h_ins, D_END, IC_IO, 0);
	case 0x6e: return S(h_outs, D_BYTE | D_END, IC_IO, 0);
	case 0x6f: return S(h_outs, D_END, IC_IO, 0);
	case 0x84: return S(h_test_rm_r, D_MODRM | D_BYTE | D_LD, IC_ALU, 0);
	case 0x85: return S(h_test_rm_r, D_MODRM | D_LD, IC_ALU, 0);
	case 0x86: return S(h_xchg_rm_r, D_MODRM | D_BYTE | D_RMW, IC_MOV, 0);
	case 0x87: return S(h_xchg_rm_r, D_MODRM | D_RMW, IC_MOV, 0);
	case 0x88: return S(h_mov_rm_r, D_MODRM | D_BYTE | D_ST, IC_MOV, 0);
	case 0x89: return S(mem ? h_mov32_m_r : h_mov32_rr, D_MODRM | D_ST, IC_MOV, 0);
	case 0x8a: return S(h_mov_r_rm, D_MODRM | D_BYTE | D_LD, IC_MOV, 0);
	case 0x8b: return S(mem ? h_mov32_r_m : h_mov32_rr, D_MODRM | D_LD, IC_MOV, 1);
	case 0x8c: return reg < 6 ? S(h_mov_rm_sreg, D_MODRM | D_ST, IC_MOV, 0) : UD;
	case 0x8d: return mem ? S(h_lea, D_MODRM, IC_ALU, 0) : UD;
	case 0x8e:
		if (reg == SEG_CS || reg > 5)
			return UD;
		return S(h_mov_sreg_rm, D_MODRM | D_W16 | D_LD | (reg == SEG_SS ? D_END : 0), IC_SEGLOAD, 0);
	case 0x8f: return reg == 0 ? S(h_pop_rm, D_MODRM | D_ST, IC_STACK, 0) : UD;
	case 0x90: return S(h_nop, 0, IC_MOV, 0);
	case 0x98: return S(h_cbw, 0, IC_ALU, 0);
	case 0x99: return S(h_cwd, 0, IC_ALU, 0);
	case 0x9a: return S(h_call_far, D_FAR | D_END, IC_FAR, 0);
	case 0x9b: return S(h_wait, 0, IC_NONE, 0);
	case 0x9c: return S(h_pushf, 0, IC_PUSHF_POPF, 0);
	case 0x9d: return S(h_popf, D_END, IC_PUSHF_POPF, 0);
	case 0x9e: return S(h_sahf, 0, IC_ALU, 0);
	case 0x9f: return S(h_lahf, 0, IC_ALU, 0);
	case 0xa0: return S(h_mov_moffs_load, D_MOFFS | D_BYTE, IC_MOV, 0);
	case 0xa1: return S(h_mov_moffs_load, D_MOFFS, IC_MOV, 0);
	case 0xa2: return S(h_mov_moffs_store, D_MOFFS | D_BYTE, IC_MOV, 0);
	case 0xa3: return S(h_mov_moffs_store, D_MOFFS, IC_MOV, 0);
	case 0xa4: return S(h_movs, D_BYTE, IC_STRING, 0);
	case 0xa5: return S(h_movs, 0, IC_STRING, 0);
	case 0xa6: return S(h_cmps, D_BYTE, IC_STRING, 0);
	case 0xa7: return S(h_cmps, 0, IC_STRING, 0);
	case 0xa8: return S(h_test_rm_imm, D_BYTE | D_IB, IC_ALU, 0);
	case 0xa9: return S(h_test_rm_imm, D_IV, IC_ALU, 0);
	case 0xaa: return S(h_stos, D_BYTE, IC_STRING, 0);
	case 0xab: return S(h_stos, 0, IC_STRING, 0);
	case 0xac: return S(h_lods, D_BYTE, IC_STRING, 0);
	case 0xad: return S(h_lods, 0, IC_STRING, 0);
	case 0xae: return S(h_scas, D_BYTE, IC_STRING, 0);
	case 0xaf: return S(h_scas, 0, IC_STRING, 0);
	case 0xc2: return S(h_ret_imm, D_IW | D_END, IC_CALL_RET, 0);
	case 0xc3: return S(h_ret, D_END, IC_CALL_RET, 0);
	case 0xc4: return mem ? S(h_lxs, D_MODRM | D_LD, IC_SEGLOAD, SEG_ES) : UD;
	case 0xc5: return mem ? S(h_lxs, D_MODRM | D_LD, IC_SEGLOAD, SEG_DS) : UD;
	case 0xc6: return reg == 0 ? S(h_mov_rm_imm, D_MODRM | D_BYTE | D_IB | D_ST, IC_MOV, 0) : UD;
	case 0xc7: return reg == 0 ? S(h_mov_rm_imm, D_MODRM | D_IV | D_ST, IC_MOV, 0) : UD;
	case 0xc8: return S(h_enter, D_ENTER, IC_STACK, 0);
	case 0xc9: return S(h_leave, 0, IC_STACK, 0);
	case 0xca: return S(h_retf, D_IW | D_END, IC_FAR, 0);
	case 0xcb: return S(h_retf, D_END, IC_FAR, 0);
	case 0xcc: return S(h_int3, D_END, IC_INT, 0);
	case 0xcd: return S(h_int, D_IB | D_END, IC_INT, 0);
	case 0xce: return S(h_into, D_END, IC_INT, 0);
	case 0xcf: return S(h_iret, D_END, IC_IRET, 0);
	case 0xd4: return S(h_aam, D_IB, IC_DIV, 0);
	case 0xd5: return S(h_aad, D_IB, IC_MUL, 0);
	case 0xd6: return S(h_salc, 0, IC_ALU, 0);
	case 0xd7: return S(h_xlat, 0, IC_MOV, 0);
	case 0xe0: case 0xe1: case 0xe2: case 0xe3:
		return S(h_loop, D_IBS | D_END, IC_BRANCH, op & 3);
	case 0xe4: return S(h_in, D_IB | D_BYTE | D_END, IC_IO, 0);
	case 0xe5: return S(h_in, D_IB | D_END, IC_IO, 0);
	case 0xe6: return S(h_out, D_IB | D_BYTE | D_END, IC_IO, 0);
	case 0xe7: return S(h_out, D_IB | D_END, IC_IO, 0);
	case 0xe8: return S(h_call_rel, D_IV | D_END, IC_CALL_RET, 0);
	case 0xe9: return S(h_jmp_rel, D_IV | D_END, IC_BRANCH, 0);
	case 0xea: return S(h_jmp_far, D_FAR | D_END, IC_FAR, 0);
	case 0xeb: return S(h_jmp_rel, D_IBS | D_END, IC_BRANCH, 0);
	case 0xec: return S(h_in, D_BYTE | D_END, IC_IO, 1);
	case 0xed: return S(h_in, D_END, IC_IO, 1);
	case 0xee: return S(h_out, D_BYTE | D_END, IC_IO, 1);
	case 0xef: return S(h_out, D_END, IC_IO, 1);
	case 0xf1: return S(h_int1, D_END, IC_INT, 0);
	case 0xf4: return S(h_hlt, D_END, IC_HLT, 0);
	case 0xf5: return S(h_flagop, 0, IC_ALU, 2);
	case 0xf8: return S(h_flagop, 0, IC_ALU, 0);
	case 0xf9: return S(h_flagop, 0, IC_ALU, 1);
	case 0xfa: return S(h_cli, 0, IC_CLI_STI, 0);
	case 0xfb: return S(h_sti, D_END, IC_CLI_STI, 0);
	case 0xfc: return S(h_flagop, 0, IC_ALU, 3);
	case 0xfd: return S(h_flagop, 0, IC_ALU, 4);
	}
	if (op >= 0x40 && op <= 0x47)
		return S(h_inc32_r, 0, IC_ALU, 0);
	if (op >= 0x48 && op <= 0x4f)
		return S(h_dec32_r, 0, IC_ALU, 0);
	if (op >= 0x50 && op <= 0x57)
		return S(h_push_r, 0, IC_STACK, 0);
	if (op >= 0x58 && op <= 0x5f)
		return S(h_pop_r, 0, IC_STACK, 0);
	if (op >= 0x70 && op <= 0x7f)
		return S(h_jcc, D_IBS | D_END, IC_BRANCH, op & 15);
	if (op >= 0x80 && op <= 0x83) {
		u16 w = reg == 7 ? D_LD : D_RMW;
		u16 imm = op == 0x81 ? D_IV : (op == 0x83 ? D_IBS : D_IB);
		u16 byte = (op == 0x80 || op == 0x82) ? D_BYTE : 0;
		insn_fn fn = h_alu_rm_imm;
		if (!byte && !mem)
			fn = h_alu32_r_imm;
		else if (!byte && reg == 7)
			fn = h_cmp32_m_imm;
		return S(fn, D_MODRM | imm | byte | w, IC_ALU, reg);
	}
	if (op >= 0x91 && op <= 0x97)
		return S(h_xchg_rm_r, 0, IC_MOV, 1);
	if (op >= 0xb0 && op <= 0xb7)
		return S(h_mov_r_imm, D_IB | D_BYTE, IC_MOV, 0);
	if (op >= 0xb8 && op <= 0xbf)
		return S(h_mov_r_imm, D_IV, IC_MOV, 0);
	if (op == 0xc0 || op == 0xc1)
		return S(h_shift_rm, D_MODRM | D_IB | D_RMW | (op == 0xc0 ? D_BYTE : 0), IC_SHIFT, reg);
	if (op >= 0xd0 && op <= 0xd3) {
		u16 byte = (op & 1) ? 0 : D_BYTE;
		if (op < 0xd2)
			return S(h_shift_rm, D_MODRM | D_RMW | byte, IC_SHIFT, reg | 0x80);
		return S(h_shift_rm_cl, D_MODRM | D_RMW | byte, IC_SHIFT, reg);
	}
	if (op >= 0xd8 && op <= 0xdf)
		return S(h_fpu, D_MODRM, IC_NONE, 0);
	if (op == 0xf6 || op == 0xf7) {
		u16 byte = op == 0xf6 ? D_BYTE : 0;
		u16 imm = op == 0xf6 ? D_IB : D_IV;
		switch (reg) {
		case 0: case 1: return S(h_test_rm_imm, D_MODRM | byte | imm | D_LD, IC_ALU, 1);
		case 2: return S(h_not_rm, D_MODRM | byte | D_RMW, IC_ALU, 0);
		case 3: return S(h_neg_rm, D_MODRM | byte | D_RMW, IC_ALU, 0);
		case 4: return S(h_mul_rm, D_MODRM | byte | D_LD, IC_MUL, 0);
		case 5: return S(h_imul1_rm, D_MODRM | byte | D_LD, IC_MUL, 0);
		case 6: return S(h_div_rm, D_MODRM | byte | D_LD, IC_DIV, 0);
		case 7: return S(h_idiv_rm, D_MODRM | byte | D_LD, IC_DIV, 0);
		}
	}
	if (op == 0xfe) {
		if (reg == 0)
			return S(h_inc_rm, D_MODRM | D_BYTE | D_RMW, IC_ALU, 0);
		if (reg == 1)
			return S(h_dec_rm, D_MODRM | D_BYTE | D_RMW, IC_ALU, 0);
		return UD;
	}
	if (op == 0xff) {
		switch (reg) {
		case 0: return S(h_inc_rm, D_MODRM | D_RMW, IC_ALU, 0);
		case 1: return S(h_dec_rm, D_MODRM | D_RMW, IC_ALU, 0);
		case 2: return S(h_call_rm, D_MODRM | D_LD | D_END, IC_CALL_RET, 1);
		case 3: return mem ? S(h_call_far_m, D_MODRM | D_LD | D_END, IC_FAR, 0) : UD;
		case 4: return S(h_jmp_rm, D_MODRM | D_LD | D_END, IC_BRANCH, 1);
		case 5: return mem ? S(h_jmp_far_m, D_MODRM | D_LD | D_END, IC_FAR, 0) : UD;
		case 6: return S(h_push_rm, D_MODRM | D_LD, IC_STACK, 0);
		default: return UD;
		}
	}
	return UD;
}

/* The spec of a two-byte opcode 0F xx. */
static struct spec spec2(u8 op, unsigned reg, bool mem)
{
	switch (op) {
	case 0x00:
		switch (reg) {
		case 0: return S(h_sldt, D_MODRM | D_W16 | D_ST, IC_DESC_STORE, 0);
		case 1: return S(h_str, D_MODRM | D_W16 | D_ST, IC_DESC_STORE, 0);
		case 2: return S(h_lldt, D_MODRM | D_W16 | D_LD | D_END, IC_DESC_LOAD, 0);
		case 3: return S(h_ltr, D_MODRM | D_W16 | D_LD | D_END, IC_DESC_LOAD, 0);
		case 4: return S(h_verr, D_MODRM | D_W16 | D_LD, IC_SEG_CHECK, 0);
		case 5: return S(h_verr, D_MODRM | D_W16 | D_LD, IC_SEG_CHECK, 1);
		default: return UD;
		}
	case 0x01:
		switch (reg) {
		case 0: return mem ? S(h_sgdt, D_MODRM | D_ST, IC_DESC_STORE, 0) : S(h_vmcall, D_MODRM | D_END, IC_NONE, 0);
		case 1: return mem ? S(h_sgdt, D_MODRM | D_ST, IC_DESC_STORE, 1) : UD;
		case 2: return mem ? S(h_lgdt, D_MODRM | D_LD | D_END, IC_DESC_LOAD, 0) : UD;
		case 3: return mem ? S(h_lgdt, D_MODRM | D_LD | D_END, IC_DESC_LOAD, 1) : UD;
		case 4: return S(h_smsw, D_MODRM | D_ST, IC_DESC_STORE, 0);
		case 6: return S(h_lmsw, D_MODRM | D_W16 | D_LD | D_END, IC_CR0_WRITE, 0);
		case 7: return mem ? S(h_invlpg, D_MODRM | D_END, IC_INVLPG, 0) : UD;
		default: return UD;
		}
	case 0x02: return S(h_lar, D_MODRM | D_LD, IC_SEG_CHECK, 0);
	case 0x03: return S(h_lsl, D_MODRM | D_LD, IC_SEG_CHECK, 0);
	case 0x06: return S(h_clts, D_END, IC_CR0_WRITE, 0);
	case 0x08: return S(h_wbinvd, D_END, IC_WBINVD, 1);
	case 0x09: return S(h_wbinvd, D_END, IC_WBINVD, 0);
	case 0x0b: case 0xb9: case 0xff: return UD;
	case 0x20: return mem ? UD : S(h_mov_r_cr, D_MODRM, IC_CR_READ, 0);
	case 0x21: return mem ? UD : S(h_mov_r_dr, D_MODRM, IC_CR_READ, 0);
	case 0x22:
		if (mem)
			return UD;
		return S(h_mov_cr_r, D_MODRM | D_END,
			 reg == 3 ? IC_CR3_WRITE : reg == 4 ? IC_CR4_WRITE : IC_CR0_WRITE, 0);
	case 0x23: return mem ? UD : S(h_mov_dr_r, D_MODRM | D_END, IC_CR_READ, 0);
	case 0x30: return S(h_wrmsr, D_END, IC_MSR, 0);
	case 0x31: return S(h_rdtsc, 0, IC_RDTSC, 0);
	case 0x32: return S(h_rdmsr, 0, IC_MSR, 0);
	case 0x34: return S(h_sysenter, D_END, IC_SYSENTER, 0);
	case 0x35: return S(h_sysexit, D_END, IC_SYSENTER, 0);
	case 0xa0: return S(h_push_sreg, 0, IC_STACK, SEG_FS);
	case 0xa1: return S(h_pop_sreg, 0, IC_SEGLOAD, SEG_FS);
	case 0xa2: return S(h_cpuid, D_END, IC_CPUID, 0);
	case 0xa3: return S(h_bt, D_MODRM | D_LD, IC_SHIFT, 0);
	case 0xa4: return S(h_shld, D_MODRM | D_IB | D_RMW, IC_SHIFT, 0);
	case 0xa5: return S(h_shld, D_MODRM | D_RMW, IC_SHIFT, 1);
	case 0xa8: return S(h_push_sreg, 0, IC_STACK, SEG_GS);
	case 0xa9: return S(h_pop_sreg, 0, IC_SEGLOAD, SEG_GS);
	case 0xab: return S(h_bt, D_MODRM | D_RMW, IC_SHIFT, 1);
	case 0xac: return S(h_shrd, D_MODRM | D_IB | D_RMW, IC_SHIFT, 0);
	case 0xad: return S(h_shrd, D_MODRM | D_RMW, IC_SHIFT, 1);
	case 0xaf: return S(h_imul_r_rm, D_MODRM | D_LD, IC_MUL, 0);
	case 0xb0: return S(h_cmpxchg, D_MODRM | D_BYTE | D_RMW, IC_ALU, 0);
	case 0xb1: return S(h_cmpxchg, D_MODRM | D_RMW, IC_ALU, 0);
	case 0xb2: return mem ? S(h_lxs, D_MODRM | D_LD | D_END, IC_SEGLOAD, SEG_SS) : UD;
	case 0xb3: return S(h_bt, D_MODRM | D_RMW, IC_SHIFT, 2);
	case 0xb4: return mem ? S(h_lxs, D_MODRM | D_LD, IC_SEGLOAD, SEG_FS) : UD;
	case 0xb5: return mem ? S(h_lxs, D_MODRM | D_LD, IC_SEGLOAD, SEG_GS) : UD;
	case 0xb6: return S(h_movzx, D_MODRM | D_LD, IC_ALU, 1);
	case 0xb7: return S(h_movzx, D_MODRM | D_LD, IC_ALU, 2);
	case 0xba:
		if (reg < 4)
			return UD;
		return S(h_bt_imm, D_MODRM | D_IB | (reg == 4 ? D_LD : D_RMW), IC_SHIFT, reg - 4);
	case 0xbb: return S(h_bt, D_MODRM | D_RMW, IC_SHIFT, 3);
	case 0xbc: return S(h_bsf, D_MODRM | D_LD, IC_SHIFT, 0);
	case 0xbd: return S(h_bsr, D_MODRM | D_LD, IC_SHIFT, 0);
	case 0xbe: return S(h_movsx, D_MODRM | D_LD, IC_ALU, 1);
	case 0xbf: return S(h_movsx, D_MODRM | D_LD, IC_ALU, 2);
	case 0xc0: return S(h_xadd, D_MODRM | D_BYTE | D_RMW, IC_ALU, 0);
	case 0xc1: return S(h_xadd, D_MODRM | D_RMW, IC_ALU, 0);
	case 0xc7: return reg == 1 && mem ? S(h_cmpxchg8b, D_MODRM | D_RMW, IC_ALU, 0) : UD;
	}
	if (op >= 0x18 && op <= 0x1f)
		return S(h_nop, D_MODRM, IC_MOV, 0);
	if (op == 0x0d)
		return S(h_nop, D_MODRM, IC_MOV, 0);
	if (op >= 0x40 && op <= 0x4f)
		return S(h_cmovcc, D_MODRM | D_LD, IC_ALU, op & 15);
	if (op >= 0x80 && op <= 0x8f)
		return S(h_jcc, D_IV | D_END, IC_BRANCH, op & 15);
	if (op >= 0x90 && op <= 0x9f)
		return S(h_setcc, D_MODRM | D_BYTE | D_ST, IC_ALU, op & 15);
	if (op >= 0xc8)
		return S(h_bswap, 0, IC_ALU, 0);
	return UD;
}

/* Replace a handler specialized for 32-bit operands by its general form. */
static struct spec generic(struct spec s)
{
	if (s.fn == h_alu32_rr) {
		s.fn = (s.op & 0x80) ? h_alu_r_rm : h_alu_rm_r;
		s.op &= 7;
	} else if (s.fn == h_alu32_r_m) {
		s.fn = h_alu_r_rm;
		s.op &= 7;
	} else if (s.fn == h_alu32_r_imm || s.fn == h_cmp32_m_imm) {
		s.fn = h_alu_rm_imm;
	} else if (s.fn == h_mov32_rr) {
		s.fn = s.op ? h_mov_r_rm : h_mov_rm_r;
	} else if (s.fn == h_mov32_r_m) {
		s.fn = h_mov_r_rm;
	} else if (s.fn == h_mov32_m_r) {
		s.fn = h_mov_rm_r;
	} else if (s.fn == h_inc32_r) {
		s.fn = h_inc_rm;
	} else if (s.fn == h_dec32_r) {
		s.fn = h_dec_rm;
	}
	return s;
}

static const u8 a16_base[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
static const u8 a16_index[8] = { R_ESI, R_EDI, R_ESI, R_EDI, REG_NONE, REG_NONE, REG_NONE, REG_NONE };

/* Decode ModRM (and SIB, displacement) into the record's address fields. */
static void decode_modrm(struct fetcher *f, struct insn *in, u8 modrm, int seg_override)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	in->reg = (modrm >> 3) & 7;
	in->rm = (u8)rm;
	in->base = in->index = REG_NONE;
	in->scale = 0;
	in->disp = 0;
	if (mod == 3)
		return;
	in->flags |= IF_MEM;
	unsigned seg = SEG_DS;
	if (in->flags & IF_A16) {
		if (mod == 0 && rm == 6) {
			in->disp = fetch_n(f, 2);
		} else {
			in->base = a16_base[rm];
			in->index = a16_index[rm];
			if (in->base == R_EBP)
				seg = SEG_SS;
			if (mod == 1)
				in->disp = (u32)(s32)(s8)fetch8(f);
			else if (mod == 2)
				in->disp = fetch_n(f, 2);
		}
	} else {
		if (rm == 4) {
			u8 sib = fetch8(f);
			unsigned base = sib & 7, idx = (sib >> 3) & 7;
			in->scale = sib >> 6;
			in->index = idx == 4 ? REG_NONE : (u8)idx;
			if (base == 5 && mod == 0) {
				in->disp = fetch_n(f, 4);
			} else {
				in->base = (u8)base;
				if (base == R_ESP || base == R_EBP)
					seg = SEG_SS;
			}
		} else if (rm == 5 && mod == 0) {
			in->disp = fetch_n(f, 4);
		} else {
			in->base = (u8)rm;
			if (rm == R_EBP)
				seg = SEG_SS;
		}
		if (mod == 1)
			in->disp = (u32)(s32)(s8)fetch8(f);
		else if (mod == 2)
			in->disp = fetch_n(f, 4);
	}
	in->seg = (u8)(seg_override >= 0 ? seg_override : (int)seg);
}

unsigned decode_insn(struct cpu *c, u32 eip, bool def32, struct insn *in)
{
	struct fetcher f = { .c = c, .eip = eip, .start = eip, .page = FTLB_NONE };
	bool o16 = false, a16 = !def32, lock = false;
	int seg = -1;
	u8 rep = 0, b;

	*in = (struct insn){ .eip = eip, .base = REG_NONE, .index = REG_NONE, .seg = SEG_DS };
	for (;;) {
		b = fetch8(&f);
		switch (b) {
		case 0x26: seg = SEG_ES; continue;
		case 0x2e: seg = SEG_CS; continue;
		case 0x36: seg = SEG_SS; continue;
		case 0x3e: seg = SEG_DS; continue;
		case 0x64: seg = SEG_FS; continue;
		case 0x65: seg = SEG_GS; continue;
		case 0x66: o16 = true; continue;
		case 0x67: a16 = def32; continue;
		case 0xf0: lock = true; continue;
		case 0xf2: rep = 2; continue;
		case 0xf3: rep = 1; continue;
		}
		break;
	}
	bool ext = b == 0x0f;
	if (ext)
		b = fetch8(&f);
	in->opc = b;
	in->ext = ext;
	bool osz32 = def32 != o16;
	if (a16)
		in->flags |= IF_A16;
	if (rep == 1)
		in->flags |= IF_REP;
	else if (rep == 2)
		in->flags |= IF_REPNE;
	if (lock)
		in->flags |= IF_LOCK;

	u8 modrm = 0;
	bool mem = false;
	if (has_modrm(ext, b)) {
		modrm = fetch8(&f);
		mem = (modrm >> 6) != 3;
	}
	struct spec s = ext ? spec2(b, (modrm >> 3) & 7, mem) : spec1(b, (modrm >> 3) & 7, mem);
	if (has_modrm(ext, b))
		decode_modrm(&f, in, modrm, seg);
	else if (seg >= 0)
		in->seg = (u8)seg;

	in->osize = (s.f & D_BYTE) ? 1 : (s.f & D_W16) ? 2 : osz32 ? 4 : 2;
	if (!ext && b >= 0x40 && b <= 0x5f)
		in->reg = in->rm = b & 7;
	if (!ext && b >= 0x91 && b <= 0x97) {
		in->reg = b & 7;
		in->rm = R_EAX;
	}
	if (!ext && b >= 0xb0 && b <= 0xbf)
		in->reg = b & 7;
	if (ext && b >= 0xc8)
		in->reg = b & 7;

	unsigned vsize = osz32 ? 4 : 2;
	if (s.f & D_IB)
		in->imm = fetch8(&f);
	else if (s.f & D_IBS)
		in->imm = (u32)(s32)(s8)fetch8(&f);
	else if (s.f & D_IW)
		in->imm = fetch_n(&f, 2);
	else if (s.f & D_IV)
		in->imm = vsize == 4 ? fetch_n(&f, 4) : (u32)(s32)(s16)fetch_n(&f, 2);
	if (s.f & D_MOFFS) {
		in->disp = fetch_n(&f, a16 ? 2 : 4);
		in->flags |= IF_MEM;
		in->seg = (u8)(seg >= 0 ? seg : SEG_DS);
	}
	if (s.f & D_FAR) {
		in->imm = fetch_n(&f, vsize);
		in->imm2 = (u16)fetch_n(&f, 2);
	}
	if (s.f & D_ENTER) {
		in->imm = fetch_n(&f, 2);
		in->imm2 = fetch8(&f);
	}
	/* 16-bit relative branches keep the sign-extended 16-bit displacement. */
	if ((s.f & D_IV) && vsize == 2 && (b == 0xe8 || b == 0xe9 || (ext && b >= 0x80 && b <= 0x8f)))
		in->imm = (u32)(s32)(s16)in->imm;

	/* The marker: xchg %bx,%bx (66 87 DB in 32-bit code, 87 DB in 16-bit). */
	if (!ext && b == 0x87 && modrm == 0xdb && in->osize == 2)
		s.fn = h_marker;

	if (in->osize != 4)
		s = generic(s);
	in->fn = s.fn;
	in->op = s.op;
	in->cls = s.cls;
	if (s.f & D_END)
		in->flags |= IF_END;
	if (mem && (s.f & (D_LD | D_RMW)))
		in->flags |= IF_LOAD;
	if (mem && (s.f & (D_ST | D_RMW)))
		in->flags |= IF_STORE;
	if (lock && !(mem && (s.f & D_RMW)) && !(!ext && (b == 0x86 || b == 0x87) && mem))
		in->fn = h_ud; /* LOCK on anything but a memory read-modify-write */
	/* 8-bit forms of 0x91-0x97 etc. need osize from the operand size, done above. */
	in->len = (u8)(f.eip - eip);
	exec_fast_pick(in);
	return in->len;
}

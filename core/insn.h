/*
 * insn.h — the decoded instruction record and the handler signature.
 *
 * Guest code is decoded once (decode.c) into these compact records, grouped into
 * blocks (block.h), and executed many times by calling `fn` on each: one handler
 * signature for every instruction, as in blink. Everything the handler needs is in the
 * record; operand forms that matter for speed get their own handler at decode time.
 *
 * A record knows its own EIP, so a fault anywhere in a block is precise without the
 * handlers keeping EIP up to date.
 */
#ifndef RINGLAB_INSN_H
#define RINGLAB_INSN_H

#include "cpu.h"

struct insn;
typedef void (*insn_fn)(struct cpu *c, const struct insn *in);

#define REG_NONE 8

/* Instruction classes: the base cost of each comes from the profile (insn.* and sys.*). */
enum insn_class {
	IC_ALU, IC_MOV, IC_STACK, IC_BRANCH, IC_CALL_RET, IC_SHIFT, IC_MUL, IC_DIV,
	IC_STRING, IC_SEGLOAD, IC_CLI_STI, IC_PUSHF_POPF, IC_CR_READ, IC_CR0_WRITE,
	IC_CR3_WRITE, IC_CR4_WRITE, IC_INVLPG, IC_DESC_LOAD, IC_DESC_STORE, IC_SEG_CHECK,
	IC_CPUID, IC_RDTSC, IC_MSR, IC_HLT, IC_IO, IC_FAR, IC_SYSENTER, IC_WBINVD, IC_INT,
	IC_IRET, IC_NONE, IC_COUNT
};

/* Record flags */
enum {
	IF_MEM = 1u << 0,    /* ModRM names memory (mod != 3) */
	IF_REP = 1u << 1,    /* F3 */
	IF_REPNE = 1u << 2,  /* F2 */
	IF_LOCK = 1u << 3,
	IF_A16 = 1u << 4,    /* 16-bit addressing */
	IF_END = 1u << 5,    /* ends a block (branch or system instruction) */
	IF_LOAD = 1u << 6,   /* reads a memory operand (for costs) */
	IF_STORE = 1u << 7,  /* writes a memory operand (for costs) */
};

struct insn {
	insn_fn fn;
	u32 eip;    /* offset in CS of this instruction */
	u32 disp;   /* memory displacement */
	u32 imm;    /* immediate (sign-extended where the encoding says so) */
	u16 imm2;   /* second immediate: ENTER level, far pointer selector */
	u8 len;
	u8 op;      /* sub-operation: ALU op, condition, shift kind, opcode byte... */
	u8 reg;     /* ModRM.reg, or the register encoded in the opcode */
	u8 rm;      /* ModRM.rm when it names a register */
	u8 base, index, scale; /* effective address parts (REG_NONE if absent) */
	u8 seg;     /* segment of the memory operand (default or override) */
	u8 osize;   /* operand size in bytes: 1, 2 or 4 */
	u8 flags;   /* IF_* */
	u8 cls;     /* enum insn_class */
	u8 opc;     /* primary opcode byte (0x0F xx opcodes: second byte, with ext = 1) */
	u8 ext;     /* 1 for 0x0F opcodes */
};

/* Decode the instruction at CS:eip into `in`, fetching bytes with `fetch` (which may
 * fault). `def32` is the CS default size. Returns the length; an undecodable opcode
 * yields a record whose handler raises #UD when executed. */
unsigned decode_insn(struct cpu *c, u32 eip, bool def32, struct insn *in);

/* Compute the effective address (offset in the segment) of in's memory operand. */
static inline u32 insn_ea(const struct cpu *c, const struct insn *in)
{
	u32 a = in->disp;
	if (in->base != REG_NONE)
		a += c->r[in->base];
	if (in->index != REG_NONE)
		a += c->r[in->index] << in->scale;
	return (in->flags & IF_A16) ? (a & 0xffff) : a;
}

static inline u32 insn_next(const struct insn *in) { return in->eip + in->len; }

#endif

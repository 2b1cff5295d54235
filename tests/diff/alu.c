/*
 * alu.c — sweep the arithmetic and logic instructions over pseudo-random and edge
 * operands at 8, 16 and 32 bits, register and memory forms, with random incoming
 * flags (so ADC/SBB see both carries), recording results and the flags the SDM
 * defines for each instruction.
 */
#include "rt.h"

#define N 1024
#define FIN() (0x2u | (rt_rand() & ARITH))

/* op r/m, reg: register form (q: byte-addressable registers for 8-bit) */
#define BIN(fn, insn, T, cons)                                                           \
	static u32 fn(u32 a, u32 b, u32 fin, u32 *fl)                                    \
	{                                                                                \
		T r = (T)a;                                                              \
		u32 f;                                                                   \
		__asm__ volatile("push %[fin]\n\tpopf\n\t" insn " %[b], %[r]\n\tpushf\n\tpop %[f]" \
				 : [r] "+" cons(r), [f] "=&r"(f)                          \
				 : [b] cons((T)b), [fin] "r"(fin)                         \
				 : "cc");                                                 \
		*fl = f;                                                                 \
		return (u32)r;                                                           \
	}
/* op mem, reg: memory destination */
#define BINM(fn, insn, T, cons)                                                          \
	static u32 fn(u32 a, u32 b, u32 fin, u32 *fl)                                    \
	{                                                                                \
		volatile T m = (T)a;                                                     \
		u32 f;                                                                   \
		__asm__ volatile("push %[fin]\n\tpopf\n\t" insn " %[b], %[m]\n\tpushf\n\tpop %[f]" \
				 : [m] "+m"(m), [f] "=&r"(f)                              \
				 : [b] cons((T)b), [fin] "r"(fin)                         \
				 : "cc");                                                 \
		*fl = f;                                                                 \
		return (u32)m;                                                           \
	}
#define UN(fn, insn, T, cons)                                                            \
	static u32 fn(u32 a, u32 b, u32 fin, u32 *fl)                                    \
	{                                                                                \
		(void)b;                                                                 \
		T r = (T)a;                                                              \
		u32 f;                                                                   \
		__asm__ volatile("push %[fin]\n\tpopf\n\t" insn " %[r]\n\tpushf\n\tpop %[f]" \
				 : [r] "+" cons(r), [f] "=&r"(f)                          \
				 : [fin] "r"(fin)                                         \
				 : "cc");                                                 \
		*fl = f;                                                                 \
		return (u32)r;                                                           \
	}

#define ALL_WIDTHS(M, op)                                                                \
	M(op##8, #op "b", u8, "q") M(op##16, #op "w", u16, "r") M(op##32, #op "l", u32, "r")

ALL_WIDTHS(BIN, add)
ALL_WIDTHS(BIN, adc)
ALL_WIDTHS(BIN, sub)
ALL_WIDTHS(BIN, sbb)
ALL_WIDTHS(BIN, and)
ALL_WIDTHS(BIN, or)
ALL_WIDTHS(BIN, xor)
ALL_WIDTHS(BIN, cmp)
ALL_WIDTHS(BIN, test)
ALL_WIDTHS(UN, inc)
ALL_WIDTHS(UN, dec)
ALL_WIDTHS(UN, neg)
ALL_WIDTHS(UN, not)
BINM(addm32, "addl", u32, "r")
BINM(sbbm16, "sbbw", u16, "r")
BINM(xorm8, "xorb", u8, "q")
BINM(cmpm32, "cmpl", u32, "r")

/* immediate forms: add $imm8 sign-extended, and $imm32, cmp $imm to AL */
static u32 addi8(u32 a, u32 b, u32 fin, u32 *fl)
{
	(void)b;
	u32 r = a, f;
	__asm__ volatile("push %[fin]\n\tpopf\n\taddl $-3, %[r]\n\tpushf\n\tpop %[f]"
			 : [r] "+r"(r), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	*fl = f;
	return r;
}

static u32 andi32(u32 a, u32 b, u32 fin, u32 *fl)
{
	(void)b;
	u32 r = a, f;
	__asm__ volatile("push %[fin]\n\tpopf\n\tandl $0x80f0f00f, %[r]\n\tpushf\n\tpop %[f]"
			 : [r] "+r"(r), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	*fl = f;
	return r;
}

static u32 cmpal(u32 a, u32 b, u32 fin, u32 *fl)
{
	(void)b;
	u32 r = a, f;
	__asm__ volatile("push %[fin]\n\tpopf\n\tcmpb $0x80, %%al\n\tpushf\n\tpop %[f]"
			 : "+a"(r), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	*fl = f;
	return r;
}

struct op {
	const char *name;
	u32 (*fn)(u32, u32, u32, u32 *);
	u32 mask; /* defined flags */
};

#define W3(op, m) { #op "8", op##8, m }, { #op "16", op##16, m }, { #op "32", op##32, m }

static const struct op ops[] = {
	W3(add, ARITH), W3(adc, ARITH), W3(sub, ARITH), W3(sbb, ARITH),
	W3(and, ARITH & ~AF), W3(or, ARITH & ~AF), W3(xor, ARITH & ~AF), W3(cmp, ARITH),
	W3(test, ARITH & ~AF), W3(inc, ARITH), W3(dec, ARITH), W3(neg, ARITH), W3(not, ARITH),
	{ "add32 m,r", addm32, ARITH }, { "sbb16 m,r", sbbm16, ARITH },
	{ "xor8 m,r", xorm8, ARITH & ~AF }, { "cmp32 m,r", cmpm32, ARITH },
	{ "add32 r,imm8", addi8, ARITH }, { "and32 r,imm32", andi32, ARITH & ~AF },
	{ "cmp8 al,imm", cmpal, ARITH },
};

void kmain(void)
{
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct line l;
		line_begin(&l, ops[i].name);
		for (int k = 0; k < N; k++) {
			u32 a = rt_operand(), b = rt_operand(), fin = FIN(), f;
			u32 r = ops[i].fn(a, b, fin, &f);
			line_add(&l, a, b, r, 0, f & ops[i].mask);
		}
		line_end(&l);
	}
}

/*
 * shift.c — shifts and rotates (SHL SHR SAR ROL ROR RCL RCR, SHLD SHRD) at every
 * width with counts 0..33 in CL, by 1 and by immediate. Flags the SDM leaves
 * undefined are masked: OF unless the masked count is 1, AF always; SHLD/SHRD with a
 * count above the operand width are skipped (result undefined).
 */
#include "rt.h"

#define FIN() (0x2u | (rt_rand() & ARITH))

#define SHCL(fn, insn, T, cons)                                                          \
	static u32 fn(u32 a, u32 c, u32 fin, u32 *fl)                                    \
	{                                                                                \
		T r = (T)a;                                                              \
		u32 f;                                                                   \
		__asm__ volatile("push %[fin]\n\tpopf\n\t" insn " %%cl, %[r]\n\tpushf\n\tpop %[f]" \
				 : [r] "+" cons(r), [f] "=&r"(f)                          \
				 : "c"(c), [fin] "r"(fin)                                 \
				 : "cc");                                                 \
		*fl = f;                                                                 \
		return (u32)r;                                                           \
	}
#define W3(M, op) M(op##8, #op "b", u8, "q") M(op##16, #op "w", u16, "r") M(op##32, #op "l", u32, "r")
W3(SHCL, shl)
W3(SHCL, shr)
W3(SHCL, sar)
W3(SHCL, rol)
W3(SHCL, ror)
W3(SHCL, rcl)
W3(SHCL, rcr)

#define DSH(fn, insn, T)                                                                 \
	static u32 fn(u32 a, u32 b, u32 c, u32 fin, u32 *fl)                             \
	{                                                                                \
		T r = (T)a;                                                              \
		u32 f;                                                                   \
		__asm__ volatile("push %[fin]\n\tpopf\n\t" insn " %%cl, %[b], %[r]\n\tpushf\n\tpop %[f]" \
				 : [r] "+r"(r), [f] "=&r"(f)                              \
				 : [b] "r"((T)b), "c"(c), [fin] "r"(fin)                  \
				 : "cc");                                                 \
		*fl = f;                                                                 \
		return (u32)r;                                                           \
	}
DSH(shld16, "shldw", u16)
DSH(shld32, "shldl", u32)
DSH(shrd16, "shrdw", u16)
DSH(shrd32, "shrdl", u32)

static u32 shl1(u32 a, u32 c, u32 fin, u32 *fl)
{
	(void)c;
	u32 r = a, f;
	__asm__ volatile("push %[fin]\n\tpopf\n\tshll %[r]\n\tpushf\n\tpop %[f]"
			 : [r] "+r"(r), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	*fl = f;
	return r;
}

static u32 rori7(u32 a, u32 c, u32 fin, u32 *fl)
{
	(void)c;
	u16 r = (u16)a;
	u32 f;
	__asm__ volatile("push %[fin]\n\tpopf\n\trorw $7, %[r]\n\tpushf\n\tpop %[f]"
			 : [r] "+r"(r), [f] "=&r"(f) : [fin] "r"(fin) : "cc");
	*fl = f;
	return r;
}

static u32 sarm(u32 a, u32 c, u32 fin, u32 *fl)
{
	volatile u32 m = a;
	u32 f;
	__asm__ volatile("push %[fin]\n\tpopf\n\tsarl %%cl, %[m]\n\tpushf\n\tpop %[f]"
			 : [m] "+m"(m), [f] "=&r"(f) : "c"(c), [fin] "r"(fin) : "cc");
	*fl = f;
	return m;
}

struct op {
	const char *name;
	u32 (*fn)(u32, u32, u32, u32 *);
	unsigned width;
	int fixed_count; /* -1: CL varies */
};

#define O3(op) { #op "8", op##8, 8, -1 }, { #op "16", op##16, 16, -1 }, { #op "32", op##32, 32, -1 }
static const struct op ops[] = {
	O3(shl), O3(shr), O3(sar), O3(rol), O3(ror), O3(rcl), O3(rcr),
	{ "shl32 by 1", shl1, 32, 1 }, { "ror16 by 7", rori7, 16, 7 }, { "sar32 m,cl", sarm, 32, -1 },
};

static u32 mask_for(unsigned count)
{
	u32 m = ARITH & ~AF;
	if ((count & 31) != 1)
		m &= ~OF;
	return m;
}

void kmain(void)
{
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct line l;
		line_begin(&l, ops[i].name);
		for (u32 c = 0; c < 34; c++)
			for (int k = 0; k < 24; k++) {
				u32 a = rt_operand(), fin = FIN(), f;
				u32 cnt = ops[i].fixed_count >= 0 ? (u32)ops[i].fixed_count : c;
				u32 r = ops[i].fn(a, cnt, fin, &f);
				line_add(&l, a, cnt, r, 0, f & mask_for(cnt));
			}
		line_end(&l);
	}
	static const struct {
		const char *name;
		u32 (*fn)(u32, u32, u32, u32, u32 *);
		unsigned width;
	} d[] = { { "shld16", shld16, 16 }, { "shld32", shld32, 32 }, { "shrd16", shrd16, 16 },
		  { "shrd32", shrd32, 32 } };
	for (unsigned i = 0; i < 4; i++) {
		struct line l;
		line_begin(&l, d[i].name);
		for (u32 c = 0; c < 34; c++) {
			if ((c & 31) > d[i].width)
				continue;
			for (int k = 0; k < 24; k++) {
				u32 a = rt_operand(), b = rt_operand(), fin = FIN(), f;
				u32 r = d[i].fn(a, b, c, fin, &f);
				line_add(&l, a, b ^ c, r, 0, f & mask_for(c));
			}
		}
		line_end(&l);
	}
}

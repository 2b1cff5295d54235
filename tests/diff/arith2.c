/*
 * arith2.c — multiply and divide (MUL, IMUL in its three forms, DIV, IDIV, without
 * #DE here), bit instructions (BT BTS BTR BTC with register and immediate offsets,
 * BSF BSR, BSWAP), SETcc/CMOVcc for every condition, MOVZX/MOVSX, XADD, CMPXCHG,
 * CBW/CWDE/CWD/CDQ, LAHF/SAHF, and the BCD adjustments, with SDM-undefined flags masked.
 */
#include "rt.h"

#define FIN() (0x2u | (rt_rand() & ARITH))
#define RUN(l, expr) line_add(&(l), a, b, (expr), r2, f & mask)

static void muldiv(void)
{
	struct line l;
	u32 mask = CF | OF;
	static const char *names[] = { "mul8", "mul16", "mul32", "imul8", "imul16", "imul32",
				       "imul32 r,rm", "imul16 r,rm,imm", "imul32 r,rm,imm8" };
	for (int op = 0; op < 9; op++) {
		line_begin(&l, names[op]);
		for (int k = 0; k < 1024; k++) {
			u32 a = rt_operand(), b = rt_operand(), fin = FIN(), f, r, r2 = 0;
			switch (op) {
			case 0: r = a; __asm__ volatile("push %3; popf; mulb %b2; pushf; pop %1" : "+a"(r), "=&r"(f) : "q"(b), "r"(fin) : "cc"); r &= 0xffff; break;
			case 1: r = a; __asm__ volatile("push %4; popf; mulw %w3; pushf; pop %1" : "+a"(r), "=&r"(f), "=d"(r2) : "r"(b), "r"(fin) : "cc"); r &= 0xffff; r2 &= 0xffff; break;
			case 2: r = a; __asm__ volatile("push %4; popf; mull %3; pushf; pop %1" : "+a"(r), "=&r"(f), "=d"(r2) : "r"(b), "r"(fin) : "cc"); break;
			case 3: r = a; __asm__ volatile("push %3; popf; imulb %b2; pushf; pop %1" : "+a"(r), "=&r"(f) : "q"(b), "r"(fin) : "cc"); r &= 0xffff; break;
			case 4: r = a; __asm__ volatile("push %4; popf; imulw %w3; pushf; pop %1" : "+a"(r), "=&r"(f), "=d"(r2) : "r"(b), "r"(fin) : "cc"); r &= 0xffff; r2 &= 0xffff; break;
			case 5: r = a; __asm__ volatile("push %4; popf; imull %3; pushf; pop %1" : "+a"(r), "=&r"(f), "=d"(r2) : "r"(b), "r"(fin) : "cc"); break;
			case 6: r = a; __asm__ volatile("push %3; popf; imull %2, %0; pushf; pop %1" : "+r"(r), "=&r"(f) : "r"(b), "r"(fin) : "cc"); break;
			case 7: { u16 x = (u16)a; __asm__ volatile("push %3; popf; imulw $-1234, %2, %0; pushf; pop %1" : "=r"(x), "=&r"(f) : "r"((u16)b), "r"(fin) : "cc"); r = x; break; }
			default: __asm__ volatile("push %3; popf; imull $-7, %2, %0; pushf; pop %1" : "=r"(r), "=&r"(f) : "r"(b), "r"(fin) : "cc"); break;
			}
			RUN(l, r);
		}
		line_end(&l);
	}
	static const char *dnames[] = { "div8", "div16", "div32", "idiv8", "idiv16", "idiv32" };
	for (int op = 0; op < 6; op++) {
		line_begin(&l, dnames[op]);
		for (int k = 0; k < 1024; k++) {
			u32 a = rt_operand(), b = rt_operand(), hi = rt_operand(), f = 0, r, r2 = 0, mask = 0;
			/* keep the quotient in range: the high part below the divisor */
			switch (op) {
			case 0: b &= 0xff; if (!b) b = 3; a = (a & 0xff) | (((a >> 8) % b) << 8);
				r = a; __asm__ volatile("divb %b1" : "+a"(r) : "q"(b) : "cc"); r &= 0xffff; break;
			case 1: b &= 0xffff; if (!b) b = 7; hi = (hi & 0xffff) % b;
				r = a; r2 = hi; __asm__ volatile("divw %w2" : "+a"(r), "+d"(r2) : "r"(b) : "cc"); r &= 0xffff; r2 &= 0xffff; break;
			case 2: if (!b) b = 11; hi %= b;
				r = a; r2 = hi; __asm__ volatile("divl %2" : "+a"(r), "+d"(r2) : "r"(b) : "cc"); break;
			case 3: { int d = (signed char)b; if (d == 0) d = 5; int q = (signed char)hi % 64;
				int ad = d < 0 ? -d : d, rem = (int)(a % (u32)ad); int n = d * q + (q >= 0 ? rem : -rem);
				r = (u16)n; __asm__ volatile("idivb %b1" : "+a"(r) : "q"(d) : "cc"); r &= 0xffff; b = (u8)d; break; }
			case 4: { int d = (short)b; if (d == 0) d = 9; int q = (short)hi % 16000;
				int ad = d < 0 ? -d : d, rem = (int)(a % (u32)ad); int n = d * q + (q >= 0 ? rem : -rem);
				r = (u32)n & 0xffff; r2 = ((u32)n >> 16) & 0xffff; __asm__ volatile("idivw %w2" : "+a"(r), "+d"(r2) : "r"(d) : "cc"); r &= 0xffff; r2 &= 0xffff; b = (u16)d; break; }
			default: { long long d = (int)b; if (d == 0) d = 13; long long q = (int)hi;
				long long ad = d < 0 ? -d : d, rem = (long long)(a % (u32)ad); long long n = d * q + (q >= 0 ? rem : -rem);
				if (d == -1 && q == (int)0x80000000) n = 5;
				r = (u32)n; r2 = (u32)((unsigned long long)n >> 32); __asm__ volatile("idivl %2" : "+a"(r), "+d"(r2) : "r"((int)d) : "cc"); b = (u32)d; break; }
			}
			RUN(l, r);
		}
		line_end(&l);
	}
}

static void bits(void)
{
	struct line l;
	static const char *names[] = { "bt32 r", "bts32 r", "btr16 r", "btc32 imm", "bt32 mem far",
				       "bsf32", "bsr16", "bswap", "movzx/movsx", "xadd32", "cmpxchg32",
				       "cmpxchg8", "cbw/cwde/cwd/cdq", "lahf/sahf" };
	static u32 arr[64];
	for (int op = 0; op < 14; op++) {
		line_begin(&l, names[op]);
		for (int k = 0; k < 1024; k++) {
			u32 a = rt_operand(), b = rt_operand(), fin = FIN(), f = 0, r = a, r2 = 0, mask = CF;
			switch (op) {
			case 0: __asm__ volatile("push %3; popf; btl %2, %0; pushf; pop %1" : "+r"(r), "=&r"(f) : "r"(b), "r"(fin) : "cc"); break;
			case 1: __asm__ volatile("push %3; popf; btsl %2, %0; pushf; pop %1" : "+r"(r), "=&r"(f) : "r"(b), "r"(fin) : "cc"); break;
			case 2: { u16 x = (u16)a; __asm__ volatile("push %3; popf; btrw %2, %0; pushf; pop %1" : "+r"(x), "=&r"(f) : "r"((u16)b), "r"(fin) : "cc"); r = x; break; }
			case 3: __asm__ volatile("push %2; popf; btcl $19, %0; pushf; pop %1" : "+r"(r), "=&r"(f) : "r"(fin) : "cc"); break;
			case 4: { for (int i = 0; i < 64; i++) arr[i] = rt_rand(); s32 off = (s32)(b % 1024) - 256;
				  __asm__ volatile("push %3; popf; btsl %2, %4; pushf; pop %1" : "+m"(arr[16]), "=&r"(f) : "r"(off), "r"(fin), "m"(arr[16]) : "cc");
				  r = 0; for (int i = 0; i < 64; i++) r = rt_crc(r, arr[i]); break; }
			case 5: if (!(k & 15)) a = 0; r = 0x5a5a; __asm__ volatile("push %3; popf; bsfl %2, %0; pushf; pop %1" : "+r"(r), "=&r"(f) : "r"(a), "r"(fin) : "cc"); mask = ZF; break;
			case 6: { if (!(k & 15)) a = 0; u16 x = 0x1234; __asm__ volatile("push %3; popf; bsrw %2, %0; pushf; pop %1" : "+r"(x), "=&r"(f) : "r"((u16)a), "r"(fin) : "cc"); r = x; mask = ZF; break; }
			case 7: __asm__ volatile("bswap %0" : "+r"(r)); mask = 0; break;
			case 8: { u32 z, s; __asm__("movzbl %b2, %0; movswl %w3, %1" : "=&r"(z), "=&r"(s) : "q"(a), "r"(b)); r = z; r2 = s; mask = 0; break; }
			case 9: { u32 m = b; __asm__ volatile("push %3; popf; xaddl %0, %2; pushf; pop %1" : "+r"(r), "=&r"(f), "+m"(m) : "r"(fin) : "cc"); r2 = m; mask = ARITH; break; }
			case 10: { u32 m = (k & 1) ? a : b, acc = a; __asm__ volatile("push %4; popf; cmpxchgl %3, %2; pushf; pop %1" : "+a"(acc), "=&r"(f), "+m"(m) : "r"(b ^ 0x55), "r"(fin) : "cc"); r = acc; r2 = m; mask = ARITH; break; }
			case 11: { u8 m = (k & 1) ? (u8)a : (u8)b; u32 acc = a; __asm__ volatile("push %4; popf; cmpxchgb %b3, %2; pushf; pop %1" : "+a"(acc), "=&r"(f), "+m"(m) : "q"(b ^ 0x55), "r"(fin) : "cc"); r = acc; r2 = m; mask = ARITH; break; }
			case 12: { u32 x = a, y = a, d1 = b, d2 = b; __asm__("cbw; cwde" : "+a"(x)); __asm__("cwd" : "+a"(y), "+d"(d1)); __asm__("cltd" : "+a"(y), "+d"(d2)); r = x; r2 = d1 ^ (d2 << 1); mask = 0; break; }
			default: { u32 ax = a; __asm__ volatile("push %2; popf; sahf; lahf; pushf; pop %1" : "+a"(ax), "=&r"(f) : "r"(fin) : "cc"); r = ax & 0xffff; mask = ARITH & ~OF; break; }
			}
			RUN(l, r);
		}
		line_end(&l);
	}
}

#define CC16(M) M(o) M(no) M(b) M(ae) M(e) M(ne) M(be) M(a) M(s) M(ns) M(p) M(np) M(l) M(ge) M(le) M(g)

static void conditions(void)
{
	struct line l;
	line_begin(&l, "setcc/cmovcc/jcc after cmp");
	for (int k = 0; k < 2048; k++) {
		u32 a = rt_operand(), b = rt_operand(), bits = 0, n = 0, cm = 0;
		int w = k % 3;
#define SET(cc) { u8 v; if (w == 0) { __asm__("cmpl %2, %1; set" #cc " %0" : "=q"(v) : "r"(a), "r"(b) : "cc"); } \
		  else if (w == 1) { __asm__("cmpw %w2, %w1; set" #cc " %0" : "=q"(v) : "r"(a), "r"(b) : "cc"); } \
		  else { __asm__("addb %b2, %b1; set" #cc " %0" : "=q"(v), "+q"(a) : "q"(b) : "cc"); } bits |= (u32)v << n; n++; }
		CC16(SET)
#define CMOV(cc) { u32 d = 0x11111111u * (n & 15); __asm__("cmpl %2, %1; cmov" #cc "l %3, %0" : "+r"(d) : "r"(a), "r"(b), "r"(a ^ b) : "cc"); cm = rt_crc(cm, d); n++; }
		CC16(CMOV)
		u32 jb = 0;
#define JCC(cc) __asm__ goto("cmpl %1, %0; j" #cc " %l[t_" #cc "]" :: "r"(a), "r"(b) : "cc" : t_##cc); jb = jb * 2; goto d_##cc; t_##cc: jb = jb * 2 + 1; d_##cc:;
		CC16(JCC)
		line_add(&l, a, b, bits, cm, jb);
	}
	line_end(&l);
}

static void bcd(void)
{
	struct line l;
	static const char *names[] = { "daa", "das", "aaa", "aas", "aam", "aad", "salc" };
	for (int op = 0; op < 7; op++) {
		line_begin(&l, names[op]);
		for (int k = 0; k < 1024; k++) {
			u32 a = rt_operand(), b = 0, fin = FIN(), f, r = a & 0xffff, r2 = 0, mask;
			switch (op) {
			case 0: __asm__ volatile("push %2; popf; daa; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = ARITH & ~OF; break;
			case 1: __asm__ volatile("push %2; popf; das; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = ARITH & ~OF; break;
			case 2: __asm__ volatile("push %2; popf; aaa; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = AF | CF; break;
			case 3: __asm__ volatile("push %2; popf; aas; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = AF | CF; break;
			case 4: __asm__ volatile("push %2; popf; aam $10; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = SF | ZF | PF; break;
			case 5: __asm__ volatile("push %2; popf; aad $7; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = SF | ZF | PF; break;
			default: __asm__ volatile("push %2; popf; .byte 0xd6; pushf; pop %1" : "+a"(r), "=&r"(f) : "r"(fin) : "cc"); mask = ARITH; break;
			}
			line_add(&l, a, b, r & 0xffff, r2, f & mask);
		}
		line_end(&l);
	}
}

void kmain(void)
{
	muldiv();
	bits();
	conditions();
	bcd();
}

/*
 * data.c — string instructions (MOVS STOS LODS CMPS SCAS, with REP/REPE/REPNE, every
 * size, both directions, ECX = 0, overlap), the stack (PUSH/POP forms, PUSHA/POPA,
 * PUSHF/POPF, ENTER/LEAVE at nesting levels 0-3, CALL/RET imm16, indirect calls and
 * jumps), LOOP/LOOPE/LOOPNE/JECXZ, XLAT, XCHG and LEA with 16- and 32-bit addressing.
 */
#include "rt.h"

static u8 src[512], dst[512];

static u32 buf_crc(const u8 *b, unsigned n)
{
	u32 c = 0;
	for (unsigned i = 0; i < n; i += 4)
		c = rt_crc(c, (u32)b[i] | (u32)b[i + 1] << 8 | (u32)b[i + 2] << 16 | (u32)b[i + 3] << 24);
	return c;
}

static void fill(void)
{
	for (int i = 0; i < 512; i++) {
		src[i] = (u8)rt_rand();
		dst[i] = (u8)rt_rand();
	}
	if (rt_rand() & 1) /* sometimes equal prefixes, for REPE */
		for (int i = 0; i < 64; i++)
			dst[128 + i] = src[128 + i];
}

static void strings(void)
{
	struct line l;
	static const char *names[] = { "rep movsb", "rep movsw std", "rep movsd", "rep stosd",
				       "rep stosb std", "lodsw", "repe cmpsb", "repne scasb",
				       "repe cmpsd std", "rep movsb overlap", "rep movsd ecx=0", "repne scasw" };
	for (int op = 0; op < 12; op++) {
		line_begin(&l, names[op]);
		for (int k = 0; k < 64; k++) {
			fill();
			u32 n = rt_rand() % 64, si = 128 + rt_rand() % 64, di = 128 + rt_rand() % 64;
			u32 S = (u32)src + si, D = (u32)dst + di, C = n, A = rt_rand(), f = 0;
			switch (op) {
			case 0: __asm__ volatile("cld; rep movsb" : "+S"(S), "+D"(D), "+c"(C) :: "memory"); break;
			case 1: __asm__ volatile("std; rep movsw; cld" : "+S"(S), "+D"(D), "+c"(C) :: "memory"); break;
			case 2: __asm__ volatile("cld; rep movsl" : "+S"(S), "+D"(D), "+c"(C) :: "memory"); break;
			case 3: __asm__ volatile("cld; rep stosl" : "+D"(D), "+c"(C) : "a"(A) : "memory"); break;
			case 4: __asm__ volatile("std; rep stosb; cld" : "+D"(D), "+c"(C) : "a"(A) : "memory"); break;
			case 5: __asm__ volatile("cld; lodsw" : "+S"(S), "+a"(A) :: "memory"); break;
			case 6: __asm__ volatile("cld; repe cmpsb; pushf; pop %3" : "+S"(S), "+D"(D), "+c"(C), "=r"(f) :: "memory", "cc"); break;
			case 7: __asm__ volatile("cld; repne scasb; pushf; pop %2" : "+D"(D), "+c"(C), "=r"(f) : "a"(A) : "memory", "cc"); break;
			case 8: __asm__ volatile("std; repe cmpsl; pushf; pop %3; cld" : "+S"(S), "+D"(D), "+c"(C), "=r"(f) :: "memory", "cc"); break;
			case 9: S = (u32)dst + di; D = S + (rt_rand() % 8); __asm__ volatile("cld; rep movsb" : "+S"(S), "+D"(D), "+c"(C) :: "memory"); break;
			case 10: C = 0; __asm__ volatile("cld; rep movsl" : "+S"(S), "+D"(D), "+c"(C) :: "memory"); break;
			default: __asm__ volatile("cld; repne scasw; pushf; pop %2" : "+D"(D), "+c"(C), "=r"(f) : "a"(A) : "memory", "cc"); break;
			}
			line_add(&l, S - (u32)src, D - (u32)dst, C ^ (A << 1), buf_crc(dst, 512), f & ARITH);
		}
		line_end(&l);
	}
}

static u32 leaf(u32 x) { return x * 3 + 1; }
static u32 (*volatile fp)(u32) = leaf;

static void stack(void)
{
	struct line l;
	line_begin(&l, "push/pop/pusha/popa/pushf");
	for (int k = 0; k < 256; k++) {
		u32 a = rt_operand(), b = rt_operand(), r, r2, f;
		__asm__ volatile("push %2; pushw %w3; popw %%ax; pop %%edx; pushl $-5; pop %%ecx; add %%ecx, %%edx; mov %%edx, %1"
				 : "=&a"(r), "=r"(r2) : "r"(a), "r"(b) : "ecx", "edx", "memory");
		static u32 regs[8];
		__asm__ volatile("pusha; mov %%esp, %%esi; mov $8, %%ecx; lea %0, %%edi; cld; rep movsl; popa"
				 : "=m"(regs) :: "ecx", "esi", "edi", "memory");
		u32 esp_slot = regs[3] - (u32)&regs; (void)esp_slot;
		__asm__ volatile("pushf; pop %0" : "=r"(f));
		line_add(&l, a, b, r, r2 ^ regs[0] ^ regs[2], f & ~0x200u);
	}
	line_end(&l);
	line_begin(&l, "enter/leave");
	for (int level = 0; level < 4; level++)
		for (int k = 0; k < 16; k++) {
			u32 bp_before, bp_in, sp_in, sp_after, w;
			__asm__ volatile("mov %%ebp, %0" : "=r"(bp_before));
			switch (level) {
			case 0: __asm__ volatile("enter $16, $0; mov %%ebp, %0; mov %%esp, %1; movl $7, -4(%%ebp); mov -4(%%ebp), %3; leave; mov %%esp, %2" : "=&r"(bp_in), "=&r"(sp_in), "=&r"(sp_after), "=&r"(w) :: "memory"); break;
			case 1: __asm__ volatile("enter $8, $1; mov %%ebp, %0; mov %%esp, %1; mov -4(%%ebp), %3; leave; mov %%esp, %2" : "=&r"(bp_in), "=&r"(sp_in), "=&r"(sp_after), "=&r"(w) :: "memory"); break;
			case 2: __asm__ volatile("enter $4, $2; mov %%ebp, %0; mov %%esp, %1; mov -8(%%ebp), %3; leave; mov %%esp, %2" : "=&r"(bp_in), "=&r"(sp_in), "=&r"(sp_after), "=&r"(w) :: "memory"); break;
			default: __asm__ volatile("enter $0, $3; mov %%ebp, %0; mov %%esp, %1; mov -12(%%ebp), %3; leave; mov %%esp, %2" : "=&r"(bp_in), "=&r"(sp_in), "=&r"(sp_after), "=&r"(w) :: "memory"); break;
			}
			line_add(&l, (u32)level, 0, bp_in - bp_before, sp_in - sp_after, w - bp_before);
		}
	line_end(&l);
	line_begin(&l, "call/ret/indirect");
	for (int k = 0; k < 256; k++) {
		u32 a = rt_operand(), r, r2;
		r = fp(a);
		__asm__ volatile("call 1f; jmp 2f; 1: ret $0; 2: mov %%esp, %0" : "=r"(r2));
		u32 t;
		__asm__ volatile("lea 3f, %%eax; push %%eax; ret; 3: mov $1, %0" : "=r"(t) :: "eax");
		static void *targets[] = { &&L1, &&L2 };
		goto *targets[a & 1];
	L1:
		r ^= 0x100;
	L2:
		line_add(&l, a, 0, r, t, 0);
		(void)r2;
	}
	line_end(&l);
}

static void loops(void)
{
	struct line l;
	line_begin(&l, "loop/loope/loopne/jecxz");
	for (int k = 0; k < 512; k++) {
		u32 c = 1 + rt_rand() % 20, c2, c3, c4, z = 0, cnt = 0;
		__asm__ volatile("1: inc %1; loop 1b" : "+c"(c), "+r"(cnt) :: "cc");
		c2 = 1 + rt_rand() % 20;
		u32 v = rt_rand() % 8, i = 0;
		__asm__ volatile("1: inc %1; cmp %2, %1; loopne 1b" : "+c"(c2), "+r"(i) : "r"(v) : "cc");
		c3 = 1 + rt_rand() % 20;
		__asm__ volatile("1: cmp $0, %1; loope 1b" : "+c"(c3) : "r"(v & 1) : "cc");
		c4 = rt_rand() % 2;
		__asm__ volatile("jecxz 1f; mov $1, %1; 1:" : "+c"(c4), "+r"(z));
		line_add(&l, cnt, i, c2, c3, z);
	}
	line_end(&l);
}

static void addressing(void)
{
	struct line l;
	static u8 table[256];
	for (int i = 0; i < 256; i++)
		table[i] = (u8)(i * 7 + 3);
	line_begin(&l, "xlat/xchg/lea forms");
	for (int k = 0; k < 512; k++) {
		u32 a = rt_operand(), b = rt_operand(), r1, r2, r3, r4, x = a, y = b;
		__asm__("xlat" : "=a"(r1) : "a"(a), "b"(table));
		__asm__("lea 12(%1,%2,4), %0" : "=r"(r2) : "r"(a), "r"(b));
		__asm__("lea -7(,%1,8), %0" : "=r"(r3) : "r"(a));
		__asm__(".byte 0x67; lea 0x1234(%%bx,%%si), %0" : "=r"(r4) : "b"(a), "S"(b));
		__asm__("xchg %0, %1" : "+r"(x), "+r"(y));
		__asm__("xchgb %b0, %h1" : "+q"(x), "+Q"(y));
		line_add(&l, a, b, r1 ^ r2, r3 ^ (r4 << 1), x ^ y);
	}
	line_end(&l);
}

void kmain(void)
{
	strings();
	stack();
	loops();
	addressing();
}

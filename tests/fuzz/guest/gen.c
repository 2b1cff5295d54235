/*
 * gen.c — the fuzzer's generator (see randcode.c for the story of a run): a seeded
 * xorshift generator, and the code generator that fills the snippet page with random
 * bytes biased towards system instructions (table `tmpls`), a NOP sled and the way
 * back to the kernel.
 */
#include "gen.h"

/* ---- the generator ---- */

static u32 rng_state = 1;

/* Seed the generator (never with zero, which xorshift cannot leave). */
void rng_seed(u32 s)
{
	rng_state = s * 2654435761u + 0x9e3779b9u;
	if (!rng_state)
		rng_state = 1;
}

/* xorshift32. */
u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* A number in [0, n). */
u32 below(u32 n)
{
	return rnd() % n;
}

/* True with probability 1/n. */
int one_in(u32 n)
{
	return below(n) == 0;
}

/* Ports no one may write: the exit port, and the ways QEMU resets or powers off. */
int port_forbidden(u32 p)
{
	p &= 0xffff;
	return (p >= 0xf4 && p <= 0xf7) || p == 0x92 || p == 0x64 || p == 0xcf9 || p == 0x3f8 ||
	       (p >= 0x600 && p <= 0x6ff) || (p >= 0xb000 && p <= 0xb0ff);
}

/* The UART's registers: byte accesses only (a wider one aborts QEMU's 16550). */
int uart_port(u32 p)
{
	return (p & 0xfff8) == 0x3f8;
}


/* ---- the code generator ---- */

/* What follows a template's opcode bytes. */
enum { X_NONE, X_MODRM, X_MODREG, X_MODMEM, X_IMM8, X_IMM16, X_IMM32, X_FAR, X_PORT, X_INTN, X_REL8 };

struct tmpl {
	u8 len, b[3], extra, weight;
};

/* The interesting instructions, with weights (random bytes come in between). */
static const struct tmpl tmpls[] = {
	{ 2, { 0x0f, 0x22 }, X_MODREG, 2 },  /* mov crN, r32 */
	{ 2, { 0x0f, 0x20 }, X_MODREG, 2 },  /* mov r32, crN */
	{ 2, { 0x0f, 0x23 }, X_MODREG, 1 },  /* mov drN, r32 */
	{ 2, { 0x0f, 0x21 }, X_MODREG, 1 },  /* mov r32, drN */
	{ 2, { 0x0f, 0x01 }, X_MODMEM, 4 },  /* sgdt/sidt/lgdt/lidt/smsw/lmsw/invlpg */
	{ 2, { 0x0f, 0x01 }, X_MODRM, 2 },   /* group 7 with register forms */
	{ 2, { 0x0f, 0x00 }, X_MODRM, 3 },   /* sldt/str/lldt/ltr/verr/verw */
	{ 2, { 0x0f, 0x02 }, X_MODRM, 1 },   /* lar */
	{ 2, { 0x0f, 0x03 }, X_MODRM, 1 },   /* lsl */
	{ 1, { 0xe4 }, X_PORT, 1 },          /* in al, imm8 */
	{ 1, { 0xe5 }, X_PORT, 1 },          /* in eax, imm8 */
	{ 1, { 0xe6 }, X_PORT, 1 },          /* out imm8, al */
	{ 1, { 0xe7 }, X_PORT, 1 },          /* out imm8, eax */
	{ 1, { 0xec }, X_NONE, 1 },          /* in al, dx */
	{ 1, { 0xed }, X_NONE, 1 },          /* in eax, dx */
	{ 1, { 0xee }, X_NONE, 1 },          /* out dx, al */
	{ 1, { 0xef }, X_NONE, 1 },          /* out dx, eax */
	{ 2, { 0xf3, 0x6c }, X_NONE, 2 },    /* rep insb */
	{ 2, { 0xf3, 0x6d }, X_NONE, 2 },    /* rep insd */
	{ 2, { 0xf3, 0x6e }, X_NONE, 2 },    /* rep outsb */
	{ 2, { 0xf3, 0x6f }, X_NONE, 2 },    /* rep outsd */
	{ 2, { 0xf3, 0xa4 }, X_NONE, 2 },    /* rep movsb */
	{ 2, { 0xf3, 0xa5 }, X_NONE, 3 },    /* rep movsd */
	{ 3, { 0x66, 0xf3, 0xa5 }, X_NONE, 1 }, /* rep movsw */
	{ 2, { 0xf3, 0xaa }, X_NONE, 2 },    /* rep stosb */
	{ 2, { 0xf3, 0xab }, X_NONE, 3 },    /* rep stosd */
	{ 2, { 0xf3, 0xad }, X_NONE, 1 },    /* rep lodsd */
	{ 2, { 0xf3, 0xa7 }, X_NONE, 1 },    /* repe cmpsd */
	{ 2, { 0xf2, 0xaf }, X_NONE, 1 },    /* repne scasd */
	{ 1, { 0xcd }, X_INTN, 4 },          /* int n */
	{ 1, { 0xcc }, X_NONE, 1 },          /* int3 */
	{ 1, { 0xce }, X_NONE, 1 },          /* into */
	{ 1, { 0xf1 }, X_NONE, 1 },          /* icebp */
	{ 1, { 0xcf }, X_NONE, 2 },          /* iret */
	{ 2, { 0x66, 0xcf }, X_NONE, 1 },    /* iretw */
	{ 1, { 0x9c }, X_NONE, 2 },          /* pushf */
	{ 1, { 0x9d }, X_NONE, 3 },          /* popf */
	{ 1, { 0xfa }, X_NONE, 2 },          /* cli */
	{ 1, { 0xfb }, X_NONE, 2 },          /* sti */
	{ 1, { 0xf4 }, X_NONE, 2 },          /* hlt */
	{ 2, { 0x0f, 0xa2 }, X_NONE, 2 },    /* cpuid */
	{ 2, { 0x0f, 0x31 }, X_NONE, 2 },    /* rdtsc */
	{ 2, { 0x0f, 0x32 }, X_NONE, 2 },    /* rdmsr */
	{ 2, { 0x0f, 0x30 }, X_NONE, 1 },    /* wrmsr */
	{ 2, { 0x0f, 0x33 }, X_NONE, 1 },    /* rdpmc */
	{ 1, { 0x8e }, X_MODRM, 4 },         /* mov sreg, r/m16 */
	{ 1, { 0x8c }, X_MODRM, 2 },         /* mov r/m16, sreg */
	{ 1, { 0x07 }, X_NONE, 1 },          /* pop es */
	{ 1, { 0x17 }, X_NONE, 1 },          /* pop ss */
	{ 1, { 0x1f }, X_NONE, 1 },          /* pop ds */
	{ 2, { 0x0f, 0xa1 }, X_NONE, 1 },    /* pop fs */
	{ 2, { 0x0f, 0xa9 }, X_NONE, 1 },    /* pop gs */
	{ 1, { 0x16 }, X_NONE, 1 },          /* push ss */
	{ 1, { 0xc4 }, X_MODMEM, 1 },        /* les */
	{ 1, { 0xc5 }, X_MODMEM, 1 },        /* lds */
	{ 2, { 0x0f, 0xb2 }, X_MODMEM, 1 },  /* lss */
	{ 2, { 0x0f, 0xb4 }, X_MODMEM, 1 },  /* lfs */
	{ 1, { 0xea }, X_FAR, 3 },           /* jmp far ptr16:32 */
	{ 1, { 0x9a }, X_FAR, 2 },           /* call far ptr16:32 */
	{ 1, { 0xcb }, X_NONE, 2 },          /* retf */
	{ 1, { 0xca }, X_IMM16, 1 },         /* retf imm16 */
	{ 1, { 0xff }, X_MODMEM, 2 },        /* inc/dec/call/jmp/push [mem], far forms */
	{ 1, { 0xff }, X_MODREG, 2 },        /* call/jmp reg */
	{ 2, { 0x0f, 0x34 }, X_NONE, 2 },    /* sysenter */
	{ 2, { 0x0f, 0x35 }, X_NONE, 1 },    /* sysexit */
	{ 2, { 0x0f, 0x0b }, X_NONE, 1 },    /* ud2 */
	{ 2, { 0x0f, 0x06 }, X_NONE, 1 },    /* clts */
	{ 2, { 0x0f, 0x08 }, X_NONE, 1 },    /* invd */
	{ 2, { 0x0f, 0x09 }, X_NONE, 1 },    /* wbinvd */
	{ 1, { 0xc8 }, X_IMM16, 1 },         /* enter imm16, (imm8 follows at random) */
	{ 1, { 0x62 }, X_MODMEM, 1 },        /* bound */
	{ 1, { 0x63 }, X_MODRM, 1 },         /* arpl */
	{ 1, { 0xf7 }, X_MODRM, 2 },         /* test/not/neg/mul/imul/div/idiv */
	{ 1, { 0x89 }, X_MODMEM, 3 },        /* mov [mem], r32 */
	{ 1, { 0x8b }, X_MODMEM, 2 },        /* mov r32, [mem] */
	{ 1, { 0xa3 }, X_IMM32, 1 },         /* mov [abs], eax */
	{ 1, { 0x5c }, X_NONE, 1 },          /* pop esp */
	{ 1, { 0xc3 }, X_NONE, 1 },          /* ret */
	{ 1, { 0xeb }, X_REL8, 2 },          /* jmp rel8 */
	{ 1, { 0xe2 }, X_REL8, 1 },          /* loop rel8 */
	{ 1, { 0xf0 }, X_MODRM, 1 },         /* lock + whatever */
	{ 1, { 0xd9 }, X_MODRM, 1 },         /* x87: #UD or #NM */
	{ 2, { 0x0f, 0xff }, X_NONE, 1 },    /* undefined */
	{ 3, { 0x66, 0x87, 0xdb }, X_NONE, 1 }, /* xchg bx,bx: the marker */
	{ 1, { 0x64 }, X_NONE, 1 },          /* fs: prefix */
	{ 1, { 0x65 }, X_NONE, 1 },          /* gs: prefix */
	{ 1, { 0x36 }, X_NONE, 1 },          /* ss: prefix */
	{ 1, { 0x66 }, X_NONE, 1 },          /* operand-size prefix */
	{ 1, { 0x67 }, X_NONE, 1 },          /* address-size prefix */
};

/* Pick a template with probability proportional to its weight. */
static const struct tmpl *pick_tmpl(void)
{
	u32 total = 0;
	for (u32 i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++)
		total += tmpls[i].weight;
	u32 r = below(total);
	for (u32 i = 0;; i++) {
		if (r < tmpls[i].weight)
			return &tmpls[i];
		r -= tmpls[i].weight;
	}
}

/* A ModRM byte: register form, a plain [reg] memory form, or anything. */
static u8 modrm(int kind)
{
	u32 reg = below(8) << 3, rm = below(8);
	if (kind == X_MODREG || (kind == X_MODRM && one_in(2)))
		return (u8)(0xc0 | reg | rm);
	if (rm == 4 || rm == 5)
		rm = 3;
	if (kind == X_MODMEM && one_in(4))
		return (u8)(below(0xc0));
	return (u8)(reg | rm);
}

/* An I/O port for an imm8 form, never the exit port. */
static u8 imm_port(void)
{
	u32 p;
	do
		p = one_in(2) ? below(256) : (u32)"\x20\x21\x40\x43\x61\x70\x71\x80\xa0\xa1"[below(10)];
	while (port_forbidden(p));
	return (u8)p;
}

/* A selector for far transfers: the kernel's, ring 3's, the TSS, null, or random. */
static u16 selector(void)
{
	static const u16 sels[] = { 0x08, 0x10, 0x1b, 0x23, 0x28, 0x2b, 0x00, 0x0b, 0x18, 0x30 };
	return one_in(6) ? (u16)rnd() : sels[below(sizeof(sels) / sizeof(sels[0]))];
}

/* Emit a 32-bit value at p. */
static u8 *put32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		*p++ = (u8)(v >> (8 * i));
	return p;
}

/* Emit one template and its operands at p; return the end. */
static u8 *emit_tmpl(u8 *p, const struct tmpl *t)
{
	for (u32 i = 0; i < t->len; i++)
		*p++ = t->b[i];
	switch (t->extra) {
	case X_MODRM:
	case X_MODREG:
	case X_MODMEM: *p++ = modrm(t->extra); break;
	case X_IMM8: *p++ = (u8)rnd(); break;
	case X_IMM16: *p++ = (u8)rnd(); *p++ = (u8)below(4); break;
	case X_IMM32: p = put32(p, one_in(2) ? SANDBOX + below(SANDBOX_SIZE) : rnd()); break;
	case X_PORT: *p++ = imm_port(); break;
	case X_INTN: {
		static const u8 v[] = { 0x80, 0x81, 3, 8, 13, 14, 0x20, 0x21, 0x2f, 0xff };
		*p++ = one_in(3) ? (u8)rnd() : v[below(sizeof(v))];
		break;
	}
	case X_REL8: *p++ = (u8)(one_in(2) ? 0x100 - below(24) : below(32)); break;
	case X_FAR: {
		u32 off = one_in(2) ? CODE_PAGE + SNIP_OFF + below(SNIP_LEN + 24) : rnd();
		p = put32(p, off);
		u16 s = selector();
		*p++ = (u8)s;
		*p++ = (u8)(s >> 8);
		break;
	}
	default: break;
	}
	return p;
}

/* Write the snippet into the code page: INT3 everywhere, ~SNIP_LEN bytes of biased
 * random code, a 16-byte NOP sled that re-synchronises decoding, then the way back. */
void gen_snippet(int ring3, u32 back)
{
	u8 *page = (u8 *)CODE_PAGE, *p = page + SNIP_OFF, *end = p + SNIP_LEN;
	for (u32 i = 0; i < 1024; i++)
		((u32 *)page)[i] = 0xccccccccu;
	while (p < end) {
		if (one_in(2))
			p = emit_tmpl(p, pick_tmpl());
		else
			for (u32 k = 1 + below(3); k; k--)
				*p++ = (u8)rnd();
	}
	for (int i = 0; i < 16; i++)
		*p++ = 0x90;
	if (ring3) {
		*p++ = 0xcd;
		*p++ = VEC_END;
	} else {
		*p = 0xe9;
		put32(p + 1, back - (u32)(p + 5));
	}
}

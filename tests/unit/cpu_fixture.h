/*
 * cpu_fixture.h — a bare processor (cpu_bare.h) for unit tests, with its stack at
 * 0x8000, and helpers to place machine code at 0x1000 and run it until HLT.
 *
 * Code is given as bytes (the encodings are the point of the decode tests).
 */
#ifndef RINGLAB_TEST_CPU_FIXTURE_H
#define RINGLAB_TEST_CPU_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/flags.h"
#include "tests/unit/cpu_bare.h"

#define FX_CODE 0x1000u

static inline struct fx *fx_new(void)
{
	struct fx *f = fx_bare(FX_CODE);
	assert_non_null(f);
	f->cpu.r[R_ESP] = 0x8000;
	return f;
}

/* Copy `n` code bytes to FX_CODE followed by HLT, and point EIP there. */
static inline void fx_code(struct fx *f, const u8 *code, size_t n)
{
	memcpy(f->ram + FX_CODE, code, n);
	f->ram[FX_CODE + n] = 0xf4;
	block_flush_all(&f->cpu); /* the host wrote code behind the CPU's back */
	f->cpu.eip = FX_CODE;
}

/* Run until HLT (or another stop); return the status. */
static inline enum run_status fx_run(struct fx *f)
{
	f->cpu.budget = f->cpu.insns + 100000;
	return cpu_run(&f->cpu, &f->exit);
}

#define FX_CODE_RUN(f, ...)                                                  \
	do {                                                                 \
		static const u8 code_[] = { __VA_ARGS__ };                   \
		fx_code((f), code_, sizeof(code_));                          \
		assert_int_equal(fx_run(f), RUN_HLT);                        \
	} while (0)

#endif

/* --- protected-mode scaffolding: GDT at 0x2000, TSS at 0x3000, IDT at 0x4000 --- */

#define FX_GDT 0x2000u
#define FX_TSS 0x3000u
#define FX_IDT 0x4000u
#define FX_SEL_CODE0 0x08
#define FX_SEL_DATA0 0x10
#define FX_SEL_CODE3 0x1b
#define FX_SEL_DATA3 0x23
#define FX_SEL_TSS 0x28

static inline void fx_put32(struct fx *f, u32 pa, u32 v) { memcpy(f->ram + pa, &v, 4); }
static inline u32 fx_get32(struct fx *f, u32 pa)
{
	u32 v;
	memcpy(&v, f->ram + pa, 4);
	return v;
}

/* A flat descriptor of `type` (code 0xb / data 0x3) and DPL. */
static inline void fx_desc(struct fx *f, unsigned idx, u32 base, u32 limit, unsigned type,
			   unsigned dpl, bool s, bool g)
{
	u32 lo = (limit & 0xffff) | (base << 16);
	u32 hi = ((base >> 16) & 0xff) | (type << 8) | (s ? 0x1000u : 0) | (dpl << 13) | 0x8000u |
		 (limit & 0xf0000u) | (s ? 0x400000u : 0) | (g ? 0x800000u : 0) | (base & 0xff000000u);
	fx_put32(f, FX_GDT + idx * 8, lo);
	fx_put32(f, FX_GDT + idx * 8 + 4, hi);
}

/* An interrupt (or trap) gate for `vec` to CS 0x08:handler with DPL. */
static inline void fx_gate(struct fx *f, unsigned vec, u32 handler, unsigned dpl, bool trap)
{
	fx_put32(f, FX_IDT + vec * 8, (handler & 0xffff) | (FX_SEL_CODE0 << 16));
	fx_put32(f, FX_IDT + vec * 8 + 4,
		 (handler & 0xffff0000u) | 0x8000u | (dpl << 13) | ((trap ? 0xfu : 0xeu) << 8));
}

/* Build the GDT, a TSS with ESP0 = 0x9000, an empty IDT, and load them. */
static inline void fx_protected(struct fx *f)
{
	struct cpu *c = &f->cpu;
	fx_desc(f, 1, 0, 0xfffff, 0xb, 0, true, true);
	fx_desc(f, 2, 0, 0xfffff, 0x3, 0, true, true);
	fx_desc(f, 3, 0, 0xfffff, 0xb, 3, true, true);
	fx_desc(f, 4, 0, 0xfffff, 0x3, 3, true, true);
	fx_desc(f, 5, FX_TSS, 0x67, 0xb, 0, false, false); /* busy 32-bit TSS */
	fx_put32(f, FX_TSS + 4, 0x9000);                    /* ESP0 */
	fx_put32(f, FX_TSS + 8, FX_SEL_DATA0);              /* SS0 */
	fx_put32(f, FX_TSS + 100, 0x0068u << 16);           /* I/O map base beyond limit */
	c->gdtr_base = FX_GDT;
	c->gdtr_limit = 6 * 8 - 1;
	c->idtr_base = FX_IDT;
	c->idtr_limit = 256 * 8 - 1;
	c->tr.sel = FX_SEL_TSS;
	c->tr.base = FX_TSS;
	c->tr.limit = 0x67;
	c->tr.attr = SEG_P | SYS_TSS32_BUSY;
}

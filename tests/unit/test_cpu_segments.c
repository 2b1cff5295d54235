/*
 * test_cpu_segments.c — data-segment loads (MOV Sreg) and what the processor remembers
 * of them (struct seg_memo): a load must see the descriptor as the table holds it at
 * that moment, and its checks must be those of the CPL and the register it loads.
 */
#include "cpu_fixture.h"

#define HANDLER_PA 0x5000u
#define OUT_PA 0x7000u        /* where the guest stores what it read */
#define SEL_TEST 0x30u        /* GDT entry 6, rewritten by the tests */
#define DESC_PA (FX_GDT + 6 * 8)

/* Protected mode with a GDT that has entry 6; every vector's handler is a HLT at
 * HANDLER_PA + vec. */
static struct fx *fx_segments(void)
{
	struct fx *f = fx_new();
	fx_protected(f);
	f->cpu.gdtr_limit = 7 * 8 - 1;
	for (unsigned v = 0; v < 256; v++) {
		fx_gate(f, v, HANDLER_PA + v, 0, false);
		f->ram[HANDLER_PA + v] = 0xf4;
	}
	return f;
}

/* The guest rewrites the descriptor a selector names (its high dword, its low dword,
 * then its type) and reloads the selector each time: each load takes the new base, and
 * a read-only type makes the next write fault. */
static void test_seg_load_after_descriptor_rewrite_uses_new_descriptor(void **state)
{
	struct fx *f = fx_segments();
	struct cpu *c = &f->cpu;
	fx_desc(f, 6, 0x10000, 0xfffff, 0x3, 0, true, true);
	fx_put32(f, 0x10100, 0x11111111);
	fx_put32(f, 0x20100, 0x22222222);
	fx_put32(f, 0x21100, 0x33333333);
#define D32(v) (u8)(v), (u8)((v) >> 8), (u8)((v) >> 16), (u8)((v) >> 24)
	FX_CODE_RUN(f,
		    0x66, 0xbb, SEL_TEST, 0x00,               /* mov bx, 0x30 */
		    0x8e, 0xdb,                               /* mov ds, bx */
		    0xa1, D32(0x100),                         /* mov eax, [0x100] */
		    0x26, 0xa3, D32(OUT_PA),                  /* mov es:[OUT], eax */
		    0x26, 0xc6, 0x05, D32(DESC_PA + 4), 0x02, /* base 23..16 = 0x02 */
		    0x8e, 0xdb,                               /* mov ds, bx */
		    0xa1, D32(0x100),                         /* mov eax, [0x100] */
		    0x26, 0xa3, D32(OUT_PA + 4),              /* mov es:[OUT + 4], eax */
		    0x66, 0x26, 0xc7, 0x05, D32(DESC_PA + 2), 0x00, 0x10, /* base 15..0 = 0x1000 */
		    0x8e, 0xdb,                               /* mov ds, bx */
		    0xa1, D32(0x100),                         /* mov eax, [0x100] */
		    0x26, 0xa3, D32(OUT_PA + 8),              /* mov es:[OUT + 8], eax */
		    0x26, 0xc6, 0x05, D32(DESC_PA + 5), 0x91, /* type: read-only data */
		    0x8e, 0xdb,                               /* mov ds, bx */
		    0xa3, D32(0x100));                        /* mov [0x100], eax: #GP(0) */
	assert_int_equal(fx_get32(f, OUT_PA), 0x11111111);
	assert_int_equal(fx_get32(f, OUT_PA + 4), 0x22222222);
	assert_int_equal(fx_get32(f, OUT_PA + 8), 0x33333333);
	assert_int_equal(c->eip, HANDLER_PA + EXC_GP + 1);
	assert_int_equal(c->seg[SEG_DS].base, 0x21000);
	fx_free(f);
}

/* A new GDT (LGDT) whose entry for the same selector differs: the reload uses it. */
static void test_seg_load_after_lgdt_uses_new_table(void **state)
{
	struct fx *f = fx_segments();
	fx_desc(f, 6, 0x10000, 0xfffff, 0x3, 0, true, true);
	memcpy(f->ram + 0x6000, f->ram + FX_GDT, 7 * 8); /* a copy of the GDT at 0x6000 ... */
	fx_put32(f, 0x6000 + 6 * 8 + 4, fx_get32(f, DESC_PA + 4) + 0x01); /* base 0x20000 */
	fx_put32(f, 0x6800, (0x6000u << 16) | (7 * 8 - 1)); /* ... and its pseudo-descriptor */
	fx_put32(f, 0x6804, 0x6000u >> 16);
	fx_put32(f, 0x10100, 0x11111111);
	fx_put32(f, 0x20100, 0x22222222);
	FX_CODE_RUN(f,
		    0x66, 0xbb, SEL_TEST, 0x00,  /* mov bx, 0x30 */
		    0x8e, 0xdb,                  /* mov ds, bx */
		    0xa1, D32(0x100),            /* mov eax, [0x100] */
		    0x26, 0xa3, D32(OUT_PA),     /* mov es:[OUT], eax */
		    0x26, 0x0f, 0x01, 0x15, D32(0x6800), /* lgdt es:[0x6800] */
		    0x8e, 0xdb,                  /* mov ds, bx */
		    0xa1, D32(0x100),            /* mov eax, [0x100] */
		    0x26, 0xa3, D32(OUT_PA + 4)); /* mov es:[OUT + 4], eax */
	assert_int_equal(f->cpu.gdtr_base, 0x6000);
	assert_int_equal(fx_get32(f, OUT_PA), 0x11111111);
	assert_int_equal(fx_get32(f, OUT_PA + 4), 0x22222222);
	fx_free(f);
}

/* A selector loaded fine at CPL 0 is loaded again at CPL 3, where its DPL 0 forbids
 * it: #GP(selector), though the descriptor did not change. */
static void test_seg_load_same_selector_at_cpl3_faults(void **state)
{
	struct fx *f = fx_segments();
	struct cpu *c = &f->cpu;
	static const u8 user[] = { 0x66, 0xb8, FX_SEL_DATA0, 0x00, 0x8e, 0xd8 }; /* mov ds, 0x10 */
	memcpy(f->ram + 0x6000, user, sizeof(user));
	/* mov ax, 0x10; mov ds, ax; iret to ring 3 at 0x6000 */
	static const u8 code[] = { 0x66, 0xb8, FX_SEL_DATA0, 0x00, 0x8e, 0xd8, 0xcf };
	fx_code(f, code, sizeof(code));
	u32 sp = 0x8000 - 20;
	fx_put32(f, sp, 0x6000);
	fx_put32(f, sp + 4, FX_SEL_CODE3);
	fx_put32(f, sp + 8, FL_1);
	fx_put32(f, sp + 12, 0x7f00);
	fx_put32(f, sp + 16, FX_SEL_DATA3);
	c->r[R_ESP] = sp;
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(c->eip, HANDLER_PA + EXC_GP + 1);
	assert_int_equal(fx_get32(f, 0x9000 - 24), FX_SEL_DATA0); /* error code: the selector */
	assert_int_equal(fx_get32(f, 0x9000 - 20), 0x6004);       /* the MOV DS */
	fx_free(f);
}

/* A selector loaded fine is loaded again with RPL 3, which its DPL 0 forbids:
 * #GP(selector), though it names the same descriptor. */
static void test_seg_load_same_descriptor_with_rpl3_faults(void **state)
{
	struct fx *f = fx_segments();
	struct cpu *c = &f->cpu;
	FX_CODE_RUN(f, 0x66, 0xb8, FX_SEL_DATA0, 0x00,     /* mov ax, 0x10 */
		    0x8e, 0xd8,                             /* mov ds, ax */
		    0x66, 0xb8, FX_SEL_DATA0 | 3, 0x00,     /* mov ax, 0x13 */
		    0x8e, 0xd8);                            /* mov ds, ax: #GP(0x10) */
	assert_int_equal(c->eip, HANDLER_PA + EXC_GP + 1);
	assert_int_equal(fx_get32(f, c->r[R_ESP]), FX_SEL_DATA0);
	assert_int_equal(fx_get32(f, c->r[R_ESP] + 4), FX_CODE + 10);
	assert_int_equal(c->seg[SEG_DS].sel, FX_SEL_DATA0);
	fx_free(f);
}

/* A read-only data selector loads into DS, then into SS, which must be writable:
 * #GP(selector), though the same selector and descriptor just loaded. */
static void test_seg_load_same_selector_into_ss_checks_ss_rules(void **state)
{
	struct fx *f = fx_segments();
	struct cpu *c = &f->cpu;
	fx_desc(f, 6, 0, 0xfffff, 0x1, 0, true, true); /* read-only data */
	FX_CODE_RUN(f, 0x66, 0xb8, SEL_TEST, 0x00, /* mov ax, 0x30 */
		    0x8e, 0xd8,                     /* mov ds, ax */
		    0x8e, 0xd0);                    /* mov ss, ax: #GP(0x30) */
	assert_int_equal(c->eip, HANDLER_PA + EXC_GP + 1);
	assert_int_equal(fx_get32(f, c->r[R_ESP]), SEL_TEST);
	assert_int_equal(fx_get32(f, c->r[R_ESP] + 4), FX_CODE + 6);
	assert_int_equal(c->seg[SEG_SS].sel, 0x18); /* SS as the loader left it */
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seg_load_after_descriptor_rewrite_uses_new_descriptor),
		cmocka_unit_test(test_seg_load_after_lgdt_uses_new_table),
		cmocka_unit_test(test_seg_load_same_selector_at_cpl3_faults),
		cmocka_unit_test(test_seg_load_same_descriptor_with_rpl3_faults),
		cmocka_unit_test(test_seg_load_same_selector_into_ss_checks_ss_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

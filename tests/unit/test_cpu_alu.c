/*
 * test_cpu_alu.c — arithmetic instructions and their flags, by family and width,
 * checked against values worked out from the SDM.
 */
#include "cpu_fixture.h"
#include "core/exec.h"

static u32 arith(struct cpu *c) { return cpu_get_eflags(c) & FL_ARITH; }

static void test_add_sets_carry_and_overflow(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0x7fffffff;
	f->cpu.r[R_EBX] = 1;
	FX_CODE_RUN(f, 0x01, 0xd8); /* add eax, ebx */
	assert_int_equal(f->cpu.r[R_EAX], 0x80000000u);
	assert_int_equal(arith(&f->cpu), FL_OF | FL_SF | FL_AF | FL_PF);
	f->cpu.r[R_EAX] = 0xffffffff;
	FX_CODE_RUN(f, 0x01, 0xd8);
	assert_int_equal(f->cpu.r[R_EAX], 0);
	assert_int_equal(arith(&f->cpu), FL_CF | FL_ZF | FL_AF | FL_PF);
	fx_free(f);
}

static void test_adc_sbb_use_carry(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 5;
	f->cpu.r[R_EBX] = 3;
	FX_CODE_RUN(f, 0xf9, 0x11, 0xd8); /* stc; adc eax, ebx */
	assert_int_equal(f->cpu.r[R_EAX], 9);
	FX_CODE_RUN(f, 0xf9, 0x19, 0xd8); /* stc; sbb eax, ebx */
	assert_int_equal(f->cpu.r[R_EAX], 5);
	f->cpu.r[R_EAX] = 0;
	f->cpu.r[R_EBX] = 0xffffffff;
	FX_CODE_RUN(f, 0xf9, 0x11, 0xd8); /* 0 + ffffffff + 1 = 0, CF */
	assert_int_equal(f->cpu.r[R_EAX], 0);
	assert_true(arith(&f->cpu) & FL_CF);
	assert_true(arith(&f->cpu) & FL_ZF);
	fx_free(f);
}

static void test_8bit_high_registers(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0x1234;
	FX_CODE_RUN(f, 0x00, 0xe0); /* add al, ah */
	assert_int_equal(f->cpu.r[R_EAX], 0x1246);
	FX_CODE_RUN(f, 0x80, 0xc4, 0xf0); /* add ah, 0xf0 */
	assert_int_equal(f->cpu.r[R_EAX], 0x0246);
	assert_true(arith(&f->cpu) & FL_CF);
	fx_free(f);
}

static void test_inc_dec_keep_carry(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_ECX] = 0x7fffffff;
	FX_CODE_RUN(f, 0xf9, 0x41); /* stc; inc ecx */
	assert_int_equal(f->cpu.r[R_ECX], 0x80000000u);
	assert_int_equal(arith(&f->cpu) & (FL_CF | FL_OF), FL_CF | FL_OF);
	FX_CODE_RUN(f, 0xf8, 0x49); /* clc; dec ecx */
	assert_int_equal(f->cpu.r[R_ECX], 0x7fffffffu);
	assert_int_equal(arith(&f->cpu) & (FL_CF | FL_OF), FL_OF);
	fx_free(f);
}

static void test_16bit_operand_prefix(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0xaaaaffff;
	FX_CODE_RUN(f, 0x66, 0x05, 0x01, 0x00); /* add ax, 1 */
	assert_int_equal(f->cpu.r[R_EAX], 0xaaaa0000u);
	assert_true(arith(&f->cpu) & FL_CF);
	assert_true(arith(&f->cpu) & FL_ZF);
	fx_free(f);
}

static void test_shifts_and_rotates(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0x80000001;
	FX_CODE_RUN(f, 0xd1, 0xe0); /* shl eax, 1 */
	assert_int_equal(f->cpu.r[R_EAX], 2);
	assert_int_equal(arith(&f->cpu) & (FL_CF | FL_OF), FL_CF | FL_OF);
	f->cpu.r[R_EAX] = 0x80000000;
	FX_CODE_RUN(f, 0xc1, 0xf8, 0x04); /* sar eax, 4 */
	assert_int_equal(f->cpu.r[R_EAX], 0xf8000000u);
	f->cpu.r[R_EAX] = 0x81;
	FX_CODE_RUN(f, 0xd0, 0xc0); /* rol al, 1 */
	assert_int_equal(f->cpu.r[R_EAX] & 0xff, 0x03);
	assert_true(arith(&f->cpu) & FL_CF);
	f->cpu.r[R_EAX] = 0x01;
	FX_CODE_RUN(f, 0xf8, 0xd0, 0xd8); /* clc; rcr al, 1 */
	assert_int_equal(f->cpu.r[R_EAX] & 0xff, 0x00);
	assert_true(arith(&f->cpu) & FL_CF);
	f->cpu.r[R_EAX] = 0x12345678;
	f->cpu.r[R_EDX] = 0x9abcdef0;
	FX_CODE_RUN(f, 0x0f, 0xa4, 0xd0, 0x08); /* shld eax, edx, 8 */
	assert_int_equal(f->cpu.r[R_EAX], 0x3456789a);
	fx_free(f);
}

static void test_mul_div(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0x10000;
	f->cpu.r[R_EBX] = 0x10000;
	FX_CODE_RUN(f, 0xf7, 0xe3); /* mul ebx */
	assert_int_equal(f->cpu.r[R_EAX], 0);
	assert_int_equal(f->cpu.r[R_EDX], 1);
	assert_int_equal(arith(&f->cpu) & (FL_CF | FL_OF), FL_CF | FL_OF);
	f->cpu.r[R_EAX] = 100;
	f->cpu.r[R_EDX] = 0;
	f->cpu.r[R_ECX] = 7;
	FX_CODE_RUN(f, 0xf7, 0xf1); /* div ecx */
	assert_int_equal(f->cpu.r[R_EAX], 14);
	assert_int_equal(f->cpu.r[R_EDX], 2);
	f->cpu.r[R_EAX] = (u32)-100;
	f->cpu.r[R_EDX] = 0xffffffff;
	FX_CODE_RUN(f, 0xf7, 0xf9); /* idiv ecx */
	assert_int_equal(f->cpu.r[R_EAX], (u32)-14);
	assert_int_equal(f->cpu.r[R_EDX], (u32)-2);
	f->cpu.r[R_EAX] = 3;
	FX_CODE_RUN(f, 0x6b, 0xc0, 0xfe); /* imul eax, eax, -2 */
	assert_int_equal(f->cpu.r[R_EAX], (u32)-6);
	fx_free(f);
}

static void test_bit_ops(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0x10;
	f->cpu.r[R_ECX] = 4;
	FX_CODE_RUN(f, 0x0f, 0xa3, 0xc8); /* bt eax, ecx */
	assert_true(arith(&f->cpu) & FL_CF);
	FX_CODE_RUN(f, 0x0f, 0xbb, 0xc8); /* btc eax, ecx */
	assert_int_equal(f->cpu.r[R_EAX], 0);
	f->cpu.r[R_EDX] = 0x00f00000;
	FX_CODE_RUN(f, 0x0f, 0xbc, 0xc2, 0x0f, 0xbd, 0xda); /* bsf eax,edx; bsr ebx,edx */
	assert_int_equal(f->cpu.r[R_EAX], 20);
	assert_int_equal(f->cpu.r[R_EBX], 23);
	fx_free(f);
}

static void test_conditions_after_cmp(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = (u32)-1;
	f->cpu.r[R_EBX] = 1;
	/* cmp eax, ebx; setl cl; setb dl; seta ch */
	FX_CODE_RUN(f, 0x39, 0xd8, 0x0f, 0x9c, 0xc1, 0x0f, 0x92, 0xc2, 0x0f, 0x97, 0xc5);
	assert_int_equal(f->cpu.r[R_ECX] & 0xffff, 0x0101);
	assert_int_equal(f->cpu.r[R_EDX] & 0xff, 0);
	fx_free(f);
}

/* The block at FX_CODE (already decoded by a run). */
static const struct block *block_at_code(struct fx *f)
{
	f->cpu.eip = FX_CODE;
	return block_find(&f->cpu);
}

/* Flag liveness (exec_flags_liveness): an ALU operation whose lazy-flag record a later
 * one in the block overwrites first skips it; one followed by a store (which can fault:
 * its handler would see EFLAGS) or by a reader keeps it; results are the same. */
static void test_flag_liveness_within_a_block(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EAX] = 0xffffffffu;
	f->cpu.r[R_EBX] = 1;
	f->cpu.r[R_ECX] = f->cpu.r[R_EDX] = 5;
	/* add eax, ebx; mov edi, eax; sub ecx, edx; setz bl */
	FX_CODE_RUN(f, 0x01, 0xd8, 0x89, 0xc7, 0x29, 0xd1, 0x0f, 0x94, 0xc3);
	const struct block *b = block_at_code(f);
	assert_true(exec_flags_dead(&b->insn[0]));  /* add: SUB overwrites its flags */
	assert_false(exec_flags_dead(&b->insn[2])); /* sub: SETZ reads them */
	assert_int_equal(f->cpu.r[R_EAX], 0);
	assert_int_equal(f->cpu.r[R_EDI], 0);
	assert_int_equal(f->cpu.r[R_EBX] & 0xff, 1);
	assert_int_equal(cpu_get_eflags(&f->cpu) & (FL_CF | FL_ZF), FL_ZF); /* SUB's, not ADD's carry */
	fx_free(f);

	f = fx_new();
	f->cpu.r[R_EAX] = 0xffffffffu;
	f->cpu.r[R_EBX] = 1;
	f->cpu.r[R_ESI] = 0x6000;
	/* add eax, ebx; mov [esi], ecx; sub ecx, edx */
	FX_CODE_RUN(f, 0x01, 0xd8, 0x89, 0x0e, 0x29, 0xd1);
	b = block_at_code(f);
	assert_false(exec_flags_dead(&b->insn[0])); /* a store between */
	assert_false(exec_flags_dead(&b->insn[2])); /* the block's end (then HLT) */
	fx_free(f);
}

/* Fused compare-and-branch (exec_fuse_branch): CMP before a block's closing Jcc takes
 * the branch itself, with the same flags and the same path as the pair. */
static void test_fused_compare_and_branch(void **state)
{
	static const struct { u32 a, b; u8 jcc, taken; } cases[] = {
		{ 1, 2, 0x72, 1 },           /* jb */
		{ 3, 2, 0x72, 0 },
		{ 2, 2, 0x72, 0 },
		{ 2, 2, 0x76, 1 },           /* jbe */
		{ 2, 2, 0x7e, 1 },           /* jle */
		{ 2, 2, 0x7f, 0 },           /* jnle */
		{ 1, 0xffffffffu, 0x7f, 1 },
		{ 0xffffffffu, 1, 0x7c, 1 }, /* jl: signed */
		{ 0xffffffffu, 1, 0x72, 0 }, /* jb: unsigned */
		{ 5, 5, 0x74, 1 },           /* jz */
		{ 5, 5, 0x75, 0 },           /* jnz */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *f = fx_new();
		f->cpu.r[R_EAX] = cases[i].a;
		f->cpu.r[R_EBX] = cases[i].b;
		/* cmp eax, ebx; jcc +2; mov cl, 1; mov ch, 1 */
		const u8 code[] = { 0x39, 0xd8, cases[i].jcc, 0x02, 0xb1, 0x01, 0xb5, 0x01 };
		fx_code(f, code, sizeof(code));
		assert_int_equal(fx_run(f), RUN_HLT);
		assert_true(exec_branch_fused(&block_at_code(f)->insn[0]));
		assert_int_equal(f->cpu.r[R_ECX] & 0xffff, cases[i].taken ? 0x0100 : 0x0101);
		bool cf = cases[i].a < cases[i].b, zf = cases[i].a == cases[i].b;
		assert_int_equal(cpu_get_eflags(&f->cpu) & (FL_CF | FL_ZF), (cf ? FL_CF : 0) | (zf ? FL_ZF : 0));
		fx_free(f);
	}	/* TEST r32, r32 and TEST r8, imm before JZ / JNZ / JS / JNS */
	static const struct { u8 op[3], len, jcc, taken; u32 eax, ebx; } tests[] = {
		{ { 0x85, 0xd8 }, 2, 0x74, 1, 0xf0, 0x0f },          /* test eax, ebx; jz */
		{ { 0x85, 0xd8 }, 2, 0x75, 1, 0xff, 0x0f },          /* jnz */
		{ { 0x85, 0xd8 }, 2, 0x78, 1, 0x80000000u, 0xffffffffu }, /* js */
		{ { 0x85, 0xd8 }, 2, 0x79, 0, 0x80000000u, 0xffffffffu }, /* jns */
		{ { 0xf6, 0xc0, 0x80 }, 3, 0x78, 1, 0x80, 0 },       /* test al, 0x80; js */
		{ { 0xf6, 0xc0, 0x80 }, 3, 0x74, 1, 0x7f, 0 },       /* jz */
		{ { 0xf6, 0xc0, 0x80 }, 3, 0x75, 0, 0x7f, 0 },       /* jnz */
	};
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		struct fx *f = fx_new();
		f->cpu.r[R_EAX] = tests[i].eax;
		f->cpu.r[R_EBX] = tests[i].ebx;
		u8 code[16];
		unsigned n = tests[i].len;
		memcpy(code, tests[i].op, n);
		const u8 tail[] = { tests[i].jcc, 0x02, 0xb1, 0x01, 0xb5, 0x01 };
		memcpy(code + n, tail, sizeof(tail));
		fx_code(f, code, n + sizeof(tail));
		assert_int_equal(fx_run(f), RUN_HLT);
		assert_true(exec_branch_fused(&block_at_code(f)->insn[0]));
		assert_int_equal(f->cpu.r[R_ECX] & 0xffff, tests[i].taken ? 0x0100 : 0x0101);
		fx_free(f);
	}
}

/* REP MOVS and REP STOS through the fast TLB (exec_data.c: rep_fast) keep the
 * per-iteration semantics: an overlapping forward MOVSB replicates, STOSD crosses a
 * page, the registers end where they should. */
static void test_rep_string_bulk_path(void **state)
{
	struct fx *f = fx_new();
	f->ram[0x6000] = 0xab;
	f->cpu.r[R_ESI] = 0x6000;
	f->cpu.r[R_EDI] = 0x6001;
	f->cpu.r[R_ECX] = 100;
	FX_CODE_RUN(f, 0xf3, 0xa4); /* rep movsb */
	for (u32 a = 0x6000; a <= 0x6064; a++)
		assert_int_equal(f->ram[a], 0xab);
	assert_int_equal(f->ram[0x6065], 0);
	assert_int_equal(f->cpu.r[R_ECX], 0);
	assert_int_equal(f->cpu.r[R_ESI], 0x6064);
	assert_int_equal(f->cpu.r[R_EDI], 0x6065);
	f->cpu.r[R_EDI] = 0x6ff8;
	f->cpu.r[R_ECX] = 5;
	f->cpu.r[R_EAX] = 0x11223344u;
	FX_CODE_RUN(f, 0xf3, 0xab); /* rep stosd */
	for (u32 a = 0x6ff8; a < 0x700c; a += 4)
		assert_int_equal(fx_get32(f, a), 0x11223344u);
	assert_int_equal(fx_get32(f, 0x700c), 0);
	assert_int_equal(f->cpu.r[R_EDI], 0x700c);
	assert_int_equal(f->cpu.r[R_ECX], 0);
	fx_free(f);
}

/* MOVZX, byte stores and absolute-address moves through their fast handlers
 * (exec_fast.c). */
static void test_movzx_and_byte_store_forms(void **state)
{
	struct fx *f = fx_new();
	f->cpu.r[R_EBX] = 0x6000;
	f->cpu.r[R_ESI] = 3;
	f->cpu.r[R_EAX] = 0xffffffffu;
	f->ram[0x6004] = 0x9a;
	f->ram[0x6006] = 0x34;
	f->ram[0x6007] = 0x82;
	f->ram[0x6008] = 0x55;
	/* movzx eax, byte [ebx+4]; movzx ecx, word [ebx+esi*2]; movzx edx, bh;
	 * mov [ebx+8], bh; movzx edi, cx */
	f->cpu.r[R_EDI] = 0x11; /* register 7 as a byte is BH, not EDI's low byte */
	FX_CODE_RUN(f, 0x0f, 0xb6, 0x43, 0x04, 0x0f, 0xb7, 0x0c, 0x73, 0x0f, 0xb6, 0xd7,
		    0x88, 0x7b, 0x08, 0x0f, 0xb7, 0xf9);
	assert_int_equal(f->cpu.r[R_EAX], 0x9a);
	assert_int_equal(f->cpu.r[R_ECX], 0x8234);
	assert_int_equal(f->cpu.r[R_EDX], 0x60);
	assert_int_equal(f->ram[0x6008], 0x60); /* BH */
	assert_int_equal(f->ram[0x6009], 0x00);
	assert_int_equal(f->cpu.r[R_EDI], 0x8234);
	/* mov eax, [0x6004]; mov [0x6010], eax; mov ecx, [0x6006]; mov [0x6014], ecx */
	FX_CODE_RUN(f, 0xa1, 0x04, 0x60, 0x00, 0x00, 0xa3, 0x10, 0x60, 0x00, 0x00,
		    0x8b, 0x0d, 0x06, 0x60, 0x00, 0x00, 0x89, 0x0d, 0x14, 0x60, 0x00, 0x00);
	assert_int_equal(f->cpu.r[R_EAX], 0x8234009au);
	assert_int_equal(fx_get32(f, 0x6010), 0x8234009au);
	assert_int_equal(f->cpu.r[R_ECX], 0x00608234u);
	assert_int_equal(fx_get32(f, 0x6014), 0x00608234u);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sets_carry_and_overflow),
		cmocka_unit_test(test_adc_sbb_use_carry),
		cmocka_unit_test(test_8bit_high_registers),
		cmocka_unit_test(test_inc_dec_keep_carry),
		cmocka_unit_test(test_16bit_operand_prefix),
		cmocka_unit_test(test_shifts_and_rotates),
		cmocka_unit_test(test_mul_div),
		cmocka_unit_test(test_bit_ops),
		cmocka_unit_test(test_conditions_after_cmp),
		cmocka_unit_test(test_flag_liveness_within_a_block),
		cmocka_unit_test(test_fused_compare_and_branch),
		cmocka_unit_test(test_rep_string_bulk_path),
		cmocka_unit_test(test_movzx_and_byte_store_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

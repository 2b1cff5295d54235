/*
 * test_cpu_fused_jcc.c — a CMP or TEST followed by the Jcc that ends its block runs
 * as one fused handler (exec_fast.c): for every condition, each register and memory
 * form and a spread of operands, the branch goes where the SDM's flags say and the
 * flags left behind are the compare's.
 */
#include "cpu_fixture.h"

#define D32(v) (u8)(v), (u8)((v) >> 8), (u8)((v) >> 16), (u8)((v) >> 24)

static const u32 vals[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000,
			    0x80000001, 0xfffffffe, 0xffffffff };

/* The six arithmetic flags of `r` = a - b (sub) or a & b (logic) at `bits`. */
static u32 flags_of(bool sub, unsigned bits, u32 a, u32 b)
{
	u32 m = bits == 32 ? 0xffffffffu : (1u << bits) - 1, sb = 1u << (bits - 1);
	a &= m, b &= m;
	u32 r = (sub ? a - b : a & b) & m, f = 0;
	if (sub && a < b)
		f |= FL_CF;
	if (!__builtin_parity(r & 0xff))
		f |= FL_PF;
	if (sub && ((a ^ b ^ r) & 0x10))
		f |= FL_AF;
	if (!r)
		f |= FL_ZF;
	if (r & sb)
		f |= FL_SF;
	if (sub && ((a ^ b) & (a ^ r) & sb))
		f |= FL_OF;
	return f;
}

/* Condition `cc` (SDM Table B-1) of flags `f`. */
static bool cond(unsigned cc, u32 f)
{
	bool cf = f & FL_CF, zf = f & FL_ZF, sf = f & FL_SF, of = f & FL_OF, pf = f & FL_PF, r;
	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

/* Run `cmp` (its `n` bytes) then Jcc `cc` over one HLT to another, with EAX = a and
 * EBX = b; check where it went and the flags. */
static void run_pair(struct fx *f, const u8 *cmp, size_t n, unsigned cc, u32 a, u32 b, u32 want)
{
	u8 code[16];
	memcpy(code, cmp, n);
	code[n] = (u8)(0x70 + cc); /* jcc +1 */
	code[n + 1] = 1;
	code[n + 2] = 0xf4; /* hlt: not taken */
	fx_code(f, code, n + 3); /* ... and the fixture's hlt: taken */
	f->cpu.r[R_EAX] = a;
	f->cpu.r[R_EBX] = b;
	assert_int_equal(fx_run(f), RUN_HLT);
	u32 hlt = FX_CODE + (u32)n + 2 + (cond(cc, want) ? 1 : 0);
	if (f->cpu.eip != hlt + 1)
		fail_msg("cc %u, a %#x, b %#x: stopped at %#x, expected %#x", cc, a, b, f->cpu.eip, hlt + 1);
	assert_int_equal(cpu_get_eflags(&f->cpu) & FL_ARITH, want);
}

static void test_fused_jcc_cmp_rr_takes_sdm_branch(void **state)
{
	struct fx *f = fx_new();
	static const u8 cmp[] = { 0x39, 0xd8 }; /* cmp eax, ebx */
	for (unsigned cc = 0; cc < 16; cc++)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++)
				run_pair(f, cmp, sizeof(cmp), cc, vals[i], vals[k],
					 flags_of(true, 32, vals[i], vals[k]));
	fx_free(f);
}

static void test_fused_jcc_cmp_ri_takes_sdm_branch(void **state)
{
	struct fx *f = fx_new();
	for (unsigned cc = 0; cc < 16; cc++)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
				const u8 cmp[] = { 0x81, 0xf8, D32(vals[k]) }; /* cmp eax, imm32 */
				run_pair(f, cmp, sizeof(cmp), cc, vals[i], 0,
					 flags_of(true, 32, vals[i], vals[k]));
			}
	fx_free(f);
}

static void test_fused_jcc_test_takes_sdm_branch(void **state)
{
	struct fx *f = fx_new();
	static const u8 test_rr[] = { 0x85, 0xd8 }; /* test eax, ebx */
	for (unsigned cc = 0; cc < 16; cc++)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
				u32 a = vals[i], b = vals[k];
				run_pair(f, test_rr, sizeof(test_rr), cc, a, b, flags_of(false, 32, a, b));
				const u8 test_ri[] = { 0xf7, 0xc0, D32(b) }; /* test eax, imm32 */
				run_pair(f, test_ri, sizeof(test_ri), cc, a, 0, flags_of(false, 32, a, b));
				const u8 test_al[] = { 0xf6, 0xc0, (u8)b }; /* test al, imm8 */
				run_pair(f, test_al, sizeof(test_al), cc, a, 0, flags_of(false, 8, a, b));
				const u8 test_ah[] = { 0xf6, 0xc4, (u8)b }; /* test ah, imm8 */
				run_pair(f, test_ah, sizeof(test_ah), cc, a, 0, flags_of(false, 8, a >> 8, b));
			}
	fx_free(f);
}

/* The memory forms, with the memory operand at MEM_PA (flat DS). */
#define MEM_PA 0x3000u
static void test_fused_jcc_memory_forms_take_sdm_branch(void **state)
{
	struct fx *f = fx_new();
	for (unsigned cc = 0; cc < 16; cc++)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
				u32 a = vals[i], b = vals[k];
				memcpy(f->ram + MEM_PA, &b, 4);
				const u8 cmp_r_m[] = { 0x3b, 0x05, D32(MEM_PA) }; /* cmp eax, [m] */
				run_pair(f, cmp_r_m, sizeof(cmp_r_m), cc, a, 0, flags_of(true, 32, a, b));
				memcpy(f->ram + MEM_PA, &a, 4);
				const u8 cmp_m_r[] = { 0x39, 0x1d, D32(MEM_PA) }; /* cmp [m], ebx */
				run_pair(f, cmp_m_r, sizeof(cmp_m_r), cc, 0, b, flags_of(true, 32, a, b));
				const u8 cmp_m_i[] = { 0x81, 0x3d, D32(MEM_PA), D32(b) }; /* cmp [m], imm32 */
				run_pair(f, cmp_m_i, sizeof(cmp_m_i), cc, 0, 0, flags_of(true, 32, a, b));
				const u8 test_m_i[] = { 0xf7, 0x05, D32(MEM_PA), D32(b) }; /* test [m], imm32 */
				run_pair(f, test_m_i, sizeof(test_m_i), cc, 0, 0, flags_of(false, 32, a, b));
				const u8 test_m8[] = { 0xf6, 0x05, D32(MEM_PA), (u8)b }; /* test byte [m], imm8 */
				run_pair(f, test_m8, sizeof(test_m8), cc, 0, 0, flags_of(false, 8, a, b));
				static const u8 test_al_bl[] = { 0x84, 0xd8 }; /* test al, bl */
				run_pair(f, test_al_bl, sizeof(test_al_bl), cc, a, b, flags_of(false, 8, a, b));
				static const u8 test_al_ah[] = { 0x84, 0xe0 }; /* test al, ah */
				run_pair(f, test_al_ah, sizeof(test_al_ah), cc, a, 0, flags_of(false, 8, a, a >> 8));
			}
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fused_jcc_cmp_rr_takes_sdm_branch),
		cmocka_unit_test(test_fused_jcc_cmp_ri_takes_sdm_branch),
		cmocka_unit_test(test_fused_jcc_test_takes_sdm_branch),
		cmocka_unit_test(test_fused_jcc_memory_forms_take_sdm_branch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

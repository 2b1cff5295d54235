/*
 * test_cpu_decode.c — the decoder: prefixes, every ModRM and SIB addressing form in
 * 32- and 16-bit addressing, immediates, lengths, and invalid encodings (#UD at
 * execution, #GP for instructions longer than 15 bytes).
 */
#include "cpu_fixture.h"

#include "core/exec.h"
#include "core/insn.h"

static struct insn dec(struct fx *f, const u8 *b, size_t n)
{
	struct insn in;
	memcpy(f->ram + FX_CODE, b, n);
	memset(f->ram + FX_CODE + n, 0x90, 16);
	block_flush_all(&f->cpu);
	unsigned len = decode_insn(&f->cpu, FX_CODE, true, &in);
	assert_int_equal(len, in.len);
	return in;
}

#define DEC(f, ...)                                                         \
	({                                                                  \
		static const u8 b_[] = { __VA_ARGS__ };                     \
		dec((f), b_, sizeof(b_));                                   \
	})

static void test_modrm_32bit_forms(void **state)
{
	struct fx *f = fx_new();
	struct insn in;
	in = DEC(f, 0x8b, 0x03); /* mov eax, [ebx] */
	assert_int_equal(in.len, 2);
	assert_int_equal(in.base, R_EBX);
	assert_int_equal(in.index, REG_NONE);
	assert_int_equal(in.seg, SEG_DS);
	assert_true(in.flags & IF_MEM);
	in = DEC(f, 0x8b, 0x45, 0xfc); /* mov eax, [ebp-4] */
	assert_int_equal(in.len, 3);
	assert_int_equal(in.base, R_EBP);
	assert_int_equal(in.disp, 0xfffffffc);
	assert_int_equal(in.seg, SEG_SS);
	in = DEC(f, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12); /* mov eax, [0x12345678] */
	assert_int_equal(in.len, 6);
	assert_int_equal(in.base, REG_NONE);
	assert_int_equal(in.disp, 0x12345678);
	in = DEC(f, 0x8b, 0x84, 0x8e, 0x00, 0x01, 0x00, 0x00); /* [esi+ecx*4+0x100] */
	assert_int_equal(in.len, 7);
	assert_int_equal(in.base, R_ESI);
	assert_int_equal(in.index, R_ECX);
	assert_int_equal(in.scale, 2);
	assert_int_equal(in.disp, 0x100);
	in = DEC(f, 0x8b, 0x04, 0x24); /* [esp] */
	assert_int_equal(in.base, R_ESP);
	assert_int_equal(in.index, REG_NONE);
	assert_int_equal(in.seg, SEG_SS);
	in = DEC(f, 0x8b, 0x04, 0xcd, 0x10, 0, 0, 0); /* [ecx*8+0x10]: no base */
	assert_int_equal(in.len, 7);
	assert_int_equal(in.base, REG_NONE);
	assert_int_equal(in.index, R_ECX);
	assert_int_equal(in.scale, 3);
	in = DEC(f, 0x8b, 0x44, 0x25, 0x08); /* [ebp+8], SIB with no index */
	assert_int_equal(in.base, R_EBP);
	assert_int_equal(in.index, REG_NONE);
	assert_int_equal(in.seg, SEG_SS);
	in = DEC(f, 0x89, 0xd8); /* mov eax, ebx: register form */
	assert_false(in.flags & IF_MEM);
	assert_int_equal(in.rm, R_EAX);
	assert_int_equal(in.reg, R_EBX);
	fx_free(f);
}

static void test_modrm_16bit_forms(void **state)
{
	struct fx *f = fx_new();
	struct insn in;
	in = DEC(f, 0x67, 0x8b, 0x00); /* mov eax, [bx+si] */
	assert_true(in.flags & IF_A16);
	assert_int_equal(in.base, R_EBX);
	assert_int_equal(in.index, R_ESI);
	in = DEC(f, 0x67, 0x8b, 0x46, 0x02); /* [bp+2]: SS */
	assert_int_equal(in.base, R_EBP);
	assert_int_equal(in.seg, SEG_SS);
	assert_int_equal(in.len, 4);
	in = DEC(f, 0x67, 0x8b, 0x06, 0x34, 0x12); /* [0x1234] */
	assert_int_equal(in.base, REG_NONE);
	assert_int_equal(in.disp, 0x1234);
	in = DEC(f, 0x67, 0x8b, 0x81, 0x00, 0x80); /* [bx+di+0x8000] */
	assert_int_equal(in.index, R_EDI);
	assert_int_equal(in.len, 5);
	/* the effective address wraps at 64 KB */
	f->cpu.r[R_EBX] = 0xffff;
	f->cpu.r[R_EDI] = 0x8001;
	assert_int_equal(insn_ea(&f->cpu, &in), 0x0000);
	fx_free(f);
}

static void test_prefixes_and_immediates(void **state)
{
	struct fx *f = fx_new();
	struct insn in;
	in = DEC(f, 0x66, 0xb8, 0x34, 0x12); /* mov ax, 0x1234 */
	assert_int_equal(in.osize, 2);
	assert_int_equal(in.imm, 0x1234);
	assert_int_equal(in.len, 4);
	in = DEC(f, 0x64, 0x8b, 0x03); /* mov eax, fs:[ebx] */
	assert_int_equal(in.seg, SEG_FS);
	in = DEC(f, 0x2e, 0x8b, 0x45, 0x00); /* cs:[ebp]: override beats the SS default */
	assert_int_equal(in.seg, SEG_CS);
	in = DEC(f, 0xf3, 0xa5); /* rep movsd */
	assert_true(in.flags & IF_REP);
	assert_int_equal(in.osize, 4);
	in = DEC(f, 0x83, 0xc0, 0xff); /* add eax, -1: sign-extended imm8 */
	assert_int_equal(in.imm, 0xffffffff);
	in = DEC(f, 0x81, 0x84, 0x24, 0x10, 0, 0, 0, 1, 0, 0, 0); /* add [esp+16], 1 */
	assert_int_equal(in.len, 11);
	assert_int_equal(in.imm, 1);
	assert_int_equal(in.disp, 16);
	in = DEC(f, 0xc8, 0x10, 0x00, 0x02); /* enter 16, 2 */
	assert_int_equal(in.imm, 16);
	assert_int_equal(in.imm2, 2);
	in = DEC(f, 0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00); /* jmp 0x08:0x12345678 */
	assert_int_equal(in.imm, 0x12345678);
	assert_int_equal(in.imm2, 8);
	assert_true(in.flags & IF_END);
	in = DEC(f, 0x0f, 0x1f, 0x44, 0x00, 0x00); /* nopl 0(eax,eax,1) */
	assert_int_equal(in.len, 5);
	assert_ptr_equal(in.fn, h_nop);
	in = DEC(f, 0x66, 0x87, 0xdb); /* the marker */
	assert_ptr_equal(in.fn, h_marker);
	fx_free(f);
}

static void test_invalid_encodings_raise_ud(void **state)
{
	struct fx *f = fx_new();
	assert_ptr_equal(DEC(f, 0x0f, 0x0b).fn, h_ud);         /* ud2 */
	assert_ptr_equal(DEC(f, 0x8d, 0xc0).fn, h_ud);         /* lea eax, eax */
	assert_ptr_equal(DEC(f, 0xf0, 0x89, 0x03).fn, h_ud);   /* lock mov */
	assert_ptr_equal(DEC(f, 0xf0, 0x01, 0x03).fn, h_alu_rm_r); /* lock add [ebx], eax */
	assert_ptr_equal(DEC(f, 0x8e, 0xc8).fn, h_ud);         /* mov cs, ax */
	assert_ptr_equal(DEC(f, 0x0f, 0x29, 0xc0).fn, h_ud);   /* movaps: no SSE */
	fx_free(f);
}

static void test_too_long_instruction_is_gp(void **state)
{
	struct fx *f = fx_new();
	fx_protected(f);
	fx_gate(f, 13, 0x5000, 0, false);
	f->ram[0x5000] = 0xf4;
	u8 code[16];
	memset(code, 0x66, 15); /* 15 prefixes, then the opcode: 16 bytes */
	code[15] = 0x90;
	fx_code(f, code, sizeof(code));
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.eip, 0x5001);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modrm_32bit_forms),
		cmocka_unit_test(test_modrm_16bit_forms),
		cmocka_unit_test(test_prefixes_and_immediates),
		cmocka_unit_test(test_invalid_encodings_raise_ud),
		cmocka_unit_test(test_too_long_instruction_is_gp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_cpu_paging.c — 2-level paging behind the modeled TLB: 4 KB and 4 MB pages,
 * accessed/dirty bits, CR0.WP, global pages across CR3 loads, INVLPG, walk
 * references counted per miss, self-modifying code through an alias mapping, and no
 * block chaining across a change of the translation of code (cpu.unchain).
 */
#include "cpu_fixture.h"

#define PD 0x100000u
#define PT 0x101000u

/* Identity-map 0-4 MB with 4 KB pages (user, writable), 4-8 MB with one 4 MB page. */
static struct fx *fx_paged(void)
{
	struct fx *f = fx_new();
	fx_put32(f, PD, PT | PTE_P | PTE_W | PTE_U);
	fx_put32(f, PD + 4, 0x400000 | PTE_P | PTE_W | PTE_U | PTE_PS);
	for (u32 i = 0; i < 1024; i++)
		fx_put32(f, PT + i * 4, (i << 12) | PTE_P | PTE_W | PTE_U);
	f->cpu.cr3 = PD;
	f->cpu.cr4 = CR4_PSE | CR4_PGE;
	f->cpu.cr0 |= CR0_PG;
	return f;
}

static u64 st(struct fx *f, const char *n) { return stats_get(&f->stats, n); }

static void test_walk_refs_per_miss(void **state)
{
	struct fx *f = fx_paged();
	f->cpu.r[R_EBX] = 0x200000;
	FX_CODE_RUN(f, 0x8b, 0x03, 0x8b, 0x03); /* two loads of one page */
	/* One data miss (2 refs) for [ebx], one for the stack page? No stack use here.
	 * Code: one ITLB miss (2 refs). */
	assert_int_equal(st(f, "tlb.dtlb_misses"), 1);
	assert_int_equal(st(f, "mem.walk_refs"), 4);
	u64 before = st(f, "mem.walk_refs");
	f->cpu.r[R_EBX] = 0x500000; /* in the 4 MB page: one reference */
	FX_CODE_RUN(f, 0x8b, 0x03);
	assert_int_equal(st(f, "mem.walk_refs") - before, 1);
	assert_int_equal(fx_get32(f, PD + 4) & PTE_A, PTE_A);
	assert_int_equal(fx_get32(f, PD + 4) & PTE_D, 0);
	fx_free(f);
}

static void test_dirty_bit_needs_a_write(void **state)
{
	struct fx *f = fx_paged();
	f->cpu.r[R_EBX] = 0x300000;
	FX_CODE_RUN(f, 0x8b, 0x03); /* read */
	assert_int_equal(fx_get32(f, PT + 0x300 * 4) & (PTE_A | PTE_D), PTE_A);
	FX_CODE_RUN(f, 0x89, 0x03); /* write: TLB entry not dirty -> re-walk sets D */
	assert_int_equal(fx_get32(f, PT + 0x300 * 4) & (PTE_A | PTE_D), PTE_A | PTE_D);
	fx_free(f);
}

static void test_wp_controls_supervisor_writes(void **state)
{
	struct fx *f = fx_paged();
	fx_protected(f);
	fx_gate(f, 14, 0x5000, 0, false);
	f->ram[0x5000] = 0xf4;
	fx_put32(f, PT + 0x300 * 4, 0x300000 | PTE_P | PTE_U); /* read-only */
	f->cpu.r[R_EBX] = 0x300000;
	f->cpu.r[R_EAX] = 0x1234;
	FX_CODE_RUN(f, 0x89, 0x03); /* WP = 0: a supervisor write succeeds */
	assert_int_equal(fx_get32(f, 0x300000), 0x1234);
	f->cpu.cr0 |= CR0_WP;
	tlb_flush_all(&f->cpu.dtlb, false);
	cpu_flush_fast_tlb(&f->cpu);
	FX_CODE_RUN(f, 0x89, 0x03);
	assert_int_equal(f->cpu.eip, 0x5001);
	assert_int_equal(f->cpu.cr2, 0x300000);
	fx_free(f);
}

static void test_global_pages_survive_cr3_load(void **state)
{
	struct fx *f = fx_paged();
	fx_put32(f, PT + 0x301 * 4, 0x301000 | PTE_P | PTE_W | PTE_G);
	f->cpu.r[R_EBX] = 0x301000;
	f->cpu.r[R_ECX] = PD;
	/* load; mov cr3, ecx; load again */
	FX_CODE_RUN(f, 0x8b, 0x03, 0x0f, 0x22, 0xd9, 0x8b, 0x03);
	assert_int_equal(st(f, "tlb.dtlb_misses"), 1); /* the global entry stayed */
	/* A non-global page misses again after the CR3 load. */
	f->cpu.r[R_EBX] = 0x302000;
	FX_CODE_RUN(f, 0x8b, 0x03, 0x0f, 0x22, 0xd9, 0x8b, 0x03);
	assert_int_equal(st(f, "tlb.dtlb_misses"), 3);
	fx_free(f);
}

static void test_invlpg_makes_pte_change_visible(void **state)
{
	struct fx *f = fx_paged();
	fx_put32(f, 0x303000, 0x11111111);
	fx_put32(f, 0x304000, 0x22222222);
	f->cpu.r[R_EBX] = 0x303000;
	FX_CODE_RUN(f, 0x8b, 0x03);
	assert_int_equal(f->cpu.r[R_EAX], 0x11111111);
	fx_put32(f, PT + 0x303 * 4, 0x304000 | PTE_P | PTE_W | PTE_U);
	FX_CODE_RUN(f, 0x0f, 0x01, 0x3b, 0x8b, 0x03); /* invlpg [ebx]; mov eax, [ebx] */
	assert_int_equal(f->cpu.r[R_EAX], 0x22222222);
	assert_int_equal(st(f, "cpu.invlpgs"), 1);
	fx_free(f);
}

static void test_self_modifying_code_through_alias(void **state)
{
	struct fx *f = fx_paged();
	/* Linear 0x305000 aliases the code page (physical 0x1000). The code overwrites
	 * the instruction after the store with "mov eax, 2" through the alias. */
	fx_put32(f, PT + 0x305 * 4, 0x1000 | PTE_P | PTE_W | PTE_U);
	f->cpu.r[R_EBX] = 0x305000 + 6; /* offset of the target instruction */
	f->cpu.r[R_ECX] = 0x000002b8;   /* b8 02 00 00 | 00 */
	/* mov [ebx], ecx (2 bytes); mov byte [ebx+4], 0 (4 bytes); mov eax, 1 (5) */
	FX_CODE_RUN(f, 0x89, 0x0b, 0xc6, 0x43, 0x04, 0x00, 0xb8, 0x01, 0x00, 0x00, 0x00);
	assert_int_equal(f->cpu.r[R_EAX], 2);
	assert_true(st(f, "cpu.smc_writes") >= 1);
	fx_free(f);
}

/* A block that loads CR3 chains to the block after it on its page. When a CR3 load
 * maps that page to another frame, the next block must come from the new frame, not
 * from the chain the old mapping made (the CR3 load raises cpu.unchain). */
static void test_no_chaining_across_a_cr3_load(void **state)
{
	struct fx *f = fx_paged();
	const u32 pd2 = 0x102000, pt2 = 0x103000, frame2 = 0x9000;
	fx_put32(f, pd2, pt2 | PTE_P | PTE_W | PTE_U);
	for (u32 i = 0; i < 1024; i++)
		fx_put32(f, pt2 + i * 4, (i << 12) | PTE_P | PTE_W | PTE_U);
	fx_put32(f, pt2 + (FX_CODE >> 12) * 4, frame2 | PTE_P | PTE_W | PTE_U);
	/* mov cr3, eax (ends its block); mov ebx, imm; hlt — the same first block in both
	 * frames, a different second one */
	static const u8 code2[] = { 0x0f, 0x22, 0xd8, 0xbb, 0x02, 0x00, 0x00, 0x00, 0xf4 };
	memcpy(f->ram + frame2, code2, sizeof(code2));
	f->cpu.r[R_EAX] = PD; /* the first run keeps the mapping: the two blocks chain */
	FX_CODE_RUN(f, 0x0f, 0x22, 0xd8, 0xbb, 0x01, 0x00, 0x00, 0x00);
	assert_int_equal(f->cpu.r[R_EBX], 1);
	f->cpu.eip = FX_CODE;
	f->cpu.r[R_EAX] = pd2; /* the second maps the code page to frame2 on the way */
	assert_int_equal(fx_run(f), RUN_HLT);
	assert_int_equal(f->cpu.r[R_EBX], 2);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_chaining_across_a_cr3_load),
		cmocka_unit_test(test_walk_refs_per_miss),
		cmocka_unit_test(test_dirty_bit_needs_a_write),
		cmocka_unit_test(test_wp_controls_supervisor_writes),
		cmocka_unit_test(test_global_pages_survive_cr3_load),
		cmocka_unit_test(test_invlpg_makes_pte_change_visible),
		cmocka_unit_test(test_self_modifying_code_through_alias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

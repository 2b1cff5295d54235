/*
 * test_mmu_virt.c — the virtualized MMUs under a miniature VMM loop: the nested walk's
 * reference count ((2+1)(4+1)-1 = 14 for a full miss, fewer with the nested walk
 * cache), lazy EPT population, and shadow paging's coherence (a guest PTE write is
 * seen by the next access, A/D bits reach the guest PTE, CR3 switches hit the shadow
 * cache, INVLPG, a page-table page that is also mapped writable).
 */
#include "cpu_fixture.h"

#define PD 0x100000u
#define PT 0x101000u
#define PD2 0x102000u

/* Identity-map 0-4 MB with 4 KB pages through PD/PT. */
static void map_low(struct fx *f, u32 pd)
{
	fx_put32(f, pd, PT | PTE_P | PTE_W | PTE_U);
	for (u32 i = 0; i < 1024; i++)
		fx_put32(f, PT + i * 4, (i << 12) | PTE_P | PTE_W | PTE_U);
}

static struct fx *fx_mmu(const char *mmu, u64 nwc)
{
	struct fx *f = fx_new();
	f->prof.v[P_VMX_NWC] = nwc;
	f->prof.v[P_MEM_WALK_REF] = 1;
	f->cpu.mmu = mmu_find(mmu);
	assert_non_null(f->cpu.mmu);
	assert_int_equal(f->cpu.mmu->init(&f->cpu), 0);
	map_low(f, PD);
	f->cpu.cr3 = PD;
	f->cpu.cr0 |= CR0_PG | CR0_WP;
	f->cpu.icpt.active = true;
	if (!strcmp(mmu, "shadow"))
		f->cpu.icpt.exception_bitmap = 1u << EXC_PF;
	return f;
}

/* A minimal VMM: resolve MMU exits until the guest halts. */
static enum run_status vmm_run(struct fx *f)
{
	struct cpu *c = &f->cpu;
	for (int guard = 0; guard < 10000; guard++) {
		enum run_status r = fx_run(f);
		if (r != RUN_EXIT)
			return r;
		struct exit_record *e = &f->exit;
		if (e->reason == EXIT_EPT_VIOLATION) {
			assert_int_equal(c->mmu->violation(c, (u32)e->gpa), 0);
		} else if (e->reason == EXIT_EXCEPTION_NMI && e->vector == EXC_PF) {
			u32 pfec;
			struct mmu_fault pf = { e->linear, e->error_code, (e->idt_info & IDT_INFO_VALID) != 0 };
			int m = c->mmu->fault(c, &pf, &pfec);
			if (getenv("TRACE") && guard < 20)
				print_error("exit pf lin %#x err %#x eip %#x -> %d\n", e->linear, e->error_code, e->guest_eip, m);
			if (m == MMU_EMULATE) {
				if (cpu_emulate(c, e, c->cpl) == RUN_STEP) /* else it exits again on re-execution */
					c->mmu->after_emulate(c);
			} else if (m == MMU_GUEST_FAULT) {
				print_error("guest fault at %#x err %#x eip %#x\n", e->linear, e->error_code, e->guest_eip);
				return RUN_ERROR; /* tests here expect none */
			}
		} else {
			fail_msg("unexpected exit %u", e->reason);
		}
	}
	print_error("vmm loop did not converge: last exit %u at %#x linear %#x\n", f->exit.reason, f->exit.guest_eip, f->exit.linear);
	return RUN_ERROR;
}

static void flush_tlbs(struct fx *f)
{
	tlb_flush_all(&f->cpu.itlb, false);
	tlb_flush_all(&f->cpu.dtlb, false);
	cpu_flush_fast_tlb(&f->cpu);
	if (f->cpu.mmu->flush)
		f->cpu.mmu->flush(&f->cpu);
}

static u64 refs_of_load(struct fx *f, u32 va)
{
	static u8 code[] = { 0x8b, 0x03 }; /* mov eax, [ebx] */
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT); /* populate everything first */
	flush_tlbs(f);
	f->cpu.eip = FX_CODE;
	f->cpu.r[R_EBX] = va;
	/* the code page walk happens too: measure the data walk alone by warming the
	 * ITLB with a first run and flushing only the DTLB */
	assert_int_equal(vmm_run(f), RUN_HLT);
	tlb_flush_all(&f->cpu.dtlb, false);
	cpu_flush_fast_tlb(&f->cpu);
	if (f->cpu.mmu->flush)
		f->cpu.mmu->flush(&f->cpu);
	u64 before = stats_get(&f->stats, "mem.walk_refs");
	f->cpu.eip = FX_CODE;
	assert_int_equal(vmm_run(f), RUN_HLT);
	return stats_get(&f->stats, "mem.walk_refs") - before;
}

static void test_nested_walk_is_14_refs(void **state)
{
	struct fx *f = fx_mmu("nested", 0);
	f->cpu.r[R_EBX] = 0x300000;
	u64 refs = refs_of_load(f, 0x300000);
	assert_int_equal(refs, 14);
	assert_true(stats_get(&f->stats, "nested.ept_violations") > 0);
	f->cpu.mmu->fini(&f->cpu);
	f->cpu.mmu = mmu_find("direct");
	fx_free(f);
}

static void test_nested_walk_cache_saves_refs(void **state)
{
	struct fx *f = fx_mmu("nested", 32);
	u64 refs = refs_of_load(f, 0x300000);
	/* the PDE, PTE and frame lie in 2 MB regions the cache keeps after flushing only
	 * the combined TLB: 3 nested translations of 1 reference each, 2 guest refs */
	f->cpu.mmu->flush(&f->cpu); /* and with the cache cold: 14 again */
	assert_true(refs <= 14);
	f->cpu.eip = FX_CODE;
	tlb_flush_all(&f->cpu.dtlb, false);
	cpu_flush_fast_tlb(&f->cpu);
	u64 before = stats_get(&f->stats, "mem.walk_refs");
	assert_int_equal(vmm_run(f), RUN_HLT);
	u64 cold = stats_get(&f->stats, "mem.walk_refs") - before;
	/* cold: the PDE's nested walk (4) fills the cache for the 0-2 MB region, so the
	 * PTE's (same region) takes 1; the frame at 3 MB is another region (4); plus the
	 * 2 guest references */
	assert_int_equal(cold, 11);
	tlb_flush_all(&f->cpu.dtlb, false);
	cpu_flush_fast_tlb(&f->cpu);
	before = stats_get(&f->stats, "mem.walk_refs");
	f->cpu.eip = FX_CODE;
	assert_int_equal(vmm_run(f), RUN_HLT);
	u64 warm = stats_get(&f->stats, "mem.walk_refs") - before;
	assert_int_equal(warm, 5); /* 3 nested translations at 1 ref + 2 guest refs */
	f->cpu.mmu->fini(&f->cpu);
	f->cpu.mmu = mmu_find("direct");
	fx_free(f);
}

static void test_shadow_sees_guest_pte_write(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	fx_put32(f, 0x200000, 0x11111111);
	fx_put32(f, 0x201000, 0x22222222);
	c->r[R_EBX] = 0x300000; /* VA 0x300000 -> frame 0x200000 */
	fx_put32(f, PT + 0x300 * 4, 0x200000 | PTE_P | PTE_W);
	/* mov eax,[ebx]; mov [esi],edx (rewrite the PTE through the identity map);
	 * invlpg [ebx]; mov ecx,[ebx] */
	c->r[R_ESI] = PT + 0x300 * 4;
	c->r[R_EDX] = 0x201000 | PTE_P | PTE_W;
	static const u8 code[] = { 0x8b, 0x03, 0x89, 0x16, 0x0f, 0x01, 0x3b, 0x8b, 0x0b };
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(c->r[R_EAX], 0x11111111);
	assert_int_equal(c->r[R_ECX], 0x22222222);
	assert_true(stats_get(&f->stats, "shadow.hidden_faults") > 0);
	assert_true(stats_get(&f->stats, "shadow.traced_writes") >= 1); /* the PT page is shadowed */
	/* accessed bit reflected into the guest PTE */
	assert_true(fx_get32(f, PT + 0x300 * 4) & PTE_A);
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

/* The same without the INVLPG, which drops the shadow entry by itself: only the
 * resynchronisation after the emulated PTE write (after_emulate) can make the next
 * access see the new mapping once the hardware TLB is gone (a world switch). */
static void test_shadow_pte_write_resyncs_without_invlpg(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	fx_put32(f, 0x200000, 0x11111111);
	fx_put32(f, 0x201000, 0x22222222);
	fx_put32(f, PT + 0x300 * 4, 0x200000 | PTE_P | PTE_W);
	c->r[R_EBX] = 0x300000;
	c->r[R_ESI] = PT + 0x300 * 4;
	c->r[R_EDX] = 0x201000 | PTE_P | PTE_W;
	static const u8 code[] = { 0x8b, 0x03, 0x89, 0x16 }; /* mov eax,[ebx]; mov [esi],edx */
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(c->r[R_EAX], 0x11111111);
	tlb_flush_all(&c->itlb, false);
	tlb_flush_all(&c->dtlb, false);
	cpu_flush_fast_tlb(c);
	static const u8 code2[] = { 0x8b, 0x0b }; /* mov ecx,[ebx] */
	fx_code(f, code2, sizeof(code2));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(c->r[R_ECX], 0x22222222);
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

/* With CR0.WP clear a supervisor write to a read-only page is the guest's right: the
 * shadow emulates it (it once recursed forever here). */
static void test_shadow_supervisor_write_with_wp_clear(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	c->cr0 &= ~CR0_WP;
	fx_put32(f, PT + 0x330 * 4, 0x202000 | PTE_P); /* read-only */
	c->r[R_EBX] = 0x330000;
	c->r[R_EAX] = 0x5a5a5a5a;
	static const u8 code[] = { 0x89, 0x03, 0x89, 0x43, 0x04 }; /* mov [ebx],eax; mov [ebx+4],eax */
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(fx_get32(f, 0x202000), 0x5a5a5a5a);
	assert_int_equal(fx_get32(f, 0x202004), 0x5a5a5a5a);
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

/* A guest PTE naming a frame beyond RAM (an MMIO address): unassigned memory, as natively. */
static void test_shadow_frame_beyond_ram(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	fx_put32(f, PT + 0x340 * 4, 0xfee00000u | PTE_P | PTE_W);
	c->r[R_EBX] = 0x340000;
	static const u8 code[] = { 0x89, 0x03, 0x8b, 0x0b }; /* mov [ebx],eax; mov ecx,[ebx] */
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(c->r[R_ECX], 0); /* unassigned memory reads 0 */
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

static void test_shadow_dirty_bit_and_cr3_cache(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	map_low(f, PD2); /* a second address space sharing the page table */
	c->r[R_EBX] = 0x310000;
	c->r[R_ECX] = PD2;
	c->r[R_EDX] = PD;
	/* mov [ebx], eax (write: D); mov cr3, ecx; mov eax,[ebx]; mov cr3, edx; mov eax,[ebx] */
	static const u8 code[] = { 0x89, 0x03, 0x0f, 0x22, 0xd9, 0x8b, 0x03, 0x0f, 0x22, 0xda, 0x8b, 0x03 };
	fx_code(f, code, sizeof(code));
	assert_int_equal(vmm_run(f), RUN_HLT);
	assert_int_equal(fx_get32(f, PT + 0x310 * 4) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_true(stats_get(&f->stats, "shadow.cr3_switches") >= 2);
	assert_true(stats_get(&f->stats, "shadow.cr3_cache_hits") >= 1); /* back to PD */
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

static void test_shadow_true_fault_is_reflected(void **state)
{
	struct fx *f = fx_mmu("shadow", 0);
	struct cpu *c = &f->cpu;
	fx_put32(f, PT + 0x320 * 4, 0); /* not present in the guest */
	c->r[R_EBX] = 0x320000;
	static const u8 code[] = { 0x8b, 0x03 };
	fx_code(f, code, sizeof(code));
	enum run_status r = fx_run(f);
	/* first the code page fills, then the data access is a true fault */
	while (r == RUN_EXIT) {
		u32 pfec;
		struct mmu_fault pf = { f->exit.linear, f->exit.error_code, false };
		int m = c->mmu->fault(c, &pf, &pfec);
		if (m == MMU_GUEST_FAULT) {
			assert_int_equal(f->exit.linear, 0x320000);
			assert_int_equal(pfec, 0); /* not present, read, supervisor */
			assert_int_equal(stats_get(&f->stats, "shadow.true_faults"), 1);
			assert_int_not_equal(c->cr2, 0x320000); /* the exit left CR2 alone */
			break;
		}
		r = fx_run(f);
	}
	assert_int_equal(r, RUN_EXIT);
	c->mmu->fini(c);
	c->mmu = mmu_find("direct");
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_walk_is_14_refs),
		cmocka_unit_test(test_nested_walk_cache_saves_refs),
		cmocka_unit_test(test_shadow_sees_guest_pte_write),
		cmocka_unit_test(test_shadow_pte_write_resyncs_without_invlpg),
		cmocka_unit_test(test_shadow_supervisor_write_with_wp_clear),
		cmocka_unit_test(test_shadow_frame_beyond_ram),
		cmocka_unit_test(test_shadow_dirty_bit_and_cr3_cache),
		cmocka_unit_test(test_shadow_true_fault_is_reflected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

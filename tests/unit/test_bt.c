/*
 * test_bt.c — the bt engine on tiny kernels: each is a few hand-assembled instructions
 * (a multiboot a.out-kludge image the test writes, loaded at 1 MiB, its code at
 * 0x100020) run under bt/shadow through the real run loop, ending with OUT to the exit
 * port (exit code = AL * 2 + 1). They check what the translator must get right by
 * what the guest sees: the virtual IF through CLI/STI/PUSHF, CS's RPL 0, a loop whose
 * direct branch is chained (few callouts for many iterations), and a kernel that
 * rewrites its own translated code and must see the new code run.
 */
#include "cpu_fixture.h"
#include "tiny_kernel.h"

#include <stdio.h>
#include <unistd.h>

#include "core/vm.h"

/* Run `code` under bt/shadow; returns the VM (the caller destroys it). */
static struct vm *run_bt(const u8 *code, size_t n)
{
	return tiny_run(code, n, "bt", "shadow", VM_EXITED);
}

static void test_bt_virtual_if(void **state)
{
	/* mov $0x90000,%esp (multiboot leaves no stack); cli; pushf; pop %eax; shr $9,%eax; and $1,%eax; mov %eax,%ebx;
	 * sti; pushf; pop %eax; shr $9,%eax; and $1,%eax; shl %eax; or %ebx,%eax;
	 * out %al,$0xf4; hlt */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0xfa, 0x9c, 0x58, 0xc1, 0xe8, 0x09, 0x83, 0xe0, 0x01, 0x89, 0xc3,
				   0xfb, 0x9c, 0x58, 0xc1, 0xe8, 0x09, 0x83, 0xe0, 0x01, 0xd1, 0xe0, 0x09, 0xd8,
				   0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (2 << 1) | 1); /* IF 0 after CLI, 1 after STI */
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.cli"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.sti"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.pushf"), 2);
	assert_true(vm->cpu.eflags & FL_IF); /* the real IF stays set */
	vm_destroy(vm);
}

static void test_bt_virtual_if_inline(void **state)
{
	/* mov $0x90000,%esp; mov $100,%ecx;
	 * L: cli; pushf; pop %eax; push %eax; popf; sti; pushf; pop %ebx; dec %ecx; jnz L;
	 * shr $9,%eax; and $1,%eax; shr $8,%ebx; and $2,%ebx; or %ebx,%eax; out %al,$0xf4; hlt
	 * A hundred rounds of CLI, PUSHF, POPF (of an IF-clear value), STI, PUSHF: the
	 * guest sees its own IF each time, and the translations run them inline: after
	 * the first round (translation, chaining) no callout. */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0xb9, 0x64, 0x00, 0x00, 0x00, 0xfa, 0x9c, 0x58,
				   0x50, 0x9d, 0xfb, 0x9c, 0x5b, 0x49, 0x75, 0xf5, 0xc1, 0xe8, 0x09, 0x83, 0xe0,
				   0x01, 0xc1, 0xeb, 0x08, 0x83, 0xe3, 0x02, 0x09, 0xd8, 0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (2 << 1) | 1); /* IF 0 after CLI and POPF, 1 after STI */
	assert_true(stats_get(&vm->stats, "bt.callouts") < 30);  /* 500 if each called out */
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.cli_co"), 0);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.popf_co"), 0);
	assert_true(vm->cpu.eflags & FL_IF); /* the real IF stays set */
	vm_destroy(vm);
}

static void test_bt_cs_reads_ring0(void **state)
{
	/* mov %cs,%eax; and $3,%eax; add $0x10,%eax; out %al,$0xf4; hlt */
	static const u8 code[] = { 0x8c, 0xc8, 0x83, 0xe0, 0x03, 0x83, 0xc0, 0x10, 0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (0x10 << 1) | 1); /* RPL 0, though the TC runs in ring 1 */
	assert_int_equal(vm->cpu.cpl, 1);
	vm_destroy(vm);
}

static void test_bt_loop_is_chained(void **state)
{
	/* mov $100,%ecx; xor %eax,%eax; 1: inc %eax; dec %ecx; jnz 1b; out %al,$0xf4; hlt */
	static const u8 code[] = { 0xb9, 100, 0, 0, 0, 0x31, 0xc0, 0x40, 0x49, 0x75, 0xfc, 0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (100 << 1) | 1);
	assert_true(stats_get(&vm->stats, "bt.chained") >= 1);
	assert_true(stats_get(&vm->stats, "bt.callouts") < 10); /* not one per iteration */
	assert_true(stats_get(&vm->stats, "bt.ident") >= 4);
	assert_true(stats_get(&vm->stats, "bt.blocks_translated") >= 2);
	vm_destroy(vm);
}

static void test_bt_self_modifying_kernel(void **state)
{
	/* xor %ebx,%ebx; mov $2,%ecx;
	 * 1: mov $1,%al (its immediate at 0x100028); add %al,%bl; movb $5,0x100028;
	 *    dec %ecx; jnz 1b;
	 * mov %bl,%al; out %al,$0xf4; hlt
	 * The second pass must run the rewritten instruction: 1 + 5 = 6 (stale: 2). */
	static const u8 code[] = { 0x31, 0xdb, 0xb9, 0x02, 0, 0, 0, 0xb0, 0x01, 0x00, 0xc3, 0xc6, 0x05, 0x28, 0x00, 0x10,
				   0x00, 0x05, 0x49, 0x75, 0xf2, 0x88, 0xd8, 0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (6 << 1) | 1);
	assert_true(stats_get(&vm->stats, "bt.invalidations") >= 1);
	assert_true(stats_get(&vm->stats, "bt.tc_flushes") >= 1);
	vm_destroy(vm);
}

static void test_bt_translation_is_charged(void **state)
{
	static const u8 code[] = { 0xb0, 0x07, 0xe6, 0xf4, 0xf4 }; /* mov $7,%al; out %al,$0xf4; hlt */
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (7 << 1) | 1);
	u64 n = stats_get(&vm->stats, "bt.insns_translated");
	assert_true(n >= 2);
	assert_int_equal(vm->cost.cat[COST_TRANSLATE], n * vm->prof.v[P_BT_TRANSLATE_INSN]);
	assert_true(stats_get(&vm->stats, "exits.BT_CALLOUT") >= 1); /* the OUT */
	vm_destroy(vm);
}

static void test_bt_ret_lookup_hit_and_miss(void **state)
{
	/* mov $0x90000,%esp; xor %ebx,%ebx; mov $10,%ecx;
	 * 1: call f; adc $0,%ebx; dec %ecx; jnz 1b; mov %ebx,%eax; out %al,$0xf4; hlt;
	 * f: inc %ebx; stc; ret
	 * Ten RETs to the same guest EIP: the first misses (the VMM translates it and fills
	 * the entry), nine hit inline; CF set before the RET survives its lookup. */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0x31, 0xdb, 0xb9, 0x0a, 0x00, 0x00, 0x00, 0xe8, 0x0b,
				   0x00, 0x00, 0x00, 0x83, 0xd3, 0x00, 0x49, 0x75, 0xf5, 0x89, 0xd8, 0xe6, 0xf4, 0xf4,
				   0x43, 0xf9, 0xc3 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (20 << 1) | 1);
	assert_int_equal(stats_get(&vm->stats, "bt.lookup_misses"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.ret"), 1);
	assert_true(stats_get(&vm->stats, "bt.indirect_sites") >= 1);
	assert_true(stats_get(&vm->stats, "bt.callouts") < 10); /* not one per RET */
	vm_destroy(vm);
}

static void test_bt_indirect_call_jmp_lookup(void **state)
{
	/* mov $0x90000,%esp; xor %ebx,%ebx; mov $10,%ecx;
	 * 1: call *ptr; mov $g,%eax; jmp *%eax; g: dec %ecx; jnz 1b;
	 * mov %ebx,%eax; out %al,$0xf4; hlt; f: inc %ebx; ret $0; ptr: .long f
	 * CALL through memory, JMP through a register, RET imm16: one miss each, then hits;
	 * the CALL pushed the guest's return EIP (the RET went back into the loop). */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0x31, 0xdb, 0xb9, 0x0a, 0x00, 0x00, 0x00, 0xff, 0x15,
				   0x48, 0x00, 0x10, 0x00, 0xb8, 0x39, 0x00, 0x10, 0x00, 0xff, 0xe0, 0x49, 0x75, 0xf0,
				   0x89, 0xd8, 0xe6, 0xf4, 0xf4, 0x43, 0xc2, 0x00, 0x00, 0x8d, 0x76, 0x00, 0x41, 0x00,
				   0x10, 0x00 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (10 << 1) | 1);
	assert_int_equal(vm->cpu.r[R_ESP], 0x90000); /* every CALL's push popped by its RET */
	assert_int_equal(stats_get(&vm->stats, "bt.lookup_misses"), 3);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.icall"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.ijmp"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.ret"), 1);
	assert_int_equal(stats_get(&vm->stats, "bt.indirect_sites"), 4); /* the loop's CALL is in two blocks */
	vm_destroy(vm);
}

static void test_bt_inline_segment_load(void **state)
{
	/* mov $0x90000,%esp; lgdt gdtr; mov $0x10,%eax; mov %eax,%ds; mov 0x20,%al;
	 * mov %ds,%ebx; add %bl,%al; out %al,$0xf4; hlt;
	 * gdtr: limit 23, the GDT after it: null, flat ring-0 code, ring-0 data based at
	 * 0x100000. The MOV to DS runs in the TC (no callout) and loads the guest's
	 * descriptor: DS:0x20 is this code's first byte (0xbc), and DS reads back 0x10. */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0x0f, 0x01, 0x15, 0x40, 0x00, 0x10, 0x00, 0xb8, 0x10,
				   0x00, 0x00, 0x00, 0x8e, 0xd8, 0xa0, 0x20, 0x00, 0x00, 0x00, 0x8c, 0xdb, 0x00, 0xd8,
				   0xe6, 0xf4, 0xf4, 0x90, 0x17, 0x00, 0x48, 0x00, 0x10, 0x00, 0x66, 0x90, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
				   0xff, 0xff, 0x00, 0x00, 0x10, 0x92, 0xcf, 0x00 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (0xcc << 1) | 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.emulate"), 1); /* LGDT only */
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.io"), 1);      /* and OUT */
	assert_int_equal(vm->cpu.seg[SEG_DS].sel, 0x10);
	assert_int_equal(vm->cpu.seg[SEG_DS].base, 0x100000);
	vm_destroy(vm);
}

static void test_bt_fault_in_lookup_is_precise(void **state)
{
	/* A kernel with its own GDT and IDT (#GP -> handler) loads DS with a 4 KB limit,
	 * sets EAX, ECX and CF, and runs `call *0x2000`: the lookup's read of the guest's
	 * operand faults inside the inline sequence. The handler checks the frame: EIP is
	 * the CALL's, EAX/ECX/ESP as before it, CF kept: AL 1 (else 4: EIP, 3: state).
	 * (tests/unit/test_bt.c's kernels are assembled from the source in each comment.) */
	static const u8 code[] = {
				   0xbc, 0x00, 0x00, 0x09, 0x00, 0x0f, 0x01, 0x15, 0x88, 0x00, 0x10, 0x00, 0x0f, 0x01, 0x1d,
				   0x90, 0x00, 0x10, 0x00, 0xb8, 0x18, 0x00, 0x00, 0x00, 0x8e, 0xd8, 0xb8, 0x11, 0x11, 0x11,
				   0x11, 0xb9, 0x22, 0x22, 0x22, 0x22, 0xf9, 0xff, 0x15, 0x00, 0x20, 0x00, 0x00, 0xf4, 0xbb,
				   0x10, 0x00, 0x00, 0x00, 0x8e, 0xdb, 0xb3, 0x04, 0x81, 0x7c, 0x24, 0x04, 0x45, 0x00, 0x10,
				   0x00, 0x75, 0x22, 0xfe, 0xcb, 0x3d, 0x11, 0x11, 0x11, 0x11, 0x75, 0x19, 0x81, 0xf9, 0x22,
				   0x22, 0x22, 0x22, 0x75, 0x11, 0x81, 0xfc, 0xf0, 0xff, 0x08, 0x00, 0x75, 0x09, 0xf6, 0x44,
				   0x24, 0x0c, 0x01, 0x74, 0x02, 0xb3, 0x01, 0x88, 0xd8, 0xe6, 0xf4, 0xf4, 0x66, 0x90, 0x1f,
				   0x00, 0x98, 0x00, 0x10, 0x00, 0x66, 0x90, 0x6f, 0x00, 0xb8, 0x00, 0x10, 0x00, 0x66, 0x90,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf,
				   0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x92,
				   0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x4c, 0x00, 0x08, 0x00, 0x00, 0x8e, 0x10, 0x00
	};
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (1 << 1) | 1);
	assert_true(stats_get(&vm->stats, "bt.events_delivered") >= 1);
	vm_destroy(vm);
}

static void test_bt_push_gs_is_the_guests(void **state)
{
	/* mov $0x90000,%esp; push %gs; pop %eax; mov %gs,%ecx; sub %ecx,%eax; add $5,%al;
	 * out %al,$0xf4; hlt. While the TC runs GS is the VMM's: the inline PUSH GS must push
	 * the guest's selector, the one MOV from GS (emulated) shows. */
	static const u8 code[] = { 0xbc, 0x00, 0x00, 0x09, 0x00, 0x0f, 0xa8, 0x58, 0x8c, 0xe9, 0x29, 0xc8, 0x04, 0x05,
				   0xe6, 0xf4, 0xf4 };
	struct vm *vm = run_bt(code, sizeof(code));
	assert_int_equal(vm->exit_code, (5 << 1) | 1);
	assert_int_equal(stats_get(&vm->stats, "bt.callouts.pushgs"), 1); /* its slot, once */
	vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bt_virtual_if),
		cmocka_unit_test(test_bt_virtual_if_inline),
		cmocka_unit_test(test_bt_cs_reads_ring0),
		cmocka_unit_test(test_bt_loop_is_chained),
		cmocka_unit_test(test_bt_self_modifying_kernel),
		cmocka_unit_test(test_bt_translation_is_charged),
		cmocka_unit_test(test_bt_ret_lookup_hit_and_miss),
		cmocka_unit_test(test_bt_indirect_call_jmp_lookup),
		cmocka_unit_test(test_bt_inline_segment_load),
		cmocka_unit_test(test_bt_fault_in_lookup_is_precise),
		cmocka_unit_test(test_bt_push_gs_is_the_guests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_bt_listing.c — engines/bt/listing.c, what bench translate shows: a tiny kernel
 * (a counted loop whose JNZ gets chained) runs under bt/shadow, then its translations
 * are listed. The IDENT bytes the listing points at are the TC's own and equal the
 * guest's code byte for byte; the loop's JNZ shows as chained on its taken side; every
 * kind has a name, the one its bt.callouts.NAME counter uses.
 */
#include "cpu_fixture.h"
#include "tiny_kernel.h"

#include <stdio.h>
#include <unistd.h>

#include "core/vm.h"
#include "engines/bt/listing.h"
#include "vmm/guestmem.h"

#define CODE 0x100020u

/* mov $100,%ecx; xor %eax,%eax; 1: inc %eax; dec %ecx; jnz 1b; out %al,$0xf4; hlt */
static const u8 loop[] = { 0xb9, 100, 0, 0, 0, 0x31, 0xc0, 0x40, 0x49, 0x75, 0xfc, 0xe6, 0xf4, 0xf4 };

static struct vm *run_loop(const char *engine, const char *mmu)
{
	struct vm *vm = tiny_run(loop, sizeof(loop), engine, mmu, VM_EXITED);
	assert_int_equal(vm->exit_code, (100 << 1) | 1);
	return vm;
}

static void test_bt_listing_ident_bytes_are_guest_bytes(void **state)
{
	struct vm *vm = run_loop("bt", "shadow");
	struct bt_listing l;
	assert_int_equal(bt_listing_block(vm, CODE, &l), 0);
	/* mov, xor, inc, dec are IDENT; the JNZ ends the block */
	assert_int_equal(l.kind, BK_JCC);
	assert_int_equal(l.ident, 9);
	assert_int_equal(l.ninsns, 5);
	assert_int_equal(l.len, 2);
	assert_ptr_equal(l.bytes, vm->vmm_mem + (l.tc - vm->vmm_win)); /* the TC itself */
	assert_memory_equal(l.bytes, loop, l.ident);
	u8 guest[16];
	assert_true(vmm_guest_read(vm, CODE, guest, l.ident));
	assert_memory_equal(l.bytes, guest, l.ident);
	assert_int_equal(l.bytes[l.ident], 0x0f); /* the tail: a jcc rel32, not the guest's jnz rel8 */
	vm_destroy(vm);
}

static void test_bt_listing_loop_is_chained_taken(void **state)
{
	struct vm *vm = run_loop("bt", "shadow");
	struct bt_listing l, in;
	assert_int_equal(bt_listing_block(vm, CODE, &l), 0);
	assert_int_equal(l.nexits, 2);
	assert_int_equal(l.exit[0].geip, CODE + 11); /* not taken: the OUT */
	assert_int_equal(l.exit[1].geip, CODE + 7);  /* taken: the loop's head */
	/* the loop's own block, entered 99 times, chained to itself on its taken side */
	assert_int_equal(bt_listing_block(vm, CODE + 7, &in), 0);
	assert_int_equal(in.kind, BK_JCC);
	assert_true(in.exit[1].chained);
	assert_int_equal(in.exit[1].to, in.tc);
	u32 g = 0;
	assert_true(bt_listing_guest_of(vm, in.exit[1].to, &g));
	assert_int_equal(g, CODE + 7);
	assert_true(in.callouts < 10); /* not one per iteration */
	assert_true(in.exits >= in.callouts);
	assert_true(bt_kind_is_inline(BK_JCC, true));
	assert_false(bt_kind_is_inline(BK_JCC, false));
	assert_int_equal(bt_listing_block(vm, CODE + 1, &in), -1); /* no block starts there */
	vm_destroy(vm);
}

static void test_bt_listing_not_bt_refused(void **state)
{
	struct vm *vm = run_loop("native", "direct");
	struct bt_listing l;
	assert_int_equal(bt_listing_block(vm, CODE, &l), -1);
	vm_destroy(vm);
}

static void test_bt_kind_every_kind_named_as_its_counter(void **state)
{
	struct vm *vm = run_loop("bt", "shadow");
	for (unsigned k = 0; k < BK_KINDS; k++) {
		char name[64];
		assert_string_not_equal(bt_kind_name(k), "?");
		assert_string_not_equal(bt_kind_help(k), "?");
		for (unsigned j = 0; j < k; j++)
			assert_string_not_equal(bt_kind_name(k), bt_kind_name(j));
		snprintf(name, sizeof(name), "bt.callouts.%s", bt_kind_name(k));
		bool found = false;
		for (unsigned i = 0; i < vm->stats.n; i++)
			found |= !strcmp(vm->stats.name[i], name);
		assert_true(found);
	}
	assert_true(bt_kind_is_inline(BK_RET, false)); /* a lookup: a callout only on a miss */
	assert_true(bt_kind_is_inline(BK_CLI, true));  /* inline on the virtual IF, then a slot */
	assert_false(bt_kind_is_inline(BK_IRET, true)); /* always a callout */
	vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bt_listing_ident_bytes_are_guest_bytes),
		cmocka_unit_test(test_bt_listing_loop_is_chained_taken),
		cmocka_unit_test(test_bt_listing_not_bt_refused),
		cmocka_unit_test(test_bt_kind_every_kind_named_as_its_counter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

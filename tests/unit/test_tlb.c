/*
 * test_tlb.c — the modeled TLB alone: round-robin victims per set, flushes by
 * generation (victims unchanged by them, nothing resurrected when the generation wraps),
 * global entries kept across a non-global flush, and what the fast TLB is told.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/tlb.h"

struct told {
	unsigned evicted, evicted_all;
	u32 last_vpn, last_n;
};

static void on_evict(void *opaque, u32 vpn, u32 n)
{
	struct told *t = opaque;
	t->evicted++;
	t->last_vpn = vpn;
	t->last_n = n;
}

static void on_evict_all(void *opaque) { ((struct told *)opaque)->evicted_all++; }

static void setup(struct tlb *t, struct told *told, unsigned entries, unsigned ways)
{
	*told = (struct told){ 0 };
	assert_int_equal(tlb_init(t, entries, ways), 0);
	t->evict = on_evict;
	t->evict_all = on_evict_all;
	t->opaque = told;
	t->misses = t->flushes = NULL;
}

static struct tlb_entry *put(struct tlb *t, u32 vpn, bool global)
{
	struct tlb_entry f = { .vpn = vpn, .ppn = vpn + 0x100, .global = global, .user = 1 };
	return tlb_insert(t, &f);
}

static void test_tlb_set_full_evicts_round_robin(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 8, 2); /* 4 sets of 2 ways */
	struct tlb_entry *a = put(&t, 0x10, false), *b = put(&t, 0x14, false);
	assert_ptr_not_equal(a, b);
	struct tlb_entry *c = put(&t, 0x18, false); /* set 0 is full: its first way goes */
	assert_ptr_equal(c, a);
	assert_null(tlb_lookup(&t, 0x10));
	assert_ptr_equal(tlb_lookup(&t, 0x14), b);
	assert_ptr_equal(tlb_lookup(&t, 0x18), c);
	assert_int_equal(told.evicted, 1);
	assert_int_equal(told.last_vpn, 0x10);
	tlb_free(&t);
}

static void test_tlb_sets_not_power_of_two_index_by_modulo(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 6, 2); /* 3 sets: pages 0, 3 and 6 share set 0 */
	struct tlb_entry *a = put(&t, 0, false);
	put(&t, 1, false);
	put(&t, 3, false);
	assert_ptr_equal(put(&t, 6, false), a);
	assert_null(tlb_lookup(&t, 0));
	assert_non_null(tlb_lookup(&t, 1));
	assert_non_null(tlb_lookup(&t, 3));
	tlb_free(&t);
}

static void test_tlb_full_flush_keeps_victim_order(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 4, 4); /* fully associative */
	struct tlb_entry *first = put(&t, 1, false);
	put(&t, 2, false);
	tlb_flush_all(&t, false);
	assert_int_equal(told.evicted_all, 1);
	assert_int_equal(told.evicted, 0);
	assert_null(tlb_lookup(&t, 1));
	assert_null(tlb_lookup(&t, 2));
	/* the round-robin pointer is where it was: ways 2, 3, then 0 again */
	struct tlb_entry *w2 = put(&t, 3, false), *w3 = put(&t, 4, false), *w0 = put(&t, 5, false);
	assert_int_equal(w2 - first, 2);
	assert_int_equal(w3 - first, 3);
	assert_ptr_equal(w0, first);
	assert_int_equal(told.evicted, 0); /* the flushed entries were not valid any more */
	assert_ptr_equal(tlb_lookup(&t, 5), w0);
	assert_null(tlb_lookup(&t, 1));
	tlb_free(&t);
}

static void test_tlb_generation_wrap_resurrects_nothing(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 2, 1); /* two direct-mapped sets */
	put(&t, 2, false);      /* set 0, never touched again */
	for (unsigned i = 0; i < 70000; i++) {
		tlb_flush_all(&t, false);
		put(&t, 1 + 2 * (i & 7), false); /* set 1 keeps the TLB non-empty */
		assert_null(tlb_lookup(&t, 2));
	}
	assert_ptr_not_equal(tlb_lookup(&t, 1 + 2 * (69999 & 7)), NULL);
	assert_int_equal(t.nvalid, 1);
	tlb_free(&t);
}

static void test_tlb_nonglobal_flush_keeps_global(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 8, 8);
	struct tlb_entry *g = put(&t, 0x300, true);
	put(&t, 0x301, false);
	tlb_flush_all(&t, true);
	assert_ptr_equal(tlb_lookup(&t, 0x300), g);
	assert_null(tlb_lookup(&t, 0x301));
	assert_int_equal(told.evicted, 1);
	assert_int_equal(told.last_vpn, 0x301);
	tlb_flush_all(&t, false);
	assert_null(tlb_lookup(&t, 0x300));
	tlb_free(&t);
}

static void test_tlb_flush_page_drops_small_and_large(void **state)
{
	struct tlb t;
	struct told told;
	setup(&t, &told, 8, 8);
	struct tlb_entry big = { .vpn = 0x400, .ppn = 0x800, .large = 1 };
	tlb_insert(&t, &big);
	put(&t, 0x401, false);
	assert_int_equal(tlb_lookup(&t, 0x5ff)->vpn, 0x400); /* inside the 4 MB page */
	tlb_flush_page(&t, 0x401);
	assert_null(tlb_lookup(&t, 0x401));
	assert_null(tlb_lookup(&t, 0x5ff));
	assert_int_equal(told.evicted, 2);
	assert_int_equal(t.nvalid, 0);
	tlb_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlb_set_full_evicts_round_robin),
		cmocka_unit_test(test_tlb_sets_not_power_of_two_index_by_modulo),
		cmocka_unit_test(test_tlb_full_flush_keeps_victim_order),
		cmocka_unit_test(test_tlb_generation_wrap_resurrects_nothing),
		cmocka_unit_test(test_tlb_nonglobal_flush_keeps_global),
		cmocka_unit_test(test_tlb_flush_page_drops_small_and_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

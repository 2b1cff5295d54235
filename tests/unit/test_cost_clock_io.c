/*
 * test_cost_clock_io.c — the machine's bookkeeping: cost accountant, named counters,
 * modeled-time timers and the port bus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/cost.h"
#include "core/io.h"
#include "core/stats.h"

static void test_cost_categories(void **state)
{
	struct cost c = { 0 };
	cost_guest(&c, 100);
	cost_charge(&c, COST_MEM, 30);
	cost_charge(&c, COST_IO, 5);
	assert_int_equal(c.now, 135);
	assert_int_equal(cost_category(&c, COST_GUEST), 100);
	assert_int_equal(cost_category(&c, COST_MEM), 30);
	assert_int_equal(cost_category(&c, COST_IO), 5);
	assert_string_equal(cost_category_name(COST_MEM), "mem");
	assert_string_equal(cost_category_name(COST_GUEST), "guest");
}

static struct stats st;

static void test_stats_counters(void **state)
{
	u64 *a = stats_counter(&st, "a.b", "a test counter (count)");
	u64 *b = stats_counter(&st, "c", "another (count)");
	assert_ptr_equal(a, stats_counter(&st, "a.b", NULL));
	assert_string_equal(stats_desc(&st, "a.b"), "a test counter (count)");
	assert_ptr_not_equal(a, b);
	*a += 7;
	assert_int_equal(stats_get(&st, "a.b"), 7);
	assert_int_equal(stats_get(&st, "missing"), 0);
}

struct fired { int n; u64 at[8]; };

static void on_fire(void *opaque, u64 now)
{
	struct fired *f = opaque;
	f->at[f->n++] = now;
}

static void test_clock_timers_fire_in_order(void **state)
{
	struct cost c = { 0 };
	struct clock clk;
	struct timer t1, t2;
	struct fired f1 = { 0 }, f2 = { 0 };
	clock_init(&clk, &c, 1000000);
	clock_add_timer(&clk, &t1, on_fire, &f1);
	clock_add_timer(&clk, &t2, on_fire, &f2);
	assert_false(clock_due(&clk));
	timer_arm(&clk, &t1, 500);
	timer_arm(&clk, &t2, 200);
	assert_int_equal(clock_next_deadline(&clk), 200);
	c.now = 199;
	assert_false(clock_due(&clk));
	c.now = 300;
	assert_true(clock_due(&clk));
	clock_run_due(&clk);
	assert_int_equal(f2.n, 1);
	assert_int_equal(f1.n, 0);
	assert_int_equal(clock_next_deadline(&clk), 500);
	timer_disarm(&clk, &t1);
	c.now = 1000;
	clock_run_due(&clk);
	assert_int_equal(f1.n, 0);
	assert_int_equal(clock_next_deadline(&clk), CLOCK_NEVER);
	/* 1 MHz CPU, 1.193182 MHz device: 1 s of cycles is 1193182 ticks. */
	assert_int_equal(clock_cycles_to_ticks(&clk, 1000000, 1193182), 1193182);
	assert_int_equal(clock_ticks_to_cycles(&clk, 1193182, 1193182), 1000000);
}

static u32 last_out;
static u32 dev_in(void *o, u16 port, unsigned size) { return 0x12345678u + port; }
static void dev_out(void *o, u16 port, unsigned size, u32 v) { last_out = v; }
static const struct io_ops dev_ops = { dev_in, dev_out };

static void test_io_bus_charges_and_counts(void **state)
{
	static struct io_bus bus;
	static struct stats s;
	struct cost c = { 0 };
	io_bus_init(&bus, &c, &s);
	bus.emulate_cost = 1000;
	assert_int_equal(io_bus_register(&bus, 0x80, 1, &dev_ops, NULL, "post", 0), 0);
	assert_int_equal(io_bus_register(&bus, 0x80, 2, &dev_ops, NULL, "dup", 0), -1);
	io_bus_set_latency(&bus, 0x80, 40);
	assert_int_equal(io_bus_in(&bus, 0x80, 1, IO_NATIVE), (0x12345678u + 0x80) & 0xff);
	assert_int_equal(c.cat[COST_IO], 40);
	io_bus_out(&bus, 0x80, 2, 0xabcdef, IO_EMULATED);
	assert_int_equal(last_out, 0xcdef);
	assert_int_equal(c.cat[COST_IO], 1040);
	assert_int_equal(stats_get(&s, "io.post.reads"), 1);
	assert_int_equal(stats_get(&s, "io.post.writes"), 1);
	/* Open bus: all ones, counted as unclaimed. */
	assert_int_equal(io_bus_in(&bus, 0x300, 2, IO_NATIVE), 0xffff);
	assert_int_equal(io_bus_in(&bus, 0x300, 4, IO_NATIVE), 0xffffffffu);
	assert_int_equal(stats_get(&s, "io.unclaimed"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_categories),
		cmocka_unit_test(test_stats_counters),
		cmocka_unit_test(test_clock_timers_fire_in_order),
		cmocka_unit_test(test_io_bus_charges_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

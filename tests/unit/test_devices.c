/*
 * test_devices.c — each device through the port bus, as a guest driver sees it: the
 * PIC pair's initialization, masking, priority, EOI and cascade; the PIT's periodic
 * and one-shot interrupts at the right modeled cycles and its latched counts; the
 * UART's output and status; the ATA disk's IDENTIFY, read/write round trip and
 * errors; the exit port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/ata.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/simple_ports.h"
#include "devices/uart16550.h"

struct bench_pc {
	struct cost cost;
	struct stats stats;
	struct clock clock;
	struct io_bus io;
	struct pic8259 pic;
	struct pit8254 pit;
	struct uart16550 uart;
	struct ata ata;
	struct exit_port exitp;
	bool stop;
	char out[64];
	unsigned nout;
};

static void tx(void *opaque, u8 ch)
{
	struct bench_pc *pc = opaque;
	if (pc->nout < sizeof(pc->out) - 1)
		pc->out[pc->nout++] = (char)ch;
}

static struct bench_pc *pc_new(const char *disk)
{
	struct bench_pc *pc = calloc(1, sizeof(*pc));
	char err[256];
	clock_init(&pc->clock, &pc->cost, 1193182 * 10); /* 10 cycles per PIT tick */
	io_bus_init(&pc->io, &pc->cost, &pc->stats);
	assert_int_equal(pic8259_attach(&pc->pic, &pc->io, &pc->stats), 0);
	pc->pit.irq0 = pic8259_line(&pc->pic, 0);
	pc->ata.irq = pic8259_line(&pc->pic, 14);
	assert_int_equal(pit8254_attach(&pc->pit, &pc->io, &pc->clock, &pc->stats), 0);
	assert_int_equal(uart16550_attach(&pc->uart, &pc->io, tx, pc), 0);
	assert_int_equal(exitport_attach(&pc->exitp, &pc->io, &pc->stop), 0);
	assert_int_equal(ata_attach(&pc->ata, &pc->io, &pc->stats, disk, err, sizeof(err)), 0);
	return pc;
}

static void pc_free(struct bench_pc *pc)
{
	ata_detach(&pc->ata);
	free(pc);
}

static void out8(struct bench_pc *pc, u16 port, u32 v) { io_bus_out(&pc->io, port, 1, v, IO_NATIVE); }
static u32 in8(struct bench_pc *pc, u16 port) { return io_bus_in(&pc->io, port, 1, IO_NATIVE); }

/* The usual remap: master at 0x20, slave at 0x28, everything unmasked. */
static void pic_init(struct bench_pc *pc)
{
	out8(pc, 0x20, 0x11); out8(pc, 0x21, 0x20); out8(pc, 0x21, 0x04); out8(pc, 0x21, 0x01);
	out8(pc, 0xa0, 0x11); out8(pc, 0xa1, 0x28); out8(pc, 0xa1, 0x02); out8(pc, 0xa1, 0x01);
	out8(pc, 0x21, 0x00); out8(pc, 0xa1, 0x00);
}

static void test_pic_priority_mask_eoi_cascade(void **state)
{
	struct bench_pc *pc = pc_new(NULL);
	pic_init(pc);
	struct irq_line l3 = pic8259_line(&pc->pic, 3), l1 = pic8259_line(&pc->pic, 1);
	struct irq_line l12 = pic8259_line(&pc->pic, 12);
	assert_false(pc->pic.intc.intr);
	irq_pulse(&l3);
	irq_pulse(&l1);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x21); /* IRQ1 first */
	/* IRQ3 waits: lower priority than IRQ1 in service */
	assert_false(pc->pic.intc.intr);
	out8(pc, 0x20, 0x20); /* EOI */
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x23);
	out8(pc, 0x20, 0x20);
	/* masked IRQ stays pending */
	out8(pc, 0x21, 0x08);
	irq_pulse(&l3);
	assert_false(pc->pic.intc.intr);
	out8(pc, 0x20, 0x0a); /* OCW3: read IRR */
	assert_int_equal(in8(pc, 0x20), 0x08);
	out8(pc, 0x21, 0x00);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x23);
	out8(pc, 0x20, 0x20);
	/* slave IRQ 12 arrives through master IRQ 2 */
	irq_pulse(&l12);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x2c);
	out8(pc, 0xa0, 0x0b); /* read ISR of the slave */
	assert_int_equal(in8(pc, 0xa0), 0x10);
	out8(pc, 0xa0, 0x20);
	out8(pc, 0x20, 0x20);
	/* raising INTR raises the kick wired into the controller (the CPU's cpu.kick) */
	u8 kick = 0;
	pc->pic.intc.kick = &kick;
	irq_pulse(&l3);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(kick, 1);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x23);
	out8(pc, 0x20, 0x20);
	pc->pic.intc.kick = NULL;
	/* nothing pending at INTA: spurious IRQ 7 */
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x27);
	assert_int_equal(stats_get(&pc->stats, "pic.spurious"), 1);
	pc_free(pc);
}

static void advance(struct bench_pc *pc, u64 cycles)
{
	pc->cost.now += cycles;
	clock_run_due(&pc->clock);
}

static void test_pit_periodic_irq_on_modeled_time(void **state)
{
	struct bench_pc *pc = pc_new(NULL);
	pic_init(pc);
	out8(pc, 0x43, 0x34); /* channel 0, lo/hi, mode 2 */
	out8(pc, 0x40, 100);
	out8(pc, 0x40, 0);    /* period 100 ticks = 1000 cycles */
	advance(pc, 999);
	assert_false(pc->pic.intc.intr);
	advance(pc, 1);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x20);
	out8(pc, 0x20, 0x20);
	advance(pc, 10000); /* ten more periods: edges keep their phase */
	assert_int_equal(stats_get(&pc->stats, "pit.irqs"), 11);
	/* latch: 11000 cycles = 1100 ticks since load, count = 100 - 1100 % 100 = 100 */
	advance(pc, 250); /* 25 ticks more */
	out8(pc, 0x43, 0x00);
	u32 lo = in8(pc, 0x40), hi = in8(pc, 0x40);
	assert_int_equal(lo | hi << 8, 75);
	pc_free(pc);
}

static void test_pit_one_shot(void **state)
{
	struct bench_pc *pc = pc_new(NULL);
	pic_init(pc);
	out8(pc, 0x43, 0x30); /* mode 0 */
	out8(pc, 0x40, 50);
	out8(pc, 0x40, 0);
	advance(pc, 499);
	assert_int_equal(stats_get(&pc->stats, "pit.irqs"), 0);
	advance(pc, 1);
	assert_int_equal(stats_get(&pc->stats, "pit.irqs"), 1);
	advance(pc, 100000);
	assert_int_equal(stats_get(&pc->stats, "pit.irqs"), 1);
	pc_free(pc);
}

static void test_uart_output_and_status(void **state)
{
	struct bench_pc *pc = pc_new(NULL);
	assert_int_equal(in8(pc, 0x3fd) & 0x60, 0x60); /* THR empty, TEMT */
	out8(pc, 0x3fb, 0x80); /* DLAB */
	out8(pc, 0x3f8, 1);
	out8(pc, 0x3fb, 0x03);
	out8(pc, 0x3f8, 'h');
	out8(pc, 0x3f8, 'i');
	assert_int_equal(pc->nout, 2);
	assert_memory_equal(pc->out, "hi", 2);
	out8(pc, 0x3fb, 0x83);
	assert_int_equal(in8(pc, 0x3f8), 1); /* divisor latch reads back */
	out8(pc, 0x3fb, 0x03);
	out8(pc, 0x3ff, 0x5a);
	assert_int_equal(in8(pc, 0x3ff), 0x5a);
	assert_true(uart16550_push_input(&pc->uart, 'x'));
	assert_int_equal(in8(pc, 0x3fd) & 1, 1);
	assert_int_equal(in8(pc, 0x3f8), 'x');
	assert_int_equal(stats_get(&pc->stats, "io.uart.writes"), 8);
	pc_free(pc);
}

static void ata_cmd(struct bench_pc *pc, u32 lba, u8 count, u8 cmd)
{
	out8(pc, 0x1f6, 0xe0 | ((lba >> 24) & 0xf));
	out8(pc, 0x1f2, count);
	out8(pc, 0x1f3, lba & 0xff);
	out8(pc, 0x1f4, (lba >> 8) & 0xff);
	out8(pc, 0x1f5, (lba >> 16) & 0xff);
	out8(pc, 0x1f7, cmd);
}

static void test_ata_identify_read_write(void **state)
{
	char path[] = "/tmp/ringlab-ata-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 * 512), 0);
	close(fd);
	struct bench_pc *pc = pc_new(path);
	pic_init(pc);
	ata_cmd(pc, 0, 0, 0xec);
	assert_int_equal(in8(pc, 0x1f7) & 0x08, 0x08); /* DRQ */
	u16 id[256];
	for (int i = 0; i < 256; i++)
		id[i] = (u16)io_bus_in(&pc->io, 0x1f0, 2, IO_NATIVE);
	assert_int_equal(id[60] | (u32)id[61] << 16, 64);
	assert_int_equal(id[49] & 0x200, 0x200);
	/* write two sectors at LBA 10 */
	ata_cmd(pc, 10, 2, 0x30);
	for (int i = 0; i < 256; i++)
		io_bus_out(&pc->io, 0x1f0, 4, 0x01020304u + (u32)i, IO_NATIVE);
	assert_int_equal(in8(pc, 0x1f7) & 0x89, 0x00); /* not busy, no DRQ, no error */
	assert_int_equal(stats_get(&pc->stats, "ata.sectors_written"), 2);
	/* read them back with an interrupt per sector */
	ata_cmd(pc, 10, 2, 0x20);
	assert_true(pc->pic.intc.intr);
	assert_int_equal(pc->pic.intc.ack(pc->pic.intc.opaque), 0x2e);
	out8(pc, 0xa0, 0x20);
	out8(pc, 0x20, 0x20);
	for (int i = 0; i < 256; i++)
		assert_int_equal(io_bus_in(&pc->io, 0x1f0, 4, IO_NATIVE), 0x01020304u + (u32)i);
	assert_int_equal(in8(pc, 0x1f7) & 0x08, 0);
	/* beyond the end: ERR with ABRT|IDNF */
	ata_cmd(pc, 63, 2, 0x20);
	assert_int_equal(in8(pc, 0x1f7) & 0x01, 0x01);
	assert_int_equal(in8(pc, 0x1f1) & 0x04, 0x04);
	pc_free(pc);
	unlink(path);
}

static void test_ata_absent_and_exit_port(void **state)
{
	struct bench_pc *pc = pc_new(NULL);
	assert_int_equal(in8(pc, 0x1f7), 0); /* no drive */
	out8(pc, 0xf4, 3);
	assert_true(pc->stop);
	assert_int_equal(pc->exitp.status, 7);
	char err[256];
	struct ata a = { 0 };
	struct io_bus bus;
	struct stats st = { 0 };
	struct cost c = { 0 };
	io_bus_init(&bus, &c, &st);
	assert_int_equal(ata_attach(&a, &bus, &st, "/nonexistent.img", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent.img"));
	pc_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pic_priority_mask_eoi_cascade),
		cmocka_unit_test(test_pit_periodic_irq_on_modeled_time),
		cmocka_unit_test(test_pit_one_shot),
		cmocka_unit_test(test_uart_output_and_status),
		cmocka_unit_test(test_ata_identify_read_write),
		cmocka_unit_test(test_ata_absent_and_exit_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

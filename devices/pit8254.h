/*
 * pit8254.h — the 8254 programmable interval timer (ports 0x40-0x43, and port 0x61's
 * gate and output bits for channel 2), counting at 1.193182 MHz of *modeled* time.
 *
 * Counter values are computed from the modeled cycle count when read, never stepped;
 * channel 0's output edges are clock timers, so IRQ 0 arrives at exactly the modeled
 * cycle it would on the profile's CPU. Deadlines are computed from the time the count
 * was loaded, so periodic interrupts never drift. Modes 0, 2 and 3 are modelled
 * exactly; 1, 4 and 5 count like mode 0 (hardware-triggered modes have no trigger).
 */
#ifndef RINGLAB_PIT8254_H
#define RINGLAB_PIT8254_H

#include "core/clock.h"
#include "core/io.h"
#include "core/irq.h"

#define PIT_HZ 1193182u

struct pit_channel {
	u32 reload;        /* count loaded (1..65536) */
	u64 start;         /* modeled cycle when it was loaded */
	u8 mode, access;   /* access: 1 lo, 2 hi, 3 lo/hi */
	bool loaded;       /* counting */
	bool write_hi;     /* next write (lo/hi access) is the high byte */
	bool read_hi;
	bool latched;
	u16 latch;
	bool status_latched;
	u8 status;
	u8 pending_lo;
	u64 edges;         /* output rising edges delivered so far (channel 0) */
};

struct pit8254 {
	struct pit_channel ch[3];
	struct clock *clock;
	struct timer timer;  /* channel 0's next output edge */
	struct irq_line irq0;
	bool gate2, speaker;
	u64 *irqs;
};

int pit8254_attach(struct pit8254 *p, struct io_bus *bus, struct clock *clock, struct stats *stats);

/* The current count of channel `n` (what a latch would read). */
u16 pit8254_count(struct pit8254 *p, unsigned n);

#endif

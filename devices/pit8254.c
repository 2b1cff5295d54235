/*
 * pit8254.c — the 8254 timer on modeled time (see pit8254.h; Intel 8254 datasheet).
 */
#include "pit8254.h"

#include <string.h>

/* Ticks of the 1.193182 MHz input since channel `c` was loaded. */
static u64 ticks(const struct pit8254 *p, const struct pit_channel *c)
{
	u64 now = clock_now(p->clock);
	return now > c->start ? clock_cycles_to_ticks(p->clock, now - c->start, PIT_HZ) : 0;
}

/* The first modeled cycle at which `t` ticks have elapsed since the load. */
static u64 cycle_of_tick(const struct pit8254 *p, const struct pit_channel *c, u64 t)
{
	u64 cyc = clock_ticks_to_cycles(p->clock, t, PIT_HZ);
	if (clock_cycles_to_ticks(p->clock, cyc, PIT_HZ) < t)
		cyc++;
	return c->start + cyc;
}

u16 pit8254_count(struct pit8254 *p, unsigned n)
{
	struct pit_channel *c = &p->ch[n];
	if (!c->loaded)
		return (u16)c->reload;
	u64 d = ticks(p, c);
	switch (c->mode) {
	case 2: return (u16)(c->reload - d % c->reload);
	case 3: return (u16)(c->reload - (2 * d) % c->reload);
	default: return (u16)((c->reload - d) & 0xffff);
	}
}

/* Is channel `c`'s output high now? */
static bool output(struct pit8254 *p, struct pit_channel *c)
{
	if (!c->loaded)
		return c->mode != 0;
	u64 d = ticks(p, c);
	switch (c->mode) {
	case 0: return d >= c->reload;
	case 2: return d % c->reload != c->reload - 1;
	case 3: return d % c->reload < (c->reload + 1) / 2;
	default: return d >= c->reload;
	}
}

/* Arm channel 0's timer for its next rising output edge. */
static void arm0(struct pit8254 *p)
{
	struct pit_channel *c = &p->ch[0];
	if (!c->loaded) {
		timer_disarm(p->clock, &p->timer);
		return;
	}
	u64 t;
	if (c->mode == 2 || c->mode == 3)
		t = (c->edges + 1) * (u64)c->reload; /* periodic: one edge per period */
	else if (c->edges == 0)
		t = c->reload;                      /* one-shot: terminal count */
	else {
		timer_disarm(p->clock, &p->timer);
		return;
	}
	timer_arm(p->clock, &p->timer, cycle_of_tick(p, c, t));
}

static void fire0(void *opaque, u64 now)
{
	struct pit8254 *p = opaque;
	(void)now;
	p->ch[0].edges++;
	(*p->irqs)++;
	irq_pulse(&p->irq0);
	arm0(p);
}

static void load(struct pit8254 *p, unsigned n, u32 value)
{
	struct pit_channel *c = &p->ch[n];
	c->reload = value ? value : 0x10000;
	if (c->mode == 3 && c->reload == 1)
		c->reload = 2;
	c->start = clock_now(p->clock);
	c->loaded = true;
	c->edges = 0;
	if (n == 0)
		arm0(p);
}

static void control(struct pit8254 *p, u8 v)
{
	unsigned sel = v >> 6;
	if (sel == 3) { /* read-back */
		for (unsigned n = 0; n < 3; n++) {
			if (!(v & (2u << n)))
				continue;
			struct pit_channel *c = &p->ch[n];
			if (!(v & 0x20) && !c->latched) {
				c->latch = pit8254_count(p, n);
				c->latched = true;
			}
			if (!(v & 0x10)) {
				c->status = (u8)((output(p, c) ? 0x80 : 0) | (c->loaded ? 0 : 0x40) |
						 (c->access << 4) | (c->mode << 1));
				c->status_latched = true;
			}
		}
		return;
	}
	struct pit_channel *c = &p->ch[sel];
	unsigned access = (v >> 4) & 3;
	if (access == 0) { /* counter latch */
		if (!c->latched) {
			c->latch = pit8254_count(p, sel);
			c->latched = true;
		}
		return;
	}
	c->access = (u8)access;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are 2 and 3 */
	c->write_hi = c->read_hi = false;
	c->loaded = false;
	if (sel == 0)
		timer_disarm(p->clock, &p->timer);
}

static u32 pit_in(void *opaque, u16 port, unsigned size)
{
	struct pit8254 *p = opaque;
	if (port == 0x61) {
		/* bit 4: refresh request toggling every 15.085 us; bit 5: OUT2 */
		u64 us = clock_cycles_to_ticks(p->clock, clock_now(p->clock), 1000000);
		return (p->gate2 ? 1 : 0) | (p->speaker ? 2 : 0) | (((us / 15) & 1) ? 0x10 : 0) |
		       (output(p, &p->ch[2]) ? 0x20 : 0);
	}
	if (port == 0x43)
		return 0xff;
	unsigned n = port - 0x40;
	struct pit_channel *c = &p->ch[n];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	u16 v = c->latched ? c->latch : pit8254_count(p, n);
	u8 out;
	switch (c->access) {
	case 1: out = (u8)v; c->latched = false; break;
	case 2: out = (u8)(v >> 8); c->latched = false; break;
	default:
		out = c->read_hi ? (u8)(v >> 8) : (u8)v;
		if (c->read_hi)
			c->latched = false;
		c->read_hi = !c->read_hi;
		break;
	}
	return out;
}

static void pit_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct pit8254 *p = opaque;
	u8 v = (u8)value;
	if (port == 0x61) {
		p->gate2 = v & 1;
		p->speaker = v & 2;
		return;
	}
	if (port == 0x43) {
		control(p, v);
		return;
	}
	unsigned n = port - 0x40;
	struct pit_channel *c = &p->ch[n];
	switch (c->access) {
	case 1: load(p, n, v); break;
	case 2: load(p, n, (u32)v << 8); break;
	default:
		if (!c->write_hi) {
			c->pending_lo = v;
			c->write_hi = true;
		} else {
			c->write_hi = false;
			load(p, n, c->pending_lo | (u32)v << 8);
		}
		break;
	}
}

static const struct io_ops pit_ops = { pit_in, pit_out };

int pit8254_attach(struct pit8254 *p, struct io_bus *bus, struct clock *clock, struct stats *stats)
{
	struct irq_line irq0 = p->irq0;
	memset(p, 0, sizeof(*p));
	p->irq0 = irq0;
	p->clock = clock;
	for (int n = 0; n < 3; n++) {
		p->ch[n].reload = 0x10000;
		p->ch[n].access = 3;
	}
	p->irqs = stats_counter(stats, "pit.irqs", "timer interrupts raised by the 8254 PIT (count)");
	clock_add_timer(clock, &p->timer, fire0, p);
	if (io_bus_register(bus, 0x40, 4, &pit_ops, p, "pit", 0) ||
	    io_bus_register(bus, 0x61, 1, &pit_ops, p, "port61", 0))
		return -1;
	return 0;
}

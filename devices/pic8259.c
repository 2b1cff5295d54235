/*
 * pic8259.c — the 8259A pair (Intel 8259A datasheet; the PC/AT wiring).
 */
#include "pic8259.h"

#include <string.h>

/* Highest-priority bit of `m` (IR0 highest), or -1. */
static int highest(u8 m) { return m ? __builtin_ctz(m) : -1; }

/* Would this chip raise INT: a pending unmasked request above everything in service? */
static int chip_pending(const struct pic_chip *c)
{
	int req = highest((u8)(c->irr & ~c->imr));
	if (req < 0)
		return -1;
	int svc = highest(c->isr);
	if (svc >= 0 && svc <= req)
		return -1;
	return req;
}

static void update(struct pic8259 *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	/* The slave's INT output is the master's IR2 input (level while pending). */
	if (chip_pending(s) >= 0)
		m->irr |= 1u << 2;
	else
		m->irr &= (u8)~(1u << 2);
	p->intc.intr = chip_pending(m) >= 0;
	if (p->intc.intr && p->intc.kick)
		*p->intc.kick = 1;
}

static void set_irq(void *opaque, unsigned irq, int level)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->chip[irq >= 8];
	u8 bit = (u8)(1u << (irq & 7));
	if (level && !(c->lines & bit))
		c->irr |= bit; /* rising edge */
	if (level)
		c->lines |= bit;
	else
		c->lines &= (u8)~bit;
	update(p);
}

/* Acknowledge the highest request of chip `c`: IRR -> ISR. Returns the IR, or 7
 * (spurious) if none. */
static int chip_ack(struct pic_chip *c, bool *spurious)
{
	int irq = chip_pending(c);
	if (irq < 0) {
		*spurious = true;
		return 7;
	}
	c->irr &= (u8)~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= (u8)(1u << irq);
	return irq;
}

static u8 pic_ack(void *opaque)
{
	struct pic8259 *p = opaque;
	bool spurious = false;
	int irq = chip_ack(&p->chip[0], &spurious);
	u8 vec;
	if (!spurious && irq == 2) {
		int sirq = chip_ack(&p->chip[1], &spurious);
		vec = (u8)(p->chip[1].base + sirq);
	} else {
		vec = (u8)(p->chip[0].base + irq);
	}
	(*p->acks)++;
	if (spurious)
		(*p->spurious)++;
	update(p);
	return vec;
}

static void command(struct pic8259 *p, struct pic_chip *c, u8 v)
{
	if (v & 0x10) { /* ICW1 */
		c->irr = c->isr = c->imr = 0;
		c->step = 2;
		c->icw4 = v & 1;
		c->single = v & 2;
		c->auto_eoi = false;
		c->read_isr = false;
	} else if (v & 0x08) { /* OCW3 */
		if (v & 0x02)
			c->read_isr = v & 0x01;
		c->poll = v & 0x04;
	} else { /* OCW2 */
		unsigned op = v >> 5;
		if (op == 1 || op == 5) { /* non-specific EOI (rotation not modelled) */
			int svc = highest(c->isr);
			if (svc >= 0)
				c->isr &= (u8)~(1u << svc);
		} else if (op == 3 || op == 7) { /* specific EOI */
			c->isr &= (u8)~(1u << (v & 7));
		}
	}
	update(p);
}

static void data(struct pic8259 *p, struct pic_chip *c, u8 v)
{
	switch (c->step) {
	case 2:
		c->base = v & 0xf8;
		c->step = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3:
		c->step = c->icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & 2;
		c->step = 0;
		break;
	default:
		c->imr = v;
		break;
	}
	update(p);
}

static u32 pic_in(void *opaque, u16 port, unsigned size)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->chip[port >= 0xa0];
	if (port & 1)
		return c->imr;
	if (c->poll) {
		c->poll = false;
		bool spurious = false;
		int irq = chip_ack(c, &spurious);
		update(p);
		return spurious ? 0 : 0x80u | (u32)irq;
	}
	return c->read_isr ? c->isr : c->irr;
}

static void pic_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->chip[port >= 0xa0];
	if (port & 1)
		data(p, c, (u8)value);
	else
		command(p, c, (u8)value);
}

static const struct io_ops pic_ops = { pic_in, pic_out };

int pic8259_attach(struct pic8259 *p, struct io_bus *bus, struct stats *stats)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].base = 0x08; /* the BIOS defaults */
	p->chip[1].base = 0x70;
	p->intc.ack = pic_ack;
	p->intc.opaque = p;
	p->acks = stats_counter(stats, "pic.acks", "interrupts acknowledged at the 8259 PIC (count)");
	p->spurious = stats_counter(stats, "pic.spurious", "spurious interrupts (IRQ 7/15 without a request) (count)");
	if (io_bus_register(bus, 0x20, 2, &pic_ops, p, "pic", 0) ||
	    io_bus_register(bus, 0xa0, 2, &pic_ops, p, "pic2", 0))
		return -1;
	return 0;
}

struct irq_line pic8259_line(struct pic8259 *p, unsigned irq)
{
	return (struct irq_line){ .set = set_irq, .opaque = p, .irq = irq & 15 };
}

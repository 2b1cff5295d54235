/*
 * irq.h — interrupt request lines from devices to the interrupt controller.
 *
 * A device holds an irq_line for each IRQ it can raise and drives its level; the
 * controller (the 8259 pair) latches edges and drives the CPU's INTR pin. The CPU
 * samples INTR only at block boundaries and with EFLAGS.IF set, and asks the controller
 * for the vector with an INTA cycle.
 */
#ifndef RINGLAB_IRQ_H
#define RINGLAB_IRQ_H

#include "types.h"

struct irq_line {
	void (*set)(void *opaque, unsigned irq, int level);
	void *opaque;
	unsigned irq;
};

/* Drive line `l` to `level` (0 or 1); a NULL controller is a disconnected line. */
static inline void irq_set(const struct irq_line *l, int level)
{
	if (l->set)
		l->set(l->opaque, l->irq, level);
}

/* Raise then lower `l`: one edge, as an edge-triggered ISA device signals. */
static inline void irq_pulse(const struct irq_line *l)
{
	irq_set(l, 1);
	irq_set(l, 0);
}

/* The CPU's side of the interrupt controller. */
struct intr_controller {
	int intr;                       /* the INTR pin: nonzero when an IRQ is pending */
	u8 *kick;                       /* the CPU's cpu.kick (cpu_init wires it; may be NULL):
					 * the controller sets it when it raises INTR, so the run
					 * loop looks at the pin at its next block boundary */
	u8 (*ack)(void *opaque);        /* INTA: return the vector and mark it in service */
	void *opaque;
};

#endif

/*
 * pic8259.h — the two cascaded 8259A interrupt controllers of a PC (master at
 * 0x20-0x21, slave at 0xA0-0xA1 on master IRQ 2), edge-triggered.
 *
 * Devices drive their IRQ lines (pic8259_line); the pair keeps the processor's INTR
 * pin (struct intr_controller) up to date and answers the INTA cycle with the vector.
 * Supported: ICW1-4 (single/cascade, ICW4 auto-EOI), OCW1 mask, OCW2 non-specific and
 * specific EOI (rotation commands act as the plain EOI: fixed priority only), OCW3
 * IRR/ISR reads and poll; spurious IRQ 7/15 when nothing is pending at INTA.
 */
#ifndef RINGLAB_PIC8259_H
#define RINGLAB_PIC8259_H

#include "core/io.h"
#include "core/irq.h"

struct pic_chip {
	u8 irr, isr, imr, lines; /* lines: current input levels, for edge detection */
	u8 base;                 /* vector of IR0 (ICW2) */
	u8 step;                 /* next ICW expected: 2, 3, 4, or 0 when initialized */
	bool icw4, single, auto_eoi, read_isr, poll;
};

struct pic8259 {
	struct pic_chip chip[2]; /* [0] master, [1] slave */
	struct intr_controller intc;
	u64 *acks, *spurious;
};

/* Reset the pair and claim its ports. */
int pic8259_attach(struct pic8259 *p, struct io_bus *bus, struct stats *stats);

/* The line devices use to drive IRQ `irq` (0..15). */
struct irq_line pic8259_line(struct pic8259 *p, unsigned irq);

#endif

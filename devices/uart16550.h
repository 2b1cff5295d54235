/*
 * uart16550.h — the 16550 UART at 0x3F8 (COM1), the guest's console.
 *
 * Output is instantaneous (the transmitter is always empty), so a guest polling LSR
 * never waits; bytes go to a callback. Input can be queued for the guest to read. IRQ
 * 4 is raised for "transmitter empty" and "data ready" when IER enables them.
 */
#ifndef RINGLAB_UART16550_H
#define RINGLAB_UART16550_H

#include "core/io.h"
#include "core/irq.h"

#define UART_INPUT_MAX 256

struct uart16550 {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;              /* THR-empty interrupt condition */
	u8 in[UART_INPUT_MAX];
	unsigned in_head, in_len;
	struct irq_line irq;
	void (*tx)(void *opaque, u8 ch);
	void *tx_opaque;
};

/* Reset `u`, send its output to tx(opaque, byte), claim 0x3F8..0x3FF on `bus`. */
int uart16550_attach(struct uart16550 *u, struct io_bus *bus, void (*tx)(void *, u8),
		     void *opaque);

/* Queue one input byte for the guest. Returns false if the queue is full. */
bool uart16550_push_input(struct uart16550 *u, u8 ch);

#endif

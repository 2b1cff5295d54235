/*
 * uart16550.c — the 16550 UART register model (National Semiconductor PC16550D).
 */
#include "uart16550.h"

#include <string.h>

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static void update_irq(struct uart16550 *u)
{
	bool rda = (u->ier & 1) && u->in_len;
	bool thre = (u->ier & 2) && u->thre_pending;
	irq_set(&u->irq, rda || thre);
}

static u32 uart_in(void *opaque, u16 port, unsigned size)
{
	struct uart16550 *u = opaque;
	bool dlab = u->lcr & 0x80;
	u8 v = 0;
	switch (port & 7) {
	case RBR_THR:
		if (dlab)
			return u->dll;
		if (u->in_len) {
			v = u->in[u->in_head];
			u->in_head = (u->in_head + 1) % UART_INPUT_MAX;
			u->in_len--;
		}
		update_irq(u);
		return v;
	case IER: return dlab ? u->dlm : u->ier;
	case IIR_FCR:
		if ((u->ier & 1) && u->in_len)
			v = 0x04;
		else if ((u->ier & 2) && u->thre_pending) {
			v = 0x02;
			u->thre_pending = false; /* reading IIR clears the THRE condition */
			update_irq(u);
		} else
			v = 0x01;
		return v | ((u->fcr & 1) ? 0xc0 : 0);
	case LCR: return u->lcr;
	case MCR: return u->mcr;
	case LSR: return LSR_THRE | LSR_TEMT | (u->in_len ? LSR_DR : 0);
	case MSR: return (u->mcr & 0x10) ? ((u->mcr & 0x0f) << 4) : 0xb0; /* loopback, or CTS DSR DCD */
	default: return u->scr;
	}
}

static void uart_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct uart16550 *u = opaque;
	u8 v = (u8)value;
	bool dlab = u->lcr & 0x80;
	switch (port & 7) {
	case RBR_THR:
		if (dlab) {
			u->dll = v;
			return;
		}
		if (u->mcr & 0x10) /* loopback: the byte comes back as input */
			uart16550_push_input(u, v);
		else if (u->tx)
			u->tx(u->tx_opaque, v);
		u->thre_pending = true;
		update_irq(u);
		return;
	case IER:
		if (dlab) {
			u->dlm = v;
			return;
		}
		u->ier = v & 0x0f;
		if (u->ier & 2)
			u->thre_pending = true; /* enabling THRE with an empty THR interrupts */
		update_irq(u);
		return;
	case IIR_FCR:
		u->fcr = v;
		if (v & 2) {
			u->in_len = 0;
			update_irq(u);
		}
		return;
	case LCR: u->lcr = v; return;
	case MCR: u->mcr = v & 0x1f; return;
	case SCR: u->scr = v; return;
	default: return; /* LSR and MSR are read-only */
	}
}

static const struct io_ops uart_ops = { uart_in, uart_out };

int uart16550_attach(struct uart16550 *u, struct io_bus *bus, void (*tx)(void *, u8), void *opaque)
{
	struct irq_line irq = u->irq;
	memset(u, 0, sizeof(*u));
	u->irq = irq;
	u->tx = tx;
	u->tx_opaque = opaque;
	u->dll = 12; /* 9600 baud */
	return io_bus_register(bus, 0x3f8, 8, &uart_ops, u, "uart", 0);
}

bool uart16550_push_input(struct uart16550 *u, u8 ch)
{
	if (u->in_len >= UART_INPUT_MAX)
		return false;
	u->in[(u->in_head + u->in_len) % UART_INPUT_MAX] = ch;
	u->in_len++;
	update_irq(u);
	return true;
}

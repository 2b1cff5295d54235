/*
 * simple_ports.c — POST port 0x80 and the isa-debug-exit port 0xF4.
 */
#include "simple_ports.h"

#include <string.h>

static u32 post_in(void *opaque, u16 port, unsigned size) { return 0xffffffffu; }

static void post_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct post_port *p = opaque;
	p->last = (u8)value;
}

static const struct io_ops post_ops = { post_in, post_out };

int post_attach(struct post_port *p, struct io_bus *bus)
{
	memset(p, 0, sizeof(*p));
	return io_bus_register(bus, 0x80, 1, &post_ops, p, "post", 0);
}

static u32 exit_in(void *opaque, u16 port, unsigned size) { return 0; }

static void exit_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct exit_port *e = opaque;
	if (size < 4)
		value &= (1u << (8 * size)) - 1;
	e->fired = true;
	e->status = (int)((value << 1) | 1);
	if (e->stop)
		*e->stop = true;
}

static const struct io_ops exit_ops = { exit_in, exit_out };

int exitport_attach(struct exit_port *e, struct io_bus *bus, bool *stop)
{
	memset(e, 0, sizeof(*e));
	e->stop = stop;
	return io_bus_register(bus, 0xf4, 4, &exit_ops, e, "exit", 0);
}

/*
 * simple_ports.h — the two one-register devices: the POST diagnostic port 0x80 (it
 * does nothing but take time: its latency is the profile's io.post, which is what the
 * `in`/`out` nanobenchmarks measure) and QEMU's isa-debug-exit at 0xF4 (writing v
 * ends the run with status (v << 1) | 1).
 */
#ifndef RINGLAB_SIMPLE_PORTS_H
#define RINGLAB_SIMPLE_PORTS_H

#include "core/io.h"

struct post_port {
	u8 last; /* last value written (reads return 0xFF, as on QEMU) */
};

struct exit_port {
	bool fired;
	int status;  /* (v << 1) | 1 */
	bool *stop;  /* set to ask the machine to stop */
};

int post_attach(struct post_port *p, struct io_bus *bus);
int exitport_attach(struct exit_port *e, struct io_bus *bus, bool *stop);

#endif

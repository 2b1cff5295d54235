/*
 * io.c — the port I/O bus: a 64 K map from port to the device range that owns it, and
 * the charging rule of io.h (native latency or emulation cost, both to `io`).
 */
#include "io.h"

#include <stdio.h>
#include <string.h>

void io_bus_init(struct io_bus *bus, struct cost *cost, struct stats *stats)
{
	memset(bus, 0, sizeof(*bus));
	bus->cost = cost;
	bus->stats = stats;
	bus->unclaimed = stats_counter(stats, "io.unclaimed", "accesses to ports no device claims (count)");
}

int io_bus_register(struct io_bus *bus, u16 first, u16 count, const struct io_ops *ops,
		    void *opaque, const char *name, u32 native_latency)
{
	if (bus->n == IO_MAX_RANGES || (u32)first + count > 65536)
		return -1;
	for (u32 p = first; p < (u32)first + count; p++)
		if (bus->map[p])
			return -1;
	struct io_range *r = &bus->range[bus->n++];
	char cname[STATS_NAME_MAX];
	r->first = first;
	r->count = count;
	r->ops = ops;
	r->opaque = opaque;
	r->name = name;
	r->native_latency = native_latency;
	char desc[STATS_DESC_MAX];
	snprintf(cname, sizeof(cname), "io.%s.reads", name);
	snprintf(desc, sizeof(desc), "port reads from the %s, natively or emulated (count)", name);
	r->reads = stats_counter(bus->stats, cname, desc);
	snprintf(cname, sizeof(cname), "io.%s.writes", name);
	snprintf(desc, sizeof(desc), "port writes to the %s, natively or emulated (count)", name);
	r->writes = stats_counter(bus->stats, cname, desc);
	for (u32 p = first; p < (u32)first + count; p++)
		bus->map[p] = (u8)bus->n;
	return 0;
}

void io_bus_set_latency(struct io_bus *bus, u16 port, u32 native_latency)
{
	if (bus->map[port])
		bus->range[bus->map[port] - 1].native_latency = native_latency;
}

static void charge(struct io_bus *bus, const struct io_range *r, enum io_path path)
{
	cost_charge(bus->cost, COST_IO, path == IO_NATIVE ? r->native_latency : bus->emulate_cost);
}

u32 io_bus_in(struct io_bus *bus, u16 port, unsigned size, enum io_path path)
{
	u32 mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	if (!bus->map[port]) {
		(*bus->unclaimed)++;
		return mask;
	}
	struct io_range *r = &bus->range[bus->map[port] - 1];
	(*r->reads)++;
	charge(bus, r, path);
	return r->ops->in ? r->ops->in(r->opaque, port, size) & mask : mask;
}

void io_bus_out(struct io_bus *bus, u16 port, unsigned size, u32 value, enum io_path path)
{
	u32 mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	if (!bus->map[port]) {
		(*bus->unclaimed)++;
		return;
	}
	struct io_range *r = &bus->range[bus->map[port] - 1];
	(*r->writes)++;
	charge(bus, r, path);
	if (r->ops->out)
		r->ops->out(r->opaque, port, size, value & mask);
}

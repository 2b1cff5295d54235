/*
 * io.h — the port I/O bus shared by every engine.
 *
 * Devices claim ranges of the 64 K port space. An IN or OUT reaches the bus either
 * straight from the CPU (native: the access pays the device's hardware latency, a
 * profile primitive) or from an engine's I/O exit handler (virtual: the access pays the
 * device model's software cost instead). Both are charged to the `io` category; the
 * device handlers themselves never charge, so like is compared with like.
 *
 * Ports nobody claimed read as all ones and ignore writes, as on a PC's open bus.
 */
#ifndef RINGLAB_IO_H
#define RINGLAB_IO_H

#include "cost.h"
#include "stats.h"
#include "types.h"

struct io_ops {
	/* Read `size` (1, 2 or 4) bytes from `port`; only the low size*8 bits are used. */
	u32 (*in)(void *opaque, u16 port, unsigned size);
	/* Write the low size*8 bits of `value` to `port`. */
	void (*out)(void *opaque, u16 port, unsigned size, u32 value);
};

enum io_path {
	IO_NATIVE,   /* the guest touched the device itself */
	IO_EMULATED, /* a VMM emulates the access on the guest's behalf */
};

#define IO_MAX_RANGES 32

struct io_range {
	u16 first, count;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
	u32 native_latency; /* modeled cycles one native access costs */
	u64 *reads, *writes;
};

struct io_bus {
	struct cost *cost;
	struct stats *stats;
	u32 emulate_cost; /* modeled VMM cycles per emulated access */
	unsigned n;
	struct io_range range[IO_MAX_RANGES];
	u8 map[65536]; /* port -> range index + 1; 0 = unclaimed */
	u64 *unclaimed;
};

/* Prepare an empty bus charging `cost` and counting in `stats`. */
void io_bus_init(struct io_bus *bus, struct cost *cost, struct stats *stats);

/* Claim ports [first, first+count) for a device called `name` (counters are named
 * io.NAME.reads / io.NAME.writes). Returns 0, or -1 if a port is already claimed. */
int io_bus_register(struct io_bus *bus, u16 first, u16 count, const struct io_ops *ops,
		    void *opaque, const char *name, u32 native_latency);

/* Set the native latency of the range that owns `port` (profiles load after devices). */
void io_bus_set_latency(struct io_bus *bus, u16 port, u32 native_latency);

/* Perform an IN of `size` bytes through `path`, charging the io category. */
u32 io_bus_in(struct io_bus *bus, u16 port, unsigned size, enum io_path path);

/* Perform an OUT of `size` bytes through `path`, charging the io category. */
void io_bus_out(struct io_bus *bus, u16 port, unsigned size, u32 value, enum io_path path);

#endif

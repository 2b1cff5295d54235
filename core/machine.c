/*
 * machine.c — the PC around the processor (see machine.h): one of each device, on
 * its ISA ports and IRQ lines, with native latencies from the profile.
 */
#include "machine.h"

#include <stdlib.h>
#include <string.h>

#include "devices/ata.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/simple_ports.h"
#include "devices/uart16550.h"

struct vm_devices {
	struct pic8259 pic;
	struct pit8254 pit;
	struct uart16550 uart;
	struct ata ata;
	struct post_port post;
	struct exit_port exitp;
};

static void console_tx(void *opaque, u8 ch)
{
	struct vm *vm = opaque;
	fputc(ch, vm->cfg.console ? vm->cfg.console : stdout);
}

int machine_attach_devices(struct vm *vm, char *err, size_t errlen)
{
	struct vm_devices *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->ata.fd = -1;
	vm->dev = d;
	if (pic8259_attach(&d->pic, &vm->io, &vm->stats))
		goto busy;
	d->pit.irq0 = pic8259_line(&d->pic, 0);
	d->uart.irq = pic8259_line(&d->pic, 4);
	d->ata.irq = pic8259_line(&d->pic, 14);
	if (pit8254_attach(&d->pit, &vm->io, &vm->clock, &vm->stats) ||
	    uart16550_attach(&d->uart, &vm->io, console_tx, vm) || post_attach(&d->post, &vm->io) ||
	    exitport_attach(&d->exitp, &vm->io, NULL))
		goto busy;
	if (ata_attach(&d->ata, &vm->io, &vm->stats, vm->cfg.disk, err, errlen))
		return -1;
	const u64 *v = vm->prof.v;
	static const struct { u16 port; int prim; } lat[] = {
		{ 0x20, P_IO_PIC }, { 0xa0, P_IO_PIC }, { 0x40, P_IO_PIT }, { 0x61, P_IO_PIT },
		{ 0x3f8, P_IO_UART }, { 0x80, P_IO_POST }, { 0xf4, P_IO_EXIT }, { 0x1f0, P_IO_ATA },
		{ 0x3f6, P_IO_ATA },
	};
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++)
		io_bus_set_latency(&vm->io, lat[i].port, (u32)v[lat[i].prim]);
	return 0;
busy:
	snprintf(err, errlen, "device ports overlap (machine wiring bug)");
	return -1;
}

struct intr_controller *machine_intc(struct vm *vm) { return &vm->dev->pic.intc; }

void machine_connect_cpu(struct vm *vm) { vm->dev->exitp.stop = &vm->cpu.stop; }

struct ata *machine_disk(struct vm *vm) { return &vm->dev->ata; }

int machine_exit_code(const struct vm *vm) { return vm->dev->exitp.status; }

void machine_detach_devices(struct vm *vm)
{
	if (!vm->dev)
		return;
	ata_detach(&vm->dev->ata);
	free(vm->dev);
	vm->dev = NULL;
}

const char *machine_exc_name(u8 vec)
{
	static const char *const names[32] = {
		"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP",
		"PF", "15", "MF", "AC", "MC", "XM",
	};
	return vec < 32 && names[vec] ? names[vec] : "?";
}

/*
 * machine.h — the PC around the processor: which devices sit on which ports and IRQs
 * (machine.c), wired into a vm by vm_create().
 *
 *   port 0x3F8  UART 16550 (COM1, IRQ 4)    port 0x20/0xA0  PIC 8259 pair
 *   port 0x40   PIT 8254 (IRQ 0)            port 0x1F0/0x3F6 ATA PIO disk (IRQ 14)
 *   port 0x80   POST diagnostic port        port 0xF4  isa-debug-exit
 */
#ifndef RINGLAB_MACHINE_H
#define RINGLAB_MACHINE_H

#include "vm.h"

/* Create the devices and claim their ports. Returns 0, or -1 with one line in err. */
int machine_attach_devices(struct vm *vm, char *err, size_t errlen);

/* The interrupt controller the processor samples. */
struct intr_controller *machine_intc(struct vm *vm);

/* Give devices that need it a handle on the processor (the exit port's stop flag). */
void machine_connect_cpu(struct vm *vm);

/* The exit status the guest asked for through port 0xF4. */
int machine_exit_code(const struct vm *vm);

void machine_detach_devices(struct vm *vm);

struct ata;

/* The ATA disk model (devices/ata.h), for a VMM's paravirtual block path. */
struct ata *machine_disk(struct vm *vm);

/* The SDM mnemonic of exception `vec` ("PF", "GP"...). */
const char *machine_exc_name(u8 vec);

#endif

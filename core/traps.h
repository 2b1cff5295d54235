/*
 * traps.h — delivering exceptions and interrupts through the IDT, and IRET.
 *
 * One path for every event: an exception raised by an instruction (cpu_fault unwinds
 * to cpu_run, which delivers it), a software interrupt (INT n, INT3, INTO, INT1) or an
 * external interrupt from the PIC. Delivery checks the gate, switches to the inner
 * ring's stack from the TSS when the privilege level changes, pushes the frame and
 * enters the handler, charging trap.* costs to the `trap` category. A fault during
 * delivery becomes a double fault or is delivered in turn (SDM Table 6-5); a fault
 * while delivering a double fault shuts the processor down.
 */
#ifndef RINGLAB_TRAPS_H
#define RINGLAB_TRAPS_H

#include "cpu.h"

enum trap_kind {
	TRAP_EXC,  /* processor exception (EXT = 1 in error codes) */
	TRAP_SOFT, /* INT n, INT3, INTO: gate DPL is checked against CPL */
	TRAP_EXT,  /* external interrupt */
	TRAP_ICE,  /* INT1 (ICEBP): like an exception, no DPL check */
};

/* Deliver `vector` through the IDT. `ret_eip` is the EIP pushed (the faulting
 * instruction for faults, the next instruction for traps and interrupts); `cur_eip` is
 * the EIP a fault during delivery reports. */
void trap_deliver(struct cpu *c, u8 vector, enum trap_kind kind, bool has_err, u32 err,
		  u32 ret_eip, u32 cur_eip);

/* IRET with operand size `osize` (2 or 4). */
void trap_iret(struct cpu *c, unsigned osize);

#endif

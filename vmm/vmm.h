/*
 * vmm.h — what every VMM shares (DESIGN §5, "the VMM seam").
 *
 * An engine's exit handler is a thin switch over the exit reason that calls these.
 * They do the work a VMM does the same way whatever technique carried the exit, and
 * charge it by the operations performed (vmm.* primitives); the transition itself was
 * already charged by the machine (exit_transition), by the exit's kind.
 *
 *   vmm_io          port I/O from the exit's qualification to the device model
 *   vmm_emulate     emulate the exited instruction (the run loop executes it once on
 *                   the VMM's behalf, at the guest's CPL or a virtual one)
 *   vmm_page_fault  the shadow-paging #PF protocol: hidden fault, traced write, true
 *                   fault, with its state handed to the MMU explicitly
 *   vmm_reflect     deliver the guest's own exception, combining it with an event whose
 *                   delivery the exit interrupted (double fault, triple fault)
 *   vmm_reinject    re-deliver that interrupted event after a fault the VMM fixed
 *
 * Nothing here calls back into the run loop: each returns a verdict, and the loop in
 * core/vm.c acts on it. A reading tour of one exit: cpu_run() returns RUN_EXIT (cpu.c)
 * → vm_run() counts it and charges its transition (vm.c, exit.c) → the engine's
 * handle_exit (engines/hvm/hvm.c) → one of these → a verdict back to vm_run().
 */
#ifndef RINGLAB_VMM_H
#define RINGLAB_VMM_H

#include "core/vm.h"

/* The shared part of every VMM's state; engines embed it as their first member. */
struct vmm {
	struct vm *vm;
	u64 *emulated; /* ENGINE.emulated_insns */
	u64 *injected; /* ENGINE.injected_events */
	/* How an event reaches the guest: NULL, through the processor at the next entry
	 * (cpu_inject); or the engine's own delivery (pv: through the guest's trap table,
	 * with its virtual IF). `ext`: an external interrupt. */
	void (*deliver)(struct vmm *v, u8 vec, bool ext, bool has_err, u32 err);
};

/* Prepare `v` for `vm`, naming its counters after `engine` ("hvm.emulated_insns"). */
void vmm_init(struct vmm *v, struct vm *vm, const char *engine);

/* Emulate the exited instruction: charge vmm.emulate_insn and ask the run loop to
 * execute it once on the VMM's behalf at the guest's own CPL. */
enum engine_verdict vmm_emulate(struct vmm *v);

/* The same, with privilege checks made as at virtual CPL `cpl` (a deprivileged guest
 * kernel whose privileged instruction trapped). */
enum engine_verdict vmm_emulate_at(struct vmm *v, unsigned cpl);

/* An I/O-instruction exit: perform IN or OUT on the device model from the exit's
 * qualification (size, direction, port) and retire the instruction; string forms,
 * which touch guest memory, are emulated. */
enum engine_verdict vmm_io(struct vmm *v, const struct exit_record *e);

/* A #PF exit under a shadowing MMU: ask the MMU what it was and act on it. */
enum engine_verdict vmm_page_fault(struct vmm *v, const struct exit_record *e);

/* Deliver exception `vec` (error code `err` if the vector has one) to the guest at the
 * next entry, combined with the event the exit interrupted as the processor would
 * combine them (SDM Vol. 3A Table 6-5): a contributory fault or #PF during #PF or a
 * contributory fault's delivery becomes #DF; any fault during #DF's delivery shuts the
 * guest down (ENGINE_STOP with a triple fault). */
enum engine_verdict vmm_reflect(struct vmm *v, const struct exit_record *e, u8 vec, u32 err);

/* Re-deliver the event whose delivery exit `e` interrupted, if any (a software
 * interrupt is not: EIP is still at its INT, which executes again). */
void vmm_reinject(struct vmm *v, const struct exit_record *e);

/* Deliver external interrupt `vec` at the next entry. */
void vmm_inject_external(struct vmm *v, u8 vec);

/* Retire the exited instruction without executing it (the VMM did its work). */
void vmm_skip(struct vmm *v, const struct exit_record *e);

#endif

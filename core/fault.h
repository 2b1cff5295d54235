/*
 * fault.h — how an instruction leaves the middle of its execution: a fault, or an exit.
 *
 * Both unwind with longjmp to cpu_run(), which is the only place that delivers an
 * exception (traps.c) or returns an exit record; handlers never return after calling
 * these. A fault is precise: EIP is the faulting instruction's, and the rest of its
 * block is not executed.
 */
#ifndef RINGLAB_FAULT_H
#define RINGLAB_FAULT_H

#include "insn.h"

/* Raise exception `vector` with error code `err` (ignored for vectors without one). */
_Noreturn void cpu_fault(struct cpu *c, u8 vector, u32 err);

/* Raise #PF for linear `lin` with error code `pfec` (sets CR2). */
_Noreturn void cpu_page_fault(struct cpu *c, u32 lin, u32 pfec);

/* Leave the guest with an exit of `reason` for the current instruction; the record's
 * guest_eip and insn_len are filled here, the rest by the caller beforehand through
 * c->exit. The VMM resumes the guest after emulating (or skipping) the instruction. */
_Noreturn void cpu_exit_insn(struct cpu *c, u32 reason, u32 qual);

/* Leave the guest with the exit already in c->exit (an MMU exit: EPT violation),
 * at an instruction boundary or during a fetch; the access restarts on resume. */
_Noreturn void cpu_exit_event(struct cpu *c);

/* Stop the run: the guest used a feature the machine does not implement (real mode,
 * virtual-8086 mode, task switches, gates...). cpu_run() returns RUN_ERROR and
 * c->shutdown_reason says what. */
_Noreturn void cpu_unimplemented(struct cpu *c, const char *what);

/* Iterations a REP string instruction runs before it pauses (it is interruptible
 * between iterations, as on hardware): as many as a copy of a 4 KB page by bytes, so ordinary
 * code rarely notices, while ECX = 2^32 - 1 cannot hold the machine past its budget. */
#define REP_CHUNK 4096u

/* End the running block after the current instruction and continue at `eip` (the
 * current instruction again, to resume a paused REP; or the next one): the block's
 * remaining instructions are uncounted and their base costs refunded. */
void cpu_end_block(struct cpu *c, u32 eip);

/* Pause the REP string instruction `in` after REP_CHUNK iterations: it runs again from
 * the run loop (cpu_end_block at itself). The iterations count towards the instruction
 * budget as instructions, so --max-insns bounds a REP with a huge count too. */
static inline void cpu_rep_pause(struct cpu *c, const struct insn *in)
{
	if (c->budget != UINT64_MAX)
		c->budget = c->budget > REP_CHUNK ? c->budget - (REP_CHUNK - 1) : 0;
	cpu_end_block(c, in->eip);
}

/* Does exception `vector` push an error code? */
static inline bool exc_has_error(u8 vector)
{
	return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

/* The instruction being executed (valid inside a handler). */
static inline const struct insn *cpu_cur(const struct cpu *c) { return c->ip; }

#endif

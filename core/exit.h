/*
 * exit.h — exit records: how the guest leaves the machine for its VMM.
 *
 * Like a VT-x CPU, the machine can run the guest under intercept controls (see
 * struct intercepts in cpu.h). When an intercepted event happens, cpu_run() stops
 * before the event takes effect (EIP at the instruction, for instructions; for
 * exceptions, EIP at the faulting instruction and the vector in the record) and returns
 * RUN_EXIT with a record in the SDM's terms. Basic exit reasons keep the SDM's numbers
 * (Vol. 3C, Appendix C); the software mechanisms that are not VMX exits (a BT callout,
 * a PV hypercall) get numbers above the SDM's range so that every engine leaves the
 * guest through this one path and is accounted the same way.
 */
#ifndef RINGLAB_EXIT_H
#define RINGLAB_EXIT_H

#include "types.h"

enum exit_reason {
	EXIT_EXCEPTION_NMI = 0,
	EXIT_EXTERNAL_INTERRUPT = 1,
	EXIT_TRIPLE_FAULT = 2,
	EXIT_INTERRUPT_WINDOW = 7,
	EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10,
	EXIT_HLT = 12,
	EXIT_INVD = 13,
	EXIT_INVLPG = 14,
	EXIT_RDTSC = 16,
	EXIT_VMCALL = 18,
	EXIT_CR_ACCESS = 28,
	EXIT_IO_INSTRUCTION = 30,
	EXIT_RDMSR = 31,
	EXIT_WRMSR = 32,
	EXIT_GDTR_IDTR = 46,
	EXIT_LDTR_TR = 47,
	EXIT_EPT_VIOLATION = 48,
	EXIT_WBINVD = 54,
	EXIT_BT_CALLOUT = 256,  /* ringlab: a binary translator's callout into its VMM */
	EXIT_PV_HYPERCALL = 257, /* ringlab: a paravirtual guest's hypercall */
	EXIT_SOFTWARE_INTERRUPT = 258, /* ringlab: an intercepted INT n, INT3 or INTO (bt's user
					* system calls, delivered by the VMM; kind from icpt.kind) */
	EXIT_REASON_MAX = 259
};

/* Which mechanism carried an exit; the machine charges its transition by kind
 * (exit_transition):
 *   VMX        a VT-x exit and the VM entry back: vmx.exit + vmx.entry, and a TLB flush
 *              when the CPU has no VPID (the world switch changes address space);
 *   CALLOUT    translated code calling into its VMM (bt): bt.callout;
 *   HYPERCALL  a paravirtual guest's hypercall, a software interrupt into the VMM at
 *              ring 0 and the IRET back: trap.exception + trap.ring_switch + trap.iret;
 *   TRAP       an event the guest raised that the processor delivers to a VMM living in
 *              the guest's address space through the real IDT (bt, pv, te): the same
 *              delivery and return as a hypercall. */
enum exit_kind { EXIT_KIND_VMX, EXIT_KIND_CALLOUT, EXIT_KIND_HYPERCALL, EXIT_KIND_TRAP };

struct exit_record {
	u32 reason;        /* enum exit_reason */
	u32 kind;          /* enum exit_kind: the mechanism, which decides the transition cost */
	u32 qualification; /* as the SDM defines it per reason (port, CR number, ...) */
	u32 guest_eip;     /* EIP of the instruction that exited */
	u32 insn_len;      /* its length, for instruction exits */
	u32 vector;        /* EXCEPTION_NMI: vector; EXTERNAL_INTERRUPT: vector */
	u32 error_code;    /* EXCEPTION_NMI: error code, when the vector has one */
	u32 linear;        /* INVLPG, #PF (CR2), EPT violation: the linear address */
	u64 gpa;           /* EPT violation: the guest-physical address */
	u32 value;         /* OUT, WRMSR, MOV to CR: the value the guest wrote */
	u32 idt_info;      /* IDT-vectoring information: the event whose delivery the exit
			    * interrupted (IDT_INFO_*), to be re-injected by the VMM */
	u32 idt_err;
};

#define IDT_INFO_VALID 0x80000000u
#define IDT_INFO_HAS_ERR 0x800u
#define IDT_INFO_TYPE(i) (((i) >> 8) & 7) /* 0 external interrupt, 3 exception, 4 software
					     * interrupt, 5 privileged software exception (INT1) */

/* Return the SDM name of an exit reason ("CPUID", "IO_INSTRUCTION"), or "UNKNOWN". */
const char *exit_reason_name(u32 reason);

/* Return what an exit of `reason` means, in a few words for students ("an exception
 * the VMM intercepts; under shadow paging, page faults (#PF, vector 14)"). */
const char *exit_reason_help(u32 reason);

/* Return the name of an exit kind ("vmx", "callout", "hypercall", "trap"). */
const char *exit_kind_name(u32 kind);

struct cpu;

/* Charge the transition of exit `e` by its kind (see enum exit_kind), and flush the
 * TLBs a VMX world switch without VPID flushes. Called once per exit by the run loop,
 * never by an engine. */
void exit_transition(struct cpu *c, const struct exit_record *e);

/* I/O-instruction exit qualification (SDM Table 27-5): size-1 in bits 2:0, direction
 * (1 = IN) bit 3, string bit 4, REP bit 5, immediate-operand bit 6, port in 31:16. */
static inline u32 exit_io_qual(unsigned size, bool in, bool string, bool rep, bool imm, u16 port)
{
	return (size - 1) | (in ? 8u : 0) | (string ? 16u : 0) | (rep ? 32u : 0) |
	       (imm ? 64u : 0) | ((u32)port << 16);
}

/* Control-register exit qualification (SDM Table 27-3): CR number bits 3:0, access type
 * bits 5:4 (0 = MOV to CR, 1 = MOV from CR, 2 = CLTS, 3 = LMSW), GPR bits 11:8. */
static inline u32 exit_cr_qual(unsigned cr, unsigned type, unsigned gpr)
{
	return (cr & 15) | ((type & 3) << 4) | ((gpr & 15) << 8);
}

#endif

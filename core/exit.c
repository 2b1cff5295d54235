/*
 * exit.c — what an exit costs the machine by the mechanism that carried it, and the
 * names of exit reasons and kinds as reports and traces print them.
 */
#include "exit.h"

#include "cpu.h"
#include "mmu.h"

void exit_transition(struct cpu *c, const struct exit_record *e)
{
	const u64 *p = c->prof->v;
	switch ((enum exit_kind)e->kind) {
	case EXIT_KIND_VMX:
		cost_charge(c->cost, COST_TRANSITION, p[P_VMX_EXIT] + p[P_VMX_ENTRY]);
		if (!p[P_VMX_VPID]) {
			/* no tagged TLB: the world switch flushes it */
			tlb_flush_all(&c->itlb, false);
			tlb_flush_all(&c->dtlb, false);
			cpu_flush_fast_tlb(c);
			if (c->mmu->flush)
				c->mmu->flush(c);
		}
		break;
	case EXIT_KIND_CALLOUT:
		cost_charge(c->cost, COST_TRANSITION, p[P_BT_CALLOUT]);
		break;
	case EXIT_KIND_HYPERCALL:
	case EXIT_KIND_TRAP:
		cost_charge(c->cost, COST_TRANSITION,
			    p[P_TRAP_EXCEPTION] + p[P_TRAP_RING_SWITCH] + p[P_TRAP_IRET]);
		break;
	}
}

const char *exit_reason_help(u32 reason)
{
	switch (reason) {
	case EXIT_EXCEPTION_NMI: return "an exception the VMM intercepts; under shadow paging, page faults (#PF, vector 14)";
	case EXIT_EXTERNAL_INTERRUPT: return "a device interrupt (the timer) arrived while the guest ran";
	case EXIT_TRIPLE_FAULT: return "the guest triple-faulted";
	case EXIT_INTERRUPT_WINDOW: return "the guest became able to take a held interrupt";
	case EXIT_TASK_SWITCH: return "a hardware task switch";
	case EXIT_CPUID: return "CPUID, which VT-x always intercepts";
	case EXIT_HLT: return "the guest halted to wait for an interrupt";
	case EXIT_INVD: return "INVD";
	case EXIT_INVLPG: return "INVLPG, intercepted under shadow paging";
	case EXIT_RDTSC: return "RDTSC";
	case EXIT_VMCALL: return "VMCALL, a hypercall instruction";
	case EXIT_CR_ACCESS: return "a control-register access (under shadow paging, CR3 loads and paging-mode changes)";
	case EXIT_IO_INSTRUCTION: return "a port I/O instruction, emulated by the device model";
	case EXIT_RDMSR: return "RDMSR";
	case EXIT_WRMSR: return "WRMSR";
	case EXIT_GDTR_IDTR: return "LGDT/LIDT/SGDT/SIDT";
	case EXIT_LDTR_TR: return "LLDT/LTR/SLDT/STR";
	case EXIT_EPT_VIOLATION: return "a guest-physical page the nested table did not map yet";
	case EXIT_WBINVD: return "WBINVD";
	case EXIT_BT_CALLOUT: return "translated code called into the VMM";
	case EXIT_PV_HYPERCALL: return "a paravirtual guest's hypercall";
	case EXIT_SOFTWARE_INTERRUPT: return "a software interrupt (INT n: a system call) the VMM delivers to the guest";
	default: return "an exit ringlab has no description for";
	}
}

const char *exit_kind_name(u32 kind)
{
	switch (kind) {
	case EXIT_KIND_VMX: return "vmx";
	case EXIT_KIND_CALLOUT: return "callout";
	case EXIT_KIND_HYPERCALL: return "hypercall";
	case EXIT_KIND_TRAP: return "trap";
	default: return "unknown";
	}
}

const char *exit_reason_name(u32 reason)
{
	switch (reason) {
	case EXIT_EXCEPTION_NMI: return "EXCEPTION_NMI";
	case EXIT_EXTERNAL_INTERRUPT: return "EXTERNAL_INTERRUPT";
	case EXIT_TRIPLE_FAULT: return "TRIPLE_FAULT";
	case EXIT_INTERRUPT_WINDOW: return "INTERRUPT_WINDOW";
	case EXIT_TASK_SWITCH: return "TASK_SWITCH";
	case EXIT_CPUID: return "CPUID";
	case EXIT_HLT: return "HLT";
	case EXIT_INVD: return "INVD";
	case EXIT_INVLPG: return "INVLPG";
	case EXIT_RDTSC: return "RDTSC";
	case EXIT_VMCALL: return "VMCALL";
	case EXIT_CR_ACCESS: return "CR_ACCESS";
	case EXIT_IO_INSTRUCTION: return "IO_INSTRUCTION";
	case EXIT_RDMSR: return "RDMSR";
	case EXIT_WRMSR: return "WRMSR";
	case EXIT_GDTR_IDTR: return "GDTR_IDTR_ACCESS";
	case EXIT_LDTR_TR: return "LDTR_TR_ACCESS";
	case EXIT_EPT_VIOLATION: return "EPT_VIOLATION";
	case EXIT_WBINVD: return "WBINVD";
	case EXIT_BT_CALLOUT: return "BT_CALLOUT";
	case EXIT_PV_HYPERCALL: return "PV_HYPERCALL";
	case EXIT_SOFTWARE_INTERRUPT: return "SOFTWARE_INTERRUPT";
	default: return "UNKNOWN";
	}
}

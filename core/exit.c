/*
 * exit.c — names of exit reasons, as reports and traces print them.
 */
#include "exit.h"

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
	default: return "UNKNOWN";
	}
}

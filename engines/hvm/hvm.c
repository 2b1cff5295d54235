/*
 * hvm.c — hardware-assisted virtualization (Intel VT-x, both generations).
 *
 * The engine is the VMM of a VT-x machine: at start it fills the processor's
 * intercept controls as a VMCS would (every exit of kind VMX), then handles every exit
 * cpu_run() returns with the shared VMM layer. A reading tour of one exit:
 *   1. the guest executes something intercepted (CPUID, HLT, IN/OUT, a CR access,
 *      INVLPG, an MSR, a #PF under shadow paging) or an external interrupt arrives;
 *      the processor stops before the instruction and reports an exit record
 *      (core/cpu.c);
 *   2. the run loop (core/vm.c) counts it and the machine charges the transition:
 *      vmx.exit + vmx.entry, and without VPID a TLB flush the guest pays for again in
 *      walks later (core/exit.c);
 *   3. hvm_exit() charges the VMM's dispatch (vmm.handler) and does the work with
 *      vmm/vmm.c: port I/O from the exit qualification; CPUID answered for the
 *      hypervisor leaf; other instructions emulated by the run loop executing them
 *      once on the VMM's behalf (vmm.emulate_insn); a #PF to the shadow MMU, which
 *      fixes a hidden fault, asks for the emulation of a write to a guest page table,
 *      or reflects a true guest fault; an EPT violation to the nested MMU;
 *   4. the verdict goes back to the run loop, and the guest resumes; pending events (an
 *      interrupt, a reflected fault) are injected on entry. External interrupts exit
 *      whatever the guest's IF (they are acknowledged on exit); one the guest cannot
 *      take yet is held until an interrupt-window exit says it can.
 * With nested paging nothing about paging exits except EPT violations; with shadow
 * paging CR3 loads, INVLPG, paging-mode changes and #PF all exit.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/mmu.h"
#include "core/vm.h"
#include "vmm/vmm.h"

struct hvm {
	struct vmm vmm;   /* the shared VMM state, first */
	int pending_irq;  /* acknowledged external interrupt awaiting injection, or -1 */
};

static int hvm_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	struct hvm *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmm_init(&h->vmm, vm, "hvm");
	h->pending_irq = -1;
	vm->engine_state = h;
	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->kind = EXIT_KIND_VMX;
	ic->ctl = ICPT_CPUID | ICPT_HLT | ICPT_IO | ICPT_MSR | ICPT_EXT_INT | ICPT_WBINVD | ICPT_VMCALL;
	memset(ic->io_bitmap, 0xff, sizeof(ic->io_bitmap)); /* every port: the device model */
	if (c->mmu->fault) {
		/* a shadowing MMU: the VMM owns the paging state */
		ic->ctl |= ICPT_CR3_LOAD | ICPT_CR3_STORE | ICPT_INVLPG;
		ic->cr0_mask = CR0_PG | CR0_WP | CR0_PE;
		ic->cr4_mask = CR4_PSE | CR4_PGE | CR4_PAE;
		ic->exception_bitmap = 1u << EXC_PF;
	}
	return 0;
}

static void hvm_fini(struct vm *vm)
{
	free(vm->engine_state);
	vm->engine_state = NULL;
}

/* CPUID as the VMM answers it: the machine's leaves (the instruction executed once on
 * the VMM's behalf) plus a hypervisor leaf that names ringlab's HVM and advertises no
 * paravirtual interface. */
static enum engine_verdict cpuid(struct hvm *h, const struct exit_record *e)
{
	struct cpu *c = &h->vmm.vm->cpu;
	if (c->r[R_EAX] != 0x40000000u)
		return ENGINE_EMULATE;
	c->r[R_EAX] = 0x40000000u;
	c->r[R_EBX] = 0x676e6972u; /* "ringlabHVM\0\0": not the PV signature */
	c->r[R_ECX] = 0x4d564862u;
	c->r[R_EDX] = 0;
	vmm_skip(&h->vmm, e);
	return ENGINE_RESUME;
}

/* External interrupts and the interrupt window: inject an acknowledged interrupt when
 * the guest can take it, else hold it and ask for the window (no further interrupt
 * exits while one is held). */
static enum engine_verdict interrupt(struct hvm *h, const struct exit_record *e)
{
	struct cpu *c = &h->vmm.vm->cpu;
	if (e->reason == EXIT_INTERRUPT_WINDOW) {
		c->icpt.ctl = (c->icpt.ctl & ~ICPT_INTR_WINDOW) | ICPT_EXT_INT;
		if (h->pending_irq >= 0)
			vmm_inject_external(&h->vmm, (u8)h->pending_irq);
		h->pending_irq = -1;
	} else if ((c->eflags & FL_IF) && !c->inhibit) {
		vmm_inject_external(&h->vmm, (u8)e->vector);
	} else {
		h->pending_irq = (int)e->vector;
		c->icpt.ctl = (c->icpt.ctl & ~ICPT_EXT_INT) | ICPT_INTR_WINDOW;
	}
	return ENGINE_RESUME;
}

static enum engine_verdict hvm_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct hvm *h = vm->engine_state;
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_HANDLER]);
	switch (e->reason) {
	case EXIT_CPUID:
		return cpuid(h, e);
	case EXIT_HLT:
		vmm_skip(&h->vmm, e);
		if (h->pending_irq >= 0)
			return ENGINE_RESUME; /* an interrupt is already waiting for the window */
		return vm_halt(vm) ? ENGINE_RESUME : ENGINE_STOP;
	case EXIT_EXTERNAL_INTERRUPT:
	case EXIT_INTERRUPT_WINDOW:
		return interrupt(h, e);
	case EXIT_IO_INSTRUCTION:
		return vmm_io(&h->vmm, e);
	case EXIT_EPT_VIOLATION:
		if (!c->mmu->violation || c->mmu->violation(c, (u32)e->gpa)) {
			snprintf(vm->reason, sizeof(vm->reason), "EPT violation at %#llx the VMM cannot map (EIP %#010x)",
				 (unsigned long long)e->gpa, e->guest_eip);
			vm->status = VM_VMM_FAILED;
			return ENGINE_STOP;
		}
		vmm_reinject(&h->vmm, e);
		return ENGINE_RESUME;
	case EXIT_EXCEPTION_NMI:
		if (e->vector == EXC_PF && c->mmu->fault)
			return vmm_page_fault(&h->vmm, e);
		return vmm_reflect(&h->vmm, e, (u8)e->vector, e->error_code);
	case EXIT_VMCALL:
		/* no hypercall interface under hvm: VMCALL raises #UD in the guest, as
		 * KVM does for an unknown hypercall-less guest */
		return vmm_reflect(&h->vmm, e, EXC_UD, 0);
	case EXIT_TRIPLE_FAULT:
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x", e->guest_eip);
		vm->status = VM_SHUTDOWN;
		return ENGINE_STOP;
	default:
		/* CR_ACCESS, INVLPG, RDMSR, WRMSR, WBINVD, INVD */
		return vmm_emulate(&h->vmm);
	}
}

static const char *const hvm_mmus[] = { "shadow", "nested", NULL };

const struct engine_ops engine_hvm = {
	.name = "hvm",
	.help = "hardware-assisted virtualization (VT-x): exits to a VMM",
	.mmus = hvm_mmus,
	.init = hvm_init,
	.fini = hvm_fini,
	.handle_exit = hvm_exit,
};

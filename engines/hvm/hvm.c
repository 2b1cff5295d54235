/*
 * hvm.c — hardware-assisted virtualization (Intel VT-x, both generations).
 *
 * The engine is the VMM of a VT-x machine: at start it fills the processor's
 * intercept controls as a VMCS would, then handles every exit cpu_run() returns.
 * A reading tour of one exit:
 *   1. the guest executes something intercepted (CPUID, HLT, IN/OUT, a CR access,
 *      INVLPG, an MSR, a #PF under shadow paging) or an external interrupt arrives;
 *      the processor stops before the instruction and reports an exit record;
 *   2. hvm_exit() charges the hardware transition (vmx.exit + vmx.entry, to
 *      `transition`) and the VMM's dispatch (vmm.handler, to `vmm`); without VPID the
 *      exit and entry also flush the TLB, so the guest pays again in walks later;
 *   3. the handler does the work: CPUID and HLT are emulated here; every other
 *      instruction is emulated by executing it once on the VMM's behalf (cpu_step:
 *      decode and emulate, charged vmm.emulate_insn; ports take the device model's
 *      emulated path, charged io); a #PF goes to the shadow MMU, which fixes a hidden
 *      fault, asks for the emulation of a write to a guest page table, or reflects a
 *      true guest fault; an EPT violation goes to the nested MMU;
 *   4. the guest resumes; pending events (an interrupt, a reflected fault) are
 *      injected on entry. External interrupts exit whatever the guest's IF (they are
 *      acknowledged on exit); one the guest cannot take yet is held until an
 *      interrupt-window exit says it can.
 * With nested paging nothing about paging exits except EPT violations; with shadow
 * paging CR3 loads, INVLPG, paging-mode changes and #PF all exit.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/mmu.h"
#include "core/vm.h"

struct hvm {
	bool shadow;
	int pending_irq;      /* acknowledged external interrupt awaiting injection, or -1 */
	u64 *emulated, *injected;
};

static const u64 *prim(struct vm *vm) { return vm->prof.v; }

/* List the profiles under dir whose CPU had nested paging, for an error message. */
static void nested_profiles(const char *dir, char *out, size_t n)
{
	struct dirent **e;
	int k = scandir(dir, &e, NULL, alphasort);
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		size_t l = strlen(e[i]->d_name);
		char path[1024], err[256];
		struct profile p;
		if (l > 4 && !strcmp(e[i]->d_name + l - 4, ".lua")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e[i]->d_name);
			if (!profile_load(&p, path, err, sizeof(err)) && p.v[P_VMX_NESTED])
				snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? ", " : "", p.name);
		}
		free(e[i]);
	}
	if (k >= 0)
		free(e);
}

static int hvm_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	const char *mmu = c->mmu->name;
	if (strcmp(mmu, "shadow") && strcmp(mmu, "nested")) {
		snprintf(err, errlen, "invalid configuration hvm/%s: hvm runs with the shadow or nested MMU", mmu);
		return -1;
	}
	if (!strcmp(mmu, "nested") && !prim(vm)[P_VMX_NESTED]) {
		char list[256];
		nested_profiles(vm->cfg.profile_dir, list, sizeof(list));
		snprintf(err, errlen, "hvm/nested needs nested paging, which the CPU of profile %s did not have (profiles with it: %s)",
			 vm->prof.name, list[0] ? list : "none");
		return -1;
	}
	struct hvm *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->shadow = !strcmp(mmu, "shadow");
	h->pending_irq = -1;
	h->emulated = stats_counter(&vm->stats, "hvm.emulated_insns");
	h->injected = stats_counter(&vm->stats, "hvm.injected_events");
	vm->engine_state = h;
	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->ctl = ICPT_CPUID | ICPT_HLT | ICPT_IO | ICPT_MSR | ICPT_EXT_INT | ICPT_WBINVD;
	memset(ic->io_bitmap, 0xff, sizeof(ic->io_bitmap)); /* every port: the device model */
	if (h->shadow) {
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

/* Continue after cpu_step or an injected event: turn a non-step status into the
 * run's end, as vm_run would. */
static enum engine_verdict after(struct vm *vm, enum run_status r);

/* Emulate the exited instruction by executing it once on the VMM's behalf. */
static enum engine_verdict emulate(struct vm *vm)
{
	struct hvm *h = vm->engine_state;
	cost_charge(&vm->cost, COST_VMM, prim(vm)[P_VMM_EMULATE]);
	(*h->emulated)++;
	return after(vm, cpu_step(&vm->cpu, &vm->exit));
}

/* CPUID as the VMM answers it: the machine's leaves plus a hypervisor leaf that
 * names ringlab's HVM and advertises no paravirtual interface. */
static void emulate_cpuid(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	u32 leaf = c->r[R_EAX];
	if (leaf == 0x40000000u) {
		c->r[R_EAX] = 0x40000000u;
		c->r[R_EBX] = 0x676e6972u; /* "ringlabHVM\0\0": not the PV signature */
		c->r[R_ECX] = 0x4d564862u;
		c->r[R_EDX] = 0;
	} else {
		/* the machine's own answer, by executing CPUID on the VMM's behalf */
		cpu_step(c, &vm->exit);
		c->eip -= 2; /* undone below */
		c->insns--;
	}
	c->eip += 2;
	c->insns++;
}

/* The exit interrupted the delivery of an event: deliver it again on entry (a
 * software interrupt is re-executed instead: EIP is still at the INT). */
static void reinject(struct vm *vm, const struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	u32 info = e->idt_info;
	if (!(info & IDT_INFO_VALID) || IDT_INFO_TYPE(info) == 4)
		return;
	if (IDT_INFO_TYPE(info) == 0)
		cpu_inject_external(c, (u8)info);
	else
		cpu_inject(c, (u8)info, info & IDT_INFO_HAS_ERR, e->idt_err);
	(*((struct hvm *)vm->engine_state)->injected)++;
}

static enum engine_verdict hvm_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct hvm *h = vm->engine_state;
	const u64 *p = prim(vm);
	cost_charge(&vm->cost, COST_TRANSITION, p[P_VMX_EXIT] + p[P_VMX_ENTRY]);
	cost_charge(&vm->cost, COST_VMM, p[P_VMM_HANDLER]);
	if (!p[P_VMX_VPID]) {
		/* no tagged TLB: the world switch flushes it */
		tlb_flush_all(&c->itlb, false);
		tlb_flush_all(&c->dtlb, false);
		cpu_flush_fast_tlb(c);
		if (c->mmu->flush)
			c->mmu->flush(c);
	}
	switch (e->reason) {
	case EXIT_CPUID:
		emulate_cpuid(vm);
		return ENGINE_RESUME;
	case EXIT_HLT:
		c->eip += e->insn_len;
		c->insns++;
		if (h->pending_irq >= 0)
			return ENGINE_RESUME; /* an interrupt is already waiting for the window */
		return vm_halt(vm) ? ENGINE_RESUME : ENGINE_STOP;
	case EXIT_EXTERNAL_INTERRUPT:
		/* inject now if the guest can take it, else ask for the interrupt window;
		 * no further interrupt exits while one is held */
		if ((c->eflags & FL_IF) && !c->inhibit) {
			cpu_inject_external(c, (u8)e->vector);
			(*h->injected)++;
		} else {
			h->pending_irq = (int)e->vector;
			c->icpt.ctl = (c->icpt.ctl & ~ICPT_EXT_INT) | ICPT_INTR_WINDOW;
		}
		return ENGINE_RESUME;
	case EXIT_INTERRUPT_WINDOW:
		c->icpt.ctl = (c->icpt.ctl & ~ICPT_INTR_WINDOW) | ICPT_EXT_INT;
		if (h->pending_irq >= 0) {
			cpu_inject_external(c, (u8)h->pending_irq);
			(*h->injected)++;
			h->pending_irq = -1;
		}
		return ENGINE_RESUME;
	case EXIT_EPT_VIOLATION:
		if (!c->mmu->violation || c->mmu->violation(c, (u32)e->gpa)) {
			snprintf(vm->reason, sizeof(vm->reason), "guest-physical access to %#llx outside RAM at EIP %#010x",
				 (unsigned long long)e->gpa, e->guest_eip);
			vm->status = VM_ERROR;
			return ENGINE_STOP;
		}
		reinject(vm, e);
		return ENGINE_RESUME;
	case EXIT_EXCEPTION_NMI: {
		u32 pfec = e->error_code;
		if (e->vector == EXC_PF && c->mmu->fault) {
			int r = c->mmu->fault(c, e->linear, e->error_code, &pfec);
			if (r == MMU_FIXED) {
				reinject(vm, e);
				return ENGINE_RESUME;
			}
			if (r == MMU_EMULATE) {
				cost_charge(&vm->cost, COST_VMM, p[P_VMM_EMULATE]);
				(*h->emulated)++;
				enum run_status s = cpu_step(c, e);
				if (s != RUN_STEP)
					return after(vm, s); /* the emulation itself exited; it retries */
				if (c->mmu->after_emulate)
					c->mmu->after_emulate(c);
				return ENGINE_RESUME;
			}
			c->cr2 = e->linear;
		}
		/* reflect the guest's own exception */
		cpu_inject(c, (u8)e->vector, e->vector == EXC_PF || e->vector == EXC_GP || e->vector == EXC_DF ||
						     (e->vector >= EXC_TS && e->vector <= EXC_PF),
			   pfec);
		(*h->injected)++;
		return ENGINE_RESUME;
	}
	case EXIT_TRIPLE_FAULT:
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x", e->guest_eip);
		vm->status = VM_SHUTDOWN;
		return ENGINE_STOP;
	default:
		/* IO_INSTRUCTION, CR_ACCESS, INVLPG, RDMSR, WRMSR, WBINVD, ... */
		return emulate(vm);
	}
}

static enum engine_verdict after(struct vm *vm, enum run_status r)
{
	switch (r) {
	case RUN_STEP:
	case RUN_BUDGET:
		return ENGINE_RESUME;
	case RUN_EXIT:
		/* the emulated instruction itself exited (a hidden fault on its operand) */
		vm_count_exit(vm, vm->exit.reason);
		return hvm_exit(vm, &vm->exit);
	case RUN_HLT:
		return vm_halt(vm) ? ENGINE_RESUME : ENGINE_STOP;
	default:
		return ENGINE_RESUME; /* stop/shutdown/error states are seen by the next cpu_run */
	}
}

const struct engine_ops engine_hvm = {
	.name = "hvm",
	.help = "hardware-assisted virtualization (VT-x): exits to a VMM",
	.init = hvm_init,
	.fini = hvm_fini,
	.handle_exit = hvm_exit,
};

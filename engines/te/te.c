/*
 * te.c — naive trap-and-emulate: the counter-example (Popek & Goldberg; Robin & Irvine).
 *
 * The unmodified guest kernel runs deprivileged in ring 1 on a CPU without VT-x; every
 * privileged instruction faults (#GP) into the VMM, which emulates it as ring 0 would,
 * and nothing else is done. The VMM needs only a little to keep the kernel in ring 1
 * ("ring compression"): a shadow copy of the guest's GDT in memory of its own where the
 * kernel's code segments have DPL 1 (so the guest's own IDT gates enter ring 1, not
 * ring 0), a ring-1 stack segment, and a TSS of its own whose ring-1 stack is the guest's
 * ring-0 stack, copied at every entry into the VMM. Data segments keep DPL 0: the
 * kernel's loads of them fault and are emulated. Paging is shadowed (te/shadow).
 *
 * That is the whole VMM — and the x86's sensitive but unprivileged instructions then
 * answer wrongly, without a single fault: CS and SS reveal ring 1, POPF silently keeps
 * IF, SGDT reveals the VMM's table, LAR/LSL/VERW answer for the compressed descriptors.
 * `bench run sensitive --config te/shadow` shows which (guest/user/sensitive.c). It
 * must fail visibly, and explain itself, never crash the host.
 *
 * A reading tour of one exit: the kernel executes MOV %eax,%cr3 in ring 1; the
 * processor raises #GP; the exception bitmap makes it an exit of kind TRAP (a trap into
 * a VMM in the guest's address space, charged trap.exception + ring_switch + iret);
 * te_exit() refreshes the ring-1 stack, then asks the run loop to execute the instruction
 * once at virtual CPL 0 (vmm_emulate_at); te_after_emulate() notices a new GDT or TSS.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "core/vm.h"
#include "vmm/ringcomp.h"
#include "vmm/vmm.h"

#define TE_GDT 0x0000u     /* offsets in the VMM's memory: the shadow GDT (8 KB) */
#define TE_TSS 0x2000u     /* its TSS (104 bytes) */

struct te {
	struct vmm vmm;        /* the shared VMM state, first */
	struct ringcomp rc;    /* the shadow GDT and the VMM's TSS (vmm/ringcomp.h) */
	u32 emu_eip;           /* the instruction last emulated, and when: a #GP it */
	u64 emu_insns;         /* raises again is the guest's own */
};

static struct te *te_of(struct vm *vm) { return vm->engine_state; }

static int te_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	struct te *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmm_init(&t->vmm, vm, "te");
	ringcomp_init(&t->rc, vm, "te", TE_GDT, TE_TSS);
	t->emu_eip = ~0u;
	vm->engine_state = t;
	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->kind = EXIT_KIND_TRAP; /* no VT-x: the VMM is entered through the IDT */
	ic->exception_bitmap = (1u << EXC_GP) | (c->mmu->fault ? 1u << EXC_PF : 0);
	ringcomp_enter_ring1(vm); /* deprivileged from its first instruction */
	return 0;
}

static void te_fini(struct vm *vm)
{
	free(vm->engine_state);
	vm->engine_state = NULL;
}

/* After an emulated instruction: a GDT the guest just loaded becomes the shadow's. */
static void te_after_emulate(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	struct te *t = te_of(vm);
	if (c->gdtr_base != vm->vmm_win + TE_GDT)
		ringcomp_shadow_gdt(vm, &t->rc, c->gdtr_base, c->gdtr_limit, 0);
	ringcomp_sync_stack(vm, &t->rc);
}

static enum engine_verdict te_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct te *t = te_of(vm);
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_HANDLER]);
	ringcomp_sync_stack(vm, &t->rc);
	if (e->reason != EXIT_EXCEPTION_NMI) {
		snprintf(vm->reason, sizeof(vm->reason), "te: unexpected exit %s at EIP %#010x",
			 exit_reason_name(e->reason), e->guest_eip);
		vm->status = VM_VMM_FAILED;
		return ENGINE_STOP;
	}
	if (e->vector == EXC_PF)
		return vmm_page_fault(&t->vmm, e);
	/* #GP: a privileged instruction of the deprivileged kernel, emulated as ring 0
	 * would run it; the guest's own #GP (user mode, the emulation faulting again, or a
	 * fault while an event was being delivered) goes to the guest */
	if (c->cpl == 3 || (e->idt_info & IDT_INFO_VALID) ||
	    (t->emu_eip == e->guest_eip && t->emu_insns == c->insns)) {
		t->emu_eip = ~0u;
		return vmm_reflect(&t->vmm, e, (u8)e->vector, e->error_code);
	}
	t->emu_eip = e->guest_eip;
	t->emu_insns = c->insns;
	return vmm_emulate_at(&t->vmm, 0);
}

static const char *const te_mmus[] = { "shadow", NULL };

const struct engine_ops engine_te = {
	.name = "te",
	.help = "naive trap-and-emulate: the kernel in ring 1, #GP emulated (the counter-example)",
	.mmus = te_mmus,
	.vmm_kb = 64,
	.init = te_init,
	.fini = te_fini,
	.handle_exit = te_exit,
	.after_emulate = te_after_emulate,
};

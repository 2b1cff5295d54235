/*
 * pv.c — paravirtualization: the guest kernel knows it runs on a VMM and asks it for
 * privileged work by hypercall (32-bit Xen's model; the contract is
 * guest/kernel/pvabi.h).
 *
 * The VMM lives in the guest's address space, as Xen's did: its memory is the window at
 * the top of the linear space, where it keeps the processor's GDT (the guest's, ring-
 * compressed and truncated below the window: vmm/ringcomp.h), its TSS (whose ring-1
 * stack is the guest kernel's) and the trap table the processor uses (a validated copy
 * of the guest's). The kernel runs in ring 1, user code in ring 3.
 *
 * Boot. The VMM starts the kernel deprivileged with EDX = PV_BOOT_MAGIC (pvabi.h). Until
 * the kernel registers, the VMM is naive trap-and-emulate (te): a privileged instruction
 * faults (#GP) and is emulated once at virtual CPL 0. So an unmodified kernel boots and
 * goes wrong as it does under te; ours registers in its first C function (PVH_REGISTER)
 * and from then on its pv-ops are hypercalls (guest/kernel/pvops_pv.c).
 *
 * After registration, the exits, all of kind TRAP or HYPERCALL (no VT-x):
 *   - `int $0x82` from ring 1: a hypercall (hypercall.c), result in EAX;
 *   - an external interrupt: delivered through the guest's trap table if its virtual
 *     IF (the mask in the shared page) allows, else held and flagged in the shared page
 *     until the guest unmasks and asks (PVH_EVENT_CHECK or any hypercall);
 *   - an exception: bounced to the guest's handler (a #PF first goes through the
 *     shadow-paging protocol, which fixes hidden faults itself; a true one is bounced
 *     with CR2 in the shared page); a privileged instruction the kernel still executes
 *     is emulated, as Xen emulates a few;
 *   - `int $0x80` never exits: the processor enters the guest kernel directly.
 * Every event reaches the guest through the processor's delivery from the VMM's trap
 * table (every gate a trap gate, so the real IF stays set) with a frame whose EFLAGS.IF
 * is the virtual one (cpu_inject_vif); a guest interrupt gate masks events.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/fault.h"
#include "core/mmu.h"
#include "pv.h"
#include "vmm/guestmem.h"

struct pv_shared *pv_shared(struct pv *p)
{
	if (!p->registered)
		return NULL;
	return (struct pv_shared *)cpu_phys(&p->vmm.vm->cpu, p->shared_gpa, sizeof(struct pv_shared));
}

static bool bit(const u32 *map, unsigned v) { return map[v >> 5] >> (v & 31) & 1; }

/* Deliver `vec` through the guest's trap table now (at the next entry), its frame
 * carrying the virtual IF of the interrupted code; mask events if the guest's gate is
 * an interrupt gate. A re-delivery of the event in flight (its delivery faulted and the
 * VMM fixed the fault) carries the same virtual IF. */
static void bounce(struct vmm *v, u8 vec, bool ext, bool has_err, u32 err)
{
	struct pv *p = (struct pv *)v;
	struct cpu *c = &v->vm->cpu;
	struct pv_shared *sh = pv_shared(p);
	if (!sh) { /* boot mode: the processor's own delivery, as under te */
		if (ext)
			cpu_inject_external(c, vec);
		else
			cpu_inject(c, vec, has_err, err);
		return;
	}
	bool vif = p->inflight_vec == vec ? p->inflight_vif : !sh->evt_mask;
	p->inflight_vec = vec;
	p->inflight_vif = vif;
	if (ext) {
		cpu_inject_external(c, vec);
		(*p->virqs)++;
	} else {
		cpu_inject(c, vec, has_err, err);
		(*p->bounced)++;
		if (vec == EXC_PF)
			sh->cr2 = c->cr2;
	}
	cpu_inject_vif(c, vif);
	if (bit(p->intgate, vec))
		sh->evt_mask = 1;
	/* the bounce frame costs what the processor's delivery of it is charged */
}

/* Deliver the lowest held interrupt if events are unmasked and nothing else is being
 * delivered; keep the shared page's pending flag true to what is held. */
static void deliver_held(struct pv *p)
{
	struct pv_shared *sh = pv_shared(p);
	struct cpu *c = &p->vmm.vm->cpu;
	if (!sh)
		return;
	int first = -1;
	for (unsigned i = 0; i < 8 && first < 0; i++)
		if (p->pending[i])
			first = (int)(i * 32 + (unsigned)__builtin_ctz(p->pending[i]));
	if (first >= 0 && !sh->evt_mask && !c->inject_pending) {
		p->pending[first >> 5] &= ~(1u << (first & 31));
		vmm_inject_external(&p->vmm, (u8)first);
		first = -1;
		for (unsigned i = 0; i < 8; i++)
			if (p->pending[i])
				first = 0;
	}
	sh->evt_pending = first >= 0;
}

void pv_raise_virq(struct pv *p, u8 vec)
{
	struct pv_shared *sh = pv_shared(p);
	if (sh && !sh->evt_mask && !p->vmm.vm->cpu.inject_pending) {
		vmm_inject_external(&p->vmm, vec);
	} else {
		p->pending[vec >> 5] |= 1u << (vec & 31);
		(*p->virqs_held)++;
	}
}

int pv_register(struct pv *p, u32 shared_gpa, u32 version)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (p->registered || version != PV_ABI_VERSION)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if ((shared_gpa & 0xfff) || shared_gpa >= c->ram_size)
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	p->registered = true;
	p->shared_gpa = shared_gpa;
	struct intercepts *ic = &c->icpt;
	ic->ctl |= ICPT_EXT_INT;
	ic->exception_bitmap = 0xffffffffu; /* every exception bounces through the VMM */
	c->eflags |= FL_IF;                 /* the real IF stays set: the guest's is virtual */
	p->idtr_base = c->idtr_base;        /* what an emulated LIDT would change */
	p->idtr_limit = c->idtr_limit;
	return p->direct ? (int)PV_F_DIRECT_PT : 0;
}

static int pv_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	struct pv *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmm_init(&p->vmm, vm, "pv");
	p->vmm.deliver = bounce;
	ringcomp_init(&p->rc, vm, "pv", PV_GDT, PV_TSS);
	p->emu_eip = ~0u;
	p->inflight_vec = -1;
	static const char *const hname[PVH_COUNT] = {
		"register", "mmu_update", "new_baseptr", "invlpg", "flush_tlb", "set_trap_table",
		"stack_switch", "set_gdt", "event_check", "block", "yield", "shutdown", "set_timer",
		"console_write", "io", "multicall", "blk_setup", "blk_notify", "pin_table", "iret",
	};
	static const char *const rname[PV_REF_COUNT] = {
		"unknown", "argument", "fault", "trap_table", "stack", "user", "mmu",
		"frame", "pt_writable", "vmm_hole", "superpage", "type", "not_pt", "privileged", "device",
	};
	char name[STATS_NAME_MAX];
	for (unsigned i = 0; i < PVH_COUNT; i++) {
		snprintf(name, sizeof(name), "pv.hypercalls.%s", hname[i]);
		p->hypercalls[i] = stats_counter(&vm->stats, name, "hypercalls of this kind, multicall entries included (count)");
	}
	for (unsigned i = 0; i < PV_REF_COUNT; i++) {
		snprintf(name, sizeof(name), "pv.refused.%s", rname[i]);
		p->refused[i] = stats_counter(&vm->stats, name, "hypercalls the VMM refused, by reason (count)");
	}
	p->multicall_ops = stats_counter(&vm->stats, "pv.multicall_ops", "hypercalls carried out inside multicalls (count)");
	p->bounced = stats_counter(&vm->stats, "pv.bounced_exceptions", "exceptions bounced through the VMM to the guest's trap table (count)");
	p->virqs = stats_counter(&vm->stats, "pv.virq_deliveries", "virtual interrupts delivered to the guest (count)");
	p->virqs_held = stats_counter(&vm->stats, "pv.virq_held", "interrupts held because the guest had masked events (count)");
	p->emulated_boot = stats_counter(&vm->stats, "pv.emulated_boot", "privileged instructions emulated before the kernel registered, as te does (count)");
	p->emulated_priv = stats_counter(&vm->stats, "pv.emulated_privileged", "privileged instructions of the registered kernel emulated (count)");
	p->pte_updates = stats_counter(&vm->stats, "pv.pte_updates", "page-table entries written by the VMM for PVH_MMU_UPDATE, validated (count)");
	p->validated = stats_counter(&vm->stats, "pv.tables_validated", "frames validated whole as page tables, L1 or L2 (count)");
	p->full_flushes = stats_counter(&vm->stats, "pv.tlb_full_flushes", "full TLB flushes before a once-writable frame became a page table (count)");
	p->direct = !c->mmu->fault;
	if (p->direct && pv_direct_init(p)) {
		pv_direct_fini(p);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pv_blk_init(p);
	vm->engine_state = p;
	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->kind = EXIT_KIND_TRAP; /* no VT-x: the VMM is entered through the IDT */
	ic->exception_bitmap = (1u << EXC_GP) | (c->mmu->fault ? 1u << EXC_PF : 0);
	ic->softint[PV_HYPERCALL_VECTOR] = EXIT_PV_HYPERCALL;
	/* the boot protocol: deprivileged from the first instruction, EDX says who we are */
	ringcomp_enter_ring1(vm);
	c->r[R_EDX] = PV_BOOT_MAGIC;
	ringcomp_truncate_loaded(vm); /* the loader's flat segments must not reach the window */
	return 0;
}

static void pv_fini(struct vm *vm)
{
	struct pv *p = pv_of(vm);
	if (p && p->direct)
		pv_direct_fini(p);
	free(vm->engine_state);
	vm->engine_state = NULL;
}

/* After an emulated instruction: a GDT or IDT the kernel loaded itself becomes the
 * shadow's or is validated like a trap table. */
static void pv_after_emulate(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	struct pv *p = pv_of(vm);
	if (c->gdtr_base != vm->vmm_win + PV_GDT)
		ringcomp_shadow_gdt(vm, &p->rc, c->gdtr_base, c->gdtr_limit, p->registered ? RC_SAFE | RC_PV : RC_SAFE);
	ringcomp_truncate_loaded(vm); /* whatever the instruction loaded */
	if (!p->registered) {
		ringcomp_sync_stack(vm, &p->rc);
	} else if (c->idtr_base != p->idtr_base || c->idtr_limit != p->idtr_limit) {
		/* the emulated instruction was an LIDT */
		u32 base = c->idtr_base, limit = c->idtr_limit;
		c->idtr_limit = 0; /* nothing is delivered through an unvalidated table */
		pv_set_trap_table(p, base, limit);
		p->idtr_base = c->idtr_base;
		p->idtr_limit = c->idtr_limit;
	}
	if (p->registered)
		c->eflags |= FL_IF;
}

static enum engine_verdict hypercall(struct pv *p, struct exit_record *e)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (c->cpl == 3) {
		/* ring 3 may not call the VMM: the gate's DPL is 1, as on Xen */
		pv_refuse(p, PV_REF_USER, 0);
		return vmm_reflect(&p->vmm, e, EXC_GP, PV_HYPERCALL_VECTOR * 8u + 2);
	}
	u32 a[5] = { c->r[R_EBX], c->r[R_ECX], c->r[R_EDX], c->r[R_ESI], c->r[R_EDI] };
	u32 op = c->r[R_EAX];
	vmm_skip(&p->vmm, e);
	bool halt = false;
	int r = pv_hypercall(p, op, a, &halt);
	c->r[R_EAX] = (u32)r;
	if (p->killed) {
		snprintf(vm->reason, sizeof(vm->reason),
			 "pv: guest killed after %u unsafe requests refused in a row (last: hypercall %u at EIP %#010x)",
			 PV_PERM_LIMIT, op, e->guest_eip);
		vm->status = VM_SHUTDOWN;
		return ENGINE_STOP;
	}
	if (halt && !c->intc->intr) {
		bool any = false;
		for (unsigned i = 0; i < 8; i++)
			any |= p->pending[i] != 0;
		if (!any && !vm_halt(vm))
			return ENGINE_STOP;
	}
	return ENGINE_RESUME;
}

/* What the VMM makes of a registered kernel's #GP at CPL 1. */
enum emu_class {
	EMU_SAFE,     /* a privileged instruction that cannot undo the VMM's protection */
	EMU_REFUSED,  /* a privileged instruction that could: #GP, counted */
	EMU_GUEST,    /* not a privileged instruction: the kernel's own #GP (a segment
		       * limit, a bad selector), delivered as it is */
};

/* Classify the instruction at the exit. Emulated: reading control registers, CR4's
 * paging options, CR0 without touching PE, PG or WP, CR3 under shadow paging (the
 * shadow MMU follows it; under pv/direct only PVH_NEW_BASEPTR may load one), a GDT or
 * IDT (which the VMM shadows and validates afterwards), INVLPG, CLTS, caches, HLT,
 * RDMSR, RDPMC, port I/O; CLI and STI are harmless no-ops (the guest's IF is the shared
 * page's). Refused: WRMSR (SYSENTER's target), SYSEXIT, LTR, LLDT, LMSW, debug
 * registers, other CR loads. */
static enum emu_class emulation_class(struct pv *p, const struct exit_record *e)
{
	struct cpu *c = &p->vmm.vm->cpu;
	u8 b[16];
	if (!vmm_guest_read(p->vmm.vm, c->seg[SEG_CS].base + e->guest_eip, b, sizeof(b)))
		return EMU_GUEST;
	unsigned i = 0;
	while (i < 8 && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 || b[i] == 0x26 ||
			 b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x64 || b[i] == 0x65))
		i++;
	u8 op = b[i];
	if (op == 0xf4 || op == 0xfa || op == 0xfb || (op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef) ||
	    (op >= 0x6c && op <= 0x6f))
		return EMU_SAFE;
	if (op != 0x0f)
		return EMU_GUEST;
	u8 op2 = b[i + 1], modrm = b[i + 2], reg = (modrm >> 3) & 7;
	switch (op2) {
	case 0x06: case 0x08: case 0x09: case 0x20: case 0x32: case 0x33:
		return EMU_SAFE; /* CLTS, INVD, WBINVD, MOV from CRn, RDMSR, RDPMC */
	case 0x21: case 0x23: case 0x30: case 0x35:
		return EMU_REFUSED; /* MOV DRn, WRMSR, SYSEXIT */
	case 0x00:
		return reg == 2 || reg == 3 ? EMU_REFUSED : EMU_GUEST; /* LLDT, LTR */
	case 0x01:
		if ((modrm >> 6) == 3)
			return EMU_GUEST;
		if (reg == 2 || reg == 3 || reg == 7)
			return EMU_SAFE; /* LGDT, LIDT, INVLPG */
		return reg == 6 ? EMU_REFUSED : EMU_GUEST; /* LMSW */
	case 0x22: {
		u32 v = c->r[modrm & 7];
		bool ok = false;
		if (reg == 4)
			ok = !((v ^ c->cr4) & ~(u32)(CR4_PSE | CR4_PGE | CR4_TSD | CR4_DE | CR4_PCE | CR4_OSFXSR));
		else if (reg == 0)
			ok = !((v ^ c->cr0) & (CR0_PE | CR0_PG | CR0_WP));
		else
			ok = reg == 2 || (reg == 3 && !p->direct);
		return ok ? EMU_SAFE : EMU_REFUSED;
	}
	default:
		return EMU_GUEST;
	}
}

static enum engine_verdict exception(struct pv *p, struct exit_record *e)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (e->vector == EXC_PF && c->mmu->fault)
		return vmm_page_fault(&p->vmm, e);
	if (e->vector == EXC_PF)
		c->cr2 = e->linear; /* the exit left CR2 alone: the bounce hands it over */
	/* #GP from a privileged instruction of the ring-1 kernel: emulated once at virtual
	 * CPL 0 (te's rule before registration; afterwards, as Xen emulates a few for a PV
	 * kernel); the guest's own #GP (user mode, the emulation faulting again, or a fault
	 * while an event was being delivered) and every other exception go to the guest */
	if (e->vector == EXC_GP && c->cpl != 3 && !(e->idt_info & IDT_INFO_VALID) &&
	    !(p->emu_eip == e->guest_eip && p->emu_insns == c->insns)) {
		enum emu_class k = p->registered ? emulation_class(p, e) : EMU_SAFE;
		if (k != EMU_SAFE) {
			if (k == EMU_REFUSED)
				pv_refuse(p, PV_REF_PRIVILEGED, 0);
			return vmm_reflect(&p->vmm, e, EXC_GP, e->error_code);
		}
		p->emu_eip = e->guest_eip;
		p->emu_insns = c->insns;
		(*(p->registered ? p->emulated_priv : p->emulated_boot))++;
		return vmm_emulate_at(&p->vmm, 0);
	}
	p->emu_eip = ~0u;
	return vmm_reflect(&p->vmm, e, (u8)e->vector, e->error_code);
}

static enum engine_verdict pv_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct pv *p = pv_of(vm);
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_HANDLER]);
	if (!(e->idt_info & IDT_INFO_VALID))
		p->inflight_vec = -1; /* the last delivery completed */
	if (!p->registered)
		ringcomp_sync_stack(vm, &p->rc);
	else
		c->eflags |= FL_IF;
	enum engine_verdict v;
	switch (e->reason) {
	case EXIT_PV_HYPERCALL:
		v = hypercall(p, e);
		break;
	case EXIT_EXTERNAL_INTERRUPT:
		pv_raise_virq(p, (u8)e->vector);
		v = ENGINE_RESUME;
		break;
	case EXIT_EXCEPTION_NMI:
		v = exception(p, e);
		break;
	case EXIT_TRIPLE_FAULT:
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x", e->guest_eip);
		vm->status = VM_SHUTDOWN;
		return ENGINE_STOP;
	default:
		snprintf(vm->reason, sizeof(vm->reason), "pv: unexpected exit %s at EIP %#010x",
			 exit_reason_name(e->reason), e->guest_eip);
		vm->status = VM_VMM_FAILED;
		return ENGINE_STOP;
	}
	if (v == ENGINE_RESUME)
		deliver_held(p);
	return v;
}

static const char *const pv_mmus[] = { "direct", "shadow", NULL };

const struct engine_ops engine_pv = {
	.name = "pv",
	.help = "paravirtualization: the kernel in ring 1 asks the VMM by hypercall (Xen-style)",
	.mmus = pv_mmus,
	.vmm_kb = 64,
	.init = pv_init,
	.fini = pv_fini,
	.handle_exit = pv_exit,
	.after_emulate = pv_after_emulate,
};

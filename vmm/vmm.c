/*
 * vmm.c — the work every VMM shares: emulation requests, port I/O from the exit
 * qualification, the shadow #PF protocol, and event injection (see vmm.h).
 */
#include "vmm.h"

#include <stdio.h>

#include "core/fault.h"
#include "core/machine.h"
#include "core/insn.h"
#include "core/mmu.h"
#include "core/operand.h"

void vmm_init(struct vmm *v, struct vm *vm, const char *engine)
{
	char name[STATS_NAME_MAX];
	v->vm = vm;
	v->deliver = NULL;
	snprintf(name, sizeof(name), "%s.emulated_insns", engine);
	v->emulated = stats_counter(&vm->stats, name,
				    "guest instructions the VMM emulated, each charged vmm.emulate_insn (count)");
	snprintf(name, sizeof(name), "%s.injected_events", engine);
	v->injected = stats_counter(&vm->stats, name,
				    "interrupts and exceptions the VMM delivered into the guest on entry (count)");
}

static void charge(struct vmm *v, enum profile_primitive p)
{
	cost_charge(&v->vm->cost, COST_VMM, v->vm->prof.v[p]);
}

enum engine_verdict vmm_emulate(struct vmm *v)
{
	charge(v, P_VMM_EMULATE);
	(*v->emulated)++;
	return ENGINE_EMULATE;
}

enum engine_verdict vmm_emulate_at(struct vmm *v, unsigned cpl)
{
	v->vm->emulate_cpl = (int)cpl;
	return vmm_emulate(v);
}

void vmm_skip(struct vmm *v, const struct exit_record *e)
{
	struct cpu *c = &v->vm->cpu;
	u32 next = e->guest_eip + e->insn_len;
	c->eip = (c->seg[SEG_CS].attr & SEG_DB) ? next : next & 0xffff;
	c->insns++;
}

enum engine_verdict vmm_io(struct vmm *v, const struct exit_record *e)
{
	struct cpu *c = &v->vm->cpu;
	u32 q = e->qualification;
	unsigned size = (q & 7) + 1;
	u16 port = (u16)(q >> 16);
	if ((q & 16) || (c->eflags & FL_TF))
		return vmm_emulate(v); /* string I/O reads or writes guest memory */
	charge(v, P_VMM_EMULATE);
	(*v->emulated)++;
	/* The emulated instruction retires as the machine would have run it: timers due
	 * first, its base cost, then the access on the device model's emulated path. */
	if (clock_due(c->clock))
		clock_run_due(c->clock);
	cost_guest(c->cost, c->cls_cost[IC_IO]);
	vmm_skip(v, e);
	if (q & 8)
		reg_set(c, R_EAX, size, io_bus_in(c->io, port, size, IO_EMULATED));
	else
		io_bus_out(c->io, port, size, e->value, IO_EMULATED);
	return ENGINE_RESUME;
}

/* Every injection goes through here: the engine's delivery, or the processor's. */
static void inject(struct vmm *v, u8 vec, bool ext, bool has_err, u32 err)
{
	if (v->deliver)
		v->deliver(v, vec, ext, has_err, err);
	else if (ext)
		cpu_inject_external(&v->vm->cpu, vec);
	else
		cpu_inject(&v->vm->cpu, vec, has_err, err);
	(*v->injected)++;
}

void vmm_inject_external(struct vmm *v, u8 vec) { inject(v, vec, true, false, 0); }

void vmm_reinject(struct vmm *v, const struct exit_record *e)
{
	u32 info = e->idt_info;
	if (!(info & IDT_INFO_VALID) || IDT_INFO_TYPE(info) == 4 || IDT_INFO_TYPE(info) == 5)
		return; /* INT n, INT3, INTO, INT1: EIP is still at the instruction, which runs again */
	inject(v, (u8)info, IDT_INFO_TYPE(info) == 0, info & IDT_INFO_HAS_ERR, e->idt_err);
}

static bool contributory(u8 vec)
{
	return vec == EXC_DE || (vec >= EXC_TS && vec <= EXC_GP);
}

enum engine_verdict vmm_reflect(struct vmm *v, const struct exit_record *e, u8 vec, u32 err)
{
	struct vm *vm = v->vm;
	u32 info = e->idt_info;
	if ((info & IDT_INFO_VALID) && IDT_INFO_TYPE(info) == 3) {
		u8 prev = (u8)info;
		if (prev == EXC_DF) {
			snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x (#DF -> #%s)",
				 e->guest_eip, machine_exc_name(vec));
			vm->status = VM_SHUTDOWN;
			return ENGINE_STOP;
		}
		if ((contributory(prev) && contributory(vec)) ||
		    (prev == EXC_PF && (vec == EXC_PF || contributory(vec)))) {
			vec = EXC_DF;
			err = 0;
		}
	}
	/* an interrupted external interrupt or a benign first event is not re-delivered:
	 * the processor handles the new fault, as it does natively (cpu.c) */
	inject(v, vec, false, exc_has_error(vec), err);
	return ENGINE_RESUME;
}

enum engine_verdict vmm_page_fault(struct vmm *v, const struct exit_record *e)
{
	struct cpu *c = &v->vm->cpu;
	struct mmu_fault pf = { e->linear, e->error_code, (e->idt_info & IDT_INFO_VALID) != 0 };
	u32 pfec = e->error_code;
	switch (c->mmu->fault(c, &pf, &pfec)) {
	case MMU_FIXED:
		vmm_reinject(v, e);
		return ENGINE_RESUME;
	case MMU_EMULATE:
		charge(v, P_VMM_EMULATE);
		(*v->emulated)++;
		return ENGINE_EMULATE_PT;
	default:
		c->cr2 = e->linear;
		return vmm_reflect(v, e, EXC_PF, pfec);
	}
}

/*
 * hypercall.c — the pv VMM's hypercalls (guest/kernel/pvabi.h is the contract).
 *
 * Each checks its arguments before it changes anything: a pointer is read through the
 * guest's own page tables (vmm/guestmem.h), a descriptor table is validated so that
 * nothing the guest loads reaches ring 0 or the VMM's window, a kernel stack must be a
 * ring-1 data segment. A refused call returns a negative PV_E* code and is counted by
 * reason (pv.refused.*); the guest goes on. Costs: the transition (trap.exception +
 * trap.ring_switch + trap.iret, by the exit's kind) and vmm.handler were charged on the
 * way in; here the VMM charges the operations it performs (vmm.pte_read per reference
 * of its walks of the guest's tables, vmm.pte_write per descriptor copied, the device
 * model's emulated path per port access, tlb.flush per CR3 load).
 */
#include <string.h>

#include "core/clock.h"
#include "core/io.h"
#include "core/flags.h"
#include "core/mmu.h"
#include "core/segment.h"
#include "pv.h"
#include "vmm/guestmem.h"

int pv_refuse(struct pv *p, enum pv_refusal why, int code)
{
	(*p->refused[why])++;
	if (code == PV_EPERM && ++p->perm_run >= PV_PERM_LIMIT)
		p->killed = true;
	return code;
}

int pv_set_trap_table(struct pv *p, u32 lin, u32 limit)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 n = (limit + 1) / 8, gates[256][2];
	if (limit > 256 * 8 - 1 || (limit & 7) != 7)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (!vmm_guest_read(vm, lin, gates, n * 8))
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	for (u32 v = 0; v < n; v++) {
		u32 lo = gates[v][0], hi = gates[v][1];
		if (!(hi & 0x8000))
			continue; /* not present: delivering it raises #NP, as natively */
		unsigned type = (hi >> 8) & 0x1f;
		u32 off = (lo & 0xffff) | (hi & 0xffff0000u);
		if ((type != 0xe && type != 0xf) || !ringcomp_is_kernel_code(vm, (u16)(lo >> 16)) ||
		    off >= vm->vmm_win)
			return pv_refuse(p, PV_REF_TRAP_TABLE, PV_EPERM);
	}
	u32 *idt = (u32 *)(vm->vmm_mem + PV_IDT);
	memset(idt, 0, 256 * 8);
	memset(p->intgate, 0, sizeof(p->intgate));
	for (u32 v = 0; v < n; v++) {
		u32 lo = gates[v][0], hi = gates[v][1];
		if (!(hi & 0x8000))
			continue;
		if (((hi >> 8) & 0x1f) == 0xe)
			p->intgate[v >> 5] |= 1u << (v & 31);
		idt[2 * v] = lo;
		idt[2 * v + 1] = (hi & ~0x1f00u) | 0x0f00u; /* a trap gate: the real IF stays set */
		cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_PTE_WRITE]);
	}
	c->idtr_base = p->idtr_base = vm->vmm_win + PV_IDT;
	c->idtr_limit = p->idtr_limit = (u16)limit;
	return PV_OK;
}

/* A port access on the guest's behalf, through the device model's emulated path. */
static int port_io(struct pv *p, u32 port, u32 how, u32 value)
{
	struct cpu *c = &p->vmm.vm->cpu;
	unsigned size = how & 0xff;
	if ((size != 1 && size != 2 && size != 4) || (how & ~(0xffu | PV_IO_OUT)) || port + size > 0x10000)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (clock_due(c->clock))
		clock_run_due(c->clock);
	if (how & PV_IO_OUT) {
		io_bus_out(c->io, (u16)port, size, value, IO_EMULATED);
		return PV_OK;
	}
	return (int)io_bus_in(c->io, (u16)port, size, IO_EMULATED);
}

static int console_write(struct pv *p, u32 lin, u32 n)
{
	struct cpu *c = &p->vmm.vm->cpu;
	u8 buf[PV_CONSOLE_MAX];
	if (n > PV_CONSOLE_MAX)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (!vmm_guest_read(p->vmm.vm, lin, buf, n))
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	for (u32 i = 0; i < n; i++)
		io_bus_out(c->io, 0x3f8, 1, buf[i], IO_EMULATED); /* COM1's transmit register */
	return (int)n;
}

static int set_timer(struct pv *p, u32 hz)
{
	struct cpu *c = &p->vmm.vm->cpu;
	if (!hz || hz > 1193182)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	u32 div = 1193182u / hz;
	if (div > 65535)
		div = 65535; /* the slowest the PIT goes (about 18.2 Hz) */
	io_bus_out(c->io, 0x43, 1, 0x34, IO_EMULATED); /* PIT channel 0, rate generator */
	io_bus_out(c->io, 0x40, 1, div & 0xff, IO_EMULATED);
	io_bus_out(c->io, 0x40, 1, (div >> 8) & 0xff, IO_EMULATED);
	return PV_OK;
}

/* Load segment register `sr` from shadow selector `sel` (already checked). */
static void load_seg(struct cpu *c, unsigned sr, u16 sel)
{
	struct desc d = { 0 }; /* desc_read cannot fail here: the selector was checked */
	desc_read(c, sel, &d);
	seg_from_desc(&c->seg[sr], sel, &d);
}

/* PVH_IRET: pop the caller's EAX and an IRET frame from the ring-1 stack and return
 * there, as the processor's IRET from ring 1 would (to ring 1 or ring 3, through the
 * shadow GDT, flags but IF and IOPL from the frame), the virtual IF from the frame's
 * EFLAGS.IF. Returns the restored EAX; a frame that is not mapped or names a selector a
 * ring-1 IRET could not load is refused (the guest is left as it was). */
static int iret(struct pv *p, struct pv_shared *sh)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 f[6];
	u32 sp = c->seg[SEG_SS].base + c->r[R_ESP];
	if (c->cpl != 1 || !vmm_guest_read(vm, sp, f, 4 * 4))
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	u16 cs = (u16)f[2];
	unsigned rpl = cs & 3;
	struct desc d;
	bool code_ok = (rpl == 1 && ringcomp_is_kernel_code(vm, cs)) ||
		       (rpl == 3 && desc_read(c, cs, &d) && desc_present(&d) && desc_is_code(&d) && desc_dpl(&d) == 3);
	if (!code_ok || (cs & 4))
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (rpl == 3) {
		if (!vmm_guest_read(vm, sp + 16, &f[4], 8))
			return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
		u16 ss = (u16)f[5];
		if ((ss & 7) != 3 || !desc_read(c, ss, &d) || !desc_present(&d) || !desc_is_seg(&d) ||
		    desc_is_code(&d) || !(d.hi & 0x200) || desc_dpl(&d) != 3)
			return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	}
	u32 eax = f[0];
	cc_materialize(c);
	u32 keep = FL_IF | FL_IOPL | FL_VM | FL_VIF | FL_VIP;
	c->eflags = (c->eflags & keep) | (f[3] & ~keep & ~(u32)FL_NT) | FL_1;
	cpu_eflags_loaded(c);
	c->cc_op = CC_EAGER;
	load_seg(c, SEG_CS, cs);
	cpu_set_cpl(c, rpl);
	c->eip = f[1];
	if (rpl == 3) {
		load_seg(c, SEG_SS, (u16)f[5]);
		c->r[R_ESP] = f[4];
		seg_null_invalid(c);
	} else {
		c->r[R_ESP] += 16;
	}
	ringcomp_truncate_loaded(vm);
	sh->evt_mask = !(f[3] & FL_IF) && rpl == 1;
	cost_charge(c->cost, COST_TRAP, c->prof->v[P_TRAP_IRET]);
	return (int)eax;
}

static int multicall(struct pv *p, u32 lin, u32 n, bool *halt)
{
	struct vm *vm = p->vmm.vm;
	if (n > PV_MULTICALL_MAX)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	for (u32 i = 0; i < n; i++) {
		struct pv_multicall m;
		u32 at = lin + i * (u32)sizeof(m);
		if (!vmm_guest_read(vm, at, &m, sizeof(m)))
			return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
		if (m.op == PVH_MULTICALL || m.op == PVH_REGISTER || m.op == PVH_IRET) {
			m.result = pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
		} else {
			(*p->multicall_ops)++;
			m.result = pv_hypercall(p, m.op, m.args, halt);
		}
		if (!vmm_guest_write(vm, at + (u32)offsetof(struct pv_multicall, result), &m.result,
				     sizeof(m.result)))
			return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	}
	return PV_OK;
}

static int dispatch(struct pv *p, u32 op, const u32 a[5], bool *halt);

int pv_hypercall(struct pv *p, u32 op, const u32 a[5], bool *halt)
{
	int r = dispatch(p, op, a, halt);
	/* an accepted request ends a run of refusals; a multicall is judged by its entries */
	if (r >= 0 && op != PVH_MULTICALL)
		p->perm_run = 0;
	return r;
}

static int dispatch(struct pv *p, u32 op, const u32 a[5], bool *halt)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (op >= PVH_COUNT)
		return pv_refuse(p, PV_REF_UNKNOWN, PV_EINVAL);
	(*p->hypercalls[op])++;
	if (op == PVH_REGISTER)
		return pv_register(p, a[0], a[1]);
	struct pv_shared *sh = pv_shared(p);
	if (!sh)
		return pv_refuse(p, PV_REF_UNKNOWN, PV_EINVAL); /* register first */
	switch (op) {
	case PVH_MMU_UPDATE:
		/* pv/shadow: the guest's entries hold guest-physical frames and are plain
		 * stores the shadow MMU traces */
		if (!p->direct)
			return pv_refuse(p, PV_REF_MMU, PV_EINVAL);
		return pv_mmu_update(p, a[0], a[1]);
	case PVH_PIN_TABLE:
		if (!p->direct)
			return pv_refuse(p, PV_REF_MMU, PV_EINVAL);
		return pv_pin(p, a[0], a[1]);
	case PVH_NEW_BASEPTR:
		if (p->direct)
			return pv_new_baseptr(p, a[0]);
		if ((a[0] & 0xfff) || a[0] >= c->ram_size)
			return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
		cpu_load_cr3(c, a[0]);
		return PV_OK;
	case PVH_INVLPG:
		cpu_invlpg(c, a[0]);
		return PV_OK;
	case PVH_FLUSH_TLB:
		cpu_load_cr3(c, c->cr3);
		return PV_OK;
	case PVH_SET_TRAP_TABLE:
		return pv_set_trap_table(p, a[0], a[1]);
	case PVH_STACK_SWITCH:
		if (a[0] > 0xffff || !ringcomp_is_stack(vm, (u16)a[0]))
			return pv_refuse(p, PV_REF_STACK, PV_EINVAL);
		ringcomp_set_stack(vm, &p->rc, (u16)a[0], a[1]);
		return PV_OK;
	case PVH_SET_GDT:
		if (a[1] > 0xffff || (a[1] & 7) != 7)
			return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
		if (!ringcomp_shadow_gdt(vm, &p->rc, a[0], (u16)a[1], RC_SAFE | RC_PV))
			return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
		ringcomp_truncate_loaded(vm);
		return PV_OK;
	case PVH_EVENT_CHECK:
	case PVH_YIELD:
		return PV_OK; /* a held event is delivered on the way back */
	case PVH_BLOCK:
		sh->evt_mask = 0;
		*halt = true;
		return PV_OK;
	case PVH_SHUTDOWN:
		io_bus_out(c->io, 0xf4, 1, a[0] & 0xff, IO_EMULATED); /* the machine's exit port */
		return PV_OK;
	case PVH_SET_TIMER:
		return set_timer(p, a[0]);
	case PVH_CONSOLE_WRITE:
		return console_write(p, a[0], a[1]);
	case PVH_IO:
		return port_io(p, a[0], a[1], a[2]);
	case PVH_MULTICALL:
		return multicall(p, a[0], a[1], halt);
	case PVH_IRET:
		return iret(p, sh);
	case PVH_BLK_SETUP:
		return pv_blk_setup(p, a[0]);
	case PVH_BLK_NOTIFY:
		return pv_blk_notify(p);
	default:
		return pv_refuse(p, PV_REF_UNKNOWN, PV_EINVAL);
	}
}

/*
 * event.c — events for the guest kernel under bt, delivered in software through the
 * guest's own IDT as the processor would deliver them to a kernel that believes it runs
 * in ring 0: the stack switch from the guest TSS's SS0:ESP0 when coming from user mode,
 * the frame with the guest's CS and EIP and the virtual IF, the virtual IF cleared for
 * an interrupt gate, a fault while delivering combined as the SDM says (#DF, then a
 * triple fault), and the interrupts held while the virtual IF was clear. bt.c decides
 * when; this file does the delivery.
 */
#include "core/fault.h"
#include "core/flags.h"
#include "core/segment.h"
#include "tc.h"
#include "vmm/guestmem.h"

static void charge(struct bt *b, enum profile_primitive p)
{
	struct vm *vm = b->vmm.vm;
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[p]);
}

static bool deliver(struct bt *b, u8 vec, enum ev type, bool has_err, u32 err);

/* A fault while delivering an event: deliver it instead (nested; three deep is a
 * triple fault, as the processor's #DF rule would end it). */
static bool contributory(u8 vec) { return vec == EXC_DE || (vec >= EXC_TS && vec <= EXC_GP); }

/* A fault `vec` while delivering the event `cur` of `type`: deliver it instead, or a
 * double fault as the SDM's Table 6-5 combines two exceptions (a fault while delivering
 * #DF: deliver() shuts the guest down three deep). */
static bool fault_in_delivery(struct bt *b, enum ev type, u8 cur, u8 vec, u32 err)
{
	if (type == EV_SOFT || type == EV_ICE)
		b->vmm.vm->cpu.eip = b->int_eip; /* a fault: at the INT instruction itself */
	if (type == EV_EXC && cur == EXC_DF) {
		struct vm *vm = b->vmm.vm;
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x (#DF -> vector %u)", vm->cpu.eip, vec);
		vm->status = VM_SHUTDOWN;
		b->failed = true;
		return false;
	}
	if (type == EV_EXC && ((contributory(cur) && contributory(vec)) || (cur == EXC_PF && (vec == EXC_PF || contributory(vec)))))
		return deliver(b, EXC_DF, EV_EXC, true, 0);
	return deliver(b, vec, EV_EXC, true, err);
}

/* The frame of event `vec` could not be written at linear `lin`: the processor would
 * take a #PF there (a supervisor write), combined with the event as the SDM says. */
static bool stack_fault(struct bt *b, enum ev type, u8 vec, u32 lin)
{
	b->vmm.vm->cpu.cr2 = lin;
	return fault_in_delivery(b, type, vec, EXC_PF, PFEC_W);
}

/* Deliver event `vec` to the guest kernel in software through the guest's IDT, as the
 * processor would for a kernel in ring 0: EIP is the guest EIP the frame records (the
 * faulting instruction, or the next one for INT n and interrupts). From user mode the
 * stack switches to the guest TSS's SS0:ESP0; the frame carries the guest's CS and the
 * virtual IF; an interrupt gate clears the virtual IF. The guest resumes at the
 * handler's translation, at CPL 1. Returns false if the VMM stopped the guest. */
static bool deliver(struct bt *b, u8 vec, enum ev type, bool has_err, u32 err)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 ext = type == EV_EXT;
	if (++b->depth > 3) {
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x (bt: delivering vector %u)", c->eip, vec);
		vm->status = VM_SHUTDOWN;
		b->failed = true;
		return false;
	}
	charge(b, P_VMM_EMULATE);
	u32 gate[2];
	if ((u32)vec * 8 + 7 > c->idtr_limit || !vmm_guest_read(vm, c->idtr_base + vec * 8u, gate, 8))
		return fault_in_delivery(b, type, vec, EXC_GP, vec * 8u + 2 + ext);
	unsigned gtype = (gate[1] >> 8) & 0x1f, gdpl = (gate[1] >> 13) & 3;
	if (gtype != 0x0e && gtype != 0x0f) {
		if (!(gate[1] & 0x8000) || gtype != 0x05)
			return fault_in_delivery(b, type, vec, EXC_GP, vec * 8u + 2 + ext);
		bt_fail(b, "bt: vector %u names a task gate (task switches are not implemented)", vec);
		return false;
	}
	if (type == EV_SOFT && c->cpl == 3 && gdpl < 3)
		return fault_in_delivery(b, type, vec, EXC_GP, vec * 8u + 2);
	if (!(gate[1] & 0x8000))
		return fault_in_delivery(b, type, vec, EXC_NP, vec * 8u + 2 + ext);
	u16 sel = (u16)(gate[0] >> 16);
	u32 off = (gate[0] & 0xffff) | (gate[1] & 0xffff0000u);
	struct desc cd;
	if (!(sel & ~3u) || !bt_guest_desc(b, sel, &cd) || !desc_is_code(&cd))
		return fault_in_delivery(b, type, vec, EXC_GP, (sel & ~3u) + ext);
	if (!desc_present(&cd))
		return fault_in_delivery(b, type, vec, EXC_NP, (sel & ~3u) + ext);
	if (desc_dpl(&cd) != 0) {
		bt_fail(b, "bt: vector %u's handler %#06x:%#010x is not ring-0 code (not implemented)", vec, sel, off);
		return false;
	}
	u32 words[6], nw = 0; /* the frame, lowest address first */
	if (has_err)
		words[nw++] = err;
	words[nw++] = c->eip;
	u32 fl = bt_guest_eflags(b);
	struct desc sd;
	u16 ss0 = 0;
	u32 esp;
	if (c->cpl == 3) {
		/* the guest's TSS (the one its TR names, in its own GDT) gives SS0:ESP0 */
		struct desc td;
		u32 t[2];
		u32 tss = 0;
		if (bt_guest_desc(b, c->tr.sel, &td))
			tss = (td.lo >> 16) | ((td.hi & 0xff) << 16) | (td.hi & 0xff000000u);
		if (!tss || !vmm_guest_read(vm, tss + 4, t, 8))
			return fault_in_delivery(b, type, vec, EXC_TS, c->tr.sel & ~3u);
		ss0 = (u16)t[1];
		esp = t[0];
		struct desc gd;
		if (!bt_shadow_desc(b, ss0, &sd) || !desc_is_seg(&sd) || desc_is_code(&sd) || !(sd.hi & 0x200) ||
		    !bt_guest_desc(b, ss0, &gd) || desc_dpl(&gd) != 0)
			return fault_in_delivery(b, type, vec, EXC_TS, ss0 & ~3u);
		words[nw++] = c->seg[SEG_CS].sel;
		words[nw++] = fl;
		words[nw++] = c->r[R_ESP];
		words[nw++] = c->seg[SEG_SS].sel;
		struct seg nss;
		seg_from_desc(&nss, ss0, &sd);
		if (!vmm_guest_write(vm, nss.base + esp - 4 * nw, words, 4 * nw))
			return stack_fault(b, type, vec, nss.base + esp - 4 * nw);
		c->seg[SEG_SS] = nss;
		cpu_set_cpl(c, 1);
		bt_load_vmm_cs(b);
	} else {
		words[nw++] = b->vcs;
		words[nw++] = fl;
		esp = c->r[R_ESP];
		if (!vmm_guest_write(vm, bt_stack_lin(c, esp - 4 * nw), words, 4 * nw))
			return stack_fault(b, type, vec, bt_stack_lin(c, esp - 4 * nw));
	}
	c->r[R_ESP] = esp - 4 * nw;
	cc_materialize(c);
	c->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
	c->cc_op = CC_EAGER;
	if (gtype == 0x0e)
		bt_set_vif(b, false);
	b->vcs = sel & ~3u;
	c->eip = off;
	(*b->delivered)++;
	return true;
}

/* Deliver an event from the top (not nested in another delivery). */
bool bt_deliver_top(struct bt *b, u8 vec, enum ev type, bool has_err, u32 err)
{
	b->depth = 0;
	bool ok = deliver(b, vec, type, has_err, err);
	b->depth = 0;
	return ok;
}

/* The shared VMM layer's delivery (vmm_reflect): the guest's own exception. */
void bt_deliver_cb(struct vmm *v, u8 vec, bool ext, bool has_err, u32 err)
{
	struct bt *b = (struct bt *)v;
	bt_deliver_top(b, vec, ext ? EV_EXT : EV_EXC, has_err, err);
}

/* Deliver the lowest held external interrupt if the virtual IF allows. */
void bt_deliver_held(struct bt *b)
{
	if (!bt_vif(b) || b->failed)
		return;
	for (unsigned i = 0; i < 8; i++)
		if (b->pending[i]) {
			unsigned v = i * 32 + (unsigned)__builtin_ctz(b->pending[i]);
			b->pending[i] &= ~(1u << (v & 31));
			bt_pend_sync(b);
			(*b->vmm.injected)++;
			bt_deliver_top(b, (u8)v, EV_EXT, false, 0);
			return;
		}
}

bool bt_any_pending(const struct bt *b)
{
	for (unsigned i = 0; i < 8; i++)
		if (b->pending[i])
			return true;
	return false;
}


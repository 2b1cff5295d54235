/*
 * bt.c — full virtualization by binary translation, as VMware's VMM did it in 1998
 * (Adams & Agesen 2006; DESIGN §5): the engine's ops, its exits and the virtual CPU.
 *
 * The VMM lives in the top 1 MB of the guest's linear space (engine_ops.vmm_kb): the
 * shadow GDT (the guest's, ring-compressed and truncated below the window: ringcomp,
 * RC_SAFE, plus a flat DPL-1 code descriptor of the VMM's own), and the translation
 * cache (translate.c). Guest user code runs directly at CPL 3. The guest kernel never
 * runs: its translations do, at CPL 1 through the VMM's code segment, on the guest's
 * own data segments and registers. The processor's IDT is never used: every exception,
 * every software interrupt and every external interrupt is intercepted (kind TRAP), and
 * the VMM delivers the guest's events in software through the guest's own IDT, as the
 * hardware would for a kernel it believed ran in ring 0.
 *
 * The virtual CPU: the kernel's CS selector (the real CS is the VMM's), EFLAGS.IF (the
 * real IF stays 1; external interrupts are held while the virtual one is clear), the
 * guest's GDTR (ringcomp's vgdt), its IDTR (the processor's register, unused by it).
 *
 * A reading tour of one callout: the kernel's translation reaches `int $0x83` in the
 * TC; the intercept makes it an exit EXIT_BT_CALLOUT (kind callout, charged bt.callout
 * by the machine); bt_exit() maps the TC address back to its block and the guest EIP
 * X of the instruction that ended it, and callout() acts on the virtual CPU by the
 * block's kind: a branch computed, CLI/STI/PUSHF/POPF on the virtual IF, IRET to the
 * kernel and INT n in software, or the instruction emulated once at virtual CPL 0
 * (privileged instructions, segment loads, CALL/RET, port I/O on the device model's
 * emulated path). When the guest resumes in its kernel, its guest EIP becomes the TC
 * address of that EIP's translation (tc_enter: translated on demand).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/block.h"
#include "core/engine.h"
#include "core/fault.h"
#include "core/flags.h"
#include "core/insn.h"
#include "core/machine.h"
#include "core/operand.h"
#include "core/mmu.h"
#include "core/segment.h"
#include "listing.h"
#include "tc.h"
#include "vmm/guestmem.h"


void bt_fail(struct bt *b, const char *fmt, ...)
{
	struct vm *vm = b->vmm.vm;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	vm->status = VM_VMM_FAILED;
	b->failed = true;
}

static void charge(struct bt *b, enum profile_primitive p)
{
	struct vm *vm = b->vmm.vm;
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[p]);
}

static bool in_window(struct vm *vm, u32 eip) { return eip - vm->vmm_win < vm->vmm_size; }

/* While the TC runs, GS holds the VMM's data segment (the window, DPL 0: the VMM loads
 * it directly; no descriptor table has it, so no guest selector names it) and the
 * guest's GS is virtual (b->vgs): the translator sends every guest instruction that
 * uses GS to the VMM. The VMM works on the guest's GS: it is given back at every exit
 * and taken again whenever the guest kernel resumes in the TC. */
static void gs_take(struct bt *b)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (b->gs_stolen)
		return;
	u32 base = vm->vmm_win, lim = vm->vmm_size - 1;
	struct desc d = { (lim & 0xffff) | base << 16,
			  ((base >> 16) & 0xff) | 0x00409200u | (lim & 0xf0000u) | (base & 0xff000000u) };
	b->vgs = c->seg[SEG_GS];
	u32 vsel = b->vgs.sel, neg = b->vgs_stale ? GSNEG_STALE : 0u - vsel;
	memcpy(vm->vmm_mem + BT_VGS, &vsel, 4);
	memcpy(vm->vmm_mem + BT_VGSNEG, &neg, 4);
	seg_from_desc(&c->seg[SEG_GS], b->vmm_ds, &d);
	b->gs_stolen = true;
}

static void gs_give(struct bt *b)
{
	if (!b->gs_stolen)
		return;
	b->vmm.vm->cpu.seg[SEG_GS] = b->vgs;
	b->gs_stolen = false;
}

/* EFLAGS as the guest sees them: the virtual IF in place of the real one. */
u32 bt_guest_eflags(struct bt *b)
{
	u32 f = cpu_get_eflags(&b->vmm.vm->cpu);
	return (f & ~FL_IF) | (bt_vif(b) ? FL_IF : 0);
}

/* Set EFLAGS from a guest value at virtual CPL 0 (POPF, IRET): every flag it may change,
 * the IF into the virtual one; the real IF stays 1. */
void bt_set_guest_eflags(struct bt *b, u32 v, unsigned size)
{
	struct cpu *c = &b->vmm.vm->cpu;
	u32 mask = FL_ARITH | FL_TF | FL_DF | FL_IOPL | FL_NT;
	if (size == 4)
		mask |= FL_AC | FL_ID;
	cc_materialize(c);
	c->eflags = (c->eflags & ~mask) | (v & mask) | FL_1 | FL_IF;
	cpu_eflags_loaded(c);
	c->cc_op = CC_EAGER;
	bt_set_vif(b, v & FL_IF);
}

/* The VMM's work for a callout whose operation the translator decoded. */
void bt_vcpu_op(struct bt *b)
{
	charge(b, P_BT_VCPU_OP);
	(*b->vcpu_ops)++;
}

static void skip(struct cpu *c, u32 x, unsigned len)
{
	c->eip = x + len;
	c->insns++;
}

/* The TC address where the guest kernel resumes at guest EIP `geip`: inside the block
 * the last exit came from if it is still there (a fault fixed, a page-table write
 * emulated), else the translation starting there. */
static u32 resume_at(struct bt *b, u32 geip)
{
	struct vm *vm = b->vmm.vm;
	if (b->last >= 0 && b->last_flush_gen == b->flush_gen && !b->flush_pending) {
		const struct bt_block *k = &b->blk[b->last];
		if (geip - k->geip <= k->ident)
			return vm->vmm_win + k->tc + (geip - k->geip);
	}
	return tc_enter(b, geip);
}

/* The inline sequences assume the real IOPL 0 and no TF in the kernel (tc.h): the first
 * time that fails, the TC goes and they are callouts from then on. */
static void check_seq(struct bt *b)
{
	struct cpu *c = &b->vmm.vm->cpu;
	if (!b->no_seq && (c->eflags & FL_IOPL || (c->cpl != 3 && (c->eflags & FL_TF)))) {
		b->no_seq = true;
		b->flush_pending = true;
	}
}

/* The guest kernel resumes at guest EIP c->eip: go on at its translation. The VMM's
 * window is beyond every guest segment's limit (ringcomp truncates them below it): a
 * kernel that goes there takes the #GP the truncated CS gives. */
static void resume_kernel(struct bt *b)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (in_window(vm, c->eip)) {
		bt_deliver_top(b, EXC_GP, EV_EXC, true, 0);
		if (!b->failed && in_window(vm, c->eip))
			bt_fail(b, "bt: the guest kernel's #GP handler is in the VMM's window (%#010x)", c->eip);
		if (b->failed)
			return;
	}
	check_seq(b);
	c->eflags |= FL_IF; /* the real IF stays set while the TC runs */
	c->eip = resume_at(b, c->eip);
	gs_take(b);
}

/* An exit from inside the lookup sequence of indirect block `k`, `off` bytes after its
 * IDENT code: undo what the sequence did, so that the guest is before its instruction. */
static void ind_rollback(struct bt *b, const struct bt_block *k, u32 off)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (off < IND_SAVE)
		return; /* EAX and ECX untouched */
	memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
	memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
	if (off >= ind_esp_end(k)) {
		if (k->kind == BK_RET)
			c->r[R_ESP] -= 4 + k->target;
		else if (k->kind == BK_ICALL)
			c->r[R_ESP] += 4;
	}
}

/* Undo what an emulation needed the processor to show the guest. */
static void restore(struct bt *b)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	if (b->desc_swapped) {
		c->gdtr_base = vm->vmm_win + BT_GDT;
		c->gdtr_limit = b->shadow_limit;
		b->desc_swapped = false;
	}
	if (b->ss_dpl0) {
		bt_data_dpl0(b, false);
		b->ss_dpl0 = false;
	}
	if (b->cs_swapped) {
		if (c->cpl != 3)
			bt_load_vmm_cs(b);
		b->vsysenter_cs = c->sysenter_cs;
		c->sysenter_cs = 0;
	}
	b->cs_swapped = false;
}

/* The guest's own CS selector visible to an emulation (MOV from CS, PUSH CS, far CALL). */
void bt_show_guest_cs(struct bt *b)
{
	struct cpu *c = &b->vmm.vm->cpu;
	struct desc d;
	if (c->cpl != 3 && bt_shadow_desc(b, b->vcs, &d) && desc_is_code(&d))
		seg_from_desc(&c->seg[SEG_CS], b->vcs, &d); /* the guest's CS, truncated below the
							       * window: a CS override reads no VMM memory */
	c->seg[SEG_CS].sel = b->vcs; /* RPL 0, as the guest believes */
	c->sysenter_cs = b->vsysenter_cs;
	b->cs_swapped = true;
}

/* Ask the run loop to execute the guest instruction at c->eip once at virtual CPL
 * `cpl` (charged vmm.emulate_insn). */
enum engine_verdict bt_emulate(struct bt *b, unsigned cpl)
{
	bt_show_guest_cs(b);
	return vmm_emulate_at(&b->vmm, cpl);
}

static bool pop_guest(struct bt *b, u32 esp_off, u32 *v, unsigned size)
{
	struct cpu *c = &b->vmm.vm->cpu;
	*v = 0;
	return vmm_guest_read(b->vmm.vm, bt_stack_lin(c, c->r[R_ESP] + esp_off), v, size);
}

/* IN/OUT (not string), decoded at translation: the VMM hands the access straight to the
 * device model's emulated path (charged vmm.io_emulate; no hardware bus), and the
 * instruction retires as the machine would have run it: timers due first, its base
 * cost, then the access. Under TF the machine emulates it (its #DB follows). */
static enum engine_verdict port_io(struct bt *b, const struct bt_block *k)
{
	struct cpu *c = &b->vmm.vm->cpu;
	u8 op = k->cc;
	unsigned size = (op & 1) ? k->osize : 1;
	u16 port = op >= 0xec ? (u16)c->r[R_EDX] : (u16)k->target;
	if (c->eflags & FL_TF)
		return bt_emulate(b, 0);
	if (clock_due(c->clock))
		clock_run_due(c->clock);
	cost_guest(c->cost, c->cls_cost[IC_IO]);
	skip(c, c->eip, k->len);
	if (!(op & 2))
		reg_set(c, R_EAX, size, io_bus_in(c->io, port, size, IO_EMULATED));
	else
		io_bus_out(c->io, port, size, size == 4 ? c->r[R_EAX] : c->r[R_EAX] & ((1u << (8 * size)) - 1), IO_EMULATED);
	return ENGINE_RESUME;
}

/* The guest instruction at X ended a block: perform it on the virtual CPU. */
static enum engine_verdict callout(struct bt *b, const struct bt_block *k)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 x = c->eip, v;
	(*b->callouts)++;
	(*b->by_kind[k->kind])++;
	if (k->kind != BK_CONT && k->kind != BK_EMULATE && k->kind != BK_DESC && k->kind != BK_MMU &&
	    k->kind != BK_FAR && k->kind != BK_SS && k->kind != BK_POPGS)
		bt_vcpu_op(b); /* the VMM performs what the translator decoded; where it hands the
			     * instruction to the machine after all, emulate() charges that too */
	switch (k->kind) {
	case BK_CONT:
		return ENGINE_RESUME;
	case BK_JMP:
		c->eip = k->target;
		c->insns++;
		return ENGINE_RESUME;
	case BK_JCC:
		c->eip = cc_cond(c, k->cc) ? k->target : x + k->len;
		c->insns++;
		return ENGINE_RESUME;
	case BK_STI:
		/* the inline STI found an interrupt held: it is delivered now, after STI's
		 * one-instruction shadow if that is a HLT (the held interrupt is taken after it) */
		memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		c->eip = x + k->len;
		if (bt_any_pending(b) && vmm_guest_read(vm, c->eip, &v, 1) && (v & 0xff) == 0xf4)
			skip(c, c->eip, 1);
		return ENGINE_RESUME;
	case BK_POPF:
		/* the inline POPF met TF or IOPL in the value, or would set the virtual IF with
		 * an interrupt held: the VMM performs it (the held interrupt is delivered next) */
		memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
		if (!pop_guest(b, 0, &v, 4))
			return bt_emulate(b, 0);
		bt_set_guest_eflags(b, v, 4);
		c->r[R_ESP] += 4;
		skip(c, x, k->len);
		return ENGINE_RESUME;
	case BK_CLI_CO:
		bt_set_vif(b, false);
		skip(c, x, k->len);
		return ENGINE_RESUME;
	case BK_STI_CO:
		bt_set_vif(b, true);
		skip(c, x, k->len);
		if (bt_any_pending(b) && vmm_guest_read(vm, c->eip, &v, 1) && (v & 0xff) == 0xf4)
			skip(c, c->eip, 1);
		return ENGINE_RESUME;
	case BK_POPGS:
		/* a selector other than GS's (or the GDT changed): the machine loads it */
		memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
		memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		b->vgs_stale = false;
		return bt_emulate(b, 0);
	case BK_IO:
		return port_io(b, k);
	case BK_PTWRITE:
		return bt_pt_write(b, k);
	case BK_PUSHF_CO:
		v = bt_guest_eflags(b) & ~(FL_RF | FL_VM);
		if (!vmm_guest_write(vm, bt_stack_lin(c, c->r[R_ESP] - k->osize), &v, k->osize))
			return bt_emulate(b, 0); /* let the machine raise the guest's fault */
		c->r[R_ESP] -= k->osize;
		skip(c, x, k->len);
		return ENGINE_RESUME;
	case BK_POPF_CO:
		if (!pop_guest(b, 0, &v, k->osize))
			return bt_emulate(b, 0);
		if (k->osize == 2)
			v = (bt_guest_eflags(b) & 0xffff0000u) | (v & 0xffff);
		bt_set_guest_eflags(b, v, k->osize);
		c->r[R_ESP] += k->osize;
		skip(c, x, k->len);
		return ENGINE_RESUME;
	case BK_IRET: {
		u32 cs, fl;
		if (k->osize != 4 || !pop_guest(b, 0, &v, 4) || !pop_guest(b, 4, &cs, 4) || !pop_guest(b, 8, &fl, 4))
			return bt_emulate(b, 0);
		if ((cs & 3) == 3 && !(fl & FL_VM)) {
			/* to user mode: the machine's IRET at CPL 0 checks and loads it all */
			b->iret_vif = (fl & FL_IF) != 0;
			return bt_emulate(b, 0);
		}
		struct desc d;
		if ((cs & 3) != 0 || (fl & FL_VM) || !bt_guest_desc(b, (u16)cs, &d) || !desc_is_code(&d) ||
		    desc_dpl(&d) != 0 || !desc_present(&d))
			return bt_emulate(b, 0); /* not a return to the kernel: the machine faults as the guest expects */
		if (in_window(vm, v))
			return bt_emulate(b, 0); /* beyond the guest's CS limit: the machine's #GP */
		b->vcs = (u16)(cs & ~3u);
		bt_set_guest_eflags(b, fl, 4);
		c->r[R_ESP] += 12;
		c->eip = v;
		c->insns++;
		return ENGINE_RESUME;
	}
	case BK_LRET: {
		u32 cs;
		unsigned s = k->osize;
		if (!pop_guest(b, 0, &v, s) || !pop_guest(b, s, &cs, s))
			return bt_emulate(b, 0);
		if ((cs & 3) == 3) {
			b->cs_swapped = true; /* to user mode: the machine's far return from ring 1 */
			c->seg[SEG_CS].sel = b->vcs;
			c->sysenter_cs = b->vsysenter_cs;
			(*b->vmm.emulated)++;
			vm->emulate_cpl = 1;
			return ENGINE_EMULATE;
		}
		struct desc d;
		if ((cs & 3) != 0 || !bt_guest_desc(b, (u16)cs, &d) || !desc_is_code(&d) || desc_dpl(&d) != 0 ||
		    !desc_present(&d))
			return bt_emulate(b, 0); /* the machine raises the fault the guest expects */
		if (in_window(vm, s == 2 ? v & 0xffff : v))
			return bt_emulate(b, 0); /* beyond the guest's CS limit: the machine's #GP */
		b->vcs = (u16)(cs & ~3u);
		c->r[R_ESP] += 2 * s + k->target;
		c->eip = s == 2 ? v & 0xffff : v;
		c->insns++;
		return ENGINE_RESUME;
	}
	case BK_RET:
	case BK_ICALL:
	case BK_IJMP: {
		/* a lookup missed: the instruction has run but for its jump (tc.h) */
		u32 t = c->r[R_EAX];
		memcpy(&c->r[R_EAX], vm->vmm_mem + BT_S_EAX, 4);
		memcpy(&c->r[R_ECX], vm->vmm_mem + BT_S_ECX, 4);
		(*b->lookup_misses)++;
		if (in_window(vm, t)) {
			/* into the VMM's window: undo the stack effect; the machine's instruction,
			 * with the guest's truncated CS, faults at it as the processor would */
			if (k->kind == BK_RET)
				c->r[R_ESP] -= 4 + k->target;
			else if (k->kind == BK_ICALL)
				c->r[R_ESP] += 4;
			return bt_emulate(b, 0);
		}
		c->eip = t;
		c->insns++;
		if (!b->flush_pending && !in_window(vm, t)) {
			u32 gen = b->flush_gen, to = tc_enter(b, t);
			if (gen == b->flush_gen)
				tc_lookup_fill(b, t, to);
		}
		return ENGINE_RESUME;
	}
	case BK_INT:
		skip(c, x, k->len);
		if (k->cc == EXC_OF && !cc_of(c))
			return ENGINE_RESUME;
		b->int_eip = x;
		bt_deliver_top(b, k->cc, k->cc == 1 && k->len == 1 ? EV_ICE : EV_SOFT, false, 0);
		return b->failed ? ENGINE_STOP : ENGINE_RESUME;
	case BK_HLT:
		skip(c, x, k->len);
		if (!bt_vif(b)) {
			snprintf(vm->reason, sizeof(vm->reason), "halted with interrupts disabled at EIP %#010x", x);
			vm->status = VM_HALTED;
			return ENGINE_STOP;
		}
		if (!bt_any_pending(b) && !vm_halt(vm))
			return ENGINE_STOP;
		return ENGINE_RESUME;
	case BK_FAR:
		b->far = true;
		return bt_emulate(b, 1);
	case BK_DESC:
		/* descriptor-table reads answer from the guest's own GDT */
		b->shadow_limit = c->gdtr_limit;
		c->gdtr_base = b->rc.vgdt_base;
		c->gdtr_limit = b->rc.vgdt_limit;
		b->desc_swapped = true;
		return bt_emulate(b, 0);
	case BK_MMU: {
		u8 op[3] = { 0 };
		b->mmu_op = true;
		vmm_guest_read(vm, x, op, 3); /* MOV to CR3 (0F 22 /3)? */
		b->mmu_cr3 = op[0] == 0x0f && op[1] == 0x22 && ((op[2] >> 3) & 7) == 3;
		b->mmu_invlpg = op[0] == 0x0f && op[1] == 0x01 && ((op[2] >> 3) & 7) == 7 && (op[2] >> 6) != 3;
		b->mmu_cr[0] = c->cr0;
		b->mmu_cr[1] = c->cr4;
		return bt_emulate(b, 0);
	}
	case BK_SS:
		/* at virtual CPL 0 the guest's stack descriptors are its DPL-0 ones */
		bt_data_dpl0(b, true);
		b->ss_dpl0 = true;
		return bt_emulate(b, 0);
	default:
		return bt_emulate(b, 0);
	}
}

/* A slot of block `i` (a copy in `k`) called out: the guest goes on at the slot's
 * target (a direct JMP retires; a JCC already ran in the TC; CONT is no instruction).
 * Its translation is found or made, and the slot chained to it when that is sound. */
static enum engine_verdict follow(struct bt *b, const struct bt_block *k, int i, int slot)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 to = tc_slot_target(k, slot);
	(*b->callouts)++;
	(*b->by_kind[k->kind])++;
	if (k->kind == BK_JMP) {
		bt_vcpu_op(b);
		c->insns++;
	}
	c->eip = to;
	if (b->flush_pending)
		return ENGINE_RESUME; /* resume_at() flushes, then makes the translation */
	u32 gen = b->flush_gen, t = tc_enter(b, to);
	if (gen == b->flush_gen)
		tc_chain(b, i, slot, t);
	c->eip = to;
	return ENGINE_RESUME;
}

/* SYSENTER from user mode (it faulted: the real SYSENTER_CS is 0): into the guest
 * kernel as the processor would, on flat ring-0 segments (the stack's truncated below
 * the window), with the virtual IF clear. */
static void sysenter(struct bt *b)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u32 lim = (vm->vmm_win >> 12) - 1;
	struct desc ss = { lim & 0xffff, 0x00c09300u | (lim & 0xf0000u) };
	charge(b, P_VMM_EMULATE);
	(*b->vmm.emulated)++;
	cc_materialize(c);
	c->eflags &= ~(FL_VM | FL_RF);
	c->cc_op = CC_EAGER;
	bt_set_vif(b, false);
	b->vcs = (u16)(b->vsysenter_cs & 0xfffc);
	seg_from_desc(&c->seg[SEG_SS], (u16)(b->vcs + 8), &ss);
	cpu_set_cpl(c, 1);
	bt_load_vmm_cs(b);
	c->r[R_ESP] = c->sysenter_esp;
	c->eip = c->sysenter_eip;
	c->insns++;
}

static enum engine_verdict bt_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct bt *b = bt_of(vm);
	if (e->reason != EXIT_BT_CALLOUT)
		charge(b, P_VMM_HANDLER); /* a callout names its routine: bt.callout covers it */
	b->ptw_block = -1; /* an adaptive store being emulated did not complete */
	gs_give(b);
	restore(b);
	b->iret_vif = -1;
	b->far = false;
	b->mmu_op = b->mmu_cr3 = b->mmu_invlpg = false;
	bool emulating = b->emulating; /* the exit came from an emulation: EIP is the guest's */
	b->emulating = false;
	if (b->failed)
		return ENGINE_STOP;
	if (b->gdt_dirty)
		bt_check_gdt(b);
	/* where the guest is, in its own terms */
	struct bt_block k = { 0 };
	int slot = -1;
	b->last = -1;
	if (c->cpl != 3 && in_window(vm, c->eip)) {
		int i = tc_block_at(b, c->eip - vm->vmm_win);
		if (i < 0) {
			bt_fail(b, "bt: exit %s at TC address %#010x, in no translation", exit_reason_name(e->reason), c->eip);
			return ENGINE_STOP;
		}
		k = b->blk[i];
		u32 rel = c->eip - vm->vmm_win - k.tc;
		c->eip = tc_guest_eip(&k, c->eip - vm->vmm_win, &slot);
		if (bk_indirect(k.kind) && rel > k.ident && !(e->reason == EXIT_BT_CALLOUT && slot == -2))
			ind_rollback(b, &k, rel - k.ident);
		if (bk_seq(k.kind) && rel >= k.ident && (slot == -1 || (slot == -2 && e->reason != EXIT_BT_CALLOUT)))
			bt_seq_fixup(b, &k, rel - k.ident); /* (an interrupt can come just before the
							    * sequence's callout: a machine block starts there) */
		if (e->reason == EXIT_EXCEPTION_NMI && !e->insn_len)
			(*b->tc_faults)++; /* raised by translated code: mapped back to the guest's */
		b->last = i;
		b->last_flush_gen = b->flush_gen;
		b->blk[i].exits++;
	} else if (c->cpl != 3 && !emulating) {
		bt_fail(b, "bt: exit %s with the guest kernel outside the TC at %#010x", exit_reason_name(e->reason), c->eip);
		return ENGINE_STOP;
	}
	enum engine_verdict v;
	u32 w = 0;
	switch (e->reason) {
	case EXIT_BT_CALLOUT:
	case EXIT_SOFTWARE_INTERRUPT:
		if (c->cpl != 3 && e->reason == EXIT_BT_CALLOUT && b->last >= 0 && slot != -1) {
			int i = b->last;
			b->blk[i].callouts++;
			b->last = -1; /* the guest goes on elsewhere */
			b->last_callout = i;
			v = slot >= 0 ? follow(b, &k, i, slot) : callout(b, &k);
			break;
		}
		if (c->cpl != 3) {
			bt_fail(b, "bt: software interrupt %u from the TC at guest EIP %#010x", e->vector, c->eip);
			return ENGINE_STOP;
		}
		/* INT n, INT3, INTO from user mode: the guest kernel's, through its IDT */
		skip(c, e->guest_eip, e->insn_len);
		b->int_eip = e->guest_eip;
		bt_deliver_top(b, (u8)e->vector, EV_SOFT, false, 0);
		v = ENGINE_RESUME;
		break;
	case EXIT_EXCEPTION_NMI:
		if (e->insn_len) { /* INT3, INTO, INT1 from user mode */
			skip(c, e->guest_eip, e->insn_len);
			b->int_eip = e->guest_eip;
			bt_deliver_top(b, (u8)e->vector, e->vector == EXC_DB ? EV_ICE : EV_SOFT, false, 0);
			v = ENGINE_RESUME;
		} else if (e->vector == EXC_PF) {
			v = vmm_page_fault(&b->vmm, e);
			if (v == ENGINE_EMULATE_PT && c->cpl != 3 && b->last >= 0)
				bt_adapt(b, c->eip); /* a traced write from translated code */
			if (v == ENGINE_EMULATE_PT && c->cpl != 3 && !bt_vif(b))
				c->eflags &= ~FL_IF; /* the guest's IF for the emulated write (a PUSHF
						      * onto a traced page pushes it); set again after */
		} else if (e->vector == EXC_GP && c->cpl == 3 && !e->error_code && (b->vsysenter_cs & 0xfffc) &&
			   vmm_guest_read(vm, c->seg[SEG_CS].base + c->eip, &w, 2) && (w & 0xffff) == 0x340f) {
			sysenter(b);
			v = ENGINE_RESUME;
		} else {
			v = vmm_reflect(&b->vmm, e, (u8)e->vector, e->error_code);
		}
		break;
	case EXIT_EXTERNAL_INTERRUPT:
		b->pending[(e->vector >> 5) & 7] |= 1u << (e->vector & 31);
		bt_pend_sync(b);
		v = ENGINE_RESUME;
		break;
	case EXIT_TRIPLE_FAULT:
		snprintf(vm->reason, sizeof(vm->reason), "triple fault at EIP %#010x", c->eip);
		vm->status = VM_SHUTDOWN;
		return ENGINE_STOP;
	default:
		bt_fail(b, "bt: unexpected exit %s at EIP %#010x", exit_reason_name(e->reason), c->eip);
		return ENGINE_STOP;
	}
	if (b->failed)
		return ENGINE_STOP;
	if (v == ENGINE_RESUME) {
		bt_deliver_held(b);
		if (b->failed)
			return ENGINE_STOP;
		if (c->cpl != 3)
			resume_kernel(b);
		if (b->failed)
			return ENGINE_STOP;
	}
	b->emulating = v == ENGINE_EMULATE || v == ENGINE_EMULATE_PT;
	return v;
}

/* An instruction emulated at our request completed: resynchronise the virtual CPU and
 * go on at the translation of the next guest EIP. */
static void bt_after_emulate(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	struct bt *b = bt_of(vm);
	bool far = b->far;
	b->far = false;
	if (b->ptw_block >= 0)
		bt_adapt_done(b);
	b->emulating = false;
	if (b->ss_dpl0) {
		bt_data_dpl0(b, false);
		b->ss_dpl0 = false;
	}
	if (b->desc_swapped) {
		c->gdtr_base = vm->vmm_win + BT_GDT;
		c->gdtr_limit = b->shadow_limit;
		b->desc_swapped = false;
	} else if (c->gdtr_base != vm->vmm_win + BT_GDT) {
		bt_shadow_gdt(b, c->gdtr_base, c->gdtr_limit); /* the guest loaded a GDT */
	}
	if (c->cpl != 3) {
		if (far)
			b->vcs = c->seg[SEG_CS].sel & ~3u; /* a far JMP/CALL loaded the guest's CS */
		bt_load_vmm_cs(b);
	}
	if (b->cs_swapped) {
		b->vsysenter_cs = c->sysenter_cs; /* an emulated WRMSR may have changed it */
		c->sysenter_cs = 0;
	}
	b->cs_swapped = false;
	if (b->iret_vif >= 0) {
		bt_set_vif(b, b->iret_vif);
		b->iret_vif = -1;
	}
	if (b->mmu_op) {
		/* the address space may have changed: blocks are checked against their frames
		 * again when entered, and no chain may skip that check */
		bool same = c->cr0 == b->mmu_cr[0] && c->cr4 == b->mmu_cr[1];
		enum unchain how = !same ? UNCHAIN_XPAGE : b->mmu_cr3 ? UNCHAIN_CR3 : b->mmu_invlpg ? UNCHAIN_PAGE : UNCHAIN_XPAGE;
		b->map_gen++;
		b->mmu_op = b->mmu_cr3 = b->mmu_invlpg = false;
		/* a CR3 load keeps global pages; an INVLPG changes one page */
		tc_unchain(b, how, c->last_invlpg >> 12);
	}
	c->eflags |= FL_IF; /* the real IF stays set */
	bt_deliver_held(b);
	if (c->cpl != 3 && !b->failed)
		resume_kernel(b);
}

static void bt_code_written(struct vm *vm, u32 pa, unsigned len)
{
	struct bt *b = bt_of(vm);
	u32 last = (pa + len - 1) >> 12;
	for (unsigned i = 0; i < 2; i++) /* the watch of the whole page is gone: ask again */
		if (b->gdt_len[i] && ((b->gdt_pa[i] >> 12) == (pa >> 12) || (b->gdt_pa[i] >> 12) == last))
			b->gdt_dirty = true;
	if (tc_page_has(b, pa >> 12) || tc_page_has(b, last)) {
		b->flush_pending = true; /* at the next exit: the block running may be among them */
		(*b->invalidations)++;
		tc_unchain(b, UNCHAIN_ALL, 0); /* and nothing runs stale translations until then */
	}
}

static int bt_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	struct bt *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vm->engine_state = b;
	vmm_init(&b->vmm, vm, "bt");
	if (tc_init(b)) {
		snprintf(err, errlen, "out of memory");
		return -1; /* bt_fini frees what was allocated */
	}
	b->vmm.deliver = bt_deliver_cb;
	ringcomp_init(&b->rc, vm, "bt", BT_GDT, BT_TSS);
	b->iret_vif = -1;
	b->ptw_block = b->last_callout = -1;
	char name[STATS_NAME_MAX];
	for (unsigned i = 0; i < BK_KINDS; i++) {
		snprintf(name, sizeof(name), "bt.callouts.%s", bt_kind_name(i));
		b->by_kind[i] = stats_counter(&vm->stats, name, "callouts from the TC, by what ended the block (count)");
	}
	b->blocks = stats_counter(&vm->stats, "bt.blocks_translated", "guest kernel blocks translated into the TC (count)");
	b->insns = stats_counter(&vm->stats, "bt.insns_translated", "guest instructions translated, each charged bt.translate_insn (count)");
	b->ident = stats_counter(&vm->stats, "bt.ident", "guest instructions copied into the TC unchanged (count)");
	b->callouts = stats_counter(&vm->stats, "bt.callouts", "callouts from the TC into the VMM (count)");
	b->flushes = stats_counter(&vm->stats, "bt.tc_flushes", "flushes of the whole TC: full, or translated code written (count)");
	b->invalidations = stats_counter(&vm->stats, "bt.invalidations", "guest writes to pages holding translated code (count)");
	b->chained = stats_counter(&vm->stats, "bt.chained", "direct branches chained: a slot patched into a JMP from translation to translation (count)");
	b->ind_sites = stats_counter(&vm->stats, "bt.indirect_sites", "indirect branches (RET, CALL/JMP r/m) translated into an inline lookup (count)");
	b->lookup_misses = stats_counter(&vm->stats, "bt.lookup_misses", "inline lookups that missed and called out: the VMM translated the target and filled the entry (count)");
	b->tc_faults = stats_counter(&vm->stats, "bt.tc_faults", "exceptions raised inside the TC, mapped back to the guest instruction and its state (count)");
	b->vcpu_ops = stats_counter(&vm->stats, "bt.vcpu_ops", "callouts the VMM performed itself on the virtual CPU, each charged bt.vcpu_op (count)");
	b->retranslations = stats_counter(&vm->stats, "bt.retranslations", "blocks translated again by adaptive BT: a store that kept faulting on a traced page table made a callout, or one that stopped writing page tables made IDENT again (count)");
	b->adaptive_writes = stats_counter(&vm->stats, "bt.adaptive_writes", "page-table stores the VMM performed in an adaptive callout, without a fault (count)");
	b->seq_fixups = stats_counter(&vm->stats, "bt.seq_fixups", "exits inside an inline sequence, rolled back to its guest instruction or forward past it (count)");
	b->delivered = stats_counter(&vm->stats, "bt.events_delivered", "events the VMM delivered through the guest's IDT in software (count)");

	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->kind = EXIT_KIND_TRAP; /* no VT-x: the VMM is entered through the IDT */
	ic->ctl = ICPT_EXT_INT;
	ic->exception_bitmap = 0xffffffffu;
	for (unsigned i = 0; i < 256; i++)
		ic->softint[i] = EXIT_SOFTWARE_INTERRUPT;
	ic->softint[BT_CALLOUT_VEC] = EXIT_BT_CALLOUT;

	/* the virtual CPU starts as the machine was reset; the real one runs the TC */
	b->vcs = c->seg[SEG_CS].sel & ~3u;
	bt_set_vif(b, c->eflags & FL_IF);
	c->eflags |= FL_IF;
	bt_shadow_gdt(b, c->gdtr_base, c->gdtr_limit); /* what the reset left in GDTR */
	static const unsigned data[] = { SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS };
	for (unsigned i = 0; i < 5; i++) { /* nothing the guest reaches touches the window */
		struct seg *s = &c->seg[data[i]];
		if ((s->attr & SEG_P) && (u64)s->base + s->limit >= vm->vmm_win) {
			s->limit = vm->vmm_win - 1 - s->base;
			seg_update_check(s);
		}
	}
	b->vsysenter_cs = c->sysenter_cs;
	c->sysenter_cs = 0;
	bt_load_vmm_cs(b);
	cpu_set_cpl(c, 1);
	cpu_flush_fast_tlb(c);
	c->eip = tc_enter(b, c->eip);
	gs_take(b);
	return 0;
}

static void bt_fini(struct vm *vm)
{
	struct bt *b = bt_of(vm);
	if (b)
		tc_fini(b);
	free(b);
	vm->engine_state = NULL;
}

static const char *const bt_mmus[] = { "shadow", NULL };

const struct engine_ops engine_bt = {
	.name = "bt",
	.help = "binary translation: the kernel's code translated into a TC run in ring 1 (VMware-style)",
	.mmus = bt_mmus,
	.vmm_kb = BT_KB,
	.init = bt_init,
	.fini = bt_fini,
	.handle_exit = bt_exit,
	.after_emulate = bt_after_emulate,
	.code_written = bt_code_written,
};

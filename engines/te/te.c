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
#include "core/pagewalk.h"
#include "core/vm.h"
#include "vmm/vmm.h"

#define TE_GDT 0x0000u     /* offsets in the VMM's memory: the shadow GDT (8 KB) */
#define TE_TSS 0x2000u     /* its TSS (104 bytes) */
#define TE_MAX_GDT 1023u   /* descriptors copied from the guest's GDT */

struct te {
	struct vmm vmm;        /* the shared VMM state, first */
	u32 vgdt_base;         /* the guest's GDTR (what it believes it loaded) */
	u16 vgdt_limit;
	u32 gtss_base;         /* the guest's TSS, whose ESP0 is the kernel stack */
	u16 ss1;               /* the ring-1 stack selector in the shadow GDT */
	u32 emu_eip;           /* the instruction last emulated, and when: a #GP it */
	u64 emu_insns;         /* raises again is the guest's own */
	u64 *shadow_gdts;
};

static struct te *te_of(struct vm *vm) { return vm->engine_state; }

/* A reference of the VMM's software walk of the guest's tables (vmm.pte_read each). */
static int ref_read(struct cpu *c, void *ctx, u32 pa, u32 *v, u32 *where)
{
	const u8 *p = cpu_phys(c, pa, 4);
	cost_charge(c->cost, COST_VMM, c->prof->v[P_VMM_PTE_READ]);
	*v = p ? load_n(p, 4) : 0;
	*where = pa;
	return 0;
}

static void ref_write(struct cpu *c, void *ctx, u32 pa, u32 v) {}

static const struct pw_ref te_ref = { .read = ref_read, .write = ref_write };

/* Read `n` bytes of the guest's linear memory at `lin` (as its own tables map it);
 * false if any byte is not mapped. */
static bool guest_read(struct vm *vm, u32 lin, void *buf, u32 n)
{
	struct cpu *c = &vm->cpu;
	u8 *out = buf;
	while (n) {
		u32 pa = lin, k = 0x1000 - (lin & 0xfff), pfec;
		if (k > n)
			k = n;
		if (c->cr0 & CR0_PG) {
			struct pw_result r;
			if (pw_walk(c, c->cr3, lin, ACC_READ, &te_ref, &r, &pfec))
				return false;
			pa = r.gpa;
		}
		const u8 *p = cpu_phys(c, pa, k);
		if (!p)
			return false;
		memcpy(out, p, k);
		out += k;
		lin += k;
		n -= k;
	}
	return true;
}

static u8 *vmm_at(struct vm *vm, u32 off) { return vm->vmm_mem + off; }

/* The guest loaded a GDT (the emulated LGDT left it in GDTR): copy it into the shadow
 * with the code segments' DPL 0 made 1, add the ring-1 stack segment, point TSS
 * descriptors at the VMM's TSS, and load the shadow instead. */
static void shadow_gdt(struct vm *vm)
{
	struct cpu *c = &vm->cpu;
	struct te *t = te_of(vm);
	t->vgdt_base = c->gdtr_base;
	t->vgdt_limit = c->gdtr_limit;
	u32 n = ((u32)t->vgdt_limit + 1) / 8;
	if (n > TE_MAX_GDT)
		n = TE_MAX_GDT;
	u32 *sh = (u32 *)vmm_at(vm, TE_GDT);
	memset(sh, 0, 8 * (TE_MAX_GDT + 1));
	for (u32 i = 0; i < n; i++) {
		u32 d[2] = { 0, 0 };
		if (!guest_read(vm, t->vgdt_base + i * 8, d, 8))
			continue;
		bool seg = d[1] & 0x1000, code = d[1] & 0x800, dpl0 = !(d[1] & 0x6000);
		if (seg && code && dpl0)
			d[1] |= 1u << 13; /* ring compression: the kernel's code runs in ring 1 */
		if (!seg && ((d[1] >> 8) & 0xf) == 0x9 /* an available 32-bit TSS */) {
			t->gtss_base = (d[0] >> 16) | ((d[1] & 0xff) << 16) | (d[1] & 0xff000000u);
			u32 base = vm->vmm_win + TE_TSS;
			d[0] = (103u & 0xffff) | (base << 16);
			d[1] = ((base >> 16) & 0xff) | (d[1] & 0x0000ff00u) | (base & 0xff000000u);
		}
		sh[2 * i] = d[0];
		sh[2 * i + 1] = d[1];
		cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_PTE_WRITE]);
	}
	/* a flat ring-1 data segment for the ring-1 stack */
	sh[2 * n] = 0x0000ffffu;
	sh[2 * n + 1] = 0x00cfb200u; /* P, DPL 1, S, data RW, G, D/B, limit 0xfffff */
	t->ss1 = (u16)((n << 3) | 1);
	u32 *tss = (u32 *)vmm_at(vm, TE_TSS);
	memset(tss, 0, 104);
	tss[4] = t->ss1;             /* SS1 */
	tss[25] = 104u << 16;        /* no I/O bitmap: IN/OUT in ring 1 fault */
	c->gdtr_base = vm->vmm_win + TE_GDT;
	c->gdtr_limit = (u16)(8 * (n + 1) - 1);
	(*t->shadow_gdts)++;
}

/* Keep the ring-1 stack the guest's ring-0 stack (its TSS ESP0, as it last wrote it). */
static void sync_stack(struct vm *vm)
{
	struct te *t = te_of(vm);
	u32 esp0;
	if (t->gtss_base && guest_read(vm, t->gtss_base + 4, &esp0, 4))
		((u32 *)vmm_at(vm, TE_TSS))[3] = esp0; /* ESP1 */
}

static int te_init(struct vm *vm, char *err, size_t errlen)
{
	struct cpu *c = &vm->cpu;
	struct te *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmm_init(&t->vmm, vm, "te");
	t->emu_eip = ~0u;
	t->shadow_gdts = stats_counter(&vm->stats, "te.shadow_gdts",
				       "GDTs the VMM copied into its shadow with the kernel's code in ring 1 (count)");
	vm->engine_state = t;
	struct intercepts *ic = &c->icpt;
	memset(ic, 0, sizeof(*ic));
	ic->active = true;
	ic->kind = EXIT_KIND_TRAP; /* no VT-x: the VMM is entered through the IDT */
	ic->exception_bitmap = (1u << EXC_GP) | (c->mmu->fault ? 1u << EXC_PF : 0);
	/* deprivilege the kernel from its first instruction: ring 1 */
	c->seg[SEG_CS].attr = (u16)((c->seg[SEG_CS].attr & ~SEG_DPL) | (1u << SEG_DPL_SHIFT));
	c->seg[SEG_CS].sel |= 1;
	c->cpl = 1;
	cpu_flush_fast_tlb(c);
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
	if (c->gdtr_base != vm->vmm_win + TE_GDT)
		shadow_gdt(vm);
	sync_stack(vm);
}

static enum engine_verdict te_exit(struct vm *vm, struct exit_record *e)
{
	struct cpu *c = &vm->cpu;
	struct te *t = te_of(vm);
	cost_charge(&vm->cost, COST_VMM, vm->prof.v[P_VMM_HANDLER]);
	sync_stack(vm);
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

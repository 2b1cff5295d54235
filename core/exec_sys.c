/*
 * exec_sys.c — system and sensitive instructions: segment-register loads, the
 * interrupt flag, PUSHF/POPF, HLT, port I/O, control and debug registers, descriptor
 * tables, INVLPG, CPUID, RDTSC, MSRs, SYSENTER/SYSEXIT.
 *
 * Each checks privilege as hardware does (CPL 0 only, or CPL <= IOPL, or the TSS I/O
 * bitmap), then consults the intercept controls: an intercepted instruction leaves
 * the guest with an exit record and does nothing itself. That order (privilege faults
 * before exits) is the SDM's. Sensitive instructions that do not fault in user mode
 * (SGDT, SIDT, SMSW, STR, PUSHF, POPF with IOPL < CPL, MOV from CS) behave exactly
 * as on hardware: they are what made the x86 hard to virtualize.
 */
#include "exec.h"
#include "fault.h"
#include "flags.h"
#include "mmu.h"
#include "operand.h"
#include "segment.h"

static inline void need_cpl0(struct cpu *c)
{
	if (c->cpl)
		cpu_fault(c, EXC_GP, 0);
}

static inline bool icpt(const struct cpu *c, u32 bit)
{
	return c->icpt.active && !c->bypass && (c->icpt.ctl & bit);
}

static inline unsigned iopl(const struct cpu *c) { return (c->eflags & FL_IOPL) >> FL_IOPL_SHIFT; }

HANDLER(h_mov_sreg_rm)
{
	seg_load(c, in->reg, (u16)rm_read(c, in, 2));
	if (in->reg == SEG_SS)
		c->inhibit = 1;
}

HANDLER(h_mov_rm_sreg)
{
	u16 sel = c->seg[in->reg].sel;
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, insn_ea(c, in), 2, sel);
	else
		reg_set(c, in->rm, in->osize, sel);
}

HANDLER(h_push_sreg) { push(c, in->osize, c->seg[in->op].sel); }

HANDLER(h_pop_sreg)
{
	u16 sel = (u16)stack_peek(c, 0, in->osize);
	seg_load(c, in->op, sel);
	sp_set(c, sp_get(c) + in->osize);
	if (in->op == SEG_SS)
		c->inhibit = 1;
}

HANDLER(h_lxs)
{
	u32 ea = insn_ea(c, in);
	u32 off = seg_read(c, in->seg, ea, in->osize);
	u16 sel = (u16)seg_read(c, in->seg, ea + in->osize, 2);
	seg_load(c, in->op, sel);
	reg_set(c, in->reg, in->osize, off);
	if (in->op == SEG_SS)
		c->inhibit = 1;
}

HANDLER(h_cli)
{
	if (c->cpl > iopl(c))
		cpu_fault(c, EXC_GP, 0);
	c->eflags &= ~FL_IF;
}

HANDLER(h_sti)
{
	if (c->cpl > iopl(c))
		cpu_fault(c, EXC_GP, 0);
	if (!(c->eflags & FL_IF))
		c->inhibit = 1; /* interrupts wait one more instruction */
	c->eflags |= FL_IF;
}

HANDLER(h_pushf)
{
	u32 f = cpu_get_eflags(c) & ~(FL_VM | FL_RF);
	push(c, in->osize, f);
}

HANDLER(h_popf)
{
	u32 v = stack_peek(c, 0, in->osize);
	u32 mask = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_AC | FL_ID;
	if (c->cpl == 0)
		mask |= FL_IOPL;
	if (c->cpl <= iopl(c))
		mask |= FL_IF; /* otherwise IF is silently left alone: a sensitive instruction */
	if (in->osize == 2)
		mask &= 0xffff;
	cc_materialize(c);
	c->eflags = (c->eflags & ~mask) | (v & mask) | FL_1;
	cpu_eflags_loaded(c);
	sp_set(c, sp_get(c) + in->osize);
}

HANDLER(h_hlt)
{
	need_cpl0(c);
	if (icpt(c, ICPT_HLT))
		cpu_exit_insn(c, EXIT_HLT, 0);
	c->req = RUN_HLT + 1;
}

/* #GP unless the TSS I/O permission bitmap allows `size` ports from `port` (only
 * consulted when CPL > IOPL). */
static void io_permission(struct cpu *c, u16 port, unsigned size)
{
	if (c->cpl <= iopl(c))
		return;
	const struct seg *tr = &c->tr;
	if (!(tr->attr & SEG_P) || !(tr->attr & 8) || tr->limit < 103)
		cpu_fault(c, EXC_GP, 0);
	u32 base = mem_read_sys(c, tr->base + 102, 2);
	u32 byte = base + port / 8;
	if (byte + 1 > tr->limit)
		cpu_fault(c, EXC_GP, 0);
	u32 bits = mem_read_sys(c, tr->base + byte, 2);
	u32 mask = ((1u << size) - 1) << (port & 7);
	if (bits & mask)
		cpu_fault(c, EXC_GP, 0);
}

/* Does the I/O bitmap of the intercept controls claim any of these ports? */
static inline enum io_path io_path(const struct cpu *c) { return c->bypass ? IO_EMULATED : IO_NATIVE; }

static bool io_intercepted(const struct cpu *c, u16 port, unsigned size)
{
	if (!icpt(c, ICPT_IO))
		return false;
	for (unsigned i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		if (c->icpt.io_bitmap[p >> 3] & (1u << (p & 7)))
			return true;
	}
	return false;
}

static void io_exit(struct cpu *c, const struct insn *in, u16 port, bool inp, bool string, u32 value)
{
	c->exit->value = value;
	cpu_exit_insn(c, EXIT_IO_INSTRUCTION,
		      exit_io_qual(in->osize, inp, string, in->flags & (IF_REP | IF_REPNE),
				   !string && in->op == 0, port));
}

static inline void after_out(struct cpu *c)
{
	if (c->stop)
		c->req = RUN_STOP + 1;
}

HANDLER(h_in)
{
	u16 port = in->op ? (u16)c->r[R_EDX] : (u16)in->imm;
	io_permission(c, port, in->osize);
	if (io_intercepted(c, port, in->osize))
		io_exit(c, in, port, true, false, 0);
	reg_set(c, R_EAX, in->osize, io_bus_in(c->io, port, in->osize, io_path(c)));
}

HANDLER(h_out)
{
	u16 port = in->op ? (u16)c->r[R_EDX] : (u16)in->imm;
	u32 v = reg_get(c, R_EAX, in->osize);
	io_permission(c, port, in->osize);
	if (io_intercepted(c, port, in->osize))
		io_exit(c, in, port, false, false, v);
	io_bus_out(c->io, port, in->osize, v, io_path(c));
	after_out(c);
}

static inline u32 idx(const struct cpu *c, unsigned r, bool a16)
{
	return a16 ? c->r[r] & 0xffff : c->r[r];
}

static inline void idx_add(struct cpu *c, unsigned r, bool a16, s32 d)
{
	if (a16)
		c->r[r] = (c->r[r] & 0xffff0000u) | ((c->r[r] + (u32)d) & 0xffff);
	else
		c->r[r] += (u32)d;
}

HANDLER(h_ins)
{
	unsigned s = in->osize;
	u16 port = (u16)c->r[R_EDX];
	bool a16 = in->flags & IF_A16, rep = in->flags & (IF_REP | IF_REPNE);
	s32 d = (c->eflags & FL_DF) ? -(s32)s : (s32)s;
	io_permission(c, port, s);
	if (io_intercepted(c, port, s))
		io_exit(c, in, port, true, true, 0);
	u64 n = 0;
	while (!rep || idx(c, R_ECX, a16)) {
		/* Check the destination before reading the port (reads have side effects). */
		u32 di = idx(c, R_EDI, a16);
		seg_write(c, SEG_ES, di, s, seg_read(c, SEG_ES, di, s));
		seg_write(c, SEG_ES, di, s, io_bus_in(c->io, port, s, io_path(c)));
		idx_add(c, R_EDI, a16, d);
		n++;
		if (!rep)
			break;
		idx_add(c, R_ECX, a16, -1);
		if (n == REP_CHUNK && idx(c, R_ECX, a16)) {
			cpu_rep_pause(c, in);
			break;
		}
	}
	if (n > 1)
		cost_guest(c->cost, (n - 1) * c->cls_cost[IC_IO]);
}

HANDLER(h_outs)
{
	unsigned s = in->osize;
	u16 port = (u16)c->r[R_EDX];
	bool a16 = in->flags & IF_A16, rep = in->flags & (IF_REP | IF_REPNE);
	s32 d = (c->eflags & FL_DF) ? -(s32)s : (s32)s;
	io_permission(c, port, s);
	if (io_intercepted(c, port, s))
		io_exit(c, in, port, false, true, 0);
	u64 n = 0;
	while (!rep || idx(c, R_ECX, a16)) {
		u32 v = seg_read(c, in->seg, idx(c, R_ESI, a16), s);
		io_bus_out(c->io, port, s, v, io_path(c));
		idx_add(c, R_ESI, a16, d);
		n++;
		if (!rep)
			break;
		idx_add(c, R_ECX, a16, -1);
		if (c->stop)
			break;
		if (n == REP_CHUNK && idx(c, R_ECX, a16)) {
			cpu_rep_pause(c, in);
			break;
		}
	}
	if (n > 1)
		cost_guest(c->cost, (n - 1) * c->cls_cost[IC_IO]);
	after_out(c);
}

/* --- control registers --- */

void cpu_flush_tlb(struct cpu *c, bool keep_global)
{
	tlb_flush_all(&c->itlb, keep_global);
	tlb_flush_all(&c->dtlb, keep_global);
	cpu_flush_fast_tlb(c);
}

HANDLER(h_mov_r_cr)
{
	need_cpl0(c);
	u32 v;
	switch (in->reg) {
	case 0: v = c->cr0; break;
	case 2: v = c->cr2; break;
	case 3:
		if (icpt(c, ICPT_CR3_STORE))
			cpu_exit_insn(c, EXIT_CR_ACCESS, exit_cr_qual(3, 1, in->rm));
		v = c->cr3;
		break;
	case 4: v = c->cr4; break;
	default: cpu_fault(c, EXC_UD, 0);
	}
	c->r[in->rm] = v;
}

/* Write CR0 (MOV, LMSW, CLTS), with its checks and side effects. */
static void write_cr0(struct cpu *c, u32 v, unsigned gpr, unsigned type)
{
	v |= CR0_ET;
	if ((v & CR0_PG) && !(v & CR0_PE))
		cpu_fault(c, EXC_GP, 0);
	if ((v & CR0_NW) && !(v & CR0_CD))
		cpu_fault(c, EXC_GP, 0);
	if (c->icpt.active && !c->bypass && ((v ^ c->cr0) & c->icpt.cr0_mask)) {
		c->exit->value = v;
		cpu_exit_insn(c, EXIT_CR_ACCESS, exit_cr_qual(0, type, gpr));
	}
	if (!(v & CR0_PE))
		cpu_unimplemented(c, "clearing CR0.PE (real mode)");
	u32 old = c->cr0;
	c->cr0 = v;
	if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
		cpu_flush_tlb(c, false);
		if (c->mmu->mode_change)
			c->mmu->mode_change(c);
	}
}

HANDLER(h_mov_cr_r)
{
	need_cpl0(c);
	u32 v = c->r[in->rm];
	switch (in->reg) {
	case 0:
		write_cr0(c, v, in->rm, 0);
		break;
	case 2:
		c->cr2 = v;
		break;
	case 3: {
		if (icpt(c, ICPT_CR3_LOAD)) {
			c->exit->value = v;
			cpu_exit_insn(c, EXIT_CR_ACCESS, exit_cr_qual(3, 0, in->rm));
		}
		cpu_load_cr3(c, v);
		break;
	}
	case 4: {
		const u32 ok = CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR;
		if (v & ~ok)
			cpu_fault(c, EXC_GP, 0);
		if (c->icpt.active && !c->bypass && ((v ^ c->cr4) & c->icpt.cr4_mask)) {
			c->exit->value = v;
			cpu_exit_insn(c, EXIT_CR_ACCESS, exit_cr_qual(4, 0, in->rm));
		}
		u32 old = c->cr4;
		c->cr4 = v;
		if ((old ^ v) & (CR4_PSE | CR4_PGE)) {
			cpu_flush_tlb(c, false);
			if (c->mmu->mode_change)
				c->mmu->mode_change(c);
		}
		break;
	}
	default:
		cpu_fault(c, EXC_UD, 0);
	}
}

HANDLER(h_mov_r_dr)
{
	need_cpl0(c);
	unsigned n = in->reg;
	if (n == 4 || n == 5)
		n += 2;
	c->r[in->rm] = c->dr[n];
}

HANDLER(h_mov_dr_r)
{
	need_cpl0(c);
	unsigned n = in->reg;
	if (n == 4 || n == 5)
		n += 2;
	c->dr[n] = c->r[in->rm];
}

HANDLER(h_clts)
{
	need_cpl0(c);
	write_cr0(c, c->cr0 & ~CR0_TS, 0, 2);
}

HANDLER(h_lmsw)
{
	need_cpl0(c);
	u32 v = rm_read(c, in, 2) & 0xf;
	/* LMSW can set PE but never clear it. */
	write_cr0(c, (c->cr0 & ~0xeu) | v | (c->cr0 & CR0_PE), in->rm, 3);
}

HANDLER(h_smsw)
{
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, insn_ea(c, in), 2, c->cr0 & 0xffff);
	else
		reg_set(c, in->rm, in->osize, c->cr0);
}

/* --- descriptor tables --- */

HANDLER(h_sgdt)
{
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_GDTR_IDTR, in->op);
	u32 ea = insn_ea(c, in);
	u32 base = in->op ? c->idtr_base : c->gdtr_base;
	u16 limit = in->op ? c->idtr_limit : c->gdtr_limit;
	if (in->osize == 2)
		base &= 0xffffff;
	seg_write(c, in->seg, ea, 2, limit);
	seg_write(c, in->seg, ea + 2, 4, base);
}

HANDLER(h_lgdt)
{
	need_cpl0(c);
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_GDTR_IDTR, 2 + in->op);
	u32 ea = insn_ea(c, in);
	u16 limit = (u16)seg_read(c, in->seg, ea, 2);
	u32 base = seg_read(c, in->seg, ea + 2, 4);
	if (in->osize == 2)
		base &= 0xffffff;
	if (in->op) {
		c->idtr_base = base;
		c->idtr_limit = limit;
	} else {
		c->gdtr_base = base;
		c->gdtr_limit = limit;
	}
}

HANDLER(h_sldt)
{
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_LDTR_TR, 0);
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, insn_ea(c, in), 2, c->ldtr.sel);
	else
		reg_set(c, in->rm, in->osize == 1 ? 2 : 4, c->ldtr.sel);
}

HANDLER(h_str)
{
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_LDTR_TR, 1);
	if (in->flags & IF_MEM)
		seg_write(c, in->seg, insn_ea(c, in), 2, c->tr.sel);
	else
		reg_set(c, in->rm, 4, c->tr.sel);
}

HANDLER(h_lldt)
{
	need_cpl0(c);
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_LDTR_TR, 2);
	u16 sel = (u16)rm_read(c, in, 2);
	struct desc d;
	if (!(sel & ~3u)) {
		c->ldtr = (struct seg){ .sel = sel };
		return;
	}
	if ((sel & 4) || !desc_read(c, sel, &d) || desc_is_seg(&d) || desc_type(&d) != SYS_LDT)
		cpu_fault(c, EXC_GP, sel & ~3u);
	if (!desc_present(&d))
		cpu_fault(c, EXC_NP, sel & ~3u);
	seg_from_desc(&c->ldtr, sel, &d);
}

HANDLER(h_ltr)
{
	need_cpl0(c);
	if (icpt(c, ICPT_DESC))
		cpu_exit_insn(c, EXIT_LDTR_TR, 3);
	u16 sel = (u16)rm_read(c, in, 2);
	struct desc d;
	if (!(sel & ~3u))
		cpu_fault(c, EXC_GP, 0);
	if ((sel & 4) || !desc_read(c, sel, &d) || desc_is_seg(&d) ||
	    (desc_type(&d) != SYS_TSS32_AVAIL && desc_type(&d) != SYS_TSS16_AVAIL))
		cpu_fault(c, EXC_GP, sel & ~3u);
	if (!desc_present(&d))
		cpu_fault(c, EXC_NP, sel & ~3u);
	d.hi |= 0x200; /* busy */
	mem_write_sys(c, c->gdtr_base + (sel & ~7u) + 4, 4, d.hi);
	seg_from_desc(&c->tr, sel, &d);
}

static inline void set_zf(struct cpu *c, bool on)
{
	cc_materialize(c);
	c->eflags = on ? c->eflags | FL_ZF : c->eflags & ~FL_ZF;
}

/* May the current CPL with selector RPL `rpl` see a descriptor of privilege `dpl`? */
static inline bool visible(const struct cpu *c, unsigned rpl, unsigned dpl)
{
	return dpl >= c->cpl && dpl >= rpl;
}

HANDLER(h_verr)
{
	u16 sel = (u16)rm_read(c, in, 2);
	struct desc d;
	bool ok = (sel & ~3u) && desc_read(c, sel, &d) && desc_is_seg(&d);
	if (ok) {
		bool code = desc_is_code(&d), conf = code && (d.hi & 0x400);
		if (!conf && !visible(c, sel & 3, desc_dpl(&d)))
			ok = false;
		else if (in->op == 0)
			ok = !code || (d.hi & 0x200);
		else
			ok = !code && (d.hi & 0x200);
	}
	set_zf(c, ok);
}

/* The checks LAR and LSL share; `lar` also accepts gates. */
static bool lar_lsl_ok(struct cpu *c, u16 sel, struct desc *d, bool lar)
{
	if (!(sel & ~3u) || !desc_read(c, sel, d))
		return false;
	if (desc_is_seg(d)) {
		bool conf = desc_is_code(d) && (d->hi & 0x400);
		return conf || visible(c, sel & 3, desc_dpl(d));
	}
	switch (desc_type(d)) {
	case SYS_TSS16_AVAIL: case SYS_LDT: case SYS_TSS16_BUSY: case SYS_TSS32_AVAIL:
	case SYS_TSS32_BUSY:
		break;
	case SYS_CALLGATE16: case SYS_TASKGATE: case SYS_CALLGATE32:
		if (!lar)
			return false;
		break;
	default:
		return false;
	}
	return visible(c, sel & 3, desc_dpl(d));
}

HANDLER(h_lar)
{
	struct desc d;
	bool ok = lar_lsl_ok(c, (u16)rm_read(c, in, 2), &d, true);
	if (ok)
		reg_set(c, in->reg, in->osize, d.hi & (in->osize == 4 ? 0x00f0ff00u : 0xff00u)); /* limit bits undefined: 0 like QEMU */
	set_zf(c, ok);
}

HANDLER(h_lsl)
{
	struct desc d;
	bool ok = lar_lsl_ok(c, (u16)rm_read(c, in, 2), &d, false);
	if (ok) {
		u32 limit = (d.lo & 0xffff) | (d.hi & 0x000f0000u);
		if (d.hi & 0x00800000u)
			limit = (limit << 12) | 0xfff;
		reg_set(c, in->reg, in->osize, limit);
	}
	set_zf(c, ok);
}

HANDLER(h_invlpg)
{
	need_cpl0(c);
	u32 lin = c->seg[in->seg].base + insn_ea(c, in);
	if (icpt(c, ICPT_INVLPG)) {
		c->exit->linear = lin;
		cpu_exit_insn(c, EXIT_INVLPG, lin);
	}
	cpu_invlpg(c, lin);
}

void cpu_invlpg(struct cpu *c, u32 lin)
{
	u32 vpn = lin >> 12;
	tlb_flush_page(&c->itlb, vpn);
	tlb_flush_page(&c->dtlb, vpn);
	for (int k = 0; k < 2; k++) {
		c->ftlb[k][vpn & (FTLB_SIZE - 1)].rtag = FTLB_NONE;
		c->ftlb[k][vpn & (FTLB_SIZE - 1)].wtag = FTLB_NONE;
		c->ctlb[k][vpn & (FTLB_SIZE - 1)].tag = FTLB_NONE;
	}
	(*c->cnt.invlpgs)++;
	c->last_invlpg = lin;
	if (c->mmu->invlpg)
		c->mmu->invlpg(c, lin);
}

void cpu_load_cr3(struct cpu *c, u32 v)
{
	u32 old = c->cr3;
	c->cr3 = v;
	cost_charge(c->cost, COST_MEM, c->prof->v[P_TLB_FLUSH]);
	(*c->cnt.cr3_writes)++;
	cpu_flush_tlb(c, c->cr4 & CR4_PGE);
	if (c->mmu->cr3_load)
		c->mmu->cr3_load(c, old);
}

/* VMCALL (0F 01 C1): a hypercall when the VMM intercepts it; outside VMX non-root
 * operation it raises #UD. Other register forms of 0F 01 /0 are undefined. */
HANDLER(h_vmcall)
{
	if (in->rm == 1 && icpt(c, ICPT_VMCALL))
		cpu_exit_insn(c, EXIT_VMCALL, 0);
	cpu_fault(c, EXC_UD, 0);
}

HANDLER(h_wbinvd)
{
	need_cpl0(c);
	if (icpt(c, ICPT_WBINVD))
		cpu_exit_insn(c, in->op ? EXIT_INVD : EXIT_WBINVD, 0);
}

/* CPUID of the machine itself (engines intercept it to add a hypervisor leaf). */
HANDLER(h_cpuid)
{
	if (icpt(c, ICPT_CPUID))
		cpu_exit_insn(c, EXIT_CPUID, 0);
	u32 leaf = c->r[R_EAX], a = 0, b = 0, cx = 0, d = 0;
	switch (leaf) {
	case 0:
		a = 1;
		b = 0x676e6952; /* "RinglabIA-32": an honest vendor string */
		d = 0x4962616c;
		cx = 0x32332d41;
		break;
	case 1:
		a = 0x00000f41; /* family 15 (NetBurst), model 4, stepping 1 */
		/* DE PSE TSC MSR CX8 SEP PGE CMOV; no FPU, no PAE, no APIC */
		d = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 11) |
		    (1u << 13) | (1u << 15);
		break;
	default:
		break; /* no other leaves, no hypervisor leaf natively */
	}
	c->r[R_EAX] = a;
	c->r[R_EBX] = b;
	c->r[R_ECX] = cx;
	c->r[R_EDX] = d;
}

HANDLER(h_rdtsc)
{
	if ((c->cr4 & CR4_TSD) && c->cpl)
		cpu_fault(c, EXC_GP, 0);
	if (icpt(c, ICPT_RDTSC))
		cpu_exit_insn(c, EXIT_RDTSC, 0);
	u64 t = c->cost->now + c->tsc_offset;
	c->r[R_EAX] = (u32)t;
	c->r[R_EDX] = (u32)(t >> 32);
}

HANDLER(h_rdmsr)
{
	need_cpl0(c);
	if (icpt(c, ICPT_MSR))
		cpu_exit_insn(c, EXIT_RDMSR, 0);
	u64 v;
	switch (c->r[R_ECX]) {
	case MSR_TSC: v = c->cost->now + c->tsc_offset; break;
	case MSR_SYSENTER_CS: v = c->sysenter_cs; break;
	case MSR_SYSENTER_ESP: v = c->sysenter_esp; break;
	case MSR_SYSENTER_EIP: v = c->sysenter_eip; break;
	default: cpu_fault(c, EXC_GP, 0);
	}
	c->r[R_EAX] = (u32)v;
	c->r[R_EDX] = (u32)(v >> 32);
}

HANDLER(h_wrmsr)
{
	need_cpl0(c);
	u64 v = ((u64)c->r[R_EDX] << 32) | c->r[R_EAX];
	if (icpt(c, ICPT_MSR)) {
		c->exit->value = c->r[R_EAX];
		cpu_exit_insn(c, EXIT_WRMSR, 0);
	}
	switch (c->r[R_ECX]) {
	case MSR_TSC: c->tsc_offset = v - c->cost->now; break;
	case MSR_SYSENTER_CS: c->sysenter_cs = (u32)v & 0xffff; break;
	case MSR_SYSENTER_ESP: c->sysenter_esp = (u32)v; break;
	case MSR_SYSENTER_EIP: c->sysenter_eip = (u32)v; break;
	default: cpu_fault(c, EXC_GP, 0);
	}
}

/* Load a flat 4 GB segment as SYSENTER/SYSEXIT do, without reading the GDT. */
static void flat_seg(struct seg *s, u16 sel, bool code, unsigned dpl)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = (u16)((code ? 0xb : 0x3) | SEG_S | (dpl << SEG_DPL_SHIFT) | SEG_P | SEG_DB | SEG_G);
	seg_update_check(s);
}

HANDLER(h_sysenter)
{
	u16 cs = (u16)c->sysenter_cs;
	if (!(cs & 0xfffc))
		cpu_fault(c, EXC_GP, 0);
	cc_materialize(c);
	c->eflags &= ~(FL_IF | FL_VM | FL_RF);
	flat_seg(&c->seg[SEG_CS], cs & 0xfffc, true, 0);
	flat_seg(&c->seg[SEG_SS], (cs & 0xfffc) + 8, false, 0);
	cpu_set_cpl(c, 0);
	c->r[R_ESP] = c->sysenter_esp;
	c->eip = c->sysenter_eip;
}

HANDLER(h_sysexit)
{
	u16 cs = (u16)c->sysenter_cs;
	if (c->cpl || !(cs & 0xfffc))
		cpu_fault(c, EXC_GP, 0);
	flat_seg(&c->seg[SEG_CS], (u16)((cs + 16) | 3), true, 3);
	flat_seg(&c->seg[SEG_SS], (u16)((cs + 24) | 3), false, 3);
	cpu_set_cpl(c, 3);
	c->r[R_ESP] = c->r[R_ECX];
	c->eip = c->r[R_EDX];
}

HANDLER(h_wait)
{
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		cpu_fault(c, EXC_NM, 0);
}

HANDLER(h_arpl)
{
	u32 d = rm_read(c, in, 2), s = reg_get(c, in->reg, 2);
	bool adjust = (d & 3) < (s & 3);
	if (adjust)
		rm_write(c, in, 2, (d & ~3u) | (s & 3));
	set_zf(c, adjust);
}

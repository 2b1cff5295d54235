/*
 * exec_data.c — moving data: MOV and its widening forms, LEA, XCHG, the stack (PUSH,
 * POP, PUSHA, ENTER, LEAVE), conversions, SETcc/CMOVcc, and the string instructions.
 *
 * A REP string instruction runs all its iterations in one call, updating ECX, ESI and
 * EDI after each, so a fault in the middle leaves the registers where hardware would
 * and the instruction restarts from there. Each iteration beyond the first is charged
 * one insn.string (the first is in the block's base cost). REP MOVS and STOS forward
 * with 32-bit addresses run the iterations that stay in one page the fast TLB holds
 * as one host loop (rep_fast): one by one they would each have hit that entry.
 */
#include "exec.h"
#include "fault.h"
#include "flags.h"
#include "operand.h"

HANDLER(h_mov_rm_r) { rm_write(c, in, in->osize, reg_get(c, in->reg, in->osize)); }
HANDLER(h_mov_r_rm) { reg_set(c, in->reg, in->osize, rm_read(c, in, in->osize)); }

HANDLER(h_mov32_rr)
{
	if (in->op)
		c->r[in->reg] = c->r[in->rm];
	else
		c->r[in->rm] = c->r[in->reg];
}

/* MOV r32, m32 and MOV m32, r32: the fast path inline, the rest (segment checks,
 * fast-TLB misses, page-crossing accesses) in the general handler it tail-calls. */
SLOW_HANDLER(mov32_r_m_slow) { c->r[in->reg] = seg_read(c, in->seg, insn_ea(c, in), 4); }
SLOW_HANDLER(mov32_m_r_slow) { seg_write(c, in->seg, insn_ea(c, in), 4, c->r[in->reg]); }

HANDLER_DECL(h_mov32_r_m)
{
	const u8 *p = seg_read_ptr(c, in->seg, insn_ea(c, in), 4);
	if (__builtin_expect(!p, 0)) {
		mov32_r_m_slow(c, in);
		return;
	}
	c->r[in->reg] = load_n(p, 4);
	insn_run_next(c, in);
}

HANDLER_DECL(h_mov32_m_r)
{
	u8 *p = seg_write_ptr(c, in->seg, insn_ea(c, in), 4);
	if (__builtin_expect(!p, 0)) {
		mov32_m_r_slow(c, in);
		return;
	}
	store_n(p, 4, c->r[in->reg]);
	insn_run_next(c, in);
}
HANDLER(h_mov_rm_imm) { rm_write(c, in, in->osize, in->imm); }
HANDLER(h_mov_r_imm) { reg_set(c, in->reg, in->osize, in->imm); }

HANDLER(h_mov_moffs_load)
{
	reg_set(c, R_EAX, in->osize, seg_read(c, in->seg, in->disp, in->osize));
}

HANDLER(h_mov_moffs_store)
{
	seg_write(c, in->seg, in->disp, in->osize, reg_get(c, R_EAX, in->osize));
}

HANDLER(h_movzx) { reg_set(c, in->reg, in->osize, rm_read(c, in, in->op)); }

HANDLER(h_movsx)
{
	u32 v = rm_read(c, in, in->op);
	v = in->op == 1 ? (u32)(s32)(s8)v : (u32)(s32)(s16)v;
	reg_set(c, in->reg, in->osize, v);
}

HANDLER(h_lea) { reg_set(c, in->reg, in->osize, insn_ea(c, in)); }

HANDLER(h_xchg_rm_r)
{
	unsigned s = in->osize;
	if (in->flags & IF_MEM) {
		u32 ea = insn_ea(c, in);
		u32 m = seg_read(c, in->seg, ea, s);
		seg_write(c, in->seg, ea, s, reg_get(c, in->reg, s));
		reg_set(c, in->reg, s, m);
	} else {
		u32 a = reg_get(c, in->rm, s);
		reg_set(c, in->rm, s, reg_get(c, in->reg, s));
		reg_set(c, in->reg, s, a);
	}
}

HANDLER(h_marker)
{
	if (c->marker)
		c->marker(c->marker_opaque, c->r[R_EAX], c->r[R_EDX]);
}

HANDLER(h_nop) { (void)c; (void)in; }

HANDLER(h_push_r) { push(c, in->osize, c->r[in->reg]); }

HANDLER(h_pop_r)
{
	u32 v = pop(c, in->osize);
	reg_set(c, in->reg, in->osize, v);
}

HANDLER(h_push_imm) { push(c, in->osize, in->imm); }

HANDLER(h_push_rm) { push(c, in->osize, rm_read(c, in, in->osize)); }

HANDLER(h_pop_rm)
{
	/* The destination address is computed with ESP already incremented, but a fault
	 * on the store leaves ESP unchanged. */
	u32 sp = sp_get(c), old = c->r[R_ESP];
	u32 v = seg_read(c, SEG_SS, sp, in->osize);
	if (!(in->flags & IF_MEM)) {
		sp_set(c, sp + in->osize);
		reg_set(c, in->rm, in->osize, v);
		return;
	}
	sp_set(c, sp + in->osize);
	u32 ea = insn_ea(c, in);
	c->r[R_ESP] = old;
	seg_write(c, in->seg, ea, in->osize, v);
	sp_set(c, sp + in->osize);
}

/* PUSHA and POPA: on a 32-bit stack whose 32 bytes the fast path serves in one page,
 * at once (each of the eight accesses would have hit that entry), else one by one. */
HANDLER(h_pusha)
{
	unsigned s = in->osize;
	u32 sp = sp_get(c), val[8];
	u8 *p;
	if (s == 4 && stack32(c) && (p = seg_write_ptr(c, SEG_SS, sp - 32, 32))) {
		for (int i = 0; i < 8; i++)
			store_n(p + 28 - 4 * i, 4, c->r[i]);
		c->r[R_ESP] = sp - 32;
		return;
	}
	for (int i = 0; i < 8; i++)
		val[i] = c->r[i];
	for (int i = 0; i < 8; i++) {
		u32 a = sp - (u32)(i + 1) * s;
		if (!stack32(c))
			a &= 0xffff;
		seg_write(c, SEG_SS, a, s, val[i]);
	}
	sp_set(c, sp - 8 * s);
}

HANDLER(h_popa)
{
	unsigned s = in->osize;
	u32 v[8];
	const u8 *p;
	if (s == 4 && stack32(c) && (p = seg_read_ptr(c, SEG_SS, c->r[R_ESP], 32))) {
		for (int i = 0; i < 8; i++)
			if (i != R_ESP)
				c->r[i] = load_n(p + 28 - 4 * i, 4);
		c->r[R_ESP] += 32;
		return;
	}
	for (int i = 0; i < 8; i++)
		v[7 - i] = stack_peek(c, (u32)i * s, s);
	for (int i = 0; i < 8; i++)
		if (i != R_ESP)
			reg_set(c, (unsigned)i, s, v[i]);
	sp_set(c, sp_get(c) + 8 * s);
}

HANDLER(h_enter)
{
	unsigned s = in->osize, level = in->imm2 & 31;
	u32 sp = sp_get(c), bp = c->r[R_EBP];
	u32 frame;
	u32 mask = stack32(c) ? 0xffffffffu : 0xffff;
	sp = (sp - s) & mask;
	seg_write(c, SEG_SS, sp, s, bp);
	frame = sp;
	for (unsigned i = 1; i < level; i++) {
		bp = (bp - s) & (s == 4 ? 0xffffffffu : 0xffff);
		u32 v = seg_read(c, SEG_SS, bp & mask, s);
		sp = (sp - s) & mask;
		seg_write(c, SEG_SS, sp, s, v);
	}
	if (level) {
		sp = (sp - s) & mask;
		seg_write(c, SEG_SS, sp, s, frame);
	}
	sp = (sp - in->imm) & mask;
	/* Hardware checks the final stack pointer is writable. */
	if (in->imm)
		(void)seg_read(c, SEG_SS, sp, 1);
	reg_set(c, R_EBP, s, frame);
	sp_set(c, sp);
}

HANDLER(h_leave)
{
	unsigned s = in->osize;
	u32 bp = stack32(c) ? c->r[R_EBP] : c->r[R_EBP] & 0xffff;
	u32 v = seg_read(c, SEG_SS, bp, s);
	sp_set(c, bp + s);
	reg_set(c, R_EBP, s, v);
}

HANDLER(h_cbw)
{
	if (in->osize == 4)
		c->r[R_EAX] = (u32)(s32)(s16)c->r[R_EAX];
	else
		reg_set(c, R_EAX, 2, (u32)(s32)(s8)c->r[R_EAX]);
}

HANDLER(h_cwd)
{
	if (in->osize == 4)
		c->r[R_EDX] = (s32)c->r[R_EAX] < 0 ? 0xffffffffu : 0;
	else
		reg_set(c, R_EDX, 2, (c->r[R_EAX] & 0x8000) ? 0xffff : 0);
}

HANDLER(h_setcc) { rm_write(c, in, 1, cc_cond(c, in->op)); }

HANDLER(h_cmovcc)
{
	/* The source is read (and may fault) whether or not the move happens. */
	u32 v = rm_read(c, in, in->osize);
	if (cc_cond(c, in->op))
		reg_set(c, in->reg, in->osize, v);
}

HANDLER(h_bswap)
{
	if (in->osize == 4)
		c->r[in->reg] = __builtin_bswap32(c->r[in->reg]);
	else
		reg_set(c, in->reg, 2, 0); /* undefined for 16 bits; QEMU and Intel give 0 */
}

HANDLER(h_xlat)
{
	u32 a = c->r[R_EBX] + (c->r[R_EAX] & 0xff);
	if (in->flags & IF_A16)
		a &= 0xffff;
	reg_set(c, R_EAX, 1, seg_read(c, in->seg, a, 1));
}

HANDLER(h_bound)
{
	unsigned s = in->osize;
	u32 ea = insn_ea(c, in);
	s32 idx, lo, hi;
	if (s == 2) {
		idx = (s16)c->r[in->reg];
		lo = (s16)seg_read(c, in->seg, ea, 2);
		hi = (s16)seg_read(c, in->seg, (ea + 2) & ((in->flags & IF_A16) ? 0xffff : ~0u), 2);
	} else {
		idx = (s32)c->r[in->reg];
		lo = (s32)seg_read(c, in->seg, ea, 4);
		hi = (s32)seg_read(c, in->seg, ea + 4, 4);
	}
	if (idx < lo || idx > hi)
		cpu_fault(c, EXC_BR, 0);
}

/* --- string instructions --- */

struct str_regs {
	bool a16;
	s32 step;
};

static inline u32 sreg(const struct cpu *c, unsigned r, bool a16)
{
	return a16 ? c->r[r] & 0xffff : c->r[r];
}

static inline void sreg_add(struct cpu *c, unsigned r, bool a16, s32 d)
{
	if (a16)
		c->r[r] = (c->r[r] & 0xffff0000u) | ((c->r[r] + (u32)d) & 0xffff);
	else
		c->r[r] += (u32)d;
}

static inline s32 str_step(const struct cpu *c, unsigned s)
{
	return (c->eflags & FL_DF) ? -(s32)s : (s32)s;
}

/* Charge the iterations after the first. */
static inline void str_charge(struct cpu *c, u64 iters)
{
	if (iters > 1)
		cost_guest(c->cost, (iters - 1) * c->cls_cost[IC_STRING]);
}

/* After REP_CHUNK iterations a REP instruction pauses as hardware lets it be
 * interrupted: its registers say how far it got, and it runs again from the run loop,
 * which fires timers, takes interrupts and checks the instruction budget first. Returns
 * true when the instruction must stop here. */
static inline bool rep_pause(struct cpu *c, const struct insn *in, u64 n)
{
	if (n < REP_CHUNK)
		return false;
	str_charge(c, n);
	cpu_rep_pause(c, in);
	return true;
}

/* The iterations of a forward REP STOS or REP MOVS with 32-bit addressing that stay
 * on the pages the fast TLB serves for its first one, done in one host loop: at most
 * `max`, none past ECX, none that leaves the page (of the source or the destination).
 * Element by element, in order, as the per-iteration path does, and with its effects
 * exactly: there a fast-TLB access charges and counts nothing, and the fast TLB never
 * serves a write to a page holding code. Returns how many it did: 0 when the fast TLB
 * does not serve the first, which then takes the per-iteration path (that fills it). */
static u32 rep_fast(struct cpu *c, const struct insn *in, bool movs, unsigned s, u32 v, u32 max)
{
	u32 edi = c->r[R_EDI], esi = c->r[R_ESI];
	u8 *dst = seg_write_ptr(c, SEG_ES, edi, s);
	const u8 *src = movs ? seg_read_ptr(c, in->seg, esi, s) : NULL;
	if (!dst || (movs && !src))
		return 0;
	u32 k = (0x1000 - ((c->seg[SEG_ES].base + edi) & 0xfff)) / s;
	if (movs) {
		u32 ks = (0x1000 - ((c->seg[in->seg].base + esi) & 0xfff)) / s;
		k = ks < k ? ks : k;
	}
	k = k < c->r[R_ECX] ? k : c->r[R_ECX];
	k = k < max ? k : max;
	if (!movs && s == 1) {
		memset(dst, (int)(v & 0xff), k);
	} else {
		for (u32 i = 0; i < k; i++)
			store_n(dst + i * s, s, movs ? load_n(src + i * s, s) : v);
	}
	c->r[R_EDI] = edi + k * s;
	if (movs)
		c->r[R_ESI] = esi + k * s;
	c->r[R_ECX] -= k;
	return k;
}

HANDLER(h_movs)
{
	unsigned s = in->osize;
	bool a16 = in->flags & IF_A16;
	s32 d = str_step(c, s);
	if (!(in->flags & (IF_REP | IF_REPNE))) {
		u32 v = seg_read(c, in->seg, sreg(c, R_ESI, a16), s);
		seg_write(c, SEG_ES, sreg(c, R_EDI, a16), s, v);
		sreg_add(c, R_ESI, a16, d);
		sreg_add(c, R_EDI, a16, d);
		return;
	}
	u64 n = 0;
	while (sreg(c, R_ECX, a16)) {
		u32 k = !a16 && d > 0 ? rep_fast(c, in, true, s, 0, (u32)(REP_CHUNK - n)) : 0;
		if (k) {
			n += k;
			if (rep_pause(c, in, n))
				return;
			continue;
		}
		u32 v = seg_read(c, in->seg, sreg(c, R_ESI, a16), s);
		seg_write(c, SEG_ES, sreg(c, R_EDI, a16), s, v);
		sreg_add(c, R_ESI, a16, d);
		sreg_add(c, R_EDI, a16, d);
		sreg_add(c, R_ECX, a16, -1);
		n++;
		if (rep_pause(c, in, n))
			return;
	}
	str_charge(c, n);
}

HANDLER(h_stos)
{
	unsigned s = in->osize;
	bool a16 = in->flags & IF_A16;
	s32 d = str_step(c, s);
	u32 v = reg_get(c, R_EAX, s);
	if (!(in->flags & (IF_REP | IF_REPNE))) {
		seg_write(c, SEG_ES, sreg(c, R_EDI, a16), s, v);
		sreg_add(c, R_EDI, a16, d);
		return;
	}
	u64 n = 0;
	while (sreg(c, R_ECX, a16)) {
		u32 k = !a16 && d > 0 ? rep_fast(c, in, false, s, v, (u32)(REP_CHUNK - n)) : 0;
		if (k) {
			n += k;
			if (rep_pause(c, in, n))
				return;
			continue;
		}
		seg_write(c, SEG_ES, sreg(c, R_EDI, a16), s, v);
		sreg_add(c, R_EDI, a16, d);
		sreg_add(c, R_ECX, a16, -1);
		n++;
		if (rep_pause(c, in, n))
			return;
	}
	str_charge(c, n);
}

HANDLER(h_lods)
{
	unsigned s = in->osize;
	bool a16 = in->flags & IF_A16;
	s32 d = str_step(c, s);
	if (!(in->flags & (IF_REP | IF_REPNE))) {
		reg_set(c, R_EAX, s, seg_read(c, in->seg, sreg(c, R_ESI, a16), s));
		sreg_add(c, R_ESI, a16, d);
		return;
	}
	u64 n = 0;
	while (sreg(c, R_ECX, a16)) {
		reg_set(c, R_EAX, s, seg_read(c, in->seg, sreg(c, R_ESI, a16), s));
		sreg_add(c, R_ESI, a16, d);
		sreg_add(c, R_ECX, a16, -1);
		n++;
		if (rep_pause(c, in, n))
			return;
	}
	str_charge(c, n);
}

/* Compare for CMPS/SCAS: flags of a - b. */
static inline void str_cmp(struct cpu *c, unsigned s, u32 a, u32 b)
{
	cc_set(c, CC_SUB, s * 8, a, b, a - b);
}

static inline bool rep_stop(const struct cpu *c, const struct insn *in, unsigned s)
{
	bool zf = (c->cc_res & width_mask(s * 8)) == 0;
	return (in->flags & IF_REP) ? !zf : zf;
}

HANDLER(h_cmps)
{
	unsigned s = in->osize;
	bool a16 = in->flags & IF_A16;
	s32 d = str_step(c, s);
	bool rep = in->flags & (IF_REP | IF_REPNE);
	u64 n = 0;
	while (!rep || sreg(c, R_ECX, a16)) {
		u32 a = seg_read(c, in->seg, sreg(c, R_ESI, a16), s);
		u32 b = seg_read(c, SEG_ES, sreg(c, R_EDI, a16), s);
		str_cmp(c, s, a, b);
		sreg_add(c, R_ESI, a16, d);
		sreg_add(c, R_EDI, a16, d);
		if (!rep)
			return;
		sreg_add(c, R_ECX, a16, -1);
		n++;
		if (rep_stop(c, in, s))
			break;
		if (rep_pause(c, in, n))
			return;
	}
	str_charge(c, n);
}

HANDLER(h_scas)
{
	unsigned s = in->osize;
	bool a16 = in->flags & IF_A16;
	s32 d = str_step(c, s);
	bool rep = in->flags & (IF_REP | IF_REPNE);
	u32 a = reg_get(c, R_EAX, s);
	u64 n = 0;
	while (!rep || sreg(c, R_ECX, a16)) {
		u32 b = seg_read(c, SEG_ES, sreg(c, R_EDI, a16), s);
		str_cmp(c, s, a, b);
		sreg_add(c, R_EDI, a16, d);
		if (!rep)
			return;
		sreg_add(c, R_ECX, a16, -1);
		n++;
		if (rep_stop(c, in, s))
			break;
		if (rep_pause(c, in, n))
			return;
	}
	str_charge(c, n);
}

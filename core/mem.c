/*
 * mem.c — the slow paths of guest memory access: segment checks, the modeled TLB,
 * the MMU engine's walk on a miss, dirty-bit assists, page-crossing accesses, writes to
 * decoded code, and physical addresses outside RAM (unassigned memory, as on QEMU's
 * PC, the reference: reads return 0, writes are dropped; ringlab has no IOAPIC or BIOS
 * ROM behind them).
 *
 * The fast TLB (cpu.h) is filled here and only here, and only with translations the
 * modeled TLB holds (or, paging off, identity), so a fast hit is always a modeled hit.
 * A fast write entry additionally requires the modeled entry to be dirty and the
 * physical page to hold no decoded code, so that D-bit assists and self-modifying code
 * always reach this file.
 */
#include "mem.h"

#include "block.h"
#include "fault.h"
#include "mmu.h"

/* Does the machine honour read-only pages for supervisor writes? (CR0.WP, or a VMM
 * that keeps it on underneath the guest's value.) */
static inline bool wp(const struct cpu *c) { return (c->cr0 & CR0_WP) || c->force_wp; }

/* Return the page-fault error code an access would take on a TLB entry, or 0. */
static u32 perm_fault(const struct cpu *c, const struct tlb_entry *e, unsigned acc, bool user)
{
	bool write = acc == ACC_WRITE;
	u32 pfec = PFEC_P | (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	if (user && !e->user)
		return pfec;
	if (write && !e->writable && (user || wp(c)))
		return pfec;
	return 0;
}

/* May a fast write entry be made for this translation, for this privilege class? */
static bool fast_writable(const struct cpu *c, const struct tlb_entry *e, bool user)
{
	if (!e->dirty || (u64)(e->ppn + 1) << 12 > c->mem_size || c->code_mask[e->ppn] ||
	    c->watch_mask[e->ppn])
		return false;
	return e->writable || (!user && !wp(c));
}

static void fill_data(struct cpu *c, u32 vpn, const struct tlb_entry *e, bool user)
{
	struct ftlb_entry *f = &c->ftlb[user][vpn & (FTLB_SIZE - 1)];
	if ((u64)(e->ppn + 1) << 12 > c->mem_size) /* unassigned: never fast */
		return;
	cpu_fast_fill(c, &f->rtag);
	f->rtag = vpn;
	f->wtag = fast_writable(c, e, user) ? vpn : FTLB_NONE;
	f->addend = (uintptr_t)(c->ram + ((uintptr_t)e->ppn << 12)) - ((uintptr_t)vpn << 12);
}

/* A guest frame outside guest RAM is unassigned memory, never the VMM's. */
static inline u32 guest_ppn(const struct cpu *c, u32 ppn)
{
	return ppn < (c->ram_size >> 12) ? ppn : PPN_UNASSIGNED;
}

/* The VMM window: the VMM's memory mapped at `lin` for CPL 0-2 whatever the guest's
 * paging, as by a global supervisor 4 MB page the VMM keeps in every address space
 * (so it never misses in the model: no walk is charged). CPL 3 takes the #PF the
 * hardware would give. */
static __attribute__((noinline, cold)) u32 vmm_window(struct cpu *c, u32 lin, unsigned acc, bool user)
{
	if (user)
		cpu_page_fault(c, lin, PFEC_P | PFEC_U | (acc == ACC_WRITE ? PFEC_W : 0));
	u32 vpn = lin >> 12, ppn = (c->ram_size + (lin - c->vmm_win)) >> 12;
	if (acc == ACC_FETCH) {
		struct ctlb_entry *ce = &c->ct[vpn & (FTLB_SIZE - 1)];
		cpu_fast_fill(c, &ce->tag);
		ce->tag = vpn;
		ce->ppn = ppn;
	} else {
		struct tlb_entry e = { .vpn = vpn, .ppn = ppn, .writable = 1, .dirty = 1 };
		fill_data(c, vpn, &e, user);
	}
	return (ppn << 12) | (lin & 0xfff);
}

/* xlate with paging off: the identity, straight into the fast TLB. */
static __attribute__((noinline)) u32 xlate_unpaged(struct cpu *c, u32 lin, unsigned acc, bool user)
{
	u32 vpn = lin >> 12;
	struct tlb_entry ident = { .vpn = vpn, .ppn = guest_ppn(c, vpn), .user = 1, .writable = 1, .dirty = 1 };
	if (acc == ACC_FETCH) {
		struct ctlb_entry *ce = &c->ct[vpn & (FTLB_SIZE - 1)];
		cpu_fast_fill(c, &ce->tag);
		ce->tag = vpn;
		ce->ppn = ident.ppn;
	} else {
		fill_data(c, vpn, &ident, user);
	}
	return (ident.ppn << 12) | (lin & 0xfff);
}

/* xlate of a write the VMM emulates (c->bypass): the engine's walk without its own
 * protection, kept in no TLB. */
static __attribute__((noinline, cold)) u32 xlate_bypass(struct cpu *c, u32 lin, unsigned acc, bool user)
{
	u32 vpn = lin >> 12;
	/* the VMM emulating a write the MMU engine traps: translate afresh, with
	 * the engine's own protection lifted, and keep nothing in any TLB */
	struct tlb_entry f = { 0 };
	u32 pfec;
	tlb_flush_page(&c->dtlb, vpn);
	int rc = c->mmu->translate(c, lin, acc | ACC_BYPASS | (user ? ACC_USER : 0), &f, &pfec);
	if (rc == MMU_EXIT)
		cpu_exit_event(c);
	if (rc)
		cpu_page_fault(c, lin, pfec);
	u32 ppn = guest_ppn(c, f.large ? f.ppn + (vpn - f.vpn) : f.ppn);
	return (ppn << 12) | (lin & 0xfff);
}

/* Translate `lin` for `acc` at privilege `user`: modeled TLB, then the MMU engine.
 * Returns the physical address, raising #PF as hardware would. */
static u32 xlate(struct cpu *c, u32 lin, unsigned acc, bool user)
{
	u32 vpn = lin >> 12;
	if (__builtin_expect(lin - c->vmm_win < c->mem_size - c->ram_size, 0))
		return vmm_window(c, lin, acc, user);
	if (!(c->cr0 & CR0_PG))
		return xlate_unpaged(c, lin, acc, user);

	bool fetch = acc == ACC_FETCH, write = acc == ACC_WRITE;
	if (__builtin_expect(c->bypass, 0) && write)
		return xlate_bypass(c, lin, acc, user);
	struct tlb *t = fetch ? &c->itlb : &c->dtlb;
	struct tlb_entry *e = tlb_lookup(t, vpn);
	u32 pfec;
	if (e && !(write && !e->dirty)) {
		pfec = perm_fault(c, e, acc, user);
		if (pfec)
			cpu_page_fault(c, lin, pfec);
	} else {
		struct tlb_entry f = { 0 };
		(*(fetch ? c->cnt.itlb_misses : c->cnt.dtlb_misses))++;
		int rc = c->mmu->translate(c, lin, acc | (user ? ACC_USER : 0), &f, &pfec);
		if (rc == MMU_EXIT)
			cpu_exit_event(c);
		if (rc)
			cpu_page_fault(c, lin, pfec);
		/* a miss: nothing fills the TLB meanwhile (the MMU engine only drops entries) */
		e = e ? tlb_insert(t, &f) : tlb_insert_new(t, &f);
	}
	u32 ppn = guest_ppn(c, e->large ? e->ppn + (vpn - e->vpn) : e->ppn);
	if (fetch) {
		struct ctlb_entry *ce = &c->ct[vpn & (FTLB_SIZE - 1)];
		cpu_fast_fill(c, &ce->tag);
		ce->tag = vpn;
		ce->ppn = ppn;
	} else {
		struct tlb_entry piece = *e;
		piece.ppn = ppn;
		fill_data(c, vpn, &piece, user);
	}
	return (ppn << 12) | (lin & 0xfff);
}

u32 mem_fetch_phys_slow(struct cpu *c, u32 lin) { return xlate(c, lin, ACC_FETCH, c->cpl == 3); }

u8 *mem_xlate(struct cpu *c, u32 lin, bool write, bool user)
{
	u32 pa = xlate(c, lin, write ? ACC_WRITE : ACC_READ, user);
	return cpu_mem(c, pa, 1);
}

/* Read one page-contained piece. */
static u32 read_piece(struct cpu *c, u32 lin, unsigned size, bool user)
{
	u32 pa = xlate(c, lin, ACC_READ, user);
	const u8 *p = cpu_mem(c, pa, size);
	return p ? load_n(p, size) : 0; /* unassigned: reads 0, as on QEMU's PC */
}

u32 mem_read_slow(struct cpu *c, u32 lin, unsigned size, bool user)
{
	if ((lin & 0xfff) + size <= 0x1000)
		return read_piece(c, lin, size, user);
	u32 v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= read_piece(c, lin + i, 1, user) << (8 * i);
	return v;
}

/* Write to physical `pa`, invalidating decoded code it touches. */
static void write_phys(struct cpu *c, u32 pa, unsigned size, u32 v)
{
	u8 *p = cpu_mem(c, pa, size);
	if (!p)
		return;
	u32 chunks = code_chunks(pa, size);
	if ((c->code_mask[pa >> 12] | c->watch_mask[pa >> 12]) & chunks) {
		if (c->code_mask[pa >> 12] & chunks)
			(*c->cnt.smc_writes)++;
		if (block_invalidate_write(c, pa, size) && c->ip) {
			/* The running block changed under us: finish this instruction, then
			 * continue at the next one from freshly decoded code. (Outside a
			 * block, delivering an event, the next lookup decodes afresh.) */
			cpu_end_block(c, insn_next(cpu_cur(c)));
		}
	}
	store_n(p, size, v);
}

void mem_write_slow(struct cpu *c, u32 lin, unsigned size, u32 v, bool user)
{
	if ((lin & 0xfff) + size <= 0x1000) {
		write_phys(c, xlate(c, lin, ACC_WRITE, user), size, v);
		return;
	}
	/* Crossing a page: translate both halves before writing either, so a fault on
	 * the second leaves memory untouched. */
	unsigned first = 0x1000 - (lin & 0xfff);
	u32 pa0 = xlate(c, lin, ACC_WRITE, user);
	u32 pa1 = xlate(c, lin + first, ACC_WRITE, user);
	for (unsigned i = 0; i < size; i++)
		write_phys(c, i < first ? pa0 + i : pa1 + (i - first), 1, (v >> (8 * i)) & 0xff);
}

void seg_check(struct cpu *c, unsigned s, u32 off, unsigned size, bool write)
{
	const struct seg *sg = &c->seg[s];
	u8 vec = s == SEG_SS ? EXC_SS : EXC_GP;
	if (!(sg->attr & SEG_P))
		cpu_fault(c, vec, 0);
	bool code = sg->attr & SEG_TYPE_CODE;
	if (write && (code || !(sg->attr & SEG_TYPE_RW)))
		cpu_fault(c, vec, 0);
	if (!write && code && !(sg->attr & SEG_TYPE_RW))
		cpu_fault(c, vec, 0);
	u32 last = off + size - 1;
	if (!code && (sg->attr & SEG_TYPE_EC)) {
		u32 upper = (sg->attr & SEG_DB) ? 0xffffffffu : 0xffffu;
		if (off <= sg->limit || last > upper || last < off)
			cpu_fault(c, vec, 0);
	} else if (last > sg->limit || last < off) {
		cpu_fault(c, vec, 0);
	}
}

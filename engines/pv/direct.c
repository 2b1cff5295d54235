/*
 * direct.c — pv/direct: the guest's page tables are the processor's, and the VMM
 * validates every change to them, as Xen does (the rules are in guest/kernel/pvabi.h).
 *
 * Every frame has a type and a count of the validated references that give it that
 * type: L2 (a page directory: pinned, or the current CR3), L1 (a page table, referenced
 * by a present entry of an L2), W (mapped writable by a present entry of an L1), or
 * none. Taking a reference checks the rule for its kind and, for a frame that becomes
 * an L1 or L2, validates every entry in it, taking their references in turn; dropping
 * the last reference of an L1 or L2 drops its entries' references. So a frame is never
 * both a page table and writable, the guest maps only its own frames, and nothing it
 * maps reaches the VMM's window: what the processor walks is always safe.
 *
 * A reading tour: the kernel links a fresh page table (pvops_pv.c's set_pde) →
 * PVH_MMU_UPDATE → pv_mmu_update(): the entry's frame is an L2, so the new value is an
 * L2 entry: get_l1() validates the target's 1024 entries (get_w() for each writable
 * one) and types it L1 → the entry is written → the old value's reference is dropped.
 *
 * A writable mapping that goes away may live on in the TLB; before a frame becomes a
 * page table after such a release, the VMM flushes every TLB (charged tlb.flush), as
 * Xen does with its TLB-flush timestamps. Costs: vmm.pte_scan per entry of a table
 * validated or released whole, vmm.pte_read per reference taken or dropped (a
 * present entry) and per entry an update reads, vmm.pte_write per entry written.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "pv.h"
#include "vmm/guestmem.h"

enum { T_NONE, T_L1, T_L2, T_W };

static void charge(struct pv *p, enum profile_primitive prim)
{
	cost_charge(&p->vmm.vm->cost, COST_VMM, p->vmm.vm->prof.v[prim]);
}

static u32 *table(struct pv *p, u32 frame)
{
	return (u32 *)cpu_phys(&p->vmm.vm->cpu, frame << 12, 4096);
}

int pv_direct_init(struct pv *p)
{
	p->nframes = p->vmm.vm->cpu.ram_size >> 12;
	p->ptype = calloc(p->nframes, 1);
	p->tcount = calloc(p->nframes, sizeof(u32));
	p->pinned = calloc(p->nframes, 1);
	p->cr3_frame = -1;
	return p->ptype && p->tcount && p->pinned ? 0 : -1;
}

void pv_direct_fini(struct pv *p)
{
	free(p->ptype);
	free(p->tcount);
	free(p->pinned);
}

static int perm(struct pv *p, enum pv_refusal why) { return pv_refuse(p, why, PV_EPERM); }

/* A writable mapping of `f`. */
static int get_w(struct pv *p, u32 f)
{
	if (f >= p->nframes)
		return perm(p, PV_REF_FRAME);
	if (p->ptype[f] == T_L1 || p->ptype[f] == T_L2)
		return perm(p, PV_REF_PT_WRITABLE);
	p->ptype[f] = T_W;
	p->tcount[f]++;
	return PV_OK;
}

static void put_w(struct pv *p, u32 f)
{
	if (--p->tcount[f] == 0) {
		p->ptype[f] = T_NONE;
		p->w_released = true;
	}
}

/* Make `f` a page table of type `t`: its TLB shadows must not outlive a writable
 * mapping released earlier. */
static void become_table(struct pv *p, u32 f, u8 t)
{
	if (p->w_released) {
		struct cpu *c = &p->vmm.vm->cpu;
		cpu_flush_tlb(c, false);
		cost_charge(c->cost, COST_MEM, c->prof->v[P_TLB_FLUSH]);
		(*p->full_flushes)++;
		p->w_released = false;
	}
	p->ptype[f] = t;
	p->tcount[f] = 1;
	(*p->validated)++;
}

static int get_l1(struct pv *p, u32 f);
static void put_l1(struct pv *p, u32 f);

/* Take the references entry `e` of a table of type `t` (at index `i`) makes. */
static int get_entry(struct pv *p, u8 t, u32 i, u32 e)
{
	if (!(e & 1))
		return PV_OK;
	if (t == T_L1)
		return (e & 2) ? get_w(p, e >> 12) : (e >> 12) < p->nframes ? PV_OK : perm(p, PV_REF_FRAME);
	if (i >= PV_VMM_HOLE_PDE)
		return perm(p, PV_REF_VMM_HOLE);
	if (e & 0x80)
		return pv_refuse(p, PV_REF_SUPERPAGE, PV_EINVAL);
	return get_l1(p, e >> 12);
}

static void put_entry(struct pv *p, u8 t, u32 e)
{
	if (!(e & 1))
		return;
	if (t == T_L1) {
		if (e & 2)
			put_w(p, e >> 12);
	} else {
		put_l1(p, e >> 12);
	}
}

/* Validate every entry of frame `f` as a table of type `t`; on a refusal, drop what was
 * taken and return the code. */
static int validate(struct pv *p, u32 f, u8 t)
{
	const u32 *tab = table(p, f);
	for (u32 i = 0; i < 1024; i++) {
		charge(p, P_VMM_PTE_SCAN);
		if (tab[i] & 1)
			charge(p, P_VMM_PTE_READ); /* the reference it takes */
		int r = get_entry(p, t, i, tab[i]);
		if (r != PV_OK) {
			while (i--)
				put_entry(p, t, tab[i]);
			return r;
		}
	}
	return PV_OK;
}

static void release(struct pv *p, u32 f, u8 t)
{
	const u32 *tab = table(p, f);
	for (u32 i = 0; i < 1024; i++) {
		charge(p, P_VMM_PTE_SCAN);
		if (tab[i] & 1)
			charge(p, P_VMM_PTE_READ); /* the reference it drops */
		put_entry(p, t, tab[i]);
	}
	p->ptype[f] = T_NONE;
}

static int get_table(struct pv *p, u32 f, u8 t)
{
	if (f >= p->nframes)
		return perm(p, PV_REF_FRAME);
	if (p->ptype[f] == t) {
		p->tcount[f]++;
		return PV_OK;
	}
	if (p->ptype[f] != T_NONE)
		return perm(p, p->ptype[f] == T_W ? PV_REF_PT_WRITABLE : PV_REF_TYPE);
	p->ptype[f] = t; /* a table that maps itself must see its own type */
	p->tcount[f] = 1;
	int r = validate(p, f, t);
	p->ptype[f] = T_NONE;
	p->tcount[f] = 0;
	if (r != PV_OK)
		return r;
	become_table(p, f, t);
	return PV_OK;
}

static void put_table(struct pv *p, u32 f, u8 t)
{
	if (--p->tcount[f] == 0)
		release(p, f, t);
}

static int get_l1(struct pv *p, u32 f) { return get_table(p, f, T_L1); }
static void put_l1(struct pv *p, u32 f) { put_table(p, f, T_L1); }

/* Until CR3 holds a validated directory, the processor walks the kernel's boot
 * tables, which may map anything writable: nothing validated could be trusted, so
 * nothing is validated but the directory that replaces them. */
static bool on_boot_tables(struct pv *p) { return p->cr3_frame < 0; }

bool pv_frame_is_table(const struct pv *p, u32 frame)
{
	return p->direct && frame < p->nframes && (p->ptype[frame] == T_L1 || p->ptype[frame] == T_L2);
}

int pv_pin(struct pv *p, u32 pa, u32 pin)
{
	u32 f = pa >> 12;
	if (on_boot_tables(p))
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if ((pa & 0xfff) || f >= p->nframes || pin > 1)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (pin == p->pinned[f]) /* pinning twice, or unpinning what is not pinned */
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	if (pin) {
		int r = get_table(p, f, T_L2);
		if (r == PV_OK)
			p->pinned[f] = 1;
		return r;
	}
	p->pinned[f] = 0;
	put_table(p, f, T_L2);
	return PV_OK;
}

int pv_new_baseptr(struct pv *p, u32 pa)
{
	struct cpu *c = &p->vmm.vm->cpu;
	u32 f = pa >> 12;
	if ((pa & 0xfff) || f >= p->nframes)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	int r = get_table(p, f, T_L2);
	if (r != PV_OK)
		return r;
	cpu_load_cr3(c, pa);
	if (p->cr3_frame >= 0)
		put_table(p, (u32)p->cr3_frame, T_L2);
	else
		cpu_flush_tlb(c, false); /* the boot tables' global entries go too */
	p->cr3_frame = (int)f;
	return PV_OK;
}

int pv_mmu_update(struct pv *p, u32 lin, u32 n)
{
	struct vm *vm = p->vmm.vm;
	if (n > 1024 || on_boot_tables(p))
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	for (u32 k = 0; k < n; k++) {
		struct pv_mmu_update u;
		if (!vmm_guest_read(vm, lin + k * 8, &u, sizeof(u)))
			return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
		u32 f = u.ptr >> 12, i = (u.ptr & 0xfff) >> 2;
		if ((u.ptr & 3) || f >= p->nframes || (p->ptype[f] != T_L1 && p->ptype[f] != T_L2))
			return pv_refuse(p, PV_REF_NOT_PT, PV_EINVAL);
		u8 t = p->ptype[f];
		u32 *tab = table(p, f);
		charge(p, P_VMM_PTE_READ);
		u32 old = tab[i];
		int r = get_entry(p, t, i, u.val);
		if (r != PV_OK)
			return r;
		tab[i] = u.val;
		charge(p, P_VMM_PTE_WRITE);
		put_entry(p, t, old);
		(*p->pte_updates)++;
	}
	return PV_OK;
}

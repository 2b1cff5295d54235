/*
 * guestmem.c — the VMM's access to guest linear memory through the guest's own page
 * tables (see guestmem.h).
 */
#include "guestmem.h"

#include <string.h>

#include "core/block.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "core/pagewalk.h"

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

static const struct pw_ref vmm_ref = { .read = ref_read, .write = ref_write };

/* Guest-physical address of `lin` for an access of kind `acc` at CPL 0, or false;
 * `global` (optional): the mapping is global. */
static bool translate_g(struct cpu *c, u32 lin, unsigned acc, u32 *pa, bool *global)
{
	*pa = lin;
	if (global)
		*global = false;
	if (!(c->cr0 & CR0_PG))
		return true;
	struct pw_result r;
	u32 pfec;
	if (pw_walk(c, c->cr3, lin, acc, &vmm_ref, &r, &pfec))
		return false;
	*pa = r.gpa;
	if (global)
		*global = r.global;
	return true;
}

static bool translate(struct cpu *c, u32 lin, unsigned acc, u32 *pa) { return translate_g(c, lin, acc, pa, NULL); }

bool vmm_guest_phys_global(struct vm *vm, u32 lin, u32 *pa, bool *global)
{
	return translate_g(&vm->cpu, lin, ACC_READ, pa, global);
}

bool vmm_guest_phys(struct vm *vm, u32 lin, bool write, u32 *pa)
{
	return translate(&vm->cpu, lin, write ? ACC_WRITE : ACC_READ, pa);
}

bool vmm_guest_read(struct vm *vm, u32 lin, void *buf, u32 n)
{
	struct cpu *c = &vm->cpu;
	u8 *out = buf;
	while (n) {
		u32 pa, k = 0x1000 - (lin & 0xfff);
		if (k > n)
			k = n;
		if (!translate(c, lin, ACC_READ, &pa))
			return false;
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

bool vmm_guest_write(struct vm *vm, u32 lin, const void *buf, u32 n)
{
	struct cpu *c = &vm->cpu;
	const u8 *in = buf;
	while (n) {
		u32 pa, k = 0x1000 - (lin & 0xfff);
		if (k > n)
			k = n;
		if (!translate(c, lin, ACC_WRITE, &pa))
			return false;
		u8 *p = cpu_phys(c, pa, k);
		if (!p)
			return false;
		memcpy(p, in, k);
		block_invalidate_write(c, pa, k); /* decoded code there is stale */
		in += k;
		lin += k;
		n -= k;
	}
	return true;
}

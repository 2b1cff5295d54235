/*
 * adaptive.c — adaptive binary translation (Adams & Agesen 2006, §3.2; tc.h): a guest
 * kernel store whose writes to traced page tables keep faulting is translated again as
 * a callout (BK_PTWRITE) that performs it without the fault, the shadow MMU
 * resynchronising through mmu before_write/after_emulate; a store whose callouts stop
 * reaching page tables goes back to IDENT, each return doubling the faults the next
 * adaptation needs.
 */
#include "tc.h"
#include "vmm/guestmem.h"

/* The translated kernel instruction at guest EIP `eip` (in block b->last) wrote a
 * traced page table and faulted: count it, and once it has done so BT_ADAPT_AFTER
 * times, retire its block so that it is translated again, the store as a callout. */
void bt_adapt(struct bt *b, u32 eip)
{
	unsigned h = (eip ^ (eip >> 10)) & (BT_ADAPT_N - 1);
	if (b->adapt_eip[h] != eip + 1) {
		b->adapt_eip[h] = eip + 1;
		b->adapt_n[h] = 0;
		b->adapt_lvl[h] = 0;
	}
	b->adapt_miss[h] = 0;
	if (++b->adapt_n[h] < (BT_ADAPT_AFTER << b->adapt_lvl[h]))
		return;
	/* every translation holding it as IDENT goes (a store in a loop may sit in two: the
	 * loop's head entered from above, and from its own back edge); the next entry
	 * translates it as an adaptive callout */
	bool any = false;
	for (unsigned i = 0; i < b->nblk; i++) {
		const struct bt_block *k = &b->blk[i];
		if (eip - k->geip < k->ident && tc_live(b, (int)i)) {
			tc_retire(b, (int)i);
			any = true;
		}
	}
	b->last = -1; /* resume at a new translation */
	if (any)
		(*b->retranslations)++;
}

/* An adaptive callout's store completed (b->ptw_block): one that wrote no traced page
 * table BT_UNADAPT_AFTER times in a row goes back to IDENT (its block is retired). */
void bt_adapt_done(struct bt *b)
{
	u32 eip = b->ptw_eip;
	unsigned h = (eip ^ (eip >> 10)) & (BT_ADAPT_N - 1);
	int i = b->ptw_block;
	b->ptw_block = -1;
	if (b->adapt_eip[h] != eip + 1)
		return;
	if (b->ptw_traced) {
		b->adapt_miss[h] = 0;
		return;
	}
	if (++b->adapt_miss[h] < BT_UNADAPT_AFTER)
		return;
	b->adapt_n[h] = b->adapt_miss[h] = 0;
	if (b->adapt_lvl[h] < 16)
		b->adapt_lvl[h]++;
	if (i >= 0 && b->ptw_gen == b->flush_gen && !b->flush_pending) {
		tc_retire(b, i);
		(*b->retranslations)++;
	}
}

/* An adaptive callout (BK_PTWRITE): the store that kept faulting on a traced page
 * table, performed by the VMM without the fault; the shadow MMU resynchronises what it
 * derived from the page written (mmu before_write/after_emulate), as after a traced
 * write. A plain MOV store was decoded at translation (bt.vcpu_op, charged by the
 * caller); any other instruction is decoded and emulated (vmm.emulate_insn). */
enum engine_verdict bt_pt_write(struct bt *b, const struct bt_block *k)
{
	struct vm *vm = b->vmm.vm;
	struct cpu *c = &vm->cpu;
	u8 op = 0;
	vmm_guest_read(vm, c->eip, &op, 1);
	(*b->adaptive_writes)++;
	b->ptw_block = b->last_callout;
	b->ptw_eip = c->eip;
	b->ptw_gen = b->flush_gen;
	b->ptw_traced = true;
	if (c->mmu->before_write)
		c->mmu->before_write(c, &b->ptw_traced);
	(void)k;
	if (op != 0x89 && op != 0xc7) { /* not a plain MOV store: the general emulator */
		bt_emulate(b, 0);
		return ENGINE_EMULATE_PT;
	}
	bt_show_guest_cs(b);
	vm->emulate_cpl = 0;
	return ENGINE_EMULATE_PT;
}


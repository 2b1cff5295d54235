/*
 * block.c — the decoded-block cache (see block.h for the contract).
 *
 * Lookup: a direct-mapped jump cache by EIP, whose hit is validated against the
 * physical address the current code TLB gives for EIP (and the CS default size), then
 * a hash of blocks by physical address. A miss decodes a new block into the arena:
 * instructions until one ends the block, BLOCK_MAX_INSNS, or the next would start on
 * another page (so that a later instruction can never take a fetch fault at decode
 * time; only the first one can, and its fault is the right one). The last instruction
 * may straddle into the next page; that page is then validated too.
 */
#include "block.h"

#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "fault.h"
#include "mem.h"

/* The arena's budget: it resets when the blocks it holds would pass this many bytes,
 * counted as a block header and its records. Each block also ends with a sentinel
 * record (block.h) that the count leaves out, so that when the arena resets, and with
 * it cpu.blocks_invalidated, stays what it was before blocks had one; the memory
 * allocated (ARENA_HOST) has room for the sentinels of the fullest arena: a block
 * counts at least 112 bytes, takes at most 48 more. */
#define ARENA_BYTES (32u << 20)
#define ARENA_HOST (ARENA_BYTES / 2 * 3 + (1u << 20))
#define HASH_SIZE 16384
#define JC_SIZE 4096

struct block_cache {
	u8 *arena;
	size_t used;           /* bytes counted against ARENA_BYTES */
	size_t top;            /* bytes taken, sentinels included */
	struct block *hash[HASH_SIZE];
	struct block *jc[JC_SIZE];
	struct block **page;   /* per physical page: blocks starting on it */
	struct block **into;   /* per physical page: blocks whose last instruction ends on it
				* after starting on another page (not always the previous one:
				* the two virtual pages may map any two frames) */
	u32 npages;
	union {
		struct block b;
		u8 bytes[sizeof(struct block) + 2 * sizeof(struct insn)];
	} single;
};

/* The successor of a block not linked yet: never valid, so block_chained needs no
 * NULL test. */
struct block block_none;

/* The sentinel's handler (exec.h): the block is over. */
void h_block_end(struct cpu *c, const struct insn *in)
{
	(void)c, (void)in;
}

struct block_cache *block_cache_new(void)
{
	struct block_cache *bc = calloc(1, sizeof(*bc));
	if (!bc)
		return NULL;
	bc->arena = malloc(ARENA_HOST);
	if (!bc->arena) {
		free(bc);
		return NULL;
	}
	return bc;
}

void block_cache_free(struct block_cache *bc)
{
	if (!bc)
		return;
	free(bc->arena);
	free(bc->page);
	free(bc->into);
	free(bc);
}

static inline unsigned hash_of(u32 phys) { return (phys ^ (phys >> 14)) & (HASH_SIZE - 1); }
static inline unsigned jc_of(u32 eip) { return (eip ^ (eip >> 12)) & (JC_SIZE - 1); }

/* The modeled cost of one instruction, from its class and memory operands. */
u32 block_insn_cost(const struct cpu *c, const struct insn *in)
{
	u32 cost = c->cls_cost[in->cls];
	const u64 *p = c->prof->v;
	if (in->flags & IF_LOAD)
		cost += (u32)p[P_INSN_LOAD];
	if (in->flags & IF_STORE)
		cost += (u32)p[P_INSN_STORE];
	bool xchg_mem = !in->ext && (in->opc == 0x86 || in->opc == 0x87) && (in->flags & IF_MEM);
	if ((in->flags & IF_LOCK) || xchg_mem)
		cost += (u32)p[P_INSN_LOCKED];
	if (!in->ext && in->opc == 0xff && (in->reg == 2 || in->reg == 4))
		cost += (u32)p[P_INSN_INDIRECT];
	return cost;
}

void block_link(struct cpu *c, struct block *prev, struct block *next)
{
	const struct seg *cs = &c->seg[SEG_CS];
	if (prev == &c->bc->single.b || next == &c->bc->single.b || cs->base || cs->limit != 0xffffffffu ||
	    (prev->eip >> 12) != (next->eip >> 12) || (prev->phys >> 12) != (next->phys >> 12) ||
	    next->phys_last != next->phys >> 12)
		return;
	unsigned i = prev->nsucc++ & 1;
	prev->succ[i] = next;
	prev->succ_eip[i] = next->eip;
}

void block_flush_all(struct cpu *c)
{
	struct block_cache *bc = c->bc;
	c->unchain = 1;
	bc->used = 0;
	bc->top = 0;
	memset(bc->hash, 0, sizeof(bc->hash));
	memset(bc->jc, 0, sizeof(bc->jc));
	if (bc->page) {
		memset(bc->page, 0, bc->npages * sizeof(*bc->page));
		memset(bc->into, 0, bc->npages * sizeof(*bc->into));
	}
	memset(c->code_mask, 0, (c->mem_size >> 12) * sizeof(u32));
}

/* Drop the fast write entries that reach physical page `ppn`, so that writes to it
 * take the slow path (which sees code and watched pages). */
static void drop_fast_writes(struct cpu *c, u32 ppn)
{
	uintptr_t host = (uintptr_t)(c->ram + ((uintptr_t)ppn << 12));
	for (int k = 0; k < 2; k++)
		for (unsigned i = 0; i < FTLB_SIZE; i++) {
			struct ftlb_entry *f = &c->ftlb[k][i];
			if (f->wtag != FTLB_NONE && ((uintptr_t)f->wtag << 12) + f->addend == host)
				f->wtag = FTLB_NONE;
		}
}

/* Mark [pa, pa+len) as holding decoded code in `mask` (code_mask or watch_mask);
 * drop fast write entries to a page the first time it gets any. */
static void mark(struct cpu *c, u32 *mask, u32 pa, u32 len)
{
	while (len) {
		u32 ppn = pa >> 12;
		u32 n = 0x1000 - (pa & 0xfff);
		if (n > len)
			n = len;
		if ((u64)(ppn + 1) << 12 <= c->mem_size) {
			if (!c->code_mask[ppn] && !c->watch_mask[ppn])
				drop_fast_writes(c, ppn);
			mask[ppn] |= code_chunks(pa, n);
		}
		pa += n;
		len -= n;
	}
}

static void mark_code(struct cpu *c, u32 pa, u32 len) { mark(c, c->code_mask, pa, len); }

void cpu_watch_code(struct cpu *c, u32 pa, u32 len) { mark(c, c->watch_mask, pa, len); }

/* Decode a block at CS:EIP whose first byte is at physical `phys` into `b`, at most
 * `max` instructions. */
static void decode_block(struct cpu *c, struct block *b, u32 phys, unsigned max)
{
	bool def32 = c->seg[SEG_CS].attr & SEG_DB;
	u32 eip = c->eip, cost = 0;
	u32 lin0 = c->seg[SEG_CS].base + eip;
	unsigned n = 0;
	b->eip = eip;
	b->phys = phys;
	b->phys_last = phys >> 12;
	b->def32 = def32;
	for (;;) {
		struct insn *in = &b->insn[n];
		u32 lin = c->seg[SEG_CS].base + eip;
		unsigned len = decode_insn(c, eip, def32, in);
		cost += block_insn_cost(c, in);
		n++;
		u32 end_lin = lin + len - 1;
		if ((end_lin >> 12) != (lin0 >> 12)) {
			/* straddles into the next page */
			b->phys_last = mem_fetch_phys(c, end_lin) >> 12;
			mark_code(c, phys, 0x1000 - (lin0 & 0xfff));
			mark_code(c, b->phys_last << 12, (end_lin & 0xfff) + 1);
			eip += len;
			break;
		}
		eip += len;
		if ((in->flags & IF_END) || n >= max)
			break;
		/* Stop before an instruction that could cross into the next page. */
		u32 next = c->seg[SEG_CS].base + eip;
		if ((next >> 12) != (lin0 >> 12) || (next & 0xfff) > 0xff0)
			break;
	}
	b->n = (u8)n;
	b->insn[n] = (struct insn){ .fn = h_block_end, .eip = eip };
	exec_flags_liveness(b->insn, n);
	exec_fuse_branch(b->insn, n);
	b->cost = cost;
	b->succ[0] = b->succ[1] = &block_none;
	b->succ_eip[0] = b->succ_eip[1] = 0;
	b->nsucc = 0;
	b->fall_eip = def32 ? eip : eip & 0xffff;
	b->valid = 1;
	u32 first_len = (u32)((c->seg[SEG_CS].base + eip) - lin0);
	if (b->phys_last == phys >> 12)
		mark_code(c, phys, first_len);
}

/* block_find past the jump cache: the hash chain, else a new block. */
static __attribute__((noinline)) struct block *block_find_slow(struct cpu *c, u32 lin, u32 phys,
							      bool def32)
{
	struct block_cache *bc = c->bc;
	struct block *b;
	for (struct block **p = &bc->hash[hash_of(phys)]; (b = *p);) {
		if (!b->valid) { /* invalidated: unlinked here, as the chain is walked */
			*p = b->hash_next;
			continue;
		}
		if (b->phys == phys && b->eip == c->eip && b->def32 == def32 &&
		    (b->phys_last == phys >> 12 ||
		     b->phys_last == mem_fetch_phys(c, (lin | 0xfff) + 1) >> 12)) {
			bc->jc[jc_of(c->eip)] = b;
			return b;
		}
		p = &b->hash_next;
	}

	size_t need = sizeof(struct block) + BLOCK_MAX_INSNS * sizeof(struct insn);
	if (bc->used + need > ARENA_BYTES || bc->top + need + sizeof(struct insn) > ARENA_HOST)
		block_flush_all(c); /* (the second never holds first: see ARENA_HOST) */
	if (!bc->page) {
		bc->npages = c->mem_size >> 12;
		bc->page = calloc(bc->npages, sizeof(*bc->page));
		bc->into = calloc(bc->npages, sizeof(*bc->into));
		if (!bc->page || !bc->into)
			cpu_unimplemented(c, "no host memory for the block cache");
	}
	b = (struct block *)(bc->arena + bc->top);
	decode_block(c, b, phys, BLOCK_MAX_INSNS);
	bc->used += (sizeof(struct block) + b->n * sizeof(struct insn) + 15) & ~(size_t)15;
	bc->top += (sizeof(struct block) + (b->n + 1u) * sizeof(struct insn) + 15) & ~(size_t)15;
	b->hash_next = bc->hash[hash_of(phys)];
	bc->hash[hash_of(phys)] = b;
	u32 ppn = phys >> 12;
	if (ppn < bc->npages) {
		b->page_next = bc->page[ppn];
		bc->page[ppn] = b;
	} else {
		b->page_next = NULL;
	}
	b->into_next = NULL;
	if (b->phys_last != ppn && b->phys_last < bc->npages) {
		b->into_next = bc->into[b->phys_last];
		bc->into[b->phys_last] = b;
	}
	bc->jc[jc_of(c->eip)] = b;
	(*c->cnt.blocks_decoded)++;
	return b;
}

struct block *block_find(struct cpu *c)
{
	u32 lin = c->seg[SEG_CS].base + c->eip;
	if (c->eip > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	u32 phys = mem_fetch_phys(c, lin);
	bool def32 = c->seg[SEG_CS].attr & SEG_DB;

	struct block *b = c->bc->jc[jc_of(c->eip)];
	if (b && b->valid && b->eip == c->eip && b->phys == phys && b->def32 == def32 &&
	    (b->phys_last == phys >> 12 ||
	     b->phys_last == mem_fetch_phys(c, (lin | 0xfff) + 1) >> 12))
		return b;
	return block_find_slow(c, lin, phys, def32);
}

struct block *block_single(struct cpu *c)
{
	struct block *b = &c->bc->single.b;
	u32 lin = c->seg[SEG_CS].base + c->eip;
	if (c->eip > c->seg[SEG_CS].limit)
		cpu_fault(c, EXC_GP, 0);
	decode_block(c, b, mem_fetch_phys(c, lin), 1);
	return b;
}

/* Invalidate every block on physical page `ppn`, and blocks of other pages that
 * straddle into it. Returns true if c->blk was one of them. */
static bool invalidate_page(struct cpu *c, u32 ppn)
{
	struct block_cache *bc = c->bc;
	bool cur = false;
	if (!bc->page || ppn >= bc->npages)
		return false;
	for (struct block *b = bc->page[ppn]; b; b = b->page_next) {
		b->valid = 0;
		cur |= b == c->blk;
		(*c->cnt.blocks_invalidated)++;
	}
	bc->page[ppn] = NULL;
	for (struct block *b = bc->into[ppn]; b; b = b->into_next) {
		b->valid = 0;
		cur |= b == c->blk;
	}
	bc->into[ppn] = NULL;
	c->code_mask[ppn] = 0;
	/* Invalid blocks leave their hash chains lazily: block_find unlinks them. */
	return cur;
}

bool block_invalidate_write(struct cpu *c, u32 pa, unsigned size)
{
	u32 last = (pa + size - 1) >> 12;
	if ((c->watch_mask[pa >> 12] & code_chunks(pa, size)) ||
	    (last != pa >> 12 && last < (c->mem_size >> 12) && c->watch_mask[last])) {
		/* a page the engine derived something from: it forgets it, and watches
		 * again what it derives anew */
		c->watch_mask[pa >> 12] = 0;
		if (last != pa >> 12 && last < (c->mem_size >> 12))
			c->watch_mask[last] = 0;
		if (c->code_written)
			c->code_written(c->code_written_opaque, pa, size);
	}
	bool cur = invalidate_page(c, pa >> 12);
	if (((pa + size - 1) >> 12) != (pa >> 12))
		cur |= invalidate_page(c, (pa + size - 1) >> 12);
	/* The single-step scratch block is never cached; treat it as current if running. */
	if (c->blk == &c->bc->single.b)
		cur = true;
	return cur;
}

/*
 * block.h — decode once, execute many times: the cache of decoded blocks.
 *
 * A block is a run of decoded instructions starting at one EIP and ending at a branch,
 * a system instruction, a page boundary or a length limit. Blocks are found by EIP
 * through a direct-mapped jump cache, validated against the physical page the code
 * fetch translates to, so a remapped page never runs stale code. Each block records the
 * 128-byte chunks of physical memory its bytes came from (cpu.code_mask); a guest
 * write to such a chunk invalidates every block of that page (self-modifying code, and
 * later binary translation, rely on this).
 *
 * Blocks live in an arena that is reset wholesale when full; an invalidated block is
 * unlinked at once but its memory stays valid until the next reset, which only happens
 * between blocks, so the block being executed is never freed under its own feet.
 */
#ifndef RINGLAB_BLOCK_H
#define RINGLAB_BLOCK_H

#include "insn.h"

#define BLOCK_MAX_INSNS 48

struct block {
	u32 eip;          /* CS offset of the first instruction */
	u32 phys;         /* physical address of the first byte */
	u32 phys_last;    /* physical page of the last byte (differs if it spans pages) */
	u32 fall_eip;     /* EIP after the last instruction */
	u32 cost;         /* base cost in modeled cycles of all instructions */
	u8 n;             /* instructions (at most BLOCK_MAX_INSNS) */
	u8 nsucc;         /* links made (the next one replaces succ[nsucc & 1]) */
	u8 def32;         /* CS default operand size it was decoded for */
	u8 valid;
	struct block *hash_next; /* chain in the physical-address hash */
	struct block *page_next; /* chain of blocks on the same physical page */
	struct block *into_next; /* chain of blocks straddling into the same physical page */
	struct block *succ[2];   /* blocks that followed this one on the same page (chaining);
				  * &block_none (never valid) until linked */
	u32 succ_eip[2];         /* ... their EIPs, tested without reaching into them */
	struct insn insn[];
};
/* The arena's resets, and with them cpu.blocks_invalidated, depend on this size. */
_Static_assert(sizeof(struct block) == 72, "struct block changes size");

struct block_cache *block_cache_new(void);
void block_cache_free(struct block_cache *bc);

/* Return the block for CS:EIP at the current CPL and mode, decoding it if needed.
 * Instruction-fetch faults of its first instruction are raised here. */
struct block *block_find(struct cpu *c);

/* Direct chaining (QEMU's, within one page): the block that follows `prev` at CS:EIP,
 * found without the lookup, or NULL. Valid only when nothing that could change the
 * translation of code or CS happened since `prev` started (cpu.unchain still clear):
 * then the page `prev` was fetched from still maps the same frame, so a valid
 * successor on that page is exactly what block_find would return. */
extern struct block block_none;

static inline struct block *block_chained(const struct block *prev, u32 eip)
{
	for (unsigned i = 0; i < 2; i++) {
		struct block *b = prev->succ[i];
		if (prev->succ_eip[i] == eip && b->valid)
			return b;
	}
	return NULL;
}

/* Remember that `next` followed `prev` (both found by block_find, nothing changed in
 * between), if chaining them is sound: same linear and physical page, a flat CS, no
 * straddling into another page. */
void block_link(struct cpu *c, struct block *prev, struct block *next);

/* Decode a one-instruction block for CS:EIP into scratch space (not cached), for
 * single-stepping after STI or MOV SS. */
struct block *block_single(struct cpu *c);

/* A write of `size` bytes at physical `pa` touched decoded code: invalidate the blocks
 * of that page. Returns true if the block being executed was among them. */
bool block_invalidate_write(struct cpu *c, u32 pa, unsigned size);

/* The modeled base cost of one decoded instruction (its share of a block's cost). */
u32 block_insn_cost(const struct cpu *c, const struct insn *in);

/* An engine derived something from guest code at physical [pa, pa+len) (a
 * translation): the next guest write there calls c->code_written once. */
void cpu_watch_code(struct cpu *c, u32 pa, u32 len);

/* Drop every block (CS default size change, or an explicit flush). */
void block_flush_all(struct cpu *c);

/* Mask of 128-byte chunks of a page covered by [pa, pa+size). */
static inline u32 code_chunks(u32 pa, unsigned size)
{
	unsigned first = (pa & 0xfff) >> 7, last = ((pa + size - 1) & 0xfff) >> 7;
	if (last < first) /* crosses into the next page: only this page's part */
		last = 31;
	u32 hi = last == 31 ? 0xffffffffu : (1u << (last + 1)) - 1;
	return hi & ~((1u << first) - 1);
}

#endif

/*
 * tlb.h — the modeled TLB: a set-associative cache of translations whose geometry comes
 * from the CPU profile (entries, ways, global pages).
 *
 * It is the *model*: hits and misses here are what reports count and what costs walks.
 * The CPU keeps a small direct-mapped host-speed cache in front of it (struct ftlb in
 * cpu.h) whose entries are always a subset of the modeled TLB's, so a host-side hit is
 * always a modeled hit. That is exact only because replacement never depends on hits:
 * each set replaces round-robin (FIFO), which real TLBs approximate with pseudo-LRU.
 * When the model evicts or flushes an entry it tells the CPU through `evict` so the fast
 * cache drops it too.
 *
 * 4 MB pages live in the same entries (as on the Pentium 4's unified DTLB), indexed by
 * their 4 MB frame number.
 *
 * A full flush (every world switch without VPID) is O(1): it advances the TLB's
 * generation, and an entry or an index bucket of an older generation is empty. Entries
 * keep their slots, so the round-robin victim of every set is the one it was.
 */
#ifndef RINGLAB_TLB_H
#define RINGLAB_TLB_H

#include "types.h"

struct tlb_entry {
	u32 vpn;  /* linear page number (4 KB units); for a large page, its first 4 KB page */
	u32 ppn;  /* physical page number of vpn */
	u8 valid, large, global, user, writable, dirty;
	u16 gen; /* the TLB's generation when filled: valid only while it is current */
};

struct tlb_bucket {
	u16 gen;  /* the generation `head` belongs to; older: the bucket is empty */
	u16 head; /* the first entry + 1 (0: none) */
};

struct tlb {
	unsigned sets, ways;
	struct tlb_entry *e; /* sets * ways */
	u8 *next;            /* per set: the way to replace next */
	struct tlb_bucket *bucket; /* hash index of the valid entries */
	u16 *chain;          /* per entry: the next entry + 1 in its bucket */
	unsigned bmask, nvalid;
	unsigned nlarge;     /* valid 4 MB entries: none, and a lookup probes only 4 KB */
	unsigned smask;      /* sets - 1 when sets is a power of two (0 for one set) */
	bool spow2;          /* sets is a power of two: set_of masks instead of dividing */
	u16 gen;             /* current generation; a full flush advances it */
	/* Told when entries leave the model, so caches of it (the CPU's fast TLB) follow:
	 * `evict` for pages [vpn, vpn+npages), `evict_all` when every entry left at once. */
	void (*evict)(void *opaque, u32 vpn, u32 npages);
	void (*evict_all)(void *opaque);
	void *opaque;
	u64 *misses, *flushes;
};

/* Allocate a TLB of `entries` (at most 32768) in `ways`-way sets (ways == entries:
 * fully associative). Returns 0, or -1 if the geometry is impossible. */
int tlb_init(struct tlb *t, unsigned entries, unsigned ways);
void tlb_free(struct tlb *t);

/* Return the entry translating linear page `vpn`, or NULL. Does not count. */
struct tlb_entry *tlb_lookup(struct tlb *t, u32 vpn);

/* Insert a translation (evicting round-robin within the set); returns the new entry. */
struct tlb_entry *tlb_insert(struct tlb *t, const struct tlb_entry *fill);

/* tlb_insert of a translation whose page the TLB does not hold (tlb_lookup of it
 * found nothing and nothing was inserted since): the same entry, the same victim,
 * without searching for one to replace. */
struct tlb_entry *tlb_insert_new(struct tlb *t, const struct tlb_entry *fill);

/* Drop every entry covering `vpn` (INVLPG: global ones too). */
void tlb_flush_page(struct tlb *t, u32 vpn);

/* Drop every entry, or every non-global one when `keep_global`. */
void tlb_flush_all(struct tlb *t, bool keep_global);

#endif

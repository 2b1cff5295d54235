/*
 * tlb.c — the modeled set-associative TLB with round-robin replacement (see tlb.h for
 * why replacement must not depend on hits).
 *
 * The model is a set-associative array; finding an entry is O(1) through a hash index
 * beside it (a bucket per key, entries chained), so a 64-way fully associative TLB costs
 * no more to search than a direct-mapped one. The index is exact: there is at most one
 * valid entry per (page, size) — an insert of a page already present replaces it in its
 * set — so the entry the index finds is the one a scan of the set would find.
 *
 * A full flush advances the generation instead of touching entries: an entry is valid
 * when its `valid` is set and its generation is current, a bucket holds entries only
 * when its generation is current. So every chain reached from a current bucket holds
 * valid entries only (entries leave chains when dropped one by one, and a bucket of an
 * old generation is restarted empty before its first entry of the new one). Replacement
 * never looks at validity to choose (the set's round-robin pointer does), so victims are
 * the same as when a flush cleared every entry. When the 16-bit generation wraps, one
 * real clear makes the entries and buckets of 65,536 flushes ago empty again.
 */
#include "tlb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LARGE_KEY 0x80000000u

int tlb_init(struct tlb *t, unsigned entries, unsigned ways)
{
	if (entries == 0 || ways == 0 || ways > entries || entries % ways || ways > 255 || entries > 32768)
		return -1;
	t->ways = ways;
	t->sets = entries / ways;
	t->spow2 = (t->sets & (t->sets - 1)) == 0;
	t->smask = t->spow2 ? t->sets - 1 : 0;
	t->nvalid = t->nlarge = 0;
	unsigned nb = 1;
	while (nb < 2 * entries)
		nb <<= 1;
	t->bmask = nb - 1;
	t->e = calloc(entries, sizeof(*t->e));
	t->next = calloc(t->sets, 1);
	t->gen = 0;
	t->bucket = calloc(nb, sizeof(*t->bucket));
	t->chain = calloc(entries, sizeof(*t->chain));
	return t->e && t->next && t->bucket && t->chain ? 0 : -1;
}

void tlb_free(struct tlb *t)
{
	free(t->e);
	free(t->next);
	free(t->bucket);
	free(t->chain);
	t->e = NULL;
	t->next = NULL;
	t->bucket = NULL;
	t->chain = NULL;
}

static inline u32 key_of(const struct tlb_entry *e) { return e->large ? (e->vpn >> 10) | LARGE_KEY : e->vpn; }
static inline struct tlb_bucket *bucket_of(const struct tlb *t, u32 key)
{
	return &t->bucket[(key ^ (key >> 11)) & t->bmask];
}
static inline unsigned set_of(const struct tlb *t, u32 key) { return t->spow2 ? key & t->smask : key % t->sets; }
static inline bool live(const struct tlb *t, const struct tlb_entry *e) { return e->valid && e->gen == t->gen; }

/* The valid entry with `key`, or NULL. */
static struct tlb_entry *find(struct tlb *t, u32 key)
{
	const struct tlb_bucket *b = bucket_of(t, key);
	if (b->gen != t->gen)
		return NULL;
	for (u16 i = b->head; i; i = t->chain[i - 1]) {
		struct tlb_entry *e = &t->e[i - 1];
		if (key_of(e) == key)
			return e;
	}
	return NULL;
}

static void unindex(struct tlb *t, struct tlb_entry *e)
{
	u16 idx = (u16)(e - t->e + 1);
	u16 *p = &bucket_of(t, key_of(e))->head;
	while (*p != idx)
		p = &t->chain[*p - 1];
	*p = t->chain[idx - 1];
}

static void index_entry(struct tlb *t, struct tlb_entry *e)
{
	u16 idx = (u16)(e - t->e + 1);
	struct tlb_bucket *b = bucket_of(t, key_of(e));
	if (b->gen != t->gen) {
		b->gen = t->gen;
		b->head = 0;
	}
	t->chain[idx - 1] = b->head;
	b->head = idx;
}

struct tlb_entry *tlb_lookup(struct tlb *t, u32 vpn)
{
	if (!t->nvalid)
		return NULL;
	struct tlb_entry *e = find(t, vpn);
	return e || !t->nlarge ? e : find(t, (vpn >> 10) | LARGE_KEY);
}

static void drop(struct tlb *t, struct tlb_entry *e)
{
	unindex(t, e);
	e->valid = 0;
	t->nvalid--;
	t->nlarge -= e->large != 0;
	if (t->evict)
		t->evict(t->opaque, e->vpn, e->large ? 1024 : 1);
}

/* Put `fill` in its set, in place of the round-robin victim. */
static struct tlb_entry *place(struct tlb *t, const struct tlb_entry *fill)
{
	u32 key = fill->large ? fill->vpn >> 10 : fill->vpn;
	unsigned set = set_of(t, key);
	struct tlb_entry *victim = &t->e[set * t->ways + t->next[set]];
	t->next[set] = (u8)(t->next[set] + 1u == t->ways ? 0 : t->next[set] + 1);
	if (live(t, victim))
		drop(t, victim);
	*victim = *fill;
	victim->valid = 1;
	victim->gen = t->gen;
	index_entry(t, victim);
	t->nvalid++;
	t->nlarge += victim->large != 0;
	return victim;
}

struct tlb_entry *tlb_insert(struct tlb *t, const struct tlb_entry *fill)
{
	/* An existing entry for the same page is replaced in place (a re-walk for D). */
	struct tlb_entry *old = find(t, key_of(fill));
	if (old) {
		drop(t, old);
		*old = *fill;
		old->valid = 1;
		old->gen = t->gen;
		index_entry(t, old);
		t->nvalid++;
		t->nlarge += old->large != 0;
		return old;
	}
	return place(t, fill);
}

struct tlb_entry *tlb_insert_new(struct tlb *t, const struct tlb_entry *fill)
{
#ifdef RINGLAB_CHECK
	if (find(t, key_of(fill))) {
		fprintf(stderr, "tlb_insert_new: page %#x is already in the TLB\n", fill->vpn);
		abort();
	}
#endif
	return place(t, fill);
}

void tlb_flush_page(struct tlb *t, u32 vpn)
{
	struct tlb_entry *e;
	while ((e = tlb_lookup(t, vpn)) != NULL)
		drop(t, e);
}

void tlb_flush_all(struct tlb *t, bool keep_global)
{
	if (t->flushes)
		(*t->flushes)++;
	if (!t->nvalid)
		return;
	unsigned n = t->sets * t->ways;
	if (!keep_global && t->evict_all) {
		/* everything goes: a new generation, and one bulk eviction instead of one
		 * per entry */
		t->nvalid = t->nlarge = 0;
		if (++t->gen == 0) {
			for (unsigned i = 0; i < n; i++)
				t->e[i].valid = 0;
			memset(t->bucket, 0, (t->bmask + 1) * sizeof(*t->bucket));
		}
		t->evict_all(t->opaque);
		return;
	}
	for (unsigned i = 0; i < n && t->nvalid; i++)
		if (live(t, &t->e[i]) && !(keep_global && t->e[i].global))
			drop(t, &t->e[i]);
}

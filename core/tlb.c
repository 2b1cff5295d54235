/*
 * tlb.c — the modeled set-associative TLB with round-robin replacement (see tlb.h for
 * why replacement must not depend on hits).
 */
#include "tlb.h"

#include <stdlib.h>

int tlb_init(struct tlb *t, unsigned entries, unsigned ways)
{
	if (entries == 0 || ways == 0 || ways > entries || entries % ways || ways > 255)
		return -1;
	t->ways = ways;
	t->sets = entries / ways;
	t->e = calloc(entries, sizeof(*t->e));
	t->next = calloc(t->sets, 1);
	return t->e && t->next ? 0 : -1;
}

void tlb_free(struct tlb *t)
{
	free(t->e);
	free(t->next);
	t->e = NULL;
	t->next = NULL;
}

static inline struct tlb_entry *set_of(struct tlb *t, u32 key)
{
	return &t->e[(key % t->sets) * t->ways];
}

struct tlb_entry *tlb_lookup(struct tlb *t, u32 vpn)
{
	struct tlb_entry *s = set_of(t, vpn);
	for (unsigned w = 0; w < t->ways; w++)
		if (s[w].valid && !s[w].large && s[w].vpn == vpn)
			return &s[w];
	u32 big = vpn & ~0x3ffu;
	s = set_of(t, big >> 10);
	for (unsigned w = 0; w < t->ways; w++)
		if (s[w].valid && s[w].large && s[w].vpn == big)
			return &s[w];
	return NULL;
}

static void drop(struct tlb *t, struct tlb_entry *e)
{
	e->valid = 0;
	if (t->evict)
		t->evict(t->opaque, e->vpn, e->large ? 1024 : 1);
}

struct tlb_entry *tlb_insert(struct tlb *t, const struct tlb_entry *fill)
{
	u32 key = fill->large ? fill->vpn >> 10 : fill->vpn;
	unsigned set = key % t->sets;
	struct tlb_entry *s = &t->e[set * t->ways];
	/* An existing entry for the same page is replaced in place (a re-walk for D). */
	for (unsigned w = 0; w < t->ways; w++)
		if (s[w].valid && s[w].large == fill->large && s[w].vpn == fill->vpn) {
			drop(t, &s[w]);
			s[w] = *fill;
			s[w].valid = 1;
			return &s[w];
		}
	struct tlb_entry *victim = &s[t->next[set]];
	t->next[set] = (u8)((t->next[set] + 1) % t->ways);
	if (victim->valid)
		drop(t, victim);
	*victim = *fill;
	victim->valid = 1;
	return victim;
}

void tlb_flush_page(struct tlb *t, u32 vpn)
{
	struct tlb_entry *e;
	while ((e = tlb_lookup(t, vpn)) != NULL)
		drop(t, e);
}

void tlb_flush_all(struct tlb *t, bool keep_global)
{
	unsigned n = t->sets * t->ways;
	for (unsigned i = 0; i < n; i++)
		if (t->e[i].valid && !(keep_global && t->e[i].global))
			drop(t, &t->e[i]);
	if (t->flushes)
		(*t->flushes)++;
}

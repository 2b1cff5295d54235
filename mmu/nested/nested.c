/*
 * nested.c — nested paging (Intel EPT, AMD NPT): the guest owns its page tables and
 * CR3, and the hardware walks two dimensions. Each guest-physical address the walk
 * touches (the guest's PDE, its PTE, and the final frame) is itself translated by a
 * 4-level nested table the VMM built, so a full TLB miss of a 2-level guest costs
 * (2+1)(4+1) - 1 = 14 memory references instead of 2. A nested walk cache (the
 * profile's vmx.nested_walk_cache entries, direct-mapped by the 2 MB region) holds the
 * upper three nested levels, leaving one reference per nested translation on a hit.
 *
 * The VMM fills the nested table lazily: a guest-physical page not yet mapped makes
 * the walk leave with an EPT violation, and the engine asks violation() to map it
 * (one vmm.pte_write per nested entry written).
 *
 * Guest-physical equals host-physical on this machine (guest RAM is the one host
 * allocation), so the table is an identity map; what matters is its shape and costs.
 * With paging off the guest's accesses are not walked (the boot path is short).
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/mmu.h"
#include "core/pagewalk.h"

#define NWC_MAX 256

struct nested {
	void **l4;               /* 512 -> l3 -> l2 -> l1 (u32 leaf: hpa | 1) */
	u32 nwc_tag[NWC_MAX];    /* (gpa >> 21) + 1, 0 = empty */
	unsigned nwc;
	u64 *violations, *mapped, *cache_hits, *walks;
};

static struct nested *ns(struct cpu *c) { return c->mmu_state; }

static int nested_init(struct cpu *c)
{
	struct nested *n = calloc(1, sizeof(*n));
	if (!n)
		return -1;
	n->l4 = calloc(512, sizeof(void *));
	n->nwc = (unsigned)c->prof->v[P_VMX_NWC];
	if (n->nwc > NWC_MAX)
		n->nwc = NWC_MAX;
	n->violations = stats_counter(c->stats, "nested.ept_violations",
		"guest-physical pages the nested table did not map yet: EPT-violation exits (count)");
	n->mapped = stats_counter(c->stats, "nested.pages_mapped", "guest-physical pages the VMM mapped in the nested table (count)");
	n->cache_hits = stats_counter(c->stats, "nested.walk_cache_hits",
		"nested translations the nested walk cache shortened to one reference (count)");
	n->walks = stats_counter(c->stats, "nested.walks",
		"guest-physical addresses translated through the nested table during walks (count)");
	c->mmu_state = n;
	return n->l4 ? 0 : -1;
}

static void free_level(void **t, int depth)
{
	if (!t)
		return;
	if (depth > 1)
		for (int i = 0; i < 512; i++)
			free_level(t[i], depth - 1);
	free(t);
}

static void nested_fini(struct cpu *c)
{
	struct nested *n = ns(c);
	if (!n)
		return;
	free_level(n->l4, 4);
	free(n);
	c->mmu_state = NULL;
}

/* The leaf for gpa, or NULL if any level is missing. */
static u32 *leaf(struct nested *n, u32 gpa, bool alloc, unsigned *created)
{
	unsigned idx[4] = { 0, (gpa >> 30) & 511, (gpa >> 21) & 511, (gpa >> 12) & 511 };
	void **t = n->l4;
	for (int lvl = 0; lvl < 3; lvl++) {
		if (!t[idx[lvl]]) {
			if (!alloc)
				return NULL;
			t[idx[lvl]] = calloc(512, lvl == 2 ? sizeof(u32) : sizeof(void *));
			if (!t[idx[lvl]])
				return NULL;
			(*created)++;
		}
		t = t[idx[lvl]];
	}
	return &((u32 *)t)[idx[3]];
}

/* Translate guest-physical `gpa` through the nested table, charging its references.
 * Returns 0 with *hpa, or MMU_EXIT (EPT violation) with c->exit filled. */
static int gpa_to_hpa(struct cpu *c, u32 gpa, unsigned acc, u32 *hpa)
{
	struct nested *n = ns(c);
	(*n->walks)++;
	u32 tag = (gpa >> 21) + 1;
	unsigned refs = 4;
	if (n->nwc) {
		u32 *slot = &n->nwc_tag[(gpa >> 21) % n->nwc];
		if (*slot == tag) {
			refs = 1;
			(*n->cache_hits)++;
		}
	}
	u32 *e = leaf(n, gpa, false, NULL);
	for (unsigned i = 0; i < refs; i++)
		cpu_walk_ref(c);
	if (!e || !(*e & 1)) {
		(*n->violations)++;
		c->exit->reason = EXIT_EPT_VIOLATION;
		c->exit->gpa = gpa;
		c->exit->qualification = (acc & 3) == ACC_WRITE ? 2 : (acc & 3) == ACC_FETCH ? 4 : 1;
		return MMU_EXIT;
	}
	if (n->nwc)
		n->nwc_tag[(gpa >> 21) % n->nwc] = tag;
	*hpa = (*e & ~0xfffu) | (gpa & 0xfff);
	return 0;
}

/* A reference of the two-dimensional walk: the guest-physical address of the entry
 * through the nested table, then the entry itself. */
static int ref_read(struct cpu *c, void *ctx, u32 gpa, u32 *v, u32 *where)
{
	u32 hpa;
	if (gpa_to_hpa(c, gpa, ACC_READ, &hpa))
		return MMU_EXIT;
	cpu_walk_ref(c);
	const u8 *p = cpu_phys(c, hpa, 4);
	*v = p ? load_n(p, 4) : 0;
	*where = hpa;
	return 0;
}

static void ref_write(struct cpu *c, void *ctx, u32 hpa, u32 v)
{
	u8 *p = cpu_phys(c, hpa, 4);
	if (p)
		store_n(p, 4, v);
}

/* The frame the access reaches goes through the nested table too. */
static int ref_leaf(struct cpu *c, void *ctx, u32 gpa, unsigned acc, u32 *hpa)
{
	return gpa_to_hpa(c, gpa, acc, hpa) ? MMU_EXIT : 0;
}

static const struct pw_ref nested_ref = { .read = ref_read, .write = ref_write, .leaf = ref_leaf };

/* The two-dimensional walk: the guest's 2-level walk with every guest-physical
 * reference translated by the nested table. */
static int nested_translate(struct cpu *c, u32 lin, unsigned acc, struct tlb_entry *f, u32 *pfec)
{
	struct pw_result r;
	int rc = pw_walk(c, c->cr3, lin, acc, &nested_ref, &r, pfec);
	if (rc)
		return rc;
	f->vpn = lin >> 12;
	f->ppn = r.hpa >> 12;
	f->large = 0; /* the combined translation is at the nested 4 KB granularity */
	f->global = r.global;
	f->user = r.user;
	f->writable = r.writable;
	f->dirty = r.dirty;
	return 0;
}

/* Map the guest-physical page of `gpa`. A page beyond guest RAM is mapped too: the
 * access then reaches unassigned memory exactly as it does natively (mem.c). */
static int nested_violation(struct cpu *c, u32 gpa)
{
	struct nested *n = ns(c);
	unsigned created = 0;
	u32 *e = leaf(n, gpa, true, &created);
	if (!e)
		return -1;
	*e = (gpa & ~0xfffu) | 1;
	(*n->mapped)++;
	cost_charge(c->cost, COST_VMM, (created + 1) * c->prof->v[P_VMM_PTE_WRITE]);
	return 0;
}

static void nested_flush(struct cpu *c) { memset(ns(c)->nwc_tag, 0, sizeof(ns(c)->nwc_tag)); }

/* bench trace --shadow-dump: the nested table, runs of contiguous guest-physical to
 * host-physical mappings on one line each. Read-only. */
static void nested_dump(struct cpu *c, FILE *out)
{
	struct nested *n = ns(c);
	void **l3 = n && n->l4 ? n->l4[0] : NULL;
	unsigned pages = 0;
	u32 g0 = 0, h0 = 0, run = 0;
	for (unsigned a = 0; l3 && a < 512; a++) {
		void **l2 = l3[a];
		for (unsigned b = 0; l2 && b < 512; b++) {
			u32 *l1 = l2[b];
			for (unsigned d = 0; l1 && d < 512; d++) {
				u32 e = l1[d];
				u32 gpa = (a << 30) | (b << 21) | (d << 12);
				if (!(e & 1))
					continue;
				pages++;
				if (run && gpa == g0 + run * 4096 && (e & PTE_FRAME) == h0 + run * 4096) {
					run++;
					continue;
				}
				if (run)
					fprintf(out, "  guest-physical %#010x-%#010x -> host-physical %#010x (%u pages)\n", g0,
						g0 + run * 4096 - 1, h0, run);
				g0 = gpa, h0 = e & PTE_FRAME, run = 1;
			}
		}
	}
	if (run)
		fprintf(out, "  guest-physical %#010x-%#010x -> host-physical %#010x (%u pages)\n", g0, g0 + run * 4096 - 1,
			h0, run);
	fprintf(out, "  nested table: %u guest-physical pages mapped (EPT violations map the rest on first use);\n"
		     "  it is the same for every guest address space: the guest's own tables are walked on top\n", pages);
}

const struct mmu_ops mmu_nested = {
	.name = "nested",
	.needs_nested_paging = true,
	.init = nested_init,
	.fini = nested_fini,
	.translate = nested_translate,
	.violation = nested_violation,
	.flush = nested_flush,
	.dump = nested_dump,
};

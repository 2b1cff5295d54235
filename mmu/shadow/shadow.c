/*
 * shadow.c — shadow paging: the VMM keeps, for each guest address space, a table of
 * its own mapping guest-virtual pages straight to host-physical frames, and the
 * processor walks that table (2 references) while the guest believes its own tables
 * are in use. The story of one hidden fault:
 *   1. the guest touches a page the shadow does not map yet; the processor's walk of
 *      the shadow finds nothing and raises #PF, which exits to the VMM (the hvm engine
 *      intercepts #PF) without touching the guest's CR2;
 *   2. fault() walks the guest's own tables in software (vmm.pte_read per entry):
 *      if the guest's tables forbid the access, it is a true fault and the engine
 *      reflects it with the guest's error code and CR2;
 *   3. otherwise the VMM sets the guest's accessed (and, for a write, dirty) bits as
 *      hardware would, writes the shadow entry (vmm.pte_write) and resumes.
 * Coherence: every guest page that serves as a page directory or table of a cached
 * shadow is "tracked", and the shadow never maps a tracked page writable, so a guest
 * write to its own page tables faults too. The VMM emulates the write (MMU_EMULATE: the
 * engine executes the instruction once on its behalf) and then drops the shadow state
 * derived from the entry written (after_emulate): the shadow entry of a written PTE,
 * the shadow table of a written PDE; hidden faults rebuild them when used again. A
 * guest table written SHADOW_FLOOD times without being used in between (fork writing
 * every PTE) is dropped and unprotected instead, as KVM's write-flooding heuristic does. A write by the processor itself while delivering an event
 * (a stack frame) cannot be emulated: the page is unprotected at once (zap on write).
 * Dirty bits are emulated the same way: a page is mapped writable only once its guest
 * PTE is dirty. CR3 loads switch between up to SHADOW_CACHE cached shadows (evicting
 * the least recently used), INVLPG drops one entry, and a paging-mode change drops all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/mmu.h"
#include "core/pagewalk.h"
#include "rmap.h"

#define SHADOW_CACHE 8
#define EMU_ANY 0xffffffffu /* emu_page/emu_pa: not known (before_write) */
#define SHADOW_FLOOD 3 /* emulated writes to one guest page table before it is unshadowed */
#define SP_P 1u
#define SP_W 2u
#define SP_U 4u

struct shadow {
	bool used;
	u32 gcr3;            /* guest page directory (physical) */
	u64 last_use;
	u32 *pt[1024];       /* shadow page tables, by PDE index */
	u32 src[1024];       /* guest page table each was built from (+1; 0: a 4 MB page) */
	u8 flood[1024];      /* emulated writes to that guest table since its last fill */
	u16 live[1024];      /* the indices i whose pt[i] exists, in no order ... */
	u16 pos[1024];       /* ... and where each is in live[] */
	u16 nlive;
};

struct shadow_state {
	struct shadow cache[SHADOW_CACHE];
	struct shadow *cur;
	u64 clock;
	u16 *track;          /* per guest frame: shadow structures built from it */
	u32 npages;          /* guest RAM frames (track[]'s length) */
	u32 emu_page;        /* frame of the guest page table being written (emulation) */
	u32 emu_pa;          /* physical address the emulated write went to */
	bool *emu_traced;    /* before_write's: was it a traced page? */
	struct rmap wmap;    /* per guest frame: the writable shadow entries that may map it
			      * (keys: wkey()), so that track() need not scan every table */
	u64 *hidden, *truef, *traced, *fills, *created, *freed, *switches, *cache_hits, *evicted;
};

static struct shadow_state *st(struct cpu *c) { return c->mmu_state; }
static void check_invariants(struct cpu *c);

/* Is guest frame `frame` a page table some shadow was built from? (Frames outside
 * guest RAM never are: they hold no memory.) */
static bool tracked(const struct shadow_state *s, u32 frame)
{
	return frame < s->npages && s->track[frame];
}

static int shadow_init(struct cpu *c)
{
	struct shadow_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->npages = c->ram_size >> 12;
	s->track = calloc(s->npages, sizeof(u16));
	s->hidden = stats_counter(c->stats, "shadow.hidden_faults",
		"#PF exits the VMM resolved by filling a shadow entry the guest never sees (count)");
	s->truef = stats_counter(c->stats, "shadow.true_faults",
		"#PF exits that were the guest's own faults, reflected to it with CR2 (count)");
	s->traced = stats_counter(c->stats, "shadow.traced_writes",
		"guest writes to its write-protected page tables, emulated by the VMM (count)");
	s->fills = stats_counter(c->stats, "shadow.pte_fills", "shadow entries written by hidden faults (count)");
	s->created = stats_counter(c->stats, "shadow.pages_created", "shadow directories and tables allocated (count)");
	s->freed = stats_counter(c->stats, "shadow.pages_freed",
		"shadow directories and tables dropped (resync, flooding, eviction) (count)");
	s->switches = stats_counter(c->stats, "shadow.cr3_switches", "guest CR3 loads the VMM followed with a shadow switch (count)");
	s->cache_hits = stats_counter(c->stats, "shadow.cr3_cache_hits",
		"CR3 switches that found the address space's shadow in the cache (count)");
	s->evicted = stats_counter(c->stats, "shadow.evictions",
		"cached shadows evicted (least recently used) for a new address space (count)");
	c->mmu_state = s;
	c->force_wp = 1; /* see shadow_translate */
	if (rmap_init(&s->wmap, s->npages))
		return -1;
	return s->track ? 0 : -1;
}

static void vmm(struct cpu *c, enum profile_primitive p, u64 n)
{
	cost_charge(c->cost, COST_VMM, n * c->prof->v[p]);
}

static void untrack(struct cpu *c, u32 frame)
{
	struct shadow_state *s = st(c);
	if (frame < s->npages && s->track[frame])
		s->track[frame]--;
}

/* Drop shadow page table `i` of `sh`. */
static void drop_pt(struct cpu *c, struct shadow *sh, unsigned i)
{
	if (!sh->pt[i])
		return;
	free(sh->pt[i]);
	sh->pt[i] = NULL;
	u16 last = sh->live[--sh->nlive]; /* out of the live list */
	sh->live[sh->pos[i]] = last;
	sh->pos[last] = sh->pos[i];
	if (sh->src[i])
		untrack(c, sh->src[i] - 1);
	sh->src[i] = 0;
	sh->flood[i] = 0;
	(*st(c)->freed)++;
	vmm(c, P_VMM_PTE_WRITE, 1); /* clearing the shadow PDE */
}

static void drop_shadow(struct cpu *c, struct shadow *sh)
{
	while (sh->nlive) /* drop_pt of a missing table does nothing: only live ones count */
		drop_pt(c, sh, sh->live[sh->nlive - 1]);
	if (sh->used)
		untrack(c, sh->gcr3 >> 12);
	sh->used = false;
	(*st(c)->freed)++;
}

static void flush_hw_tlb(struct cpu *c)
{
	tlb_flush_all(&c->itlb, false);
	tlb_flush_all(&c->dtlb, false);
	cpu_flush_fast_tlb(c);
}

/* The reverse map's key of entry j of shadow table i of cached shadow k. */
static inline u32 wkey(unsigned k, unsigned i, unsigned j) { return (k << 20) | (i << 10) | j; }

/* The writable shadow entry named by `key`, if it (still) maps `frame`; else NULL. */
static u32 *wentry(struct shadow_state *s, u32 frame, u32 key)
{
	struct shadow *sh = &s->cache[key >> 20];
	u32 *pt = sh->used ? sh->pt[(key >> 10) & 0x3ff] : NULL;
	if (!pt)
		return NULL;
	u32 *e = &pt[key & 0x3ff];
	return (*e & SP_W) && (*e >> 12) == frame ? e : NULL;
}

static bool wentry_live(void *ctx, u32 frame, u32 key) { return wentry(ctx, frame, key) != NULL; }

/* Entry j of table i of shadow `sh` was just made writable, mapping guest `frame`. */
static void wmap_note(struct shadow_state *s, const struct shadow *sh, unsigned i, unsigned j,
		      u32 frame)
{
	rmap_add(&s->wmap, frame, wkey((unsigned)(sh - s->cache), i, j), wentry_live, s);
}

/* Make the writable entry `e` mapping a page table read-only (track). */
static void write_protect(struct cpu *c, u32 *e)
{
	*e &= ~SP_W;
	vmm(c, P_VMM_PTE_WRITE, 1);
}

/* A guest frame became a page table: no shadow may keep mapping it writable. The
 * entries are those the reverse map names (or, when it overflowed, every entry of
 * every table): the same entries either way, each charged once. */
static void track(struct cpu *c, u32 frame)
{
	struct shadow_state *s = st(c);
	if (frame >= s->npages)
		return;
	if (s->track[frame]++)
		return;
	bool changed = false;
	unsigned n;
	const u32 *keys = rmap_keys(&s->wmap, frame, &n);
	if (keys) {
		for (unsigned w = 0; w < n; w++) {
			u32 *e = wentry(s, frame, keys[w]);
			if (e) {
				write_protect(c, e);
				changed = true;
			}
		}
	} else {
		for (int k = 0; k < SHADOW_CACHE; k++) {
			struct shadow *sh = &s->cache[k];
			if (!sh->used)
				continue;
			for (unsigned l = 0; l < sh->nlive; l++) {
				u32 *pt = sh->pt[sh->live[l]];
				for (unsigned j = 0; j < 1024; j++)
					if ((pt[j] & SP_W) && (pt[j] >> 12) == frame) {
						write_protect(c, &pt[j]);
						changed = true;
					}
			}
		}
	}
	rmap_clear(&s->wmap, frame); /* no writable entry maps it now */
	if (changed)
		flush_hw_tlb(c);
}

/* Make the shadow of guest CR3 `cr3` current, from the cache or new. */
static void switch_to(struct cpu *c, u32 cr3)
{
	struct shadow_state *s = st(c);
	u32 g = cr3 & PTE_FRAME;
	(*s->switches)++;
	struct shadow *victim = NULL;
	for (int k = 0; k < SHADOW_CACHE; k++) {
		struct shadow *sh = &s->cache[k];
		if (sh->used && sh->gcr3 == g) {
			(*s->cache_hits)++;
			sh->last_use = ++s->clock;
			s->cur = sh;
			return;
		}
		if (!victim || !sh->used || (victim->used && sh->last_use < victim->last_use))
			if (!victim || victim->used)
				victim = sh;
	}
	if (victim->used) {
		(*s->evicted)++;
		drop_shadow(c, victim);
	}
	victim->used = true;
	victim->gcr3 = g;
	victim->last_use = ++s->clock;
	(*s->created)++;
	vmm(c, P_VMM_PTE_WRITE, 1);
	s->cur = victim;
	track(c, g >> 12);
}

/* The VMM reading and writing the guest's page tables in software (vmm.pte_read and
 * vmm.pte_write per entry): the reference of its walks. */
static int vmm_read(struct cpu *c, void *ctx, u32 pa, u32 *v, u32 *where)
{
	const u8 *p = cpu_phys(c, pa, 4);
	vmm(c, P_VMM_PTE_READ, 1);
	*v = p ? load_n(p, 4) : 0;
	*where = pa;
	return 0;
}

static void vmm_write(struct cpu *c, void *ctx, u32 pa, u32 v)
{
	u8 *p = cpu_phys(c, pa, 4);
	vmm(c, P_VMM_PTE_WRITE, 1);
	if (p)
		store_n(p, 4, v);
}

static const struct pw_ref guest_ref = { .read = vmm_read, .write = vmm_write };

static void fill(struct tlb_entry *f, u32 lin, u32 e)
{
	f->vpn = lin >> 12;
	f->ppn = e >> 12;
	f->large = 0;
	f->global = 0;
	f->user = (e & SP_U) != 0;
	f->writable = (e & SP_W) != 0;
	f->dirty = f->writable;
}

/* The VMM emulating a write (ACC_BYPASS): through the shadow entry when it maps the
 * page (a traced write to a guest page table is allowed: the VMM resynchronises after
 * it); otherwise as the guest's own tables allow it (a supervisor write to a read-only
 * page with CR0.WP clear, a page the shadow does not map yet). The physical address is
 * kept for after_emulate. */
static int bypass_translate(struct cpu *c, u32 lin, unsigned acc, u32 e, struct tlb_entry *f, u32 *pfec)
{
	struct shadow_state *s = st(c);
	bool user = acc & ACC_USER;
	if ((e & SP_P) && (!user || (e & SP_U)) && ((e & SP_W) || tracked(s, e >> 12))) {
		fill(f, lin, e);
	} else {
		struct pw_result r;
		if (pw_walk(c, c->cr3, lin, acc & ~ACC_BYPASS, &guest_ref, &r, pfec))
			return -1;
		fill(f, lin, (r.gpa & PTE_FRAME) | SP_P | SP_W | (r.user ? SP_U : 0));
	}
	s->emu_pa = (f->ppn << 12) | pw_offset(lin);
	return 0;
}

static int shadow_translate(struct cpu *c, u32 lin, unsigned acc, struct tlb_entry *f, u32 *pfec)
{
	struct shadow_state *s = st(c);
	bool user = acc & ACC_USER, write = (acc & 3) == ACC_WRITE;
	if (!s->cur || s->cur->gcr3 != (c->cr3 & PTE_FRAME))
		switch_to(c, c->cr3);
	/* the processor walks the shadow: directory and table */
	cpu_walk_ref(c);
	u32 *pt = s->cur->pt[pw_dir_index(lin)];
	u32 e = 0;
	if (pt) {
		cpu_walk_ref(c);
		e = pt[pw_table_index(lin)];
	}
	if (acc & ACC_BYPASS)
		return bypass_translate(c, lin, acc, e, f, pfec);
	if (!(e & SP_P)) {
		*pfec = (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
		return -1;
	}
	/* the shadow's own protection holds whatever the guest's CR0.WP (the machine
	 * runs with WP forced on, as a VMM's real CR0 is): a supervisor write to a
	 * read-only shadow entry faults into the VMM too */
	*pfec = PFEC_P | (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	if ((user && !(e & SP_U)) || (write && !(e & SP_W)))
		return -1;
	fill(f, lin, e);
	return 0;
}

/* Drop every shadow structure built from guest frame `frame` except the current
 * shadow's own directory. */
static void unprotect(struct cpu *c, u32 frame)
{
	struct shadow_state *s = st(c);
	for (int k = 0; k < SHADOW_CACHE; k++) {
		struct shadow *sh = &s->cache[k];
		if (!sh->used)
			continue;
		if ((sh->gcr3 >> 12) == frame && sh != s->cur) {
			drop_shadow(c, sh);
			continue;
		}
		for (unsigned l = sh->nlive; l-- > 0;) { /* backwards: drop_pt moves only the last */
			unsigned i = sh->live[l];
			if (sh->src[i] == frame + 1)
				drop_pt(c, sh, i);
		}
	}
	flush_hw_tlb(c);
}

/* A #PF exited: resolve it against the guest's own tables (see the story above). */
static int shadow_fault(struct cpu *c, const struct mmu_fault *pf, u32 *pfec)
{
	struct shadow_state *s = st(c);
	check_invariants(c);
	u32 lin = pf->lin;
	bool write = pf->err & PFEC_W;
	if (!s->cur || s->cur->gcr3 != (c->cr3 & PTE_FRAME))
		switch_to(c, c->cr3);
	struct pw_result r;
	unsigned acc = (write ? ACC_WRITE : ACC_READ) | ((pf->err & PFEC_U) ? ACC_USER : 0);
	if (pw_walk(c, c->cr3, lin, acc, &guest_ref, &r, pfec)) {
		(*s->truef)++;
		return MMU_GUEST_FAULT;
	}
	/* the guest allows it: its accessed and dirty bits are set (by the walk, as the
	 * hardware walk would); now the shadow entry */
	(*s->hidden)++;
	u32 gframe = r.gpa >> 12;
	bool w = r.writable;
	unsigned i = pw_dir_index(lin), j = pw_table_index(lin);
	struct shadow *sh = s->cur;
	if (!sh->pt[i]) {
		sh->pt[i] = calloc(1024, sizeof(u32));
		if (!sh->pt[i])
			return MMU_GUEST_FAULT;
		sh->pos[i] = sh->nlive;
		sh->live[sh->nlive++] = (u16)i;
		(*s->created)++;
		vmm(c, P_VMM_PTE_WRITE, 1);
		if (!r.large) {
			sh->src[i] = (r.pte_gpa >> 12) + 1;
			track(c, r.pte_gpa >> 12);
		}
	}
	sh->flood[i] = 0; /* the table is in use */
	bool sw = w && r.dirty && !tracked(s, gframe);
	sh->pt[i][j] = (gframe << 12) | SP_P | (r.user ? SP_U : 0) | (sw ? SP_W : 0);
	if (sw)
		wmap_note(s, sh, i, j, gframe);
	vmm(c, P_VMM_PTE_WRITE, 1);
	(*s->fills)++;
	/* a stale read-only translation may still sit in the TLB */
	tlb_flush_page(&c->dtlb, lin >> 12);
	tlb_flush_page(&c->itlb, lin >> 12);
	if (write && tracked(s, gframe)) {
		/* a write to a page the shadows were built from (now mapped read-only) */
		(*s->traced)++;
		if (!pf->delivering) {
			/* an instruction's write: emulate it, then resynchronise */
			s->emu_page = gframe;
			return MMU_EMULATE;
		}
		/* the processor's own write while delivering an event (a stack frame on a
		 * page that used to be a page table): drop what was built from the page,
		 * which becomes an ordinary page again (zap on write), and map it writable */
		unprotect(c, gframe);
		if (!sh->pt[i])
			return MMU_FIXED; /* dropped with it: the next fault refills */
		if (w && !tracked(s, gframe)) {
			sh->pt[i][j] |= SP_W;
			wmap_note(s, sh, i, j, gframe);
		}
	}
	if (write && !w) {
		/* a supervisor write the guest allows with CR0.WP clear */
		if (!tracked(s, gframe)) {
			/* map the page writable for the supervisor only (KVM's scheme for
			 * CR0.WP = 0): a user access takes a hidden fault and gets the guest's
			 * own read-only user mapping back. This also serves the processor's
			 * own writes while delivering an event, which cannot be emulated */
			sh->pt[i][j] = (gframe << 12) | SP_P | SP_W;
			wmap_note(s, sh, i, j, gframe);
			return MMU_FIXED;
		}
		/* a page table of a shadow, written with CR0.WP clear: emulate the write
		 * (during an event's delivery this cannot be done: the VMM's progress check
		 * ends such a run with a reason) */
		s->emu_page = gframe;
		return MMU_EMULATE;
	}
	return MMU_FIXED;
}

#ifdef RINGLAB_CHECK
/* Debug builds (make asan): the shadow's invariants, checked as the VMM changes it. */
static int peek_read(struct cpu *c, void *ctx, u32 pa, u32 *v, u32 *where)
{
	const u8 *p = cpu_phys(c, pa, 4);
	*v = p ? load_n(p, 4) : 0;
	*where = pa;
	return 0;
}

static void peek_write(struct cpu *c, void *ctx, u32 pa, u32 v) {}

static const struct pw_ref peek_ref = { .read = peek_read, .write = peek_write };

static _Noreturn void broken(const struct shadow *sh, u32 lin, u32 e, const char *what)
{
	fprintf(stderr, "shadow invariant broken: %s (guest CR3 %#x, VA %#x, shadow entry %#x)\n",
		what, sh->gcr3, lin, e);
	abort();
}

/* Does the reverse map name `key` for `frame` (or has the frame overflowed)? */
static bool wmap_holds(const struct shadow_state *s, u32 frame, u32 key)
{
	unsigned n;
	const u32 *keys = rmap_keys(&s->wmap, frame, &n);
	if (!keys)
		return true;
	for (unsigned w = 0; w < n; w++)
		if (keys[w] == key)
			return true;
	return false;
}

/* No writable shadow entry maps a guest page table, and the reverse map names each
 * writable entry; no shadow entry grants more than the guest's own tables do (present,
 * same frame; user only if the guest's is; writable only if the guest's is writable
 * and dirty). */
static void check_invariants(struct cpu *c)
{
	struct shadow_state *s = st(c);
	static unsigned calls;
	if (++calls % 16)
		return; /* a full scan every 16th change keeps the debug build usable */
	for (int k = 0; k < SHADOW_CACHE; k++) {
		const struct shadow *sh = &s->cache[k];
		for (unsigned i = 0; sh->used && i < 1024; i++)
			for (unsigned j = 0; sh->pt[i] && j < 1024; j++) {
				u32 e = sh->pt[i][j], lin = (i << 22) | (j << 12), pfec;
				struct pw_result r;
				if (!(e & SP_P))
					continue;
				if ((e & SP_W) && tracked(s, e >> 12))
					broken(sh, lin, e, "a guest page table is mapped writable");
				if ((e & SP_W) && !wmap_holds(s, e >> 12, wkey((unsigned)k, i, j)))
					broken(sh, lin, e, "a writable entry the reverse map does not name");
				if (pw_walk(c, sh->gcr3, lin, ACC_READ, &peek_ref, &r, &pfec))
					broken(sh, lin, e, "the guest does not map this page");
				if ((r.gpa >> 12) != (e >> 12))
					broken(sh, lin, e, "the guest maps another frame");
				/* writable: the guest's entry is writable and dirty, or (CR0.WP
				 * clear) dirty and the shadow's supervisor-only */
				bool wok = r.dirty && (r.writable || (!(c->cr0 & CR0_WP) && !(e & SP_U)));
				if (((e & SP_U) && !r.user) || ((e & SP_W) && !wok))
					broken(sh, lin, e, "more permissions than the guest's");
			}
	}
}
#else
static inline void check_invariants(struct cpu *c) {}
#endif

/* After emulating a write to guest page-table frame emu_page: drop what was built
 * from it (a directory: the whole shadow; a table: that shadow table). */
static void shadow_after_emulate(struct cpu *c)
{
	struct shadow_state *s = st(c);
	u32 frame = s->emu_page;
	if (frame == EMU_ANY) { /* before_write: whatever page it wrote */
		bool *traced = s->emu_traced;
		s->emu_traced = NULL;
		if (s->emu_pa == EMU_ANY || !tracked(s, s->emu_pa >> 12))
			return; /* no page table: nothing was derived from it */
		frame = s->emu_pa >> 12;
		if (traced)
			*traced = true;
	}
	if ((s->emu_pa >> 12) != frame) {
		unprotect(c, frame); /* the write went elsewhere: resynchronise coarsely */
		return;
	}
	/* the entry written: as KVM does, update only the shadow state derived from it */
	unsigned j = pw_offset(s->emu_pa) >> 2;
	for (int k = 0; k < SHADOW_CACHE; k++) {
		struct shadow *sh = &s->cache[k];
		if (!sh->used)
			continue;
		if ((sh->gcr3 >> 12) == frame) {
			if (sh != s->cur) {
				/* the directory of an address space not running (typically one
				 * that exited and whose page is being reused): drop it whole */
				drop_shadow(c, sh);
				continue;
			}
			drop_pt(c, sh, j); /* a directory entry: the table it named */
		}
		for (unsigned l = sh->nlive; l-- > 0;) { /* backwards: drop_pt moves only the last */
			unsigned i = sh->live[l];
			if (sh->src[i] == frame + 1) {
				if (sh->pt[i][j]) {
					sh->pt[i][j] = 0; /* a table entry: refilled on the next access */
					vmm(c, P_VMM_PTE_WRITE, 1);
				}
				/* write flooding (KVM's heuristic): a table written again and
				 * again without being used is dropped and unprotected */
				if (++sh->flood[i] >= SHADOW_FLOOD)
					drop_pt(c, sh, i);
			}
		}
	}
	flush_hw_tlb(c);
	check_invariants(c);
}

/* The VMM will emulate a write that did not fault (before_write). */
static void shadow_before_write(struct cpu *c, bool *traced)
{
	struct shadow_state *s = st(c);
	s->emu_page = EMU_ANY;
	s->emu_pa = EMU_ANY;
	s->emu_traced = traced;
	*traced = false;
}

/* The VMM wrote guest-physical [pa, pa+len) directly (a paravirtual disk's read):
 * every shadow structure built from a page table there is dropped, the current
 * shadow's own directory included (its tables go; hidden faults rebuild them). */
static void shadow_phys_written(struct cpu *c, u32 pa, u32 len)
{
	struct shadow_state *s = st(c);
	if (!len)
		return;
	for (u32 f = pa >> 12; f <= (pa + len - 1) >> 12; f++) {
		if (!tracked(s, f))
			continue;
		if (s->cur && (s->cur->gcr3 >> 12) == f)
			for (unsigned i = 0; i < 1024; i++)
				drop_pt(c, s->cur, i);
		unprotect(c, f);
	}
	check_invariants(c);
}

static void shadow_cr3_load(struct cpu *c, u32 old)
{
	switch_to(c, c->cr3);
	check_invariants(c);
}

static void shadow_invlpg(struct cpu *c, u32 lin)
{
	struct shadow_state *s = st(c);
	if (s->cur && s->cur->pt[lin >> 22]) {
		s->cur->pt[lin >> 22][(lin >> 12) & 0x3ff] = 0;
		vmm(c, P_VMM_PTE_WRITE, 1);
	}
}

static void shadow_mode_change(struct cpu *c)
{
	struct shadow_state *s = st(c);
	for (int k = 0; k < SHADOW_CACHE; k++)
		if (s->cache[k].used)
			drop_shadow(c, &s->cache[k]);
	s->cur = NULL;
}

static void shadow_fini(struct cpu *c)
{
	struct shadow_state *s = st(c);
	if (!s)
		return;
	for (int k = 0; k < SHADOW_CACHE; k++)
		for (unsigned i = 0; i < 1024; i++)
			free(s->cache[k].pt[i]);
	free(s->track);
	rmap_fini(&s->wmap);
	free(s);
	c->mmu_state = NULL;
}

/* Print one run of shadow entries: linear [first, last page] -> frames, flags. */
static void dump_run(FILE *out, u32 lin0, u32 n, u32 e0)
{
	fprintf(out, "  linear %#010x-%#010x -> frame %#010x-%#010x  %s %s (%u page%s)\n", lin0,
		lin0 + n * 4096 - 1, e0 & PTE_FRAME, (e0 & PTE_FRAME) + n * 4096 - 1,
		(e0 & SP_W) ? "writable " : "read-only", (e0 & SP_U) ? "user" : "supervisor", n, n == 1 ? "" : "s");
}

/* bench trace --shadow-dump: the current shadow, runs of contiguous entries with the
 * same flags on one line each; the guest tables it was built from. Read-only. */
static void shadow_dump(struct cpu *c, FILE *out)
{
	struct shadow_state *s = st(c);
	struct shadow *sh = s ? s->cur : NULL;
	if (!sh) {
		fprintf(out, "  (no shadow yet: paging is off or no address space was shadowed)\n");
		return;
	}
	unsigned tables = 0, entries = 0;
	for (unsigned i = 0; i < 1024; i++) {
		if (!sh->pt[i])
			continue;
		tables++;
		u32 run0 = 0, runn = 0, e0 = 0;
		for (unsigned j = 0; j <= 1024; j++) {
			u32 e = j < 1024 ? sh->pt[i][j] : 0;
			u32 lin = (i << 22) | (j << 12);
			if (runn && (e & SP_P) && (e & ~PTE_FRAME) == (e0 & ~PTE_FRAME) &&
			    (e & PTE_FRAME) == (e0 & PTE_FRAME) + runn * 4096) {
				runn++;
				continue;
			}
			if (runn)
				dump_run(out, run0, runn, e0);
			runn = 0;
			if (e & SP_P) {
				entries++;
				run0 = lin, runn = 1, e0 = e;
			}
		}
		if (sh->src[i])
			fprintf(out, "    (shadow table %u built from the guest page table at %#010x, write-protected)\n", i,
				(sh->src[i] - 1) << 12);
	}
	fprintf(out, "  shadow of guest CR3 %#010x: %u shadow tables, %u entries filled so far (hidden faults fill the rest on use)\n",
		sh->gcr3, tables, entries);
}

const struct mmu_ops mmu_shadow = {
	.name = "shadow",
	.init = shadow_init,
	.fini = shadow_fini,
	.translate = shadow_translate,
	.cr3_load = shadow_cr3_load,
	.invlpg = shadow_invlpg,
	.mode_change = shadow_mode_change,
	.fault = shadow_fault,
	.after_emulate = shadow_after_emulate,
	.before_write = shadow_before_write,
	.phys_written = shadow_phys_written,
	.dump = shadow_dump,
};

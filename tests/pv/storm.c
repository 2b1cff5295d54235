/*
 * storm.c — the pv attack kernel's modes that hammer the VMM (attack.c sets up first).
 *
 * insist: trap tables with a gate into the VMM, refused with PV_EPERM, first
 * PV_PERM_LIMIT - 1 in a row twice with an accepted hypercall between (the guest must
 * live), then without end: the VMM must kill the guest at the PV_PERM_LIMIT-th with a
 * one-line reason (pvabi.h), so the last console line is the one before the loop.
 * insist multicall: the same requests, 64 to a PVH_MULTICALL (which itself succeeds):
 * they are refused requests in a row all the same, and the guest must die as soon.
 *
 * storm seed=N: 100000 hypercalls with numbers 0..40 and arguments from an LCG seeded
 * by N: 0, ~0, pointers into and just below the VMM's window, past the end of RAM,
 * straddling it, unaligned, valid-looking ones into a scratch area, selectors, noise.
 * Hypercalls that may end or wreck the guest (register, new_baseptr, set_trap_table,
 * stack_switch, set_gdt, block, shutdown, an OUT to the exit port or COM1) are not
 * drawn, and console writes never point at readable bytes, so all 100000 run and the
 * kernel prints how many returned each code, per hypercall, and the refusals it saw
 * (a multicall's refused entries included; the value an IN returns is data, not a
 * code). wild seed=N: the same with nothing held back; the guest may die, the host
 * must not.
 */
#include "attack.h"

#define CALLS 100000u
#define MAX_OP 40u

static u32 table[32][2] __attribute__((aligned(8)));

void insist(int multicalls)
{
	for (unsigned v = 0; v < 32; v++) {
		table[v][0] = trap_table[v][0];
		table[v][1] = trap_table[v][1];
	}
	set_gate(table, 13, KCODE, VMM_WIN, 0xf, 1);
	u32 i, n = PV_PERM_LIMIT - 1;
	int r = 0;
	for (unsigned round = 0; round < 2; round++) {
		for (i = 0; i < n && (r = hc(PVH_SET_TRAP_TABLE, (u32)table, 255)) == PV_EPERM; i++)
			;
		hc(PVH_YIELD, 0, 0); /* accepted: the row is broken */
	}
	pr("insist: 2 x %u refusals in a row survived (last %d)\n", n, r);
	if (multicalls) {
		/* the same requests, 64 to a multicall: requests in a row all the same */
		static struct pv_multicall m[64];
		for (unsigned k = 0; k < 64; k++)
			m[k] = (struct pv_multicall){ PVH_SET_TRAP_TABLE, { (u32)table, 255 }, 0 };
		pr("insist: now %u in a row, 64 to a multicall\n", 20 * 64);
		u32 refused = 0;
		for (unsigned k = 0; k < 20; k++) {
			hc(PVH_MULTICALL, (u32)m, 64);
			for (unsigned j = 0; j < 64; j++)
				refused += m[j].result == PV_EPERM;
		}
		pr("insist: still alive after %u refusals in a row in multicalls\n", refused);
		pv_exit(5);
	}
	pr("insist: now %u in a row\n", PV_PERM_LIMIT);
	for (i = 0; i < 10 * PV_PERM_LIMIT && (r = hc(PVH_SET_TRAP_TABLE, (u32)table, 255)) == PV_EPERM; i++)
		;
	pr("insist: still alive after %u refusals in a row (last %d)\n", i, r);
	pv_exit(5);
}

/* ---- the storm ---- */

static u32 lcg;
static u32 step(void)
{
	lcg = lcg * 1103515245u + 12345u;
	return lcg;
}
static u32 rnd(void) { return (step() >> 16) | (step() & 0xffff0000u); }

static u32 bad_pointer(void)
{
	u32 r = rnd();
	switch (r % 3) {
	case 0: return VMM_WIN + (r >> 16);
	case 1: return ram_end + (r >> 20);
	default: return 0xffffffffu;
	}
}

static u32 rarg(void)
{
	static const u32 sel[] = { KCODE, KDATA, UCODE, UDATA, SEL_KCODE, SEL_KDATA, 0x31, 0x39, 0x41, 0x49, 0x51 };
	u32 r = rnd();
	switch (rnd() % 12) {
	case 0: return 0;
	case 1: return 0xffffffffu;
	case 2: return VMM_WIN + (r & 0xffff);
	case 3: return VMM_WIN - 1 - (r & 0xff);
	case 4: return ((u32)scratch + r % 4096) | 1;
	case 5: return ((u32)scratch + r % 4096) & ~7u;
	case 6: return r & 0xff;
	case 7: return ram_end + (r & 0xffff);
	case 8: return ram_end - (r & 0xff);
	case 9: return sel[r % (sizeof(sel) / sizeof(sel[0]))];
	case 10: return (u32)scratch + 4096 * (r % 3);
	default: return r;
	}
}

/* the arguments PVH_IO accepts (pvabi.h): then its result is a value read, not a code */
static int io_valid(const u32 *a)
{
	u32 size = a[1] & 0xff;
	return (size == 1 || size == 2 || size == 4) && !(a[1] & ~(0xffu | PV_IO_OUT)) && a[0] + size <= 0x10000;
}

static int overlaps(u32 p, u32 n, u32 lo, u32 hi) { return p < hi && p + n > lo; }

/* A page-table entry value: a frame the guest has or not, a table, with random flags
 * (present, writable, user, 4 MB). */
static u32 pte_value(void)
{
	u32 r = rnd(), f;
	switch (r % 6) {
	case 0: f = (u32)pd; break;
	case 1: f = (u32)pt0; break;
	case 2: f = (u32)spare; break;
	case 3: f = (u32)xdata; break;
	case 4: f = ram_end + (rnd() & 0xfff000u); break;
	default: f = rnd() % ram_end; break;
	}
	return (f & ~0xfffu) | ((r >> 8) & 0x87);
}

/* An entry pv/direct may update (or not): one the kernel does not use, of its tables
 * (under the tame storm), or anywhere */
static u32 pte_pointer(int wild)
{
	u32 r = rnd();
	switch (r % 4) {
	case 0: return (u32)&pt0[1000 + (r >> 8) % 24];
	case 1: return (u32)&pd[1 + (r >> 8) % 1023];
	case 2: return wild ? (u32)&pt0[(r >> 8) % 1024] : (u32)&spare[(r >> 8) % 1024];
	default: return rarg();
	}
}

static struct pv_mmu_update ul[2][4];

/* Draw hypercall `*op` and its arguments; in the tame storm, redraw or defuse what
 * could end or wreck the guest. */
static void draw(u32 *op, u32 a[5], int wild)
{
	static const u8 unsafe[] = { PVH_REGISTER, PVH_NEW_BASEPTR, PVH_SET_TRAP_TABLE, PVH_STACK_SWITCH,
				     PVH_SET_GDT, PVH_BLOCK, PVH_SHUTDOWN, PVH_IRET };
again:
	*op = rnd() % (MAX_OP + 1);
	for (unsigned i = 0; i < 5; i++)
		a[i] = rarg();
	if (*op == PVH_IO && rnd() % 2) /* often a well-formed access */
		a[1] = (1u << (rnd() % 3)) | (rnd() % 2 ? PV_IO_OUT : 0);
	if (*op == PVH_MULTICALL || *op == PVH_CONSOLE_WRITE || *op == PVH_MMU_UPDATE)
		a[1] = rnd() % 4 ? rnd() % 70 : rarg();
	if (*op == PVH_PIN_TABLE && rnd() % 2) {
		a[0] = pte_value() & ~0xfffu;
		a[1] = rnd() % 2;
	}
	if (*op == PVH_MMU_UPDATE && rnd() % 2) {
		/* a list of entries that look like page-table updates (one list for
		 * top-level calls, one for a multicall's entries: a list is read when
		 * its call runs) */
		static unsigned which;
		struct pv_mmu_update *u = ul[which++ & 1];
		a[0] = (u32)u;
		a[1] = 1 + rnd() % 4;
		for (u32 i = 0; i < a[1]; i++) {
			u[i].ptr = pte_pointer(wild);
			u[i].val = pte_value();
		}
	}
	if (wild)
		return;
	for (unsigned i = 0; i < sizeof(unsafe); i++)
		if (*op == unsafe[i])
			goto again;
	if (*op == PVH_IO && io_valid(a) && (a[1] & PV_IO_OUT)) {
		u32 n = a[1] & 0xff;
		if (overlaps(a[0], n, 0xf4, 0xf8) || overlaps(a[0], n, 0x3f8, 0x400))
			a[0] = 0x80; /* the POST port instead of the exit port or COM1 */
	}
	if (*op == PVH_CONSOLE_WRITE && a[1] && a[1] <= 4096)
		a[0] = bad_pointer(); /* refused, never garbage on the console */
	if (*op == PVH_MULTICALL || *op == PVH_BLK_SETUP)
		a[0] = bad_pointer(); /* a tame multicall of our own is built by storm() */
}

struct tally {
	u32 calls, ok, einval, eperm, efault, positive, data, other;
};

static void count(struct tally *t, u32 op, const u32 *a, int r)
{
	t->calls++;
	if (op == PVH_IO && io_valid(a))
		t->data++;
	else if (r == PV_OK)
		t->ok++;
	else if (r == PV_EINVAL)
		t->einval++;
	else if (r == PV_EPERM)
		t->eperm++;
	else if (r == PV_EFAULT)
		t->efault++;
	else if (r > 0)
		t->positive++;
	else
		t->other++;
	if (r < 0 && !(op == PVH_IO && io_valid(a)))
		refusals++;
}

static struct tally per_op[MAX_OP + 2], entries;
static struct pv_multicall mcs[64];

static void line(const char *name, const struct tally *t)
{
	pr("%s calls=%u ok=%u einval=%u eperm=%u efault=%u positive=%u io_data=%u other=%u\n", name, t->calls, t->ok,
	   t->einval, t->eperm, t->efault, t->positive, t->data, t->other);
}

void storm(int wild)
{
	static const char *const names[] = { "register", "mmu_update", "new_baseptr", "invlpg", "flush_tlb",
		"set_trap_table", "stack_switch", "set_gdt", "event_check", "block", "yield", "shutdown",
		"set_timer", "console_write", "io", "multicall", "blk_setup", "blk_notify", "pin_table", "iret" };
	_Static_assert(sizeof(names) / sizeof(names[0]) == PVH_COUNT, "a name for every hypercall");
	u32 seed = arg("seed", 1);
	lcg = seed;
	for (unsigned i = 0; i < sizeof(scratch) / 4; i++)
		((u32 *)scratch)[i] = rnd();
	pr("%s seed=%u calls=%u\n", wild ? "wild" : "storm", seed, CALLS);
	if (features & PV_F_DIRECT_PT) /* validated tables, for updates to reach */
		pr("new_baseptr %d\n", hc(PVH_NEW_BASEPTR, (u32)pd, 0));
	for (u32 n = 0; n < CALLS; n++) {
		u32 op, a[5];
		draw(&op, a, wild);
		u32 m = 0;
		if (op == PVH_MULTICALL && !wild && rnd() % 2) {
			/* a multicall of tame entries, whose results are read back */
			m = rnd() % 66;
			for (u32 i = 0; i < m && i < 64; i++) {
				draw(&mcs[i].op, mcs[i].args, 0);
				mcs[i].result = 0x55555555;
			}
			a[0] = (u32)mcs;
			a[1] = m;
		}
		int r = hc5(op, a[0], a[1], a[2], a[3], a[4]);
		count(&per_op[op < PVH_COUNT ? op : PVH_COUNT], op, a, r);
		if (m && m <= 64 && r == PV_OK)
			for (u32 i = 0; i < m; i++)
				count(&entries, mcs[i].op, mcs[i].args, mcs[i].result);
	}
	struct tally all = { 0 };
	for (u32 op = 0; op <= PVH_COUNT; op++) {
		const struct tally *t = &per_op[op];
		all.calls += t->calls, all.ok += t->ok, all.einval += t->einval, all.eperm += t->eperm;
		all.efault += t->efault, all.positive += t->positive, all.data += t->data, all.other += t->other;
		if (t->calls)
			line(op < PVH_COUNT ? names[op] : "unknown", t);
	}
	line("multicall_entries", &entries);
	line("all", &all);
	pr("refusals seen %u\n", refusals);
}

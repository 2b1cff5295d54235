/*
 * attack.c — a PV guest kernel that attacks the pv VMM's validation (issue #12).
 *
 * It boots as pvabi.h says (ring 1, EDX = PV_BOOT_MAGIC), runs a few refused
 * hypercalls and its console as emulated port I/O before registering, registers, and
 * then tries, one line per attempt on COM1 ("name result"), what a malicious kernel
 * would: gates into the VMM's window or to foreign selectors, GDTs with ring-0 and
 * flat segments (accepted, but compressed to ring 1 and truncated below the window:
 * vmm/ringcomp.c), the VMM's memory through every kind of segment it can load, bad
 * kernel stacks, hypercalls from ring 3, pointers into the VMM or past RAM, and under
 * pv/direct unsafe page-table updates (direct.c). Each must be refused with the code pvabi.h
 * gives or fault through the kernel's own trap table; the golden files in
 * tests/pv/golden hold the answers of a correct VMM. The last line counts the refusals
 * the kernel saw, which scripts/test-pv.sh checks against the VMM's pv.refused.*.
 *
 * Command line: (nothing) the attacks, with `disk` those on the block device too
 * (blk.c); `insist`, `insist multicall`, `storm seed=N`
 * or `wild seed=N`: the modes of storm.c.
 */
#include "attack.h"

u32 features, refusals;
u32 trap_table[32][2] __attribute__((aligned(8)));
u8 scratch[3 * 4096] __attribute__((aligned(4096)));

static u32 gdt[11][2] __attribute__((aligned(8)));
static u32 bad[256][2] __attribute__((aligned(8))); /* a trap table under attack */
static u8 ring1_stack[8192] __attribute__((aligned(16)));
static u8 user_stack[4096] __attribute__((aligned(16)));
static struct pv_multicall mc[4];
static volatile u32 probe, probed; /* what a read that got through read */
u32 pf_target; /* a #PF here prints "cr2=target" (the layout's addresses vary) */
static u32 own_gp;    /* #GP faults of the kernel's own (not refused instructions) */

int note(const char *name, int r)
{
	if (r < 0)
		refusals++;
	pr("%s %d\n", name, r);
	return r;
}

/* ---- probes run under guarded(): each may fault ---- */

static void read_ds(u32 a)
{
	probe = *(volatile u32 *)a;
	probed = 1;
}
void write_ds(u32 a) { *(volatile u32 *)a = 0; }
static void read_ss(u32 a)
{
	u32 v;
	__asm__ volatile("mov %%ss:(%1), %0" : "=r"(v) : "r"(a));
	probe = v;
	probed = 1;
}
static void read_fs_user(u32 a)
{
	u32 v;
	__asm__ volatile("mov %2, %%fs\n\tmov %%fs:(%1), %0" : "=r"(v) : "r"(a), "r"((u32)UDATA));
	probe = v;
	probed = 1;
}
static void jump_to(u32 a) { __asm__ volatile("call *%0" ::"r"(a) : "memory"); }
static void undefined(u32 a) { __asm__ volatile("ud2"); }
static void to_ring3(u32 eip)
{
	__asm__ volatile("mov %0, %%ds\n\tmov %0, %%es\n\tpush %0\n\tpush %1\n\tpushf\n\tpush %2\n\tpush %3\n\tiret"
			 ::"r"((u32)UDATA), "r"((u32)user_stack + sizeof(user_stack)), "r"((u32)UCODE), "r"(eip)
			 : "memory");
}

/* ring-3 code: a hypercall (a harmless one, should it get through), then HLT, which
 * faults in ring 3 whatever happened */
extern char r3_hypercall[], r3_read_vmm[];
__asm__(".text\nr3_hypercall:\n  mov $10, %eax\n  int $0x82\n  hlt\n  jmp r3_hypercall\n"
	"r3_read_vmm:\n  mov 0xffff0000, %eax\n  hlt\n  jmp r3_read_vmm\n");

static const char *vname(u32 v)
{
	switch (v) {
	case 6: return "UD";
	case 12: return "SS";
	case 13: return "GP";
	case 14: return "PF";
	default: return "?";
	}
}

/* Print what an attempt under guarded() did: the fault, or that it got through.
 * A #GP in ring 1 is the kernel's own fault (a segment limit), or, for a privileged
 * instruction (priv_line), the VMM refusing to emulate it: a refusal it counts. */
void priv_line(const char *name, int faulted)
{
	if (faulted && last.vec == 13 && (last.cs & 3) == 1) {
		refusals++;
		own_gp--; /* fault_line counts it as the kernel's own */
	}
	fault_line(name, faulted);
}

void fault_line(const char *name, int faulted)
{
	if (faulted && last.vec == 13 && (last.cs & 3) == 1)
		own_gp++;
	if (!faulted) {
		if (probed)
			pr("%s no-fault read=%x\n", name, probe);
		else
			pr("%s no-fault\n", name);
		probed = 0;
		return;
	}
	probed = 0;
	pr("%s #%s err=%x", name, vname(last.vec), last.err);
	if (last.vec == 14 && pf_target && last.cr2 == pf_target)
		pr(" cr2=target");
	else if (last.vec == 14)
		pr(" cr2=%x", last.cr2);
	pr(" ring=%u\n", last.cs & 3);
}

static int lar(u32 sel, u32 *ar)
{
	u32 v = 0;
	u8 ok;
	__asm__ volatile("lar %w2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
	*ar = v;
	return ok;
}

static int lsl(u32 sel, u32 *lim)
{
	u32 v = 0;
	u8 ok;
	__asm__ volatile("lsl %w2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
	*lim = v;
	return ok;
}

static void show_desc(const char *name, u32 sel)
{
	u32 ar, lim;
	if (!lar(sel, &ar)) {
		pr("%s lar=refused\n", name);
		return;
	}
	lsl(sel, &lim);
	pr("%s dpl=%u limit=%x\n", name, (ar >> 13) & 3, lim);
}

/* ---- boot, registration, the kernel's own tables ---- */

static void preregistration(void)
{
	/* hypercalls that must not work yet, then registrations that must be refused */
	note("console_before_register", hc(PVH_CONSOLE_WRITE, (u32)"x", 1));
	note("register_bad_version", hc(PVH_REGISTER, (u32)&shared, 99));
	note("register_unaligned", hc(PVH_REGISTER, (u32)&shared + 8, PV_ABI_VERSION));
	note("register_beyond_ram", hc(PVH_REGISTER, ram_end, PV_ABI_VERSION));
	note("register_vmm_window", hc(PVH_REGISTER, VMM_WIN, PV_ABI_VERSION));
}

static void build_gdt(void)
{
	set_desc(gdt[SEL_KCODE >> 3], 0, 0xffffffffu, 0xa, 0, 1);
	set_desc(gdt[SEL_KDATA >> 3], 0, 0xffffffffu, 0x2, 0, 1);
	set_desc(gdt[SEL_UCODE >> 3], 0, 0xffffffffu, 0xa, 3, 1);
	set_desc(gdt[SEL_UDATA >> 3], 0, 0xffffffffu, 0x2, 3, 1);
	set_desc(gdt[6], VMM_WIN, 0xffff, 0xa, 0, 1);          /* 0x30: code based in the window */
	set_desc(gdt[7], (u32)scratch, 103, 0x9, 0, 0);         /* 0x38: a TSS */
	set_gate(gdt + 8, 0, SEL_KCODE, 0, 0xc, 1);             /* 0x40: a call gate to ring 0 */
	set_desc(gdt[9], 0, 0xfff, 0x6, 1, 1);                  /* 0x48: expand-down data */
	set_desc(gdt[10], 0, 0xffffffffu, 0xe, 0, 1);           /* 0x50: conforming ring-0 code */
	for (unsigned v = 0; v < 32; v++)
		set_gate(trap_table, v, KCODE, trap_stubs[v], 0xf, 1);
}

static void reload_segments(void)
{
	__asm__ volatile("ljmp $0x11, $1f\n1:\n\t"
			 "mov %0, %%ds\n\tmov %0, %%es\n\tmov %0, %%fs\n\tmov %0, %%gs\n\tmov %0, %%ss"
			 ::"r"((u32)KDATA) : "memory");
}

/* Register, load the GDT and trap table, set the ring-1 stack: every later attempt
 * depends on them, so a refusal here ends the run. */
static void setup(void)
{
	shared.evt_mask = 1; /* events stay masked: nothing interrupts the attempts */
	int f = hc(PVH_REGISTER, (u32)&shared, PV_ABI_VERSION);
	if (f < 0) {
		pr("register %d\n", f);
		pv_exit(4);
	}
	registered = 1;
	features = (u32)f;
	pr("register features=%x\n", features);
	build_gdt();
	int g = hc(PVH_SET_GDT, (u32)gdt, sizeof(gdt) - 1);
	int t = hc(PVH_SET_TRAP_TABLE, (u32)trap_table, sizeof(trap_table) - 1);
	int s = hc(PVH_STACK_SWITCH, KDATA, (u32)ring1_stack + sizeof(ring1_stack));
	pr("setup gdt=%d trap_table=%d stack=%d\n", g, t, s);
	if (g || t || s)
		pv_exit(4);
}

/* ---- a: the trap table ---- */

static void fill_table(u32 v, u32 sel, u32 off, unsigned type)
{
	for (unsigned i = 0; i < 256; i++)
		bad[i][0] = bad[i][1] = 0;
	for (unsigned i = 0; i < 32; i++) {
		bad[i][0] = trap_table[i][0];
		bad[i][1] = trap_table[i][1];
	}
	set_gate(bad, v, sel, off, type, 1);
}

static int try_table(u32 v, u32 sel, u32 off, unsigned type, u32 limit)
{
	fill_table(v, sel, off, type);
	return hc(PVH_SET_TRAP_TABLE, (u32)bad, limit);
}

static void attack_trap_table(void)
{
	note("trap_table_into_vmm", try_table(13, KCODE, VMM_WIN, 0xf, 255));
	note("trap_table_into_vmm_end", try_table(14, KCODE, 0xffffffffu, 0xe, 255));
	note("trap_table_into_vmm_v255", try_table(255, KCODE, VMM_WIN + 0x2800, 0xf, 2047));
	note("trap_table_user_selector", try_table(13, UCODE, trap_stubs[13], 0xf, 255));
	note("trap_table_data_selector", try_table(13, KDATA, trap_stubs[13], 0xf, 255));
	note("trap_table_null_selector", try_table(13, 0, trap_stubs[13], 0xf, 255));
	note("trap_table_selector_past_gdt", try_table(13, 0xfff9, trap_stubs[13], 0xf, 255));
	note("trap_table_vmm_code_selector", try_table(13, 0x31, 0, 0xf, 255));
	note("trap_table_call_gate_selector", try_table(13, 0x41, 0, 0xf, 255));
	note("trap_table_task_gate", try_table(8, 0x39, 0, 0x5, 255));
	note("trap_table_unmapped", hc(PVH_SET_TRAP_TABLE, 0x40000000u, 255));
	note("trap_table_past_ram", hc(PVH_SET_TRAP_TABLE, ram_end - 8, 255));
	note("trap_table_in_vmm", hc(PVH_SET_TRAP_TABLE, VMM_WIN + 0x2800, 255));
	note("trap_table_limit_not_gate", hc(PVH_SET_TRAP_TABLE, (u32)trap_table, 254));
	note("trap_table_limit_too_big", hc(PVH_SET_TRAP_TABLE, (u32)bad, 2055));
	note("trap_table_limit_all_ones", hc(PVH_SET_TRAP_TABLE, (u32)bad, 0xffffffffu));
	/* nothing refused may have changed the table in use */
	fault_line("trap_table_intact", guarded(undefined, 0));
}

/* ---- b: descriptors and segments ---- */

static void attack_gdt(void)
{
	show_desc("gdt_ring0_code", KCODE);
	show_desc("gdt_ring0_data", KDATA);
	show_desc("gdt_ring0_conforming", 0x51);
	show_desc("gdt_code_in_vmm", 0x31);
	show_desc("gdt_tss", 0x39);
	show_desc("gdt_call_gate", 0x41);
	show_desc("gdt_expand_down", 0x49);
	note("gdt_unmapped", hc(PVH_SET_GDT, 0x40000000u, 255));
	note("gdt_in_vmm", hc(PVH_SET_GDT, VMM_WIN, 255));
	note("gdt_past_ram", hc(PVH_SET_GDT, ram_end - 8, 15));
	note("gdt_bad_limit", hc(PVH_SET_GDT, (u32)gdt, 254));
	note("gdt_limit_too_big", hc(PVH_SET_GDT, (u32)gdt, 0x10007));
}

static void attack_segments(void)
{
	reload_segments();
	fault_line("ds_read_vmm", guarded(read_ds, VMM_WIN));
	fault_line("ds_read_vmm_straddle", guarded(read_ds, VMM_WIN - 2));
	fault_line("ds_write_vmm", guarded(write_ds, VMM_WIN));
	fault_line("ss_read_vmm", guarded(read_ss, VMM_WIN + 0x2800));
	fault_line("cs_call_vmm", guarded(jump_to, VMM_WIN + 0x2800));
	fault_line("user_seg_read_vmm", guarded(read_fs_user, VMM_WIN + 0x10));
	__asm__ volatile("mov %0, %%fs" ::"r"((u32)KDATA));
	/* truncation is exact: the last byte below the window is the guest's */
	fault_line("ds_read_below_vmm", guarded(read_ds, VMM_WIN - 4));
}

/* ---- c: the kernel stack ---- */

static void attack_stack(void)
{
	u32 top = (u32)ring1_stack + sizeof(ring1_stack);
	note("stack_ring0_selector", hc(PVH_STACK_SWITCH, SEL_KDATA, top));
	note("stack_code_selector", hc(PVH_STACK_SWITCH, KCODE, top));
	note("stack_user_selector", hc(PVH_STACK_SWITCH, UDATA, top));
	note("stack_null_selector", hc(PVH_STACK_SWITCH, 0, top));
	note("stack_selector_above_16_bits", hc(PVH_STACK_SWITCH, 0x10000u | KDATA, top));
	note("stack_expand_down", hc(PVH_STACK_SWITCH, 0x49, top));
	note("stack_tss_selector", hc(PVH_STACK_SWITCH, 0x39, top));
}

/* ---- d: ring 3 ---- */

static void attack_ring3(void)
{
	int f = guarded(to_ring3, (u32)r3_hypercall);
	if (f && last.vec == 13 && last.err == PV_HYPERCALL_VECTOR * 8u + 2)
		refusals++; /* the VMM counts it as refused (pv.refused.user) */
	fault_line("hypercall_from_ring3", f);
	fault_line("ring3_read_vmm", guarded(to_ring3, (u32)r3_read_vmm));
}

/* ---- the other hypercalls' arguments ---- */

static void attack_arguments(void)
{
	note("console_from_vmm", hc(PVH_CONSOLE_WRITE, VMM_WIN, 16));
	note("console_past_ram", hc(PVH_CONSOLE_WRITE, ram_end - 4, 8));
	note("console_too_long", hc(PVH_CONSOLE_WRITE, (u32)scratch, 4097));
	note("io_size_3", hc5(PVH_IO, 0x80, 3, 0, 0, 0));
	note("io_port_wraps", hc5(PVH_IO, 0xffff, 2, 0, 0, 0));
	note("io_port_above_16_bits", hc5(PVH_IO, 0x100f4, 1 | PV_IO_OUT, 0, 0, 0));
	note("io_unknown_flags", hc5(PVH_IO, 0x80, 1 | 0x200, 0, 0, 0));
	note("timer_zero_hz", hc(PVH_SET_TIMER, 0, 0));
	note("timer_too_fast", hc(PVH_SET_TIMER, 2000000, 0));
	note("hypercall_unknown", hc(PVH_COUNT, 0, 0));
	note("hypercall_negative", hc(0xffffffffu, 0, 0));
	note("register_twice", hc(PVH_REGISTER, (u32)&shared, PV_ABI_VERSION));
	note("multicall_too_many", hc(PVH_MULTICALL, (u32)mc, 65 /* the VMM's limit is 64 */));
	note("multicall_in_vmm", hc(PVH_MULTICALL, VMM_WIN, 1));
	note("multicall_past_ram", hc(PVH_MULTICALL, ram_end - 16, 1));
	/* entries that must be refused one by one, the call itself succeeding */
	mc[0] = (struct pv_multicall){ PVH_MULTICALL, { (u32)mc, 1 }, 0 };
	mc[1] = (struct pv_multicall){ PVH_REGISTER, { (u32)&shared, PV_ABI_VERSION }, 0 };
	mc[2] = (struct pv_multicall){ PVH_SET_TRAP_TABLE, { (u32)bad, 255 }, 0 };
	mc[3] = (struct pv_multicall){ PVH_STACK_SWITCH, { SEL_KDATA, 0 }, 0 };
	fill_table(13, KCODE, VMM_WIN, 0xf);
	int r = hc(PVH_MULTICALL, (u32)mc, 4);
	for (unsigned i = 0; i < 4; i++)
		refusals += mc[i].result < 0;
	pr("multicall_refused_entries %d nested=%d register=%d trap_table=%d stack=%d\n", r, mc[0].result,
	   mc[1].result, mc[2].result, mc[3].result);
}

void kmain(void)
{
	if (!(boot_cs & 3) || boot_edx != PV_BOOT_MAGIC) {
		pr("pv-attack: not started by the pv VMM (cs %x edx %x)\n", boot_cs, boot_edx);
		pv_exit(2);
	}
	pr("pv-attack: ring %u, boot magic, before registration (emulated port I/O)\n", boot_cs & 3);
	paging_on(); /* as a kernel does at boot: emulated, as under te */
	if (!has("insist") && !has("storm") && !has("wild"))
		preregistration();
	setup();
	if (has("insist")) {
		insist(has("multicall"));
	} else if (has("storm") || has("wild")) {
		storm(has("wild"));
	} else {
		/* first, before any exception reloads DS: the descriptors cached at boot
		 * (flat, 4 GB) were never loaded from a GDT the VMM validated; once
		 * registered, they must not reach the VMM either */
		fault_line("boot_ds_read_vmm", guarded(read_ds, VMM_WIN + 0x10));
		attack_trap_table();
		attack_gdt();
		attack_segments();
		attack_stack();
		attack_ring3();
		attack_arguments();
		if (features & PV_F_DIRECT_PT) {
			attack_direct(); /* and the disk's, while its tables are validated */
		} else {
			if (has("disk"))
				attack_blk();
			note("mmu_update_shadow", hc(PVH_MMU_UPDATE, (u32)scratch, 1));
		}
		pr("refusals seen %u\n", refusals);
		pr("own ring-1 #GP faults %u\n", own_gp);
	}
}

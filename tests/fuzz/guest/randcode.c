/*
 * randcode.c — the guest-side fuzzer: a multiboot kernel that runs seeded
 * pseudo-random machine code, snippet after snippet, to shake the host.
 *
 * The story of one run. The command line gives seed=S (default 1), n=K (100),
 * mode=0|3 (3: ring 3, the mode that survives long on any machine), paging=0|1 (0),
 * io=0|1 (0), and `verbose`. The kernel builds its GDT and TSS with sys_init(), its own IDT (every one
 * of the 256 vectors has a stub, so the 32 exceptions, the PIC/PIT interrupts and
 * any INT n all land here), remaps the PIC, starts the PIT as a watchdog, and builds
 * identity page tables with a seeded mix of attributes (read-only, not present,
 * user, supervisor, a 4 MB page, frames beyond RAM, page tables beyond RAM). In
 * ring 3 the kernel is out of reach: supervisor pages with paging, and without it
 * an expand-down ring-3 data segment that starts at 4 MB. CR0.EM is set (there is
 * no FPU), so x87 opcodes raise #NM on QEMU too.
 *
 * Then, K times: restore everything a snippet may have broken (control registers,
 * descriptor tables, page tables, PIC, PIT, UART, SYSENTER MSRs), optionally poke
 * random I/O ports (io=1), fill the code page at 0x600000 with INT3, write ~64 bytes
 * of xorshift code biased towards system instructions (table `tmpls`), a NOP sled and
 * a way back (ring 0: JMP to fz_snip_end; ring 3: INT 0x81), randomise every register
 * (ECX often huge, ESP near the code or in a hostile page, EFLAGS, segment registers,
 * CR3 garbage now and then in ring 0), and jump into it (ring 3: through IRET).
 *
 * The snippet ends in one of three ways, and the kernel goes on with the next:
 *   - it reaches the way back (recorded as vector 0x81, or 0x82 through SYSENTER);
 *   - it raises an exception, or INT n: the stub records the vector and fz_abort
 *     restores the machine from scratch and returns from fz_enter();
 *   - it runs too long: the PIT interrupt returns into it until FZ_TICKS ticks have
 *     passed, then aborts it like an exception (recorded as vector 0x20).
 * The stubs touch memory only through %ss (the one segment a snippet cannot make
 * unusable in ring 0). A ring-0 snippet runs on its own random stack, so a fault
 * during delivery may triple fault: that, a HLT with interrupts off, an endless loop
 * with interrupts off (budget), a random write to port 0xF4, an unimplemented feature
 * are guest outcomes. Only the host crashing or hanging is a failure; scripts/
 * fuzz-guest.sh judges that.
 *
 * Output: one character per snippet ('.' way back, 'A'+v for exception v, 't' for
 * the watchdog, 's' SYSENTER, 'i' other vectors), a newline every 64, and at the end
 *   randcode seed=S n=K done=D exc=<crc of the vectors>
 * then exit through port 0xF4 with 0 (status 1). `verbose` prints one line per
 * snippet (its code, its registers, then vector, error code, EIP, CR2) instead.
 * A run is deterministic on ringlab for a given command line (verbose included:
 * printing takes modeled time, so `verbose` may take another path than without).
 */
#include "sys.h"
#include "gen.h"

/* ---- layout and knobs ---- */

#define FZ_TICKS 3              /* watchdog ticks before a snippet is aborted */
#define STR_(x) #x
#define STR(x) STR_(x)
#define PIT_DIVISOR 100         /* ~12 kHz: a tick is ~84 modeled microseconds */
#define CR0_PE 0x1u
#define CR0_EM 0x4u   /* no FPU: x87 raises #NM (QEMU has one) */
#define CR0_ET 0x10u
#define CR0_WP 0x10000u
#define CR0_PG 0x80000000u
#define PTE_P 0x1u
#define PTE_W 0x2u
#define PTE_U 0x4u
#define PTE_PS 0x80u
#define PTE_G 0x100u

/* ---- state shared with the assembly below (fz_ names, all u32) ---- */

u32 fz_vec, fz_err, fz_eip, fz_cs, fz_eflags, fz_cr2, fz_eax_save;
u32 fz_ticks, fz_in_snippet, fz_kesp;
u32 fz_cr0, fz_cr3, fz_cr4; /* the kernel's control registers for this snippet */
u32 fz_t_eax, fz_t_ebx, fz_t_ecx, fz_t_edx, fz_t_esi, fz_t_edi, fz_t_ebp, fz_t_esp;
u32 fz_t_eip, fz_t_eflags, fz_t_ds, fz_t_es, fz_t_fs, fz_t_gs, fz_t_cr3, fz_t_ring3;
u32 fz_gdt_copy[32];
struct dtr {
	u16 limit;
	u32 base;
} __attribute__((packed));
struct dtr fz_gdtr, fz_idtr;
u32 fz_idt[256][2] __attribute__((aligned(8)));
u8 fz_panic_stack[4096] __attribute__((aligned(16)));
u8 fz_sysenter_stack[1024] __attribute__((aligned(16)));

extern u32 fz_stubs[256];
u32 fz_enter(void);
void fz_snip_end(void);
void fz_sysenter(void);
_Noreturn void fz_panic(void);

/* The page tables: live copies (what the MMU walks) and the seed's pristine ones. */
static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pd_alt[1024] __attribute__((aligned(4096)));
static u32 pt0[1024] __attribute__((aligned(4096)));
static u32 pt1[1024] __attribute__((aligned(4096)));
static u32 pd_init[1024], pt1_init[1024];
static u32 idt_init[256][2]; /* the seed's IDT, restored after every snippet */
static u32 wild[8]; /* linear bases of the seed's wild page-directory entries */
static u8 io_buf[256];

static struct {
	u32 seed, n, ring3, paging, io, verbose;
} cfg;

/* ---- control registers and MSRs ---- */

static void write_cr0(u32 v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static void write_cr3(u32 v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static void write_cr4(u32 v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

/* WRMSR. */
static void wrmsr(u32 msr, u32 lo, u32 hi)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"(lo), "d"(hi));
}

/* ---- descriptor tables ---- */

/* Point IDT vector `v` at its stub: an interrupt gate with `dpl`, present or not. */
static void idt_gate(unsigned v, unsigned dpl, int present)
{
	u32 h = fz_stubs[v];
	fz_idt[v][0] = (h & 0xffff) | (SEL_CODE0 << 16);
	fz_idt[v][1] = (h & 0xffff0000u) | ((u32)present << 15) | (dpl << 13) | (0xeu << 8);
}

/* Build the IDT: every vector present at DPL 0, except the ones ring 3 may call
 * (INT3, INTO, 0x80, 0x81) and a few seeded vectors that are absent (#NP). */
static void idt_build(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_gate(v, (v == 3 || v == 4 || v == 0x80 || v == VEC_END) ? 3 : 0, 1);
	for (int k = 0; k < 4; k++) {
		unsigned v = 0x30 + below(0xd0);
		if (v != VEC_END && v != 0x80)
			idt_gate(v, below(4), 0);
	}
	for (unsigned v = 0; v < 256; v++) {
		idt_init[v][0] = fz_idt[v][0];
		idt_init[v][1] = fz_idt[v][1];
	}
	fz_idtr.limit = sizeof(fz_idt) - 1;
	fz_idtr.base = (u32)fz_idt;
}

/* Give the TSS an I/O bitmap (ring 3, io=1): a seeded set of ports is allowed,
 * never the forbidden ones. */
static void tss_bitmap_build(void)
{
	u8 *map = tss + 104;
	for (u32 i = 0; i < 8192; i++)
		map[i] = 0xff;
	map[8192] = 0xff;
	static const u16 fav[] = { 0x20, 0x21, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x80,
				   0xa0, 0xa1, 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f6, 0x1f7, 0x3f6,
				   0x170, 0x177 };
	for (u32 i = 0; i < sizeof(fav) / sizeof(fav[0]); i++)
		if (one_in(2))
			map[fav[i] >> 3] &= (u8)~(1u << (fav[i] & 7));
	for (int k = 0; k < 64; k++) {
		u32 p = below(0x10000);
		if (!port_forbidden(p) && !uart_port(p))
			map[p >> 3] &= (u8)~(1u << (p & 7));
	}
}

/* Reload GDT, IDT and TSS after a snippet: sys_init() rewrites the GDT and TSS, the
 * TSS limit then covers the bitmap when io=1 (its busy bit cleared for LTR). */
static void tables_restore(void)
{
	sys_init();
	if (cfg.ring3 && !cfg.paging) /* ring 3 data: expand-down, above 4 MB only */
		sys_desc(4, 0, 0x3fffff, 0x7, 3, 1, 1, 1);
	if (cfg.io && cfg.ring3) {
		sys_desc(5, (u32)tss, 104 + 8192, 0x9, 0, 0, 1, 0);
		__asm__ volatile("ltr %w0" ::"r"(SEL_TSS));
	}
	for (unsigned v = 0; v < 256; v++) { /* a ring-0 snippet may have written it */
		fz_idt[v][0] = idt_init[v][0];
		fz_idt[v][1] = idt_init[v][1];
	}
	__asm__ volatile("lidt %0" ::"m"(fz_idtr));
	for (int i = 0; i < 32; i++)
		fz_gdt_copy[i] = ((u32 *)gdt)[i];
	fz_gdt_copy[5 * 2 + 1] &= ~0x200u; /* TSS available again for fz_abort's LTR */
	fz_gdtr.limit = sizeof(gdt) - 1;
	fz_gdtr.base = (u32)gdt;
}

/* ---- page tables ---- */

/* A PTE for sandbox page `i` (frame i): mostly identity with seeded attributes; some
 * alias another sandbox frame, a few map a frame beyond RAM. */
static u32 sandbox_pte(u32 i)
{
	u32 frame = SANDBOX + i * 4096;
	u32 r = below(100), a;
	if (r < 40)
		a = PTE_P | PTE_W | PTE_U;
	else if (r < 55)
		a = PTE_P | PTE_U;
	else if (r < 70)
		a = PTE_P | PTE_W;
	else if (r < 80)
		a = PTE_P;
	else if (r < 93)
		a = below(8) & ~PTE_P;
	else if (r < 97) {
		frame = SANDBOX + below(SANDBOX_SIZE / 4096) * 4096;
		a = PTE_P | PTE_W | PTE_U;
	} else {
		frame = (RAM_END + below(0xf0000000u)) & ~0xfffu;
		a = PTE_P | PTE_W | PTE_U;
	}
	if (one_in(8))
		a |= PTE_G;
	return frame | a;
}

/* A wild page-directory entry: a 4 MB page or a page table at a random frame, in
 * RAM or beyond it, with random attributes. */
static u32 wild_pde(void)
{
	u32 where = one_in(2) ? below(RAM_END) : rnd();
	u32 attr = PTE_P | (below(8) & (PTE_W | PTE_U)) | (one_in(8) ? PTE_G : 0);
	if (one_in(2))
		return (where & 0xffc00000u) | attr | PTE_PS;
	return (where & ~0xfffu) | attr;
}

/* Build the seed's pristine tables: 0..4 MB supervisor identity (page 0 absent), the
 * sandbox page by page, a writable and a read-only user 4 MB page, RAM above as
 * supervisor 4 MB pages, and eight wild entries elsewhere. */
static void paging_build(void)
{
	for (u32 i = 0; i < 1024; i++)
		pt0[i] = i ? (i * 4096) | PTE_P | PTE_W : 0;
	for (u32 i = 0; i < 1024; i++)
		pt1_init[i] = sandbox_pte(i);
	for (u32 i = 0x1ff; i <= 0x201; i++)
		pt1_init[i] = (SANDBOX + i * 4096) | PTE_P | PTE_W | PTE_U;
	for (u32 i = 0; i < 1024; i++)
		pd_init[i] = 0;
	pd_init[0] = (u32)pt0 | PTE_P | PTE_W;
	pd_init[1] = (u32)pt1 | PTE_P | PTE_W | PTE_U;
	pd_init[2] = 0x00800000u | PTE_P | PTE_W | PTE_U | PTE_PS;
	pd_init[3] = 0x00c00000u | PTE_P | PTE_U | PTE_PS;
	for (u32 i = 4; i < RAM_END >> 22; i++)
		pd_init[i] = (i << 22) | PTE_P | PTE_W | PTE_PS;
	for (int k = 0; k < 8; k++) {
		u32 i = (RAM_END >> 22) + below(1024 - (RAM_END >> 22));
		pd_init[i] = wild_pde();
		wild[k] = i << 22;
	}
}

/* Copy the pristine tables into the live ones, and derive the alternative directory
 * (the kernel mapped the same, the rest perturbed) that a snippet may get as CR3. */
static void paging_restore(void)
{
	for (u32 i = 0; i < 1024; i++) {
		pd[i] = pd_init[i];
		pt1[i] = pt1_init[i];
		pd_alt[i] = pd_init[i];
	}
	for (u32 i = 0; i < 1024; i++)
		pt0[i] = i ? (i * 4096) | PTE_P | PTE_W : 0;
	for (int k = 0; k < 4; k++)
		pd_alt[1 + below(1023)] = one_in(3) ? 0 : wild_pde();
	pd_alt[1] = (u32)pt1 | PTE_P | PTE_W | PTE_U;
}

/* ---- devices ---- */

/* Remap the PIC to 0x20..0x2F with only the timer unmasked, and start the PIT's
 * channel 0 as the watchdog; put the UART back to 8N1 without interrupts. */
static void devices_restore(void)
{
	static const u8 seq[][2] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 }, { 0x21, 0x20 }, { 0xa1, 0x28 }, { 0x21, 0x04 },
		{ 0xa1, 0x02 }, { 0x21, 0x01 }, { 0xa1, 0x01 }, { 0x21, 0xfe }, { 0xa1, 0xff },
		{ 0x43, 0x34 }, { 0x40, PIT_DIVISOR & 0xff }, { 0x40, PIT_DIVISOR >> 8 },
	};
	for (u32 i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		outb(seq[i][0], seq[i][1]);
	if (cfg.io) {
		outb(0x3fb, 0x03);
		outb(0x3f9, 0x00);
		outb(0x3fc, 0x03);
	}
}

/* A port for random I/O: a device register most of the time, any port otherwise. */
static u16 random_port(void)
{
	static const u16 dev[] = { 0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70,
				   0x71, 0x80, 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6,
				   0x1f7, 0x3f6, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff };
	u32 p;
	do
		p = one_in(3) ? below(0x10000) : dev[below(sizeof(dev) / sizeof(dev[0]))];
	while (port_forbidden(p));
	return (u16)p;
}

/* One random port access: IN or OUT of 8, 16 or 32 bits, or a short string I/O. */
static void random_io_one(void)
{
	u16 p = random_port();
	u32 v = rnd(), k = below(8), cnt = 1 + below(16);
	if (uart_port(p))
		k = k & 1 ? 3 : 0;
	switch (k) {
	case 0: __asm__ volatile("outb %b0, %w1" ::"a"(v), "d"(p)); break;
	case 1: __asm__ volatile("outw %w0, %w1" ::"a"(v), "d"(p)); break;
	case 2: __asm__ volatile("outl %0, %w1" ::"a"(v), "d"(p)); break;
	case 3: __asm__ volatile("inb %w1, %b0" : "=a"(v) : "d"(p)); break;
	case 4: __asm__ volatile("inw %w1, %w0" : "=a"(v) : "d"(p)); break;
	case 5: __asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(p)); break;
	case 6: {
		u8 *dst = io_buf;
		__asm__ volatile("cld; rep insw" : "+D"(dst), "+c"(cnt) : "d"(p) : "memory");
		break;
	}
	default: {
		const u8 *src = io_buf;
		__asm__ volatile("cld; rep outsw" : "+S"(src), "+c"(cnt) : "d"(p) : "memory");
		break;
	}
	}
}

/* io=1: zero to four random port accesses before the snippet. */
static void random_io(void)
{
	for (u32 k = below(5); k; k--)
		random_io_one();
}

/* ---- registers ---- */

/* A value for a general register: a sandbox or code pointer, a small number, an
 * edge case, a huge count, a pointer into a wild region, or anything. */
static u32 reg_value(void)
{
	static const u32 edge[] = { 0, 1, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0xffff, 0x10000,
				    0xfffffffcu, 0x1000, 0xfff, RAM_END - 4, RAM_END };
	u32 r = below(100);
	if (r < 25)
		return SANDBOX + below(SANDBOX_SIZE);
	if (r < 40)
		return CODE_PAGE + below(0x2000);
	if (r < 55)
		return below(64);
	if (r < 65)
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	if (r < 72)
		return one_in(2) ? 0xffffffffu : 0x40000000u + below(0x40000000u);
	if (r < 82 && cfg.paging)
		return wild[below(8)] + below(0x400000);
	return rnd();
}

/* Keep DX away from the ports that end or reset the machine. */
static u32 safe_dx(u32 v)
{
	return port_forbidden(v) ? v ^ 0x100 : v;
}

/* The snippet's stack pointer: the stack page, right after the code (so a frame
 * lands on code that just ran), anywhere in the sandbox, or anywhere. */
static u32 esp_value(void)
{
	u32 r = below(100);
	if (r < 40)
		return STACK_PAGE + 0x1000 - 4 * below(16);
	if (r < 60)
		return CODE_PAGE + SNIP_OFF + SNIP_LEN + 20 + 4 * below(8);
	if (r < 70)
		return STACK_PAGE + 4 * below(8);
	if (r < 90)
		return (SANDBOX + below(SANDBOX_SIZE)) & ~3u;
	return rnd();
}

/* EFLAGS for the snippet: reserved bit 1, random arithmetic flags, mostly IF, now
 * and then DF, TF, AC, NT, IOPL. Ring 3 always gets IF (the watchdog needs it). */
static u32 eflags_value(void)
{
	u32 f = 0x2 | (rnd() & 0x8d5);
	if (cfg.ring3 || !one_in(16))
		f |= 0x200;
	if (one_in(8))
		f |= 0x400;
	if (one_in(32))
		f |= 0x100;
	if (one_in(8))
		f |= 0x40000;
	if (one_in(512))
		f |= 0x4000; /* NT: an IRET then is a task return, which ends most runs */
	if (cfg.ring3 ? one_in(16) : 1)
		f |= (cfg.ring3 ? 3u : below(4)) << 12;
	return f;
}

/* A data segment selector: the ring's flat data mostly, else null, code, the other. */
static u32 dseg_value(void)
{
	u32 r = below(10);
	if (cfg.ring3)
		return r < 7 ? SEL_DATA3 : r < 9 ? 0 : SEL_CODE3;
	return r < 6 ? SEL_DATA0 : r < 8 ? SEL_DATA3 : r < 9 ? SEL_CODE0 : 0;
}

/* The CR3 a ring-0 snippet starts with: ours, the perturbed directory, or garbage
 * (in RAM or beyond it). Ring 3 always gets ours. */
static u32 cr3_value(void)
{
	if (cfg.ring3 || !cfg.paging)
		return fz_cr3;
	if (one_in(64))
		return (one_in(2) ? below(RAM_END) : rnd()) & ~0xfffu;
	if (one_in(16))
		return (u32)pd_alt;
	return fz_cr3;
}

/* Randomise the snippet's whole register state into the fz_t_ variables. */
static void regs_randomise(void)
{
	fz_t_eax = reg_value();
	fz_t_ebx = reg_value();
	fz_t_ecx = one_in(3) ? (one_in(2) ? 0xffffffffu : 0x10000000u + below(0x70000000u)) : reg_value();
	fz_t_edx = safe_dx(reg_value());
	fz_t_esi = reg_value();
	fz_t_edi = reg_value();
	fz_t_ebp = reg_value();
	fz_t_esp = esp_value();
	fz_t_eip = CODE_PAGE + SNIP_OFF;
	fz_t_eflags = eflags_value();
	fz_t_ds = dseg_value();
	fz_t_es = dseg_value();
	fz_t_fs = dseg_value();
	fz_t_gs = dseg_value();
	fz_t_cr3 = cr3_value();
	fz_t_ring3 = cfg.ring3;
}

/* The kernel's control registers for the next snippet: PE, ET, paging if asked (with
 * PSE for the 4 MB pages), and a random WP, PGE, TSD, DE. */
static void cr_randomise(void)
{
	fz_cr3 = (u32)pd;
	fz_cr4 = (cfg.paging ? 0x10u : 0) | (one_in(4) ? 0x80u : 0) | (one_in(8) ? 0x4u : 0) |
		 (one_in(8) ? 0x8u : 0);
	fz_cr0 = CR0_PE | CR0_EM | CR0_ET | (cfg.paging ? CR0_PG : 0) | (one_in(2) ? CR0_WP : 0);
}

/* SYSENTER lands in fz_sysenter half of the time; otherwise its CS is null (#GP). */
static void msrs_restore(void)
{
	int ok = one_in(2);
	wrmsr(0x174, ok ? SEL_CODE0 : 0, 0);
	wrmsr(0x175, (u32)fz_sysenter_stack + sizeof(fz_sysenter_stack), 0);
	wrmsr(0x176, (u32)fz_sysenter, 0);
}

/* ---- the loop ---- */

/* Put the machine back in a known state: control registers, tables, devices, MSRs. */
static void machine_restore(void)
{
	write_cr0(CR0_PE | CR0_ET);
	paging_restore();
	write_cr4(fz_cr4);
	write_cr3(fz_cr3);
	write_cr0(fz_cr0);
	tables_restore();
	devices_restore();
	msrs_restore();
}

/* The one-character summary of a snippet's ending vector. */
static char vec_char(u32 v)
{
	if (v == VEC_END)
		return '.';
	if (v == VEC_SYSENTER)
		return 's';
	if (v == 0x20)
		return 't';
	if (v < 32)
		return (char)('A' + (v < 26 ? v : 25));
	return 'i';
}

/* verbose: print the snippet's code and starting registers before it runs. */
static void dump_snippet(u32 i)
{
	const u8 *c = (const u8 *)(CODE_PAGE + SNIP_OFF);
	rt_printf("snip %u code", i);
	for (u32 k = 0; k < SNIP_LEN + 24; k++)
		rt_printf(" %02x", c[k]);
	rt_printf("\nsnip %u regs eax %x ebx %x ecx %x edx %x esi %x edi %x ebp %x esp %x fl %x"
		  " ds %x es %x fs %x gs %x cr0 %x cr3 %x cr4 %x\n", i, fz_t_eax, fz_t_ebx, fz_t_ecx,
		  fz_t_edx, fz_t_esi, fz_t_edi, fz_t_ebp, fz_t_esp, fz_t_eflags, fz_t_ds, fz_t_es,
		  fz_t_fs, fz_t_gs, fz_cr0, fz_t_cr3, fz_cr4);
}

/* Report one snippet's end: a line in verbose mode, a character otherwise. */
static void report(u32 i, u32 v)
{
	if (cfg.verbose) {
		rt_printf("snip %u vec %x err %x eip %x cs %x fl %x cr2 %x\n", i, v, fz_err, fz_eip,
			  fz_cs & 0xffff, fz_eflags, fz_cr2);
		return;
	}
	rt_putc(vec_char(v));
	if (i % 64 == 63)
		rt_putc('\n');
}

/* Reached from the stubs when a trap happens outside a snippet: the kernel itself
 * broke (a snippet may have corrupted it). Report and end with status 7. */
void fz_panic(void)
{
	rt_printf("\nrandcode: kernel trap vec %x err %x eip %x\n", fz_vec, fz_err, fz_eip);
	rt_exit(3);
}

void kmain(void)
{
	cfg.seed = rt_arg("seed", 1);
	cfg.n = rt_arg("n", 100);
	cfg.ring3 = rt_arg("mode", 3) == 3;
	cfg.paging = rt_arg("paging", 0) != 0;
	cfg.io = rt_arg("io", 0) != 0;
	cfg.verbose = rt_has("verbose");
	rt_printf("randcode seed=%u n=%u mode=%u paging=%u io=%u\n", cfg.seed, cfg.n,
		  cfg.ring3 ? 3 : 0, cfg.paging, cfg.io);
	rng_seed(cfg.seed);
	idt_build();
	paging_build();
	if (cfg.io && cfg.ring3)
		tss_bitmap_build();
	u32 crc = 0xffffffffu, done = 0;
	for (u32 i = 0; i < cfg.n; i++) {
		cr_randomise();
		machine_restore();
		if (cfg.io)
			random_io();
		devices_restore();
		gen_snippet(cfg.ring3, (u32)fz_snip_end);
		regs_randomise();
		if (cfg.verbose)
			dump_snippet(i);
		u32 v = fz_enter();
		tables_restore(); /* enough to report; the rest is restored before the next */
		devices_restore();
		crc = rt_crc(crc, v);
		done++;
		report(i, v);
	}
	if (!cfg.verbose && cfg.n % 64)
		rt_putc('\n');
	rt_printf("randcode seed=%u n=%u done=%u exc=%08x\n", cfg.seed, cfg.n, done, crc);
	rt_exit(0);
}

/*
 * The assembly. Stubs: `movl $n, %ss:fz_vec` and a jump to the common code for
 * vectors with or without an error code (INT n with such a vector has none: then the
 * recorded frame is off by one word, which only blurs the report). The common code
 * records the frame through %ss, sends EOI for PIC vectors and returns into the
 * snippet until the watchdog expires; every other vector aborts the snippet.
 *
 * fz_abort: paging off, the kernel's CR4/CR3/CR0, the pristine GDT, our GDTR and
 * IDTR, flat segments, the kernel stack saved by fz_enter, CS reloaded, TR reloaded,
 * and a return from fz_enter with the vector.
 */
/* The snippet's registers from fz_t_*, EAX last (it held CR3) and the data segments
 * through SS (DS may be the snippet's own): the tail of both ways into a snippet. */
#define FZ_LOAD_REGS                     \
	"  mov fz_t_ebx, %ebx\n"          \
	"  mov fz_t_ecx, %ecx\n"          \
	"  mov fz_t_edx, %edx\n"          \
	"  mov fz_t_esi, %esi\n"          \
	"  mov fz_t_edi, %edi\n"          \
	"  mov fz_t_ebp, %ebp\n"          \
	"  mov fz_t_eax, %eax\n"          \
	"  mov %ss:fz_t_ds, %ds\n"        \
	"  mov %ss:fz_t_es, %es\n"        \
	"  mov %ss:fz_t_fs, %fs\n"        \
	"  mov %ss:fz_t_gs, %gs\n"

__asm__(".text\n"
	".macro FZSTUB n\n"
	"  .align 16\n"
	"fzstub\\n:\n"
	"  movl $\\n, %ss:fz_vec\n"
	"  .if (\\n == 8 || (\\n >= 10 && \\n <= 14) || \\n == 17)\n"
	"  jmp fz_common_err\n"
	"  .else\n"
	"  jmp fz_common_noerr\n"
	"  .endif\n"
	".endm\n"
	".altmacro\n"
	".set i, 0\n.rept 256\n  FZSTUB %i\n  .set i, i + 1\n.endr\n"
	".macro FZADDR n\n .long fzstub\\n\n.endm\n"
	".section .rodata\n.globl fz_stubs\nfz_stubs:\n"
	".set i, 0\n.rept 256\n  FZADDR %i\n  .set i, i + 1\n.endr\n"
	".noaltmacro\n"
	".text\n"
	"fz_common_err:\n"
	"  mov %eax, %ss:fz_eax_save\n"
	"  mov (%esp), %eax\n"
	"  mov %eax, %ss:fz_err\n"
	"  add $4, %esp\n"
	"  jmp fz_common\n"
	"fz_common_noerr:\n"
	"  mov %eax, %ss:fz_eax_save\n"
	"  movl $0, %ss:fz_err\n"
	"fz_common:\n"
	"  mov (%esp), %eax\n"
	"  mov %eax, %ss:fz_eip\n"
	"  mov 4(%esp), %eax\n"
	"  mov %eax, %ss:fz_cs\n"
	"  mov 8(%esp), %eax\n"
	"  mov %eax, %ss:fz_eflags\n"
	"  mov %cr2, %eax\n"
	"  mov %eax, %ss:fz_cr2\n"
	"  cmpl $0, %ss:fz_in_snippet\n"
	"  je fz_kernel_trap\n"
	"  mov %ss:fz_vec, %eax\n"
	"  cmp $0x20, %eax\n"
	"  jb fz_abort\n"
	"  cmp $0x30, %eax\n"
	"  jae fz_abort\n"
	"  cmp $0x28, %eax\n"
	"  mov $0x20, %al\n"
	"  jb 1f\n"
	"  out %al, $0xa0\n"
	"1: out %al, $0x20\n"
	"  cmpl $0x20, %ss:fz_vec\n"
	"  jne 2f\n"
	"  incl %ss:fz_ticks\n"
	"  cmpl $" STR(FZ_TICKS) ", %ss:fz_ticks\n"
	"  jae fz_abort\n"
	"2: mov %ss:fz_eax_save, %eax\n"
	"  iret\n"
	"fz_kernel_trap:\n"
	"  mov $0x10, %ax\n"
	"  mov %ax, %ss\n"
	"  mov $fz_panic_stack + 4096, %esp\n"
	"  mov %ax, %ds\n"
	"  mov %ax, %es\n"
	"  call fz_panic\n"
	".globl fz_snip_end\n"
	"fz_snip_end:\n"
	"  movl $0x81, %ss:fz_vec\n"
	"  jmp 3f\n"
	".globl fz_sysenter\n"
	"fz_sysenter:\n"
	"  movl $0x82, %ss:fz_vec\n"
	"3: movl $0, %ss:fz_err\n"
	"  movl $0, %ss:fz_eip\n"
	"  movl $0, %ss:fz_cs\n"
	"  movl $0, %ss:fz_eflags\n"
	"fz_abort:\n"
	"  cli\n"
	"  mov $0x11, %eax\n"
	"  mov %eax, %cr0\n"
	"  mov %ss:fz_cr4, %eax\n"
	"  mov %eax, %cr4\n"
	"  mov %ss:fz_cr3, %eax\n"
	"  mov %eax, %cr3\n"
	"  mov %ss:fz_cr0, %eax\n"
	"  mov %eax, %cr0\n"
	"  xor %ecx, %ecx\n"
	"4: mov %ss:fz_gdt_copy(,%ecx,4), %eax\n"
	"  mov %eax, %ss:gdt(,%ecx,4)\n"
	"  inc %ecx\n"
	"  cmp $32, %ecx\n"
	"  jb 4b\n"
	"  lgdt %ss:fz_gdtr\n"
	"  lidt %ss:fz_idtr\n"
	"  mov $0x10, %ax\n"
	"  mov %ax, %ss\n"
	"  mov %ss:fz_kesp, %esp\n"
	"  mov %ax, %ds\n"
	"  mov %ax, %es\n"
	"  mov %ax, %fs\n"
	"  mov %ax, %gs\n"
	"  ljmp $0x08, $5f\n"
	"5: mov $0x28, %ax\n"
	"  ltr %ax\n"
	"  movl $0, fz_in_snippet\n"
	"  mov fz_vec, %eax\n"
	"  pop %edi\n"
	"  pop %esi\n"
	"  pop %ebx\n"
	"  pop %ebp\n"
	"  ret\n"
	/* fz_enter: save the kernel's context, then jump into the snippet (ring 0) or
	 * IRET to it (ring 3) with the fz_t_ registers. */
	".globl fz_enter\n"
	"fz_enter:\n"
	"  push %ebp\n"
	"  push %ebx\n"
	"  push %esi\n"
	"  push %edi\n"
	"  mov %esp, fz_kesp\n"
	"  movl $0, fz_ticks\n"
	"  movl $1, fz_in_snippet\n"
	"  cmpl $0, fz_t_ring3\n"
	"  jne 6f\n"
	"  pushl fz_t_eflags\n"
	"  mov fz_t_cr3, %eax\n"
	"  mov %eax, %cr3\n"
	FZ_LOAD_REGS
	"  popf\n"
	"  mov %ss:fz_t_esp, %esp\n"
	"  jmp *%ss:fz_t_eip\n"
	"6: pushl $0x23\n"
	"  pushl fz_t_esp\n"
	"  pushl fz_t_eflags\n"
	"  pushl $0x1b\n"
	"  pushl fz_t_eip\n"
	FZ_LOAD_REGS
	"  iret\n");

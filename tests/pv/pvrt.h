/*
 * pvrt.h — the runtime of the pv attack kernel (tests/pv/attack.c): a multiboot kernel
 * that speaks the pv boot protocol (guest/kernel/pvabi.h) instead of the differential
 * kernels' ring-0 world (tests/diff/rt.c, whose types it shares).
 *
 * The story of a run: the VMM starts the kernel in ring 1 with EDX = PV_BOOT_MAGIC.
 * Until it registers, its console is port I/O that faults and is emulated (as te
 * does); after PVH_REGISTER every line is one PVH_CONSOLE_WRITE. It loads its own GDT
 * and trap table by hypercall, and every exception of an attempt comes back through
 * that trap table to `guarded`, which records it in `last` and resumes in ring 1.
 * The run ends with PVH_SHUTDOWN (port 0xF4 natively).
 */
#ifndef PVRT_H
#define PVRT_H

#include "rt.h" /* the integer types, inb/outb */
#include "../../guest/kernel/pvabi.h"

/* The kernel's GDT (attack.c): ring-0 code and data where the boot loader left the
 * selectors (0x10, 0x18), so that only the descriptor cache differs after a reload. */
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UCODE 0x20
#define SEL_UDATA 0x28
#define KCODE (SEL_KCODE | 1) /* what the kernel runs with in ring 1 */
#define KDATA (SEL_KDATA | 1)
#define UCODE (SEL_UCODE | 3)
#define UDATA (SEL_UDATA | 3)

#define VMM_WIN 0xffff0000u /* the pv VMM's window: the top 64 KB */

extern u32 boot_edx, boot_cs; /* EDX and CS at entry */
extern u32 ram_end;           /* guest RAM's size (multiboot mem_upper) */
extern int registered;        /* PVH_REGISTER succeeded: the console is a hypercall */
extern struct pv_shared shared;

static inline int hc5(u32 op, u32 a, u32 b, u32 c, u32 d, u32 e)
{
	int r;
	__asm__ volatile("int $0x82" : "=a"(r) : "a"(op), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}
static inline int hc(u32 op, u32 a, u32 b) { return hc5(op, a, b, 0, 0, 0); }

void pr(const char *fmt, ...);
_Noreturn void pv_exit(int code);

/* The command line after the file name; whether it has `word`; `key=N`. */
extern const char *cmdline;
int has(const char *word);
u32 arg(const char *key, u32 def);

/* The last exception an attempt raised (vector, error code, EIP, CS, CR2 from the
 * shared page) and how many so far. */
struct trap {
	u32 vec, err, eip, cs, cr2, count;
};
extern volatile struct trap last;

/* Run fn(a); 0 if it returned, 1 if it raised an exception (then in `last`). */
int guarded(void (*fn)(u32), u32 a);

/* The trap stubs for vectors 0..31 (handler addresses for a trap table). */
extern const u32 trap_stubs[32];

/* A gate of an IDT-format table. */
static inline void set_gate(u32 (*t)[2], unsigned v, u32 sel, u32 off, unsigned type, unsigned dpl)
{
	t[v][0] = (off & 0xffff) | (sel << 16);
	t[v][1] = (off & 0xffff0000u) | 0x8000u | (dpl << 13) | (type << 8);
}

/* A code or data descriptor (s=1) or a system one (s=0); limit in bytes (> 1 MB:
 * page-granular). */
void set_desc(u32 *d, u32 base, u32 limit, unsigned type, unsigned dpl, int s);


#endif

/*
 * nano.c — the nanobenchmarks of Adams & Agesen (and HyperBench): each repeats one
 * operation n times between the measurement markers and prints one @result line.
 * Privileged ones run as kernel loops (SYS_bench), as the paper's kernel module did.
 *
 * Two of ours measure more than the paper's cell of the same name, and keep their
 * names: pgfault touches fresh demand-zero pages (the fault allocates and zeroes a
 * page: a 1093-cycle native fault cannot include that), ptemod writes a PTE and
 * invalidates it. The paper's are separate programs: pgfault_prealloc (a first touch of
 * a page whose frame mmap already allocated and zeroed: the fault path and one PTE
 * write) and ptestore (one store to a live PTE). callret is a user loop; the paper's
 * ran in its kernel (BT's 51 cycles come from translated returns; user code runs
 * directly): kcallret, the same loop in the kernel. `aa06` runs the paper's set.
 */
#include "progs.h"

static volatile uint sink;
static volatile uint handled;

__attribute__((noinline)) static uint callee(uint x) { return x + 1; }
static uint (*volatile callee_ptr)(uint) = callee;

/* The divide-error handler: count, and resume after the 2-byte DIV. */
void divzero_handler(void);
__asm__(".text\n.globl divzero_handler\ndivzero_handler:\n"
	"  incl handled\n  movl $" "20" ", %eax\n  movl $2, %ebx\n  int $0x80\n");

static u64 user_loop(const char *name, uint n, uint idx)
{
	u64 t0, t1;
	if (!strcmp(name, "syscall")) {
		t0 = rdtsc();
		marker(MARK_BEGIN, idx);
		for (uint i = 0; i < n; i++)
			getpid();
		marker(MARK_END, idx);
		t1 = rdtsc();
	} else if (!strcmp(name, "callret")) {
		uint x = 0;
		t0 = rdtsc();
		marker(MARK_BEGIN, idx);
		for (uint i = 0; i < n; i++)
			x = callee_ptr(x);
		marker(MARK_END, idx);
		t1 = rdtsc();
		sink = x;
	} else if (!strcmp(name, "pgfault") || !strcmp(name, "pgfault_prealloc")) {
		char *m = name[7] ? (char *)sys3(SYS_mmap, n * 4096, 1, MMAP_PREALLOC) : mmap(n * 4096, 1);
		if (m == (char *)-1)
			return (u64)-1;
		t0 = rdtsc();
		marker(MARK_BEGIN, idx);
		for (uint i = 0; i < n; i++)
			m[i * 4096] = 1;
		marker(MARK_END, idx);
		t1 = rdtsc();
		munmap(m, n * 4096);
	} else {
		/* divzero */
		sys3(SYS_signal, (uint)divzero_handler, 0, 0);
		handled = 0;
		t0 = rdtsc();
		marker(MARK_BEGIN, idx);
		for (uint i = 0; i < n; i++)
			__asm__ volatile("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\t.byte 0xf7, 0xf1" /* div %ecx */
					 ::"c"(0) : "eax", "edx", "memory");
		marker(MARK_END, idx);
		t1 = rdtsc();
		if (handled != n)
			printf("divzero: %u of %u faults handled\n", handled, n);
	}
	return t1 - t0;
}

static const struct {
	const char *name;
	int kind;  /* SYS_bench kind, or 0 for a user loop */
	int extra; /* not part of nanobench (its set of 13 stays as it was) */
} nanos[] = {
	{ "syscall", 0, 0 }, { "in", KB_IN, 0 }, { "out", KB_OUT, 0 }, { "cr3", KB_CR3, 0 },
	{ "pushf_popf", KB_PUSHF_POPF, 0 }, { "sgdt", KB_SGDT, 0 }, { "sidt", KB_SIDT, 0 },
	{ "smsw", KB_SMSW, 0 }, { "cpuid", KB_CPUID, 0 }, { "callret", 0, 0 }, { "pgfault", 0, 0 },
	{ "divzero", 0, 0 }, { "ptemod", KB_PTEMOD, 0 },
	{ "pgfault_prealloc", 0, 1 }, { "ptestore", KB_PTESTORE, 1 }, { "kcallret", KB_CALLRET, 1 },
};

/* Adams & Agesen 2006's nanobenchmarks as the paper measured them (cr8wr has no
 * analogue: a 32-bit guest has no CR8 and ringlab's PC no local APIC). */
static const char *const aa06[] = { "syscall", "in", "kcallret", "pgfault_prealloc", "divzero", "ptestore" };

int nano_one(const char *name, uint n, uint idx)
{
	for (uint i = 0; i < sizeof(nanos) / sizeof(nanos[0]); i++) {
		if (strcmp(name, nanos[i].name))
			continue;
		u64 c = nanos[i].kind ? (u64)(uint)sys3(SYS_bench, (uint)nanos[i].kind, n, idx)
				      : user_loop(name, n, idx);
		if (c == (u64)-1 || c == 0xffffffffu) {
			printf("%s: failed\n", name);
			return 1;
		}
		result(name, n, c);
		return 0;
	}
	return 1;
}

static uint default_n(const char *name)
{
	if (!strcmp(name, "pgfault") || !strcmp(name, "pgfault_prealloc"))
		return 1000;
	if (!strcmp(name, "in") || !strcmp(name, "out") || !strcmp(name, "cpuid") || !strcmp(name, "divzero"))
		return 2000;
	return 10000;
}

int p_nano(int argc, char **argv)
{
	return nano_one(argv[0], arg(argc, argv, "n", default_n(argv[0])), 0);
}

int p_nanobench(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 0);
	int bad = 0;
	for (uint i = 0; i < sizeof(nanos) / sizeof(nanos[0]); i++)
		if (!nanos[i].extra)
			bad |= nano_one(nanos[i].name, n ? n : default_n(nanos[i].name), i);
	return bad;
}

int p_aa06(int argc, char **argv)
{
	uint n = arg(argc, argv, "n", 0);
	int bad = 0;
	for (uint i = 0; i < sizeof(aa06) / sizeof(aa06[0]); i++)
		bad |= nano_one(aa06[i], n ? n : default_n(aa06[i]), i);
	return bad;
}

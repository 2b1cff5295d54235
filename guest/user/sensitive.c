/*
 * sensitive.c — the `sensitive` program: does each of Robin & Irvine's sensitive
 * instructions answer what a real machine answers? Ring 0 checks run in the kernel
 * (SYS_sensitive, guest/kernel/sensitive.c); ring 3 checks run here. One line per
 * check ("@sensitive ring0.popf_if ok" or "... WRONG: expected 0x0, got 0x200"), a
 * summary, and one @result line (the cost of all the checks, and correct=N: how many
 * answered as on hardware) for bench run.
 *
 * On QEMU, natively and under every correct VMM (hvm, and bt and pv once they exist)
 * every check is ok; under naive trap-and-emulate (te) several are WRONG — without a
 * single fault: the lesson of Popek and Goldberg's theorem on the x86.
 */
#include "progs.h"

#define KCODE_SEL 0x08u
#define KDATA_SEL 0x10u
#define TSS_SEL 0x28u

static const char *const ring0_names[] = {
	"cs_rpl", "popf_if", "pushf_iopl", "sgdt", "sidt", "smsw", "str", "sldt", "lar_kcode", "lsl_kdata", "verw_kdata",
};

static int report(const char *ring, const char *name, uint expected, uint got)
{
	if (expected == got) {
		printf("@sensitive %s.%s ok\n", ring, name);
		return 1;
	}
	printf("@sensitive %s.%s WRONG: expected %x, got %x\n", ring, name, expected, got);
	return 0;
}

/* ZF after LAR/VERR of `sel` from ring 3. */
static uint lar_zf(uint sel)
{
	uint v = 0, z;
	__asm__ volatile("larl %2, %0; setz %b1; movzbl %b1, %1" : "+r"(v), "=q"(z) : "r"(sel));
	return z;
}

static uint verr_zf(uint sel)
{
	uint z;
	__asm__ volatile("verr %w1; setz %b0; movzbl %b0, %0" : "=q"(z) : "r"(sel));
	return z;
}

int p_sensitive(int argc, char **argv)
{
	uint k[64], n0, ok = 0, all = 0, v, f1, f2;
	struct {
		unsigned short limit;
		uint base;
	} __attribute__((packed)) d;
	u64 t0 = rdtsc();
	marker(MARK_BEGIN, 0);
	int nk = sys3(SYS_sensitive, (uint)k, 64, 0);
	/* ring 3 */
	__asm__ volatile("movl %%cs, %0" : "=r"(v));
	uint cs = v & 3;
	__asm__ volatile("pushfl; popl %0" : "=r"(f1));
	/* POPF may change neither IOPL nor IF here (CPL 3 > IOPL 0): silently */
	__asm__ volatile("pushfl; orl $0x3000, (%%esp); andl $~0x200, (%%esp); popfl; pushfl; popl %0"
			 : "=r"(f2)::"cc");
	__asm__ volatile("sgdt %0" : "=m"(d));
	uint gbase = d.base;
	__asm__ volatile("smsw %0" : "=r"(v));
	uint msw = v & 0xffff;
	__asm__ volatile("str %0" : "=r"(v));
	uint tr = v & 0xffff;
	uint larz = lar_zf(KCODE_SEL), verrz = verr_zf(KDATA_SEL);
	marker(MARK_END, 0);
	u64 c = rdtsc() - t0;
	if (nk < 0) {
		printf("sensitive: the kernel has no SYS_sensitive\n");
		return 1;
	}
	n0 = (uint)nk < sizeof(ring0_names) / sizeof(ring0_names[0]) ? (uint)nk : sizeof(ring0_names) / sizeof(ring0_names[0]);
	for (uint i = 0; i < n0; i++, all++)
		ok += report("ring0", ring0_names[i], k[2 * i], k[2 * i + 1]);
	ok += report("ring3", "cs_rpl", 3, cs), all++;
	ok += report("ring3", "pushf_if", 0x200, f1 & 0x200), all++;
	ok += report("ring3", "popf_iopl", 0, (f2 >> 12) & 3), all++;
	ok += report("ring3", "popf_if", 0x200, f2 & 0x200), all++;
	ok += report("ring3", "sgdt", k[6], gbase), all++;           /* the kernel's GDT, as ring 0 saw it */
	ok += report("ring3", "smsw", k[10], msw), all++;            /* the kernel's CR0, low half */
	ok += report("ring3", "str", TSS_SEL, tr), all++;
	ok += report("ring3", "lar_kcode", 0, larz), all++;          /* a DPL-0 descriptor is invisible */
	ok += report("ring3", "verr_kdata", 0, verrz), all++;
	printf("sensitive: %u of %u as on hardware\n", ok, all);
	printf("@result name=sensitive ops=%u cycles=%llu correct=%u\n", all, c, ok);
	return 0; /* the verdict is in the output: a wrong answer is a finding, not a failure */
}

/*
 * main.c — the main user image: one binary holding every program, chosen by argv[0]
 * (the first word of the kernel command line, or exec's name). Unknown programs and
 * bad arguments get a message and exit status 2.
 */
#include "progs.h"

static const struct prog progs[] = {
	{ "syscall", p_nano, "n", "getpid in a loop (kernel entry and exit)" },
	{ "in", p_nano, "n", "kernel loop reading port 0x80" },
	{ "out", p_nano, "n", "kernel loop writing port 0x80" },
	{ "cr3", p_nano, "n", "kernel loop reloading CR3" },
	{ "pushf_popf", p_nano, "n", "kernel loop of PUSHF/POPF" },
	{ "sgdt", p_nano, "n", "kernel loop of SGDT" },
	{ "sidt", p_nano, "n", "kernel loop of SIDT" },
	{ "smsw", p_nano, "n", "kernel loop of SMSW" },
	{ "cpuid", p_nano, "n", "kernel loop of CPUID" },
	{ "callret", p_nano, "n", "user indirect call and return" },
	{ "pgfault", p_nano, "n", "touch n fresh demand-zero pages" },
	{ "divzero", p_nano, "n", "divide faults delivered to a handler and resumed" },
	{ "ptemod", p_nano, "n", "kernel loop writing a live PTE (with INVLPG)" },
	{ "pgfault_prealloc", p_nano, "n", "first touch of n pages mmap already allocated: the fault path alone" },
	{ "ptestore", p_nano, "n", "kernel loop storing to a live PTE (no INVLPG): the paper's ptemod" },
	{ "nanobench", p_nanobench, "n", "every nanobenchmark above in one run (not the two above)" },
	{ "aa06", p_aa06, "n", "Adams & Agesen 2006's set as the paper measured it" },
	{ "forkwait", p_forkwait, "n", "fork; the child exits; the parent waits" },
	{ "ctxswitch", p_ctxswitch, "n", "two processes ping-pong a byte through pipes" },
	{ "exec", p_exec, "n", "fork, exec a small program, wait" },
	{ "compute", p_compute, "n", "integer work without system calls" },
	{ "memwalk", p_memwalk, "n pages stride passes", "touch a working set of pages" },
	{ "diskio", p_diskio, "n sectors", "write and read sectors through the ATA driver" },
	{ "mix", p_mix, "n", "compile-like pipeline: read disk, compute, write, exit" },
	{ "sensitive", p_sensitive, "", "Robin & Irvine's sensitive instructions: does each answer as on hardware?" },
	{ "selftest", p_selftest, "disk", "the kernel's own tests" },
};

int main(int argc, char **argv);
int main(int argc, char **argv)
{
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!strcmp(argv[0], progs[i].name)) {
			if (args_check(argc, argv, progs[i].args) < 0)
				return 2;
			return progs[i].fn(argc, argv);
		}
	printf("unknown program '%s'; programs:\n", argv[0]);
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		printf("  %s [%s]: %s\n", progs[i].name, progs[i].args, progs[i].help);
	return 2;
}

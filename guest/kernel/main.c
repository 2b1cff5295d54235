/*
 * main.c — the kernel starts here (from boot.S, paging on, at its high address):
 * console, pv-ops choice, segments, memory, interrupts, timer, disk, then process 1
 * running the program the command line names, and the scheduler.
 *
 * Command line (after the kernel's file name, which multiboot loaders put first):
 * PROGRAM [key=value ...]; `hz=N` sets the timer rate (default 100), `pvbatch=0`
 * turns off the batching of page-table updates under pv/direct (to measure what it
 * saves) and `pvblk=0` keeps the ATA driver under pv instead of the paravirtual disk
 * (pvblk.c); none is passed to the program.
 */
#include "defs.h"
#include "mmu.h"
#include "param.h"
#include "pvops.h"

static char cmdline[256];

/* Copy the program's part of the multiboot command line; return the hz= value (and
 * note pvblk=0). */
static uint32 parse_cmdline(uint32 *mbi)
{
	uint32 hz = 100;
	const char *s = (mbi[0] & 4) ? P2V(mbi[4]) : "";
	while (*s && *s != ' ')
		s++; /* the kernel's file name */
	uint32 n = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (!strncmp(w, "pvbatch=", 8)) {
			pv_batching = w[8] != '0'; /* pvbatch=0: no lazy MMU batching under pv/direct */
			continue;
		}
		if (!strncmp(w, "hz=", 3)) {
			hz = 0;
			for (const char *q = w + 3; q < s && *q >= '0' && *q <= '9'; q++)
				hz = hz * 10 + (uint32)(*q - '0');
			continue;
		}
		if (s - w == 7 && !strncmp(w, "pvblk=0", 7)) {
			pvblk_enabled = 0;
			continue;
		}
		if (n + (uint32)(s - w) + 2 >= sizeof(cmdline))
			break;
		if (n)
			cmdline[n++] = ' ';
		memcpy(cmdline + n, w, (uint32)(s - w));
		n += (uint32)(s - w);
	}
	cmdline[n] = 0;
	return hz ? hz : 100;
}

void main(uint32 magic, uint32 mbi_pa);
void main(uint32 magic, uint32 mbi_pa)
{
	uint32 *mbi = P2V(mbi_pa);
	const char *pvmode = pv_init();
	console_init();
	if (magic != 0x2BADB002u)
		panic("not started by a multiboot loader");
	uint32 hz = parse_cmdline(mbi);
	gdt_init();
	kalloc_init(mbi);
	kvm_init();
	idt_init();
	pic_init();
	timer_init(hz);
	ata_init();
	kprintf("ringlab guest: pv-ops %s, %u MB, timer %u Hz, disk %s\n", pvmode, phystop >> 20, hz,
		ata_present ? "present" : "absent");
	user_init(cmdline);
	scheduler();
}

/*
 * pic.c — the 8259 pair remapped to vectors 32-47, and the PIT programmed for the
 * scheduler's tick at `hz`.
 */
#include "defs.h"
#include "pvops.h"

#define PIT_HZ 1193182u

volatile uint32 ticks;
static uint16 mask = 0xffff & ~(1u << 2); /* cascade line open */

void pic_init(void)
{
	pv.outb(0x20, 0x11); pv.outb(0x21, 32); pv.outb(0x21, 4); pv.outb(0x21, 1);
	pv.outb(0xa0, 0x11); pv.outb(0xa1, 40); pv.outb(0xa1, 2); pv.outb(0xa1, 1);
	pv.outb(0x21, (uint8)mask);
	pv.outb(0xa1, (uint8)(mask >> 8));
}

void pic_unmask(int irq)
{
	mask &= (uint16)~(1u << irq);
	pv.outb(0x21, (uint8)mask);
	pv.outb(0xa1, (uint8)(mask >> 8));
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		pv.outb(0xa0, 0x20);
	pv.outb(0x20, 0x20);
}

void timer_init(uint32 hz)
{
	uint32 div = PIT_HZ / (hz ? hz : 100);
	if (div > 65535)
		div = 65535;
	if (pv.set_timer) {
		pv.set_timer(hz ? hz : 100);
	} else {
		pv.outb(0x43, 0x34); /* channel 0, lo/hi, rate generator */
		pv.outb(0x40, (uint8)div);
		pv.outb(0x40, (uint8)(div >> 8));
	}
	pic_unmask(0);
}

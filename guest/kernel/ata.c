/*
 * ata.c — the ATA PIO driver for the primary master disk, polled (nIEN set), LBA28.
 * An absent disk is found at boot and only an error when a program uses it. Under pv,
 * when the VMM offers a paravirtual disk, the same interface goes to its ring instead
 * (pvblk.c) and the ports are never touched.
 */
#include "defs.h"
#include "pvops.h"

#define ATA 0x1f0
#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DRQ 0x08
#define ST_ERR 0x01

int ata_present;
static uint32 ata_sectors;
static int pv_disk; /* the disk is pvblk.c's */

static int wait_ready(void)
{
	for (int i = 0; i < 1000000; i++) {
		uint8 s = pv.inb(ATA + 7);
		if (s == 0 || s == 0xff)
			return -1;
		if (!(s & ST_BSY))
			return (s & ST_ERR) ? -1 : 0;
	}
	return -1;
}

int ata_init(void)
{
	ata_sectors = pvblk_init();
	if (ata_sectors)
		return pv_disk = ata_present = 1;
	pv.outb(0x3f6, 0x02); /* nIEN: we poll */
	pv.outb(ATA + 6, 0xe0);
	uint8 s = pv.inb(ATA + 7);
	if (s == 0 || s == 0xff)
		return ata_present = 0;
	pv.outb(ATA + 7, 0xec); /* IDENTIFY */
	if (wait_ready() < 0 || !(pv.inb(ATA + 7) & ST_DRQ))
		return ata_present = 0;
	uint16 id[256];
	for (int i = 0; i < 256; i++)
		id[i] = pv.inw(ATA);
	ata_sectors = id[60] | (uint32)id[61] << 16;
	ata_present = ata_sectors > 0;
	return ata_present;
}

int ata_rw(uint32 lba, void *buf, uint32 count, int write)
{
	uint16 *w = buf;
	if (!ata_present || lba + count > ata_sectors || count == 0 || count > 256)
		return -1;
	if (pv_disk)
		return pvblk_rw(lba, buf, count, write);
	if (wait_ready() < 0)
		return -1;
	pv.outb(ATA + 6, (uint8)(0xe0 | ((lba >> 24) & 0x0f)));
	pv.outb(ATA + 2, (uint8)count);
	pv.outb(ATA + 3, (uint8)lba);
	pv.outb(ATA + 4, (uint8)(lba >> 8));
	pv.outb(ATA + 5, (uint8)(lba >> 16));
	pv.outb(ATA + 7, write ? 0x30 : 0x20);
	for (uint32 s = 0; s < count; s++) {
		if (wait_ready() < 0 || !(pv.inb(ATA + 7) & ST_DRQ))
			return -1;
		for (int i = 0; i < 256; i++) {
			if (write)
				pv.outw(ATA, w[s * 256 + (uint32)i]);
			else
				w[s * 256 + (uint32)i] = pv.inw(ATA);
		}
	}
	if (write) {
		if (wait_ready() < 0)
			return -1;
		pv.outb(ATA + 7, 0xe7); /* flush */
		if (wait_ready() < 0)
			return -1;
	}
	return 0;
}

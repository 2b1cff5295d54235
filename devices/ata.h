/*
 * ata.h — an ATA disk in PIO mode on the primary channel (0x1F0-0x1F7, control 0x3F6,
 * IRQ 14), master drive only, backed by a raw image file (writes go to the file).
 *
 * Commands: IDENTIFY DEVICE, READ SECTORS, WRITE SECTORS (LBA28, 1-256 sectors),
 * FLUSH CACHE, SET FEATURES, INITIALIZE DEVICE PARAMETERS, SET MULTIPLE (accepted);
 * anything else, or an LBA beyond the disk, aborts with ERR and ABRT. Without an image
 * the channel has no drive: its registers read 0 (as QEMU's do), and nothing else
 * happens until the guest tries to use it.
 */
#ifndef RINGLAB_ATA_H
#define RINGLAB_ATA_H

#include "core/io.h"
#include "core/irq.h"

struct ata {
	int fd;              /* -1: no drive */
	u64 sectors;
	u8 feature, count, lba0, lba1, lba2, dev, status, error, control;
	u8 cmd;              /* command in progress (0: none) */
	u32 lba;             /* next sector of the transfer */
	u32 left;            /* sectors still to transfer after the buffered one */
	u32 pos;             /* byte position in buf */
	u8 buf[512];
	struct irq_line irq;
	u64 *sectors_read, *sectors_written;
};

/* Open the image at `path` (NULL: no drive) and claim the ports. Returns 0, or -1 with
 * one line in err. */
int ata_attach(struct ata *a, struct io_bus *bus, struct stats *stats, const char *path,
	       char *err, size_t errlen);

void ata_detach(struct ata *a);

/* The attached image's size in sectors (0: no drive). */
u64 ata_disk_sectors(const struct ata *a);

/* Read or write `count` sectors at `lba` of the image directly, bypassing the register
 * model (the VMM's paravirtual block path, engines/pv/blkback.c): the same backing file
 * as the ports, so what one path writes the other reads. The register state (a command
 * in progress, its buffer) is left alone, and the ata.* counters count only the ports'
 * transfers. Returns 0, or -1 (no drive, a range beyond the disk, a host I/O error). */
int ata_disk_rw(struct ata *a, u64 lba, u8 *buf, u32 count, bool write);

#endif

/*
 * ata.c — the ATA PIO disk (see ata.h; ATA/ATAPI-6 register and protocol model).
 */
#include "ata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DSC 0x10
#define ST_DRDY 0x40
#define ST_BSY 0x80
#define ER_ABRT 0x04
#define ER_IDNF 0x10

static void raise_irq(struct ata *a)
{
	if (!(a->control & 2)) /* nIEN */
		irq_set(&a->irq, 1);
}

static void abort_cmd(struct ata *a, u8 err)
{
	a->error = err;
	a->status = ST_DRDY | ST_DSC | ST_ERR;
	a->cmd = 0;
	raise_irq(a);
}

static void put_string(u8 *id, unsigned word, unsigned words, const char *s)
{
	/* ATA strings: two characters per word, first in the high byte, space padded */
	for (unsigned i = 0; i < words * 2; i++) {
		char ch = *s ? *s++ : ' ';
		id[word * 2 + (i ^ 1)] = (u8)ch;
	}
}

static void identify(struct ata *a)
{
	u8 *id = a->buf;
	memset(id, 0, 512);
	u32 lba = a->sectors > 0x0fffffff ? 0x0fffffff : (u32)a->sectors;
	id[0 * 2 + 1] = 0x00; /* word 0: fixed ATA device */
	id[0 * 2] = 0x40;
	put_string(id, 10, 10, "RINGLAB0001");
	put_string(id, 23, 4, "1.0");
	put_string(id, 27, 20, "ringlab ATA PIO disk");
	id[49 * 2 + 1] = 0x02; /* LBA supported */
	id[60 * 2] = (u8)lba;
	id[60 * 2 + 1] = (u8)(lba >> 8);
	id[61 * 2] = (u8)(lba >> 16);
	id[61 * 2 + 1] = (u8)(lba >> 24);
	a->pos = 0;
	a->left = 0;
	a->cmd = 0xec;
	a->status = ST_DRDY | ST_DSC | ST_DRQ;
	raise_irq(a);
}

/* Load sector a->lba into the buffer (for reads). */
static bool read_sector(struct ata *a)
{
	if (pread(a->fd, a->buf, 512, (off_t)a->lba * 512) != 512) {
		abort_cmd(a, ER_ABRT);
		return false;
	}
	(*a->sectors_read)++;
	a->pos = 0;
	a->status = ST_DRDY | ST_DSC | ST_DRQ;
	raise_irq(a);
	return true;
}

static void start_rw(struct ata *a, bool write)
{
	u32 n = a->count ? a->count : 256;
	if (!(a->dev & 0x40)) { /* CHS addressing is not supported */
		abort_cmd(a, ER_ABRT);
		return;
	}
	a->lba = a->lba0 | (u32)a->lba1 << 8 | (u32)a->lba2 << 16 | (u32)(a->dev & 0x0f) << 24;
	if ((u64)a->lba + n > a->sectors) {
		abort_cmd(a, ER_IDNF | ER_ABRT);
		return;
	}
	a->cmd = write ? 0x30 : 0x20;
	a->left = n - 1;
	if (write) {
		a->pos = 0;
		a->status = ST_DRDY | ST_DSC | ST_DRQ; /* no interrupt before the first sector */
	} else {
		read_sector(a);
	}
}

static void command(struct ata *a, u8 cmd)
{
	irq_set(&a->irq, 0);
	a->error = 0;
	switch (cmd) {
	case 0xec: identify(a); break;
	case 0x20: case 0x21: start_rw(a, false); break;
	case 0x30: case 0x31: start_rw(a, true); break;
	case 0xe7: case 0xea:
		fsync(a->fd);
		/* fall through */
	case 0xef: case 0x91: case 0xc6:
		a->status = ST_DRDY | ST_DSC;
		a->cmd = 0;
		raise_irq(a);
		break;
	default: abort_cmd(a, ER_ABRT); break;
	}
}

/* The guest has read or written `n` bytes of the data port. */
static void data_done(struct ata *a)
{
	if (a->pos < 512)
		return;
	if (a->cmd == 0x30) {
		if (pwrite(a->fd, a->buf, 512, (off_t)a->lba * 512) != 512) {
			abort_cmd(a, ER_ABRT);
			return;
		}
		(*a->sectors_written)++;
	}
	a->pos = 0;
	if (a->left == 0) {
		bool was_write = a->cmd == 0x30;
		a->cmd = 0;
		a->status = ST_DRDY | ST_DSC;
		if (was_write)
			raise_irq(a);
		return;
	}
	a->left--;
	a->lba++;
	if (a->cmd == 0x20)
		read_sector(a);
	else
		raise_irq(a); /* next sector of a write may come */
}

static bool present(const struct ata *a) { return a->fd >= 0 && !(a->dev & 0x10); }

static u32 ata_in(void *opaque, u16 port, unsigned size)
{
	struct ata *a = opaque;
	if (port == 0x3f6)
		return present(a) ? a->status : 0;
	if (!present(a))
		return 0;
	switch (port & 7) {
	case 0: {
		if (!(a->status & ST_DRQ) || a->cmd == 0x30)
			return 0xffffffffu;
		u32 v = 0;
		for (unsigned i = 0; i < size && a->pos < 512; i++)
			v |= (u32)a->buf[a->pos++] << (8 * i);
		if (a->pos >= 512)
			data_done(a);
		return v;
	}
	case 1: return a->error;
	case 2: return a->count;
	case 3: return a->lba0;
	case 4: return a->lba1;
	case 5: return a->lba2;
	case 6: return a->dev | 0xa0;
	default:
		irq_set(&a->irq, 0); /* reading status acknowledges the interrupt */
		return a->status;
	}
}

static void ata_out(void *opaque, u16 port, unsigned size, u32 value)
{
	struct ata *a = opaque;
	u8 v = (u8)value;
	if (port == 0x3f6) {
		if ((v & 4) && !(a->control & 4)) { /* software reset */
			a->cmd = 0;
			a->status = ST_DRDY | ST_DSC;
			a->error = 1;
		}
		a->control = v;
		return;
	}
	switch (port & 7) {
	case 0:
		if (!present(a) || a->cmd != 0x30 || !(a->status & ST_DRQ))
			return;
		for (unsigned i = 0; i < size && a->pos < 512; i++)
			a->buf[a->pos++] = (u8)(value >> (8 * i));
		if (a->pos >= 512)
			data_done(a);
		return;
	case 1: a->feature = v; return;
	case 2: a->count = v; return;
	case 3: a->lba0 = v; return;
	case 4: a->lba1 = v; return;
	case 5: a->lba2 = v; return;
	case 6: a->dev = v; return;
	default:
		if (present(a))
			command(a, v);
		return;
	}
}

static const struct io_ops ata_ops = { ata_in, ata_out };

int ata_attach(struct ata *a, struct io_bus *bus, struct stats *stats, const char *path,
	       char *err, size_t errlen)
{
	struct irq_line irq = a->irq;
	memset(a, 0, sizeof(*a));
	a->irq = irq;
	a->fd = -1;
	a->status = ST_DRDY | ST_DSC;
	a->sectors_read = stats_counter(stats, "ata.sectors_read", "disk sectors read by the ATA device (count)");
	a->sectors_written = stats_counter(stats, "ata.sectors_written", "disk sectors written by the ATA device (count)");
	if (path) {
		struct stat st;
		a->fd = open(path, O_RDWR);
		if (a->fd < 0 || fstat(a->fd, &st)) {
			snprintf(err, errlen, "disk image %s: %s", path, strerror(errno));
			if (a->fd >= 0)
				close(a->fd);
			a->fd = -1;
			return -1;
		}
		a->sectors = (u64)st.st_size / 512;
		if (!a->sectors) {
			snprintf(err, errlen, "disk image %s: smaller than one 512-byte sector", path);
			close(a->fd);
			a->fd = -1;
			return -1;
		}
	}
	if (io_bus_register(bus, 0x1f0, 8, &ata_ops, a, "ata", 0) ||
	    io_bus_register(bus, 0x3f6, 1, &ata_ops, a, "ata_ctl", 0)) {
		snprintf(err, errlen, "ATA ports already claimed");
		return -1;
	}
	return 0;
}

void ata_detach(struct ata *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

u64 ata_disk_sectors(const struct ata *a) { return a->fd >= 0 ? a->sectors : 0; }

int ata_disk_rw(struct ata *a, u64 lba, u8 *buf, u32 count, bool write)
{
	if (a->fd < 0 || lba > a->sectors || count > a->sectors - lba)
		return -1;
	size_t n = (size_t)count * 512;
	off_t at = (off_t)(lba * 512);
	ssize_t done = write ? pwrite(a->fd, buf, n, at) : pread(a->fd, buf, n, at);
	return done == (ssize_t)n ? 0 : -1;
}

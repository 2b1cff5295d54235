/*
 * pvblk.c — the paravirtual disk's front end (Xen's blkfront, simplified): under the pv
 * engine the kernel's disk reads and writes go through a ring of requests in one page
 * shared with the VMM (pvabi.h, struct pv_blk_ring) instead of ATA port I/O, where every
 * register access is a hypercall (more than 256 per sector). At boot, ata_init asks
 * pvblk_init, which hands the ring's page to the VMM (PVH_BLK_SETUP) and learns the
 * disk's size; from then on ata_rw calls pvblk_rw, which splits a transfer into
 * requests of at most PV_BLK_MAX_SECTORS sectors inside one physical page (through a
 * bounce page when the caller's buffer is not in the kernel's direct map or crosses a
 * page mid-sector), posts a batch of them, notifies the VMM once, and checks each
 * response. The VMM serves a batch within the notification, so the responses are there
 * when the hypercall returns; its virtual interrupt (PV_BLK_VECTOR) is only
 * acknowledged (trap.c). Natively, under hvm and te, and with `pvblk=0` on the command
 * line, pvblk_init answers 0 and nothing here runs.
 */
#include "defs.h"
#include "param.h"
#include "pvabi.h"
#include "pvops.h"

#define SECTOR 512u
#define NOTIFY_TRIES 3 /* notifications a batch may take before it is an error */

int pvblk_enabled = 1;
static struct pv_blk_ring ring __attribute__((aligned(4096)));
static uint8 bounce[PGSIZE] __attribute__((aligned(4096)));

/* Under pv, with a disk the VMM offers: set up the ring and return the disk's size in
 * sectors. 0 otherwise (natively, pvblk=0, no disk): the caller uses the ATA ports. */
uint32 pvblk_init(void)
{
	if (!pv_registered || !pvblk_enabled)
		return 0;
	int n = pv_hcall(PVH_BLK_SETUP, V2P(&ring), 0, 0);
	return n > 0 ? (uint32)n : 0;
}

/* Is the kernel address `a` in the direct map of physical memory (so V2P holds)? */
static int direct(uint32 a) { return a >= KERNBASE && a - KERNBASE < phystop; }

/* Post one request for `count` sectors at `lba` with its data at physical `pa`. */
static void post(uint32 lba, uint32 pa, uint32 count, int write)
{
	uint32 i = ring.req_prod;
	struct pv_blk_req *q = &ring.req[i % PV_BLK_RING];
	q->id = i;
	q->op = write ? PV_BLK_WRITE : PV_BLK_READ;
	q->sector = lba;
	q->count = count;
	q->buf = pa;
	__asm__ volatile("" ::: "memory"); /* the request before its index */
	ring.req_prod = i + 1;
}

/* Transfer `count` sectors at `lba` (the caller checked the range): batches of at most
 * PV_BLK_RING requests, one notification each. 0, or -1 if the VMM did not answer or
 * answered an error. */
int pvblk_rw(uint32 lba, void *buf, uint32 count, int write)
{
	uint8 *p = buf;
	while (count) {
		uint32 first = ring.req_prod, posted = 0;
		uint8 *bounced = 0; /* the caller's part the bounce page stands for */
		uint32 nbounced = 0;
		while (count && posted < PV_BLK_RING) {
			uint32 k = count < PV_BLK_MAX_SECTORS ? count : PV_BLK_MAX_SECTORS;
			uint32 a = (uint32)p;
			if (direct(a) && direct(a + k * SECTOR - 1)) {
				uint32 room = (PGSIZE - (V2P(a) & (PGSIZE - 1))) / SECTOR;
				if (room < k)
					k = room;
			} else {
				k = 0;
			}
			if (k) {
				post(lba, V2P(a), k, write);
			} else {
				if (nbounced)
					break; /* the bounce page is taken in this batch */
				k = count < PV_BLK_MAX_SECTORS ? count : PV_BLK_MAX_SECTORS;
				if (write)
					memcpy(bounce, p, k * SECTOR);
				bounced = p;
				nbounced = k;
				post(lba, V2P(bounce), k, write);
			}
			posted++;
			lba += k;
			p += k * SECTOR;
			count -= k;
		}
		for (int t = 0; ring.rsp_prod != ring.req_prod; t++) {
			if (t == NOTIFY_TRIES)
				return -1;
			pv_hcall(PVH_BLK_NOTIFY, 0, 0, 0);
		}
		for (uint32 i = first; i != first + posted; i++) {
			struct pv_blk_rsp *r = &ring.rsp[i % PV_BLK_RING];
			if (r->id != i || r->status != PV_OK)
				return -1;
		}
		if (nbounced && !write)
			memcpy(bounced, bounce, nbounced * SECTOR);
	}
	return 0;
}

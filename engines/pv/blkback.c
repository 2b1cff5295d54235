/*
 * blkback.c — the VMM's side of the paravirtual block device (pvabi.h, struct
 * pv_blk_ring; Xen's blkback, simplified and synchronous).
 *
 * The story of one batch. The guest kernel gave the VMM one page of its memory for the
 * ring (PVH_BLK_SETUP) and learnt the disk's size. It fills requests, advances
 * req_prod and makes one hypercall (PVH_BLK_NOTIFY). The VMM serves every request
 * between its own consumer index and req_prod, in order, on the same disk model the
 * ATA ports use (devices/ata.h, ata_disk_rw: one image, so the two paths see each
 * other's writes), copying sectors straight between the image and guest-physical
 * memory, writes one response per request, advances rsp_prod, and raises one virtual
 * interrupt (PV_BLK_VECTOR) for the batch. Where the ATA path exits once per register
 * access (more than 256 per sector), this one exits once per batch.
 *
 * Nothing the guest writes is trusted: the VMM keeps its consumer index to itself, reads
 * each request once, bounds a batch to PV_BLK_RING (a req_prod further ahead is refused,
 * never looped over) and checks every request (op, count, the disk's end, a buffer
 * inside guest RAM and within one page) before touching the image; a bad request gets
 * an error status, the rest of the batch goes on. Under pv/direct the VMM never writes
 * into a frame that is a page table now (the ring page, a read's buffer): that would
 * change it without validation (PV_EFAULT). Data the VMM writes into guest memory
 * invalidates decoded code there and, under shadow paging, any shadow built from a page
 * table there (mmu_ops.phys_written), as a guest store would.
 *
 * Costs: the transition and vmm.handler were charged on the way in; here pv.blk_request
 * per request and pv.blk_sector per sector moved, to the `io` category like the
 * emulated ATA path's vmm.io_emulate.
 */
#include <limits.h>

#include "core/block.h"
#include "core/machine.h"
#include "core/mmu.h"
#include "devices/ata.h"
#include "pv.h"

#define SECTOR 512u

void pv_blk_init(struct pv *p)
{
	struct stats *st = &p->vmm.vm->stats;
	p->blk_requests = stats_counter(st, "pv.blk.requests", "paravirtual disk requests served from the ring (count)");
	p->blk_notifications = stats_counter(st, "pv.blk.notifications", "PVH_BLK_NOTIFY batches served, one virtual interrupt each (count)");
	p->blk_sectors = stats_counter(st, "pv.blk.sectors", "sectors moved by paravirtual disk requests (count)");
	p->blk_errors = stats_counter(st, "pv.blk.errors", "paravirtual disk requests answered with an error status (count)");
}

/* The VMM wrote guest-physical [pa, pa+len), within one page: what was derived from it
 * (decoded code, shadow page tables) is stale. */
static void written(struct cpu *c, u32 pa, u32 len)
{
	block_invalidate_write(c, pa, len);
	if (c->mmu->phys_written)
		c->mmu->phys_written(c, pa, len);
}

/* PVH_BLK_SETUP: the ring page (page-aligned, in guest RAM) becomes the disk's; the
 * ring starts empty at the page's current req_prod (rsp_prod is set to it). Returns
 * the disk's size in sectors (at most INT_MAX), or a refusal. A second setup replaces
 * the first ring. */
int pv_blk_setup(struct pv *p, u32 ring_gpa)
{
	struct vm *vm = p->vmm.vm;
	u64 n = ata_disk_sectors(machine_disk(vm));
	if (!n)
		return pv_refuse(p, PV_REF_DEVICE, PV_EINVAL);
	struct pv_blk_ring *r = (ring_gpa & 0xfff) ? NULL : (struct pv_blk_ring *)cpu_phys(&vm->cpu, ring_gpa, 0x1000);
	if (!r || pv_frame_is_table(p, ring_gpa >> 12))
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT);
	p->blk_ready = true;
	p->blk_ring_gpa = ring_gpa;
	p->blk_cons = r->req_prod;
	r->rsp_prod = p->blk_cons;
	written(&vm->cpu, ring_gpa, (u32)sizeof(*r));
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* Carry out one request (a copy the guest can no longer change); its status. */
static int serve(struct pv *p, const struct pv_blk_req *q)
{
	struct vm *vm = p->vmm.vm;
	struct cpu *c = &vm->cpu;
	struct ata *disk = machine_disk(vm);
	(*p->blk_requests)++;
	cost_charge(&vm->cost, COST_IO, vm->prof.v[P_PV_BLK_REQUEST]);
	if (q->op > PV_BLK_WRITE || q->count == 0 || q->count > PV_BLK_MAX_SECTORS ||
	    (u64)q->sector + q->count > ata_disk_sectors(disk))
		return PV_EINVAL;
	u32 len = q->count * SECTOR;
	u8 *mem = (q->buf & 0xfff) + len <= 0x1000 ? cpu_phys(c, q->buf, len) : NULL;
	bool write = q->op == PV_BLK_WRITE;
	if (!mem || (!write && pv_frame_is_table(p, q->buf >> 12)))
		return PV_EFAULT; /* a read into a page table would bypass validation */
	int rc = ata_disk_rw(disk, q->sector, mem, q->count, write);
	if (!write)
		written(c, q->buf, len); /* even a failed read may have written part */
	if (rc)
		return PV_EINVAL; /* the host could not read or write the image */
	(*p->blk_sectors) += q->count;
	cost_charge(&vm->cost, COST_IO, q->count * vm->prof.v[P_PV_BLK_SECTOR]);
	return PV_OK;
}

/* PVH_BLK_NOTIFY: serve every request up to req_prod (at most PV_BLK_RING: further
 * ahead is refused, nothing served), respond, raise one PV_BLK_VECTOR. */
int pv_blk_notify(struct pv *p)
{
	struct cpu *c = &p->vmm.vm->cpu;
	if (!p->blk_ready)
		return pv_refuse(p, PV_REF_DEVICE, PV_EINVAL);
	struct pv_blk_ring *r = (struct pv_blk_ring *)cpu_phys(c, p->blk_ring_gpa, 0x1000);
	if (pv_frame_is_table(p, p->blk_ring_gpa >> 12))
		return pv_refuse(p, PV_REF_FAULT, PV_EFAULT); /* the ring page became a page table */
	u32 n = r->req_prod - p->blk_cons;
	if (n > PV_BLK_RING)
		return pv_refuse(p, PV_REF_ARGUMENT, PV_EINVAL);
	(*p->blk_notifications)++;
	for (; n; n--) {
		u32 slot = p->blk_cons % PV_BLK_RING;
		struct pv_blk_req q = r->req[slot];
		struct pv_blk_rsp s = { .id = q.id, .status = serve(p, &q) };
		if (s.status != PV_OK)
			(*p->blk_errors)++;
		r->rsp[slot] = s;
		r->rsp_prod = ++p->blk_cons;
	}
	written(c, p->blk_ring_gpa, (u32)sizeof(*r));
	pv_raise_virq(p, PV_BLK_VECTOR);
	return PV_OK;
}

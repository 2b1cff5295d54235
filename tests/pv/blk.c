/*
 * blk.c — the pv attack kernel's attacks on the paravirtual block device (pvabi.h,
 * struct pv_blk_ring; engines/pv/blkback.c), run with `disk` on the command line and a
 * disk image of at least 64 sectors attached (scripts/test-pv.sh).
 *
 * A ring the VMM must not accept (in its window, past RAM, not page-aligned, under
 * pv/direct a page table), then one batch of requests each of which must fail alone
 * with the status pvabi.h gives (buffers in the VMM's window, past RAM, across a page,
 * under pv/direct a page table to read into; bad counts, sectors and operations)
 * while the good ones around them succeed, and a req_prod too far ahead.
 */
#include "attack.h"

static struct pv_blk_ring ring __attribute__((aligned(4096)));
static u8 buf[4096] __attribute__((aligned(4096)));

static void req(u32 id, u32 op, u32 sector, u32 count, u32 b)
{
	u32 slot = ring.req_prod % PV_BLK_RING;
	ring.req[slot] = (struct pv_blk_req){ id, op, sector, count, b };
	ring.req_prod++;
}

void attack_blk(void)
{
	int direct = features & PV_F_DIRECT_PT;
	note("blk_ring_in_vmm", hc(PVH_BLK_SETUP, VMM_WIN, 0));
	note("blk_ring_past_ram", hc(PVH_BLK_SETUP, ram_end, 0));
	note("blk_ring_unaligned", hc(PVH_BLK_SETUP, (u32)&ring + 8, 0));
	if (direct)
		note("blk_ring_page_table", hc(PVH_BLK_SETUP, (u32)pt0, 0));
	int n = hc(PVH_BLK_SETUP, (u32)&ring, 0);
	pr("blk_setup %s\n", n >= 64 ? "ok" : "refused");
	if (n < 64)
		return;
	static const char *const what[] = { "good_read", "buf_in_vmm", "buf_past_ram", "buf_across_pages",
		"count_9", "count_0", "sector_past_disk", "op_7", "good_write", "read_into_page_table" };
	u32 first = ring.req_prod;
	req(0, PV_BLK_READ, 0, 8, (u32)buf);
	req(1, PV_BLK_READ, 0, 1, VMM_WIN);
	req(2, PV_BLK_READ, 0, 1, ram_end);
	req(3, PV_BLK_READ, 0, 2, (u32)buf + 4096 - 512);
	req(4, PV_BLK_READ, 0, 9, (u32)buf);
	req(5, PV_BLK_READ, 0, 0, (u32)buf);
	req(6, PV_BLK_READ, (u32)n, 1, (u32)buf);
	req(7, 7, 0, 1, (u32)buf);
	req(8, PV_BLK_WRITE, 1, 8, (u32)pt0); /* reading a page table out is harmless */
	u32 reqs = 9;
	if (direct) { /* under shadow this read would really overwrite the kernel's table */
		req(9, PV_BLK_READ, 0, 1, (u32)pt0);
		reqs++;
	}
	note("blk_notify", hc(PVH_BLK_NOTIFY, 0, 0));
	for (u32 i = 0; i < reqs; i++) {
		const struct pv_blk_rsp *r = &ring.rsp[(first + i) % PV_BLK_RING];
		pr("blk_req_%s %d%s\n", what[r->id < 10 ? r->id : 0], r->status, r->id == i ? "" : " (wrong id)");
	}
	pr("blk_rsp_prod %s\n", ring.rsp_prod == ring.req_prod ? "caught up" : "behind");
	ring.req_prod += PV_BLK_RING + 1; /* a producer far ahead: nothing is served */
	note("blk_req_prod_far_ahead", hc(PVH_BLK_NOTIFY, 0, 0));
}

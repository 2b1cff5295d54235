/*
 * pvring.c — a hostile paravirtual guest for the pv block backend (engines/pv/blkback.c,
 * the contract in guest/kernel/pvabi.h). Started by the pv engine (ring 1, paging off,
 * EDX = PV_BOOT_MAGIC), it registers with events masked, checks the refusals of
 * PVH_BLK_SETUP and PVH_BLK_NOTIFY before setup, then fills the ring with pseudo-random
 * requests (bad ops, counts, sectors, buffers outside RAM, across a page, across the end
 * of RAM, onto the ring itself) and producer indices (some far ahead) thousands of times,
 * notifying after each: every notification must be answered, PV_OK exactly when req_prod
 * is at most PV_BLK_RING ahead of what the VMM consumed. Then honest requests must still
 * work: a sector written through the ring reads back the same, and the notification has
 * raised the virtual interrupt (held, so the shared page says one is pending). It prints
 * one line through PVH_CONSOLE_WRITE and shuts down with 0 (all as expected) or 1. The
 * point for the host: it neither crashes nor hangs, whatever the ring holds.
 */
#include "pvabi.h"

typedef unsigned int u32;
typedef unsigned char u8;

#define SCRATCH 0x400000u /* random in-RAM buffers land in [4 MB, 8 MB) */
#define ROUNDS 3000u

static struct pv_shared shared __attribute__((aligned(4096)));
static union {
	struct pv_blk_ring r;
	u8 page[4096]; /* the whole page: requests may read into any of it */
} ringpage __attribute__((aligned(4096)));
#define ring ringpage.r
static u8 out[4096] __attribute__((aligned(4096)));
static u8 in[4096] __attribute__((aligned(4096)));
static char line[160];
static u32 seed = 0x2545f491u;

static int hc(u32 op, u32 a, u32 b)
{
	int r;
	__asm__ volatile("int $0x82" : "=a"(r) : "a"(op), "b"(a), "c"(b), "d"(0) : "memory");
	return r;
}

static u32 rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static u32 len_;
static void put(const char *s)
{
	while (*s && len_ < sizeof(line) - 1)
		line[len_++] = *s++;
}
static void num(u32 v)
{
	char b[12];
	int i = 11;
	b[i] = 0;
	do
		b[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put(b + i);
}

/* A buffer address a hostile guest might give. */
static u32 hostile_buf(void)
{
	u32 r = rnd();
	switch (r & 3) {
	case 0: return SCRATCH + (rnd() & 0x3fffffu);          /* in RAM, maybe across a page */
	case 1: return (u32)&ring + (rnd() & 0xfffu);          /* onto the ring itself */
	case 2: return rnd() | 0x80000000u;                    /* far outside RAM */
	default: return 0x07fff000u + (rnd() & 0x1fffu);       /* around the end of 128 MB */
	}
}

void kmain(u32 magic);
void kmain(u32 magic)
{
	int bad = 0;
	u32 refused = 0, served = 0, round;
	if (magic != PV_BOOT_MAGIC)
		hc(PVH_SHUTDOWN, 1, 0); /* not under pv: faults, and the run says so */
	shared.evt_mask = 1;
	if (hc(PVH_REGISTER, (u32)&shared, PV_ABI_VERSION) < 0)
		hc(PVH_SHUTDOWN, 1, 0);
	bad |= hc(PVH_BLK_NOTIFY, 0, 0) != PV_EINVAL;          /* before setup */
	bad |= hc(PVH_BLK_SETUP, (u32)&ring + 8, 0) != PV_EFAULT; /* not page-aligned */
	bad |= hc(PVH_BLK_SETUP, 0xfffff000u, 0) != PV_EFAULT;    /* beyond RAM */
	int sectors = hc(PVH_BLK_SETUP, (u32)&ring, 0);
	bad |= sectors <= 0;
	u32 cons = ring.req_prod; /* what the VMM consumed: the ring starts empty */
	for (round = 0; round < ROUNDS && !bad; round++) {
		for (u32 i = 0; i < PV_BLK_RING; i++) {
			struct pv_blk_req *q = &ring.req[i];
			u32 r = rnd();
			q->id = r;
			q->op = r & 0x100 ? rnd() : (r >> 9) % 3;
			q->count = r & 0x200 ? rnd() : (r >> 10) % 10;
			q->sector = r & 0x4000 ? rnd() : (u32)(rnd() % ((u32)sectors + 16u));
			q->buf = hostile_buf();
		}
		u32 r = rnd();
		u32 prod = r & 0x10000 ? rnd() : cons + (r >> 20) % 40;
		if (r & 0x20000)
			ring.rsp_prod = rnd(); /* the VMM must not trust its own index in the ring */
		ring.req_prod = prod;
		int rc = hc(PVH_BLK_NOTIFY, 0, 0);
		int want = prod - cons <= PV_BLK_RING ? PV_OK : PV_EINVAL;
		if (rc != want)
			bad = 1;
		if (rc == PV_OK) {
			served += prod - cons;
			cons = prod;
		} else {
			refused++;
		}
	}
	/* honest requests after all that: write a pattern to sector 5, read it back */
	bad |= hc(PVH_BLK_SETUP, (u32)&ring, 0) != sectors;
	u32 first = ring.req_prod;
	for (u32 i = 0; i < 4096; i++)
		out[i] = (u8)(i * 7 + 3);
	struct pv_blk_req w = { first, PV_BLK_WRITE, 5, 8, (u32)out };
	struct pv_blk_req rd = { first + 1, PV_BLK_READ, 5, 8, (u32)in };
	ring.req[first % PV_BLK_RING] = w;
	ring.req[(first + 1) % PV_BLK_RING] = rd;
	ring.req_prod = first + 2;
	bad |= hc(PVH_BLK_NOTIFY, 0, 0) != PV_OK;
	bad |= ring.rsp_prod != first + 2;
	for (u32 i = 0; i < 2; i++)
		bad |= ring.rsp[(first + i) % PV_BLK_RING].id != first + i ||
		       ring.rsp[(first + i) % PV_BLK_RING].status != PV_OK;
	for (u32 i = 0; i < 4096; i++)
		bad |= in[i] != out[i];
	bad |= !shared.evt_pending; /* the notification's interrupt, held while masked */
	put("pvring: ");
	num(round);
	put(" hostile notifications, ");
	num(refused);
	put(" refused, ");
	num(served);
	put(" requests answered; ");
	put(bad ? "FAILED\n" : "round trip and interrupt ok\n");
	hc(PVH_CONSOLE_WRITE, (u32)line, len_);
	hc(PVH_SHUTDOWN, (u32)bad, 0);
	for (;;)
		;
}

__asm__(".text\n.align 4\n.long 0x1BADB002, 3, -(0x1BADB002 + 3)\n"
	".globl _start\n_start:\n"
	"mov $0x90000, %esp\n"
	"push %edx\ncall kmain\n1: jmp 1b\n");

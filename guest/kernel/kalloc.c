/*
 * kalloc.c — the physical page allocator: every available page of the multiboot
 * memory map above the kernel (and above the loader's data), on a free list, with a
 * reference count per page for copy-on-write sharing.
 */
#include "defs.h"
#include "mmu.h"
#include "param.h"

extern char end[]; /* first address after the kernel */

struct run {
	struct run *next;
};

static struct run *freelist;
static uint8 *refcnt; /* per physical page */
static uint32 nfree;
uint32 phystop;

/* Add [start, stop) of physical memory to the free list. */
static void free_range(uint32 start, uint32 stop)
{
	for (uint32 pa = PGROUNDUP(start); pa + PGSIZE <= stop; pa += PGSIZE) {
		refcnt[pa / PGSIZE] = 1;
		kfree(P2V(pa));
	}
}

void kalloc_init(uint32 *mbi)
{
	/* The multiboot info, command line and memory map sit just after the kernel (and
	 * main() has copied the command line): start after them, at 2 MB at least. */
	uint32 first = PGROUNDUP(V2P(end));
	if (first < 0x200000)
		first = 0x200000;
	uint32 top = 0;
	if (mbi[0] & 0x40) {
		uint32 p = mbi[12], stop = mbi[12] + mbi[11];
		while (p < stop) {
			uint32 *e = P2V(p);
			if (e[5] == 1 && e[2] == 0 && e[1] + e[3] > top && e[1] >= 0x100000)
				top = e[1] + e[3];
			p += e[0] + 4;
		}
	} else {
		top = 0x100000 + mbi[2] * 1024;
	}
	if (top > PHYSTOP_MAX)
		top = PHYSTOP_MAX;
	phystop = top;
	/* the reference counts live at `first` */
	refcnt = P2V(first);
	uint32 npages = top / PGSIZE;
	memset(refcnt, 0, npages);
	first = PGROUNDUP(first + npages);
	free_range(first, top);
}

void *kalloc(void)
{
	struct run *r = freelist;
	if (!r)
		return NULL;
	freelist = r->next;
	nfree--;
	refcnt[V2P(r) / PGSIZE] = 1;
	memset(r, 0, PGSIZE);
	return r;
}

/* Drop one reference to the page at kernel address p; free it at zero. */
void kfree(void *p)
{
	uint32 pa = V2P(p);
	if ((pa & 0xfff) || pa >= phystop)
		panic("kfree %x", pa);
	if (--refcnt[pa / PGSIZE] > 0)
		return;
	struct run *r = p;
	r->next = freelist;
	freelist = r;
	nfree++;
}

void page_ref(uint32 pa) { refcnt[pa / PGSIZE]++; }
int page_refcount(uint32 pa) { return refcnt[pa / PGSIZE]; }
uint32 kalloc_free_pages(void) { return nfree; }

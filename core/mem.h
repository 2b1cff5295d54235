/*
 * mem.h — the guest's memory accesses, from segment:offset to a host pointer.
 *
 *   seg:off --segmentation--> linear --fast TLB--> host pointer          (hit: an add)
 *                                         | miss
 *                                         v
 *                                  modeled TLB --miss--> MMU engine walk (mem.c)
 *
 * Fast paths are inline here; everything else (segment checks, page-crossing accesses,
 * TLB misses, dirty-bit updates, writes to pages holding decoded code, addresses outside
 * RAM) is in mem.c. Implicit supervisor accesses (descriptor tables, TSS, interrupt
 * stack frames at ring change) use the *_sys variants, which check as CPL 0 would.
 */
#ifndef RINGLAB_MEM_H
#define RINGLAB_MEM_H

#include <string.h>

#include "cpu.h"

/* Slow paths (mem.c). `user` selects CPL-3 permission checks. */
u32 mem_read_slow(struct cpu *c, u32 lin, unsigned size, bool user);
void mem_write_slow(struct cpu *c, u32 lin, unsigned size, u32 val, bool user);
void seg_check(struct cpu *c, unsigned s, u32 off, unsigned size, bool write);

/* mem_fetch_phys on a code-TLB miss (mem.c). */
u32 mem_fetch_phys_slow(struct cpu *c, u32 lin);

/* Translate linear `lin` for an instruction fetch at the current CPL and return the
 * physical address (faults with #PF as hardware would). */
static inline u32 mem_fetch_phys(struct cpu *c, u32 lin)
{
	const struct ctlb_entry *ce = &c->ct[(lin >> 12) & (FTLB_SIZE - 1)];
	if (__builtin_expect(ce->tag == lin >> 12, 1))
		return (ce->ppn << 12) | (lin & 0xfff);
	return mem_fetch_phys_slow(c, lin);
}

/* Translate `lin` for an access without touching memory: used by string I/O and
 * checks. Returns a host pointer, or NULL if the address is outside RAM. */
u8 *mem_xlate(struct cpu *c, u32 lin, bool write, bool user);

static inline u32 load_n(const u8 *p, unsigned size)
{
	if (size == 4) {
		u32 v;
		memcpy(&v, p, 4);
		return v;
	}
	if (size == 2) {
		u16 v;
		memcpy(&v, p, 2);
		return v;
	}
	return *p;
}

static inline void store_n(u8 *p, unsigned size, u32 v)
{
	if (size == 4)
		memcpy(p, &v, 4);
	else if (size == 2) {
		u16 h = (u16)v;
		memcpy(p, &h, 2);
	} else
		*p = (u8)v;
}

/* Read `size` bytes at linear `lin` with the permissions of the current CPL. */
static inline u32 mem_read(struct cpu *c, u32 lin, unsigned size)
{
	const struct ftlb_entry *e = &c->ft[(lin >> 12) & (FTLB_SIZE - 1)];
	if (__builtin_expect(e->rtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size, 1))
		return load_n((const u8 *)(lin + e->addend), size);
	return mem_read_slow(c, lin, size, c->cpl == 3);
}

/* Write `size` bytes at linear `lin` with the permissions of the current CPL. */
static inline void mem_write(struct cpu *c, u32 lin, unsigned size, u32 v)
{
	const struct ftlb_entry *e = &c->ft[(lin >> 12) & (FTLB_SIZE - 1)];
	if (__builtin_expect(e->wtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size, 1)) {
		store_n((u8 *)(lin + e->addend), size, v);
		return;
	}
	mem_write_slow(c, lin, size, v, c->cpl == 3);
}

/* The host pointer of `size` bytes at linear `lin` when an implicit supervisor read of
 * them hits the fast TLB within one page, else NULL. A hit has no modeled effect, so
 * several reads in one page (a descriptor's two dwords) may be served by one probe:
 * each of them would have hit the same entry. */
static inline const u8 *mem_sys_read_ptr(const struct cpu *c, u32 lin, unsigned size)
{
	const struct ftlb_entry *e = &c->ftlb[0][(lin >> 12) & (FTLB_SIZE - 1)];
	if (e->rtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size)
		return (const u8 *)(lin + e->addend);
	return NULL;
}

/* Implicit supervisor accesses (descriptor tables, TSS, ring-0 stack frames). */
static inline u32 mem_read_sys(struct cpu *c, u32 lin, unsigned size)
{
	const u8 *p = mem_sys_read_ptr(c, lin, size);
	if (p)
		return load_n(p, size);
	return mem_read_slow(c, lin, size, false);
}

static inline void mem_write_sys(struct cpu *c, u32 lin, unsigned size, u32 v)
{
	const struct ftlb_entry *e = &c->ftlb[0][(lin >> 12) & (FTLB_SIZE - 1)];
	if (e->wtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size) {
		store_n((u8 *)(lin + e->addend), size, v);
		return;
	}
	mem_write_slow(c, lin, size, v, false);
}

/* The host pointer a `size`-byte read (seg_read_ptr) or write (seg_write_ptr) at
 * s:off goes to when the fast path serves it whole: a segment that needs no check and
 * a fast-TLB hit within one page. NULL otherwise: then seg_read/seg_write do the
 * access (with its checks, faults and slow paths) as if this had not been asked. */
static inline u8 *seg_read_ptr(const struct cpu *c, unsigned s, u32 off, unsigned size)
{
	if (__builtin_expect(c->seg[s].check & 1, 0))
		return NULL;
	u32 lin = c->seg[s].base + off;
	const struct ftlb_entry *e = &c->ft[(lin >> 12) & (FTLB_SIZE - 1)];
	if (__builtin_expect(e->rtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size, 1))
		return (u8 *)(lin + e->addend);
	return NULL;
}

static inline u8 *seg_write_ptr(const struct cpu *c, unsigned s, u32 off, unsigned size)
{
	if (__builtin_expect(c->seg[s].check & 2, 0))
		return NULL;
	u32 lin = c->seg[s].base + off;
	const struct ftlb_entry *e = &c->ft[(lin >> 12) & (FTLB_SIZE - 1)];
	if (__builtin_expect(e->wtag == (lin >> 12) && (lin & 0xfff) <= 0x1000 - size, 1))
		return (u8 *)(lin + e->addend);
	return NULL;
}

/* Segmented accesses: check the segment (unless flat), then access memory. */
static inline u32 seg_read(struct cpu *c, unsigned s, u32 off, unsigned size)
{
	if (__builtin_expect(c->seg[s].check & 1, 0))
		seg_check(c, s, off, size, false);
	return mem_read(c, c->seg[s].base + off, size);
}

static inline void seg_write(struct cpu *c, unsigned s, u32 off, unsigned size, u32 v)
{
	if (__builtin_expect(c->seg[s].check & 2, 0))
		seg_check(c, s, off, size, true);
	mem_write(c, c->seg[s].base + off, size, v);
}

#endif

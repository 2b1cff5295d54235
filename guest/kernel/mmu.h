/*
 * mmu.h — x86 paging and segmentation definitions (xv6 style).
 *
 *   31          22 21          12 11            0
 *  +--------------+--------------+---------------+
 *  |  PDX(va)     |  PTX(va)     | page offset   |
 *  +--------------+--------------+---------------+
 */
#ifndef MMU_H
#define MMU_H

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_A 0x020
#define PTE_D 0x040
#define PTE_PS 0x080
#define PTE_G 0x100
#define PTE_COW 0x200 /* software: copy on write */
#define PTE_PREALLOC 0x400 /* software, in a not-present PTE: its frame is allocated (mmap MMAP_PREALLOC) */

#define PDX(va) (((unsigned)(va) >> 22) & 0x3ff)
#define PTX(va) (((unsigned)(va) >> 12) & 0x3ff)
#define PTE_ADDR(pte) ((unsigned)(pte) & ~0xfffu)
#define PGROUNDUP(a) (((a) + 4095u) & ~4095u)
#define PGROUNDDOWN(a) ((a) & ~4095u)

#define FL_IF 0x200
#define FL_IOPL_MASK 0x3000

#define CR0_PG 0x80000000u
#define CR0_WP 0x00010000u
#define CR4_PSE 0x10u
#define CR4_PGE 0x80u

#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS 5
#define KCODE_SEL (SEG_KCODE << 3)
#define KDATA_SEL (SEG_KDATA << 3)
#define UCODE_SEL ((SEG_UCODE << 3) | 3)
#define UDATA_SEL ((SEG_UDATA << 3) | 3)
#define TSS_SEL (SEG_TSS << 3)

#endif

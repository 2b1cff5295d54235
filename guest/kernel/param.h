/*
 * param.h — the guest kernel's constants and memory layout.
 *
 *   virtual                     physical
 *   0x00400000  user code       (pages from the allocator)
 *   ...         user heap (sbrk), growing up
 *   0x80000000  mmap region
 *   0xBFFFF000  top of the user stack, growing down (demand-zero)
 *   0xC0000000  KERNBASE: all physical memory mapped here (4 MB pages), kernel at
 *               0xC0100000 (loaded at 0x100000), in the top of every address space
 */
#ifndef PARAM_H
#define PARAM_H

#define KERNBASE 0xC0000000u
#define KERNLINK (KERNBASE + 0x100000u)
#define PHYSTOP_MAX 0x38000000u /* direct map at most 896 MB */
#define PGSIZE 4096u
#define USERCODE 0x00400000u
#define MMAPBASE 0x80000000u
#define USERTOP 0xBFFFF000u    /* stack top */
#define STACKMAX (1u << 20)     /* 1 MB of stack */
#define NPROC 64
#define NOFILE 8
#define NFILE 64
#define NVMA 16
#define KSTACKSIZE 4096
#define PIPESIZE 512
#define MAXARG 16

#define P2V(a) ((void *)((unsigned)(a) + KERNBASE))
#define V2P(a) ((unsigned)(a) - KERNBASE)

#endif

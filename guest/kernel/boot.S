/*
 * boot.S — multiboot entry. The loader starts us at the physical address of `start`
 * with paging off; we map the first 4 MB at 0 and all physical memory (up to 896 MB)
 * at KERNBASE with 4 MB pages (CR4.PSE), turn paging on, jump to the kernel's high address and call main().
 * Started deprivileged (CS.RPL != 0: a pv VMM's boot protocol, pvabi.h), we keep EDX for
 * pv_init(); the privileged instructions below are then emulated by the VMM until the
 * kernel registers.
 */
#include "param.h"

	.set MB_MAGIC, 0x1BADB002
	.set MB_FLAGS, 0x00000003
	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.globl start
	.set start, entry - KERNBASE
entry:
	movl %eax, %esi                 /* multiboot magic */
	movl %ebx, %edi                 /* multiboot info (physical) */
	movw %cs, %ax                   /* started deprivileged? keep what the VMM */
	testb $3, %al                   /* said in EDX (pvabi.h: the boot protocol) */
	jz 2f
	movl %edx, (pv_boot_magic - KERNBASE)
2:
	movl %cr4, %eax
	orl $0x10, %eax                 /* PSE */
	movl %eax, %cr4
	movl $(boot_pgdir - KERNBASE), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax           /* PG | WP */
	movl %eax, %cr0
	movl $stack_top, %esp
	movl $high, %eax
	jmp *%eax
high:
	pushl %edi
	pushl %esi
	call main
1:	cli
	hlt
	jmp 1b

	.data
	.globl pv_boot_magic
pv_boot_magic:
	.long 0

	.align 4096
	.globl boot_pgdir
boot_pgdir:
	.long 0x00000083                /* 0-4 MB identity, 4 MB page, writable */
	.fill 767, 4, 0
	.set i, 0                       /* KERNBASE: physical 0-896 MB in 4 MB pages */
	.rept 224
	.long (i << 22) | 0x83
	.set i, i + 1
	.endr
	.fill 32, 4, 0

	.bss
	.align 16
	.space KSTACKSIZE
stack_top:

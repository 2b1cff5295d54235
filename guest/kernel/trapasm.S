/*
 * trapasm.S — the trap entry points: one stub per vector pushes the vector (and a
 * zero error code where the processor pushes none), alltraps saves the rest as a
 * struct trapframe, loads kernel data segments and calls trap(); trapret restores the
 * frame and returns through pv-ops (natively an IRET).
 */
#include "mmu.h"

	.text
	.globl alltraps
alltraps:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movw $KDATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call trap
	addl $4, %esp
	.globl trapret
trapret:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp
	jmp *pv_return_to_user

	.globl native_iret
native_iret:
	iret

/* Under pv (pvops_pv.c): the return through the processor's IRET from ring 1. The
 * virtual IF becomes the frame's (user mode always runs with it set); when an event
 * was held meanwhile, the VMM's iret hypercall returns and delivers it in one trip. */
	.globl pv_iret
pv_iret:
	testb $2, 4(%esp)               /* to user mode: events on */
	jnz 1f
	testl $0x200, 8(%esp)           /* to the kernel: as its frame says */
	jz 2f
1:	movb $0, pv_shared              /* evt_mask */
	cmpb $0, pv_shared+1            /* evt_pending */
	jne 3f
2:	iret
3:	pushl %eax
	movl $19, %eax                  /* PVH_IRET: pops EAX and the frame */
	int $0x82

/* Under pv, int $0x80 enters here straight from ring 3 (no VMM): mask events, as the
 * interrupt gate clears IF natively, and go on as every vector does. */
	.globl pv_syscall_entry
pv_syscall_entry:
	movb $1, pv_shared
	jmp *(vectors + 0x80 * 4)

.macro VEC n
	.align 4
vec\n:
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17)
	.else
	pushl $0
	.endif
	pushl $\n
	jmp alltraps
.endm

	.altmacro
	.set i, 0
	.rept 256
	VEC %i
	.set i, i + 1
	.endr

.macro VADDR n
	.long vec\n
.endm
	.section .rodata
	.globl vectors
vectors:
	.set i, 0
	.rept 256
	VADDR %i
	.set i, i + 1
	.endr

	.data
	.globl pv_return_to_user
pv_return_to_user:
	.long native_iret

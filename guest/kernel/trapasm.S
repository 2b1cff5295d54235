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

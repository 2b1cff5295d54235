/*
 * mb.S — the smallest multiboot kernels, for bench boot's own behaviour tests. Which
 * one is built is chosen with -DKIND=...:
 *   EXIT7   prints "ok" on COM1 and writes 7 to port 0xF4 (exit status 15)
 *   HALT    CLI; HLT (halted with interrupts disabled)
 *   TRIPLE  loads an empty IDT and divides by zero (#DE -> #GP -> #DF -> shutdown)
 *   SPIN    loops forever (for --max-insns)
 */
	.set MAGIC, 0x1BADB002
	.set FLAGS, 0x00000003
	.text
	.align 4
	.long MAGIC, FLAGS, -(MAGIC + FLAGS)

	.globl _start
_start:
	mov $0x90000, %esp
#if KIND == 1
	mov $0x3f8, %dx
	mov $'o', %al
	out %al, %dx
	mov $'k', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
	mov $7, %al
	out %al, $0xf4
	cli
1:	hlt
	jmp 1b
#elif KIND == 2
	cli
	hlt
#elif KIND == 3
	lidt idtr
	xor %ecx, %ecx
	div %ecx
#else
1:	jmp 1b
#endif

	.data
idtr:	.word 0
	.long 0

/* start.S — user entry: the kernel leaves argc and argv on the stack (after a fake
 * return address); call main and exit with its status. */
	.section .text.start
	.globl _start
_start:
	call main
	pushl %eax
	call exit

/*
 * swtch.S — switch kernel contexts: save the callee-saved registers on the old
 * stack, store its pointer in *old, load new's stack and registers (xv6's swtch).
 *   void swtch(struct context **old, struct context *new);
 */
	.globl swtch
swtch:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* images.S — the user programs, linked into the kernel as flat binaries (exec.c). */
	.section .rodata
	.align 16
	.globl user_image, user_image_end, hello_image, hello_image_end
user_image:
	.incbin "user.bin"
user_image_end:
	.align 16
hello_image:
	.incbin "hello.bin"
hello_image_end:

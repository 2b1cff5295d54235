/*
 * exec.c — replace a process's program. Programs are linked into the kernel image as
 * flat binaries (guest/user, built at USERCODE): `hello` is a tiny one, every other
 * name runs the main user image, which dispatches on argv[0]. The new address space
 * gets the image, an empty heap after it, a demand-zero stack below USERTOP holding
 * argc and argv, and the regions that tell the page-fault handler what is valid.
 */
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "pvops.h"

extern char user_image[], user_image_end[], hello_image[], hello_image_end[];

int exec(const char *name, char **argv)
{
	struct proc *p = myproc();
	const char *img = user_image, *img_end = user_image_end;
	if (!strcmp(name, "hello")) {
		img = hello_image;
		img_end = hello_image_end;
	}
	uint32 size = (uint32)(img_end - img);
	pde_t *pd = pgdir_new();
	if (!pd)
		return -1;
	for (uint32 off = 0; off < size; off += PGSIZE) {
		void *mem = kalloc();
		if (!mem)
			goto bad;
		memcpy(mem, img + off, size - off < PGSIZE ? size - off : PGSIZE);
		if (map_page(pd, USERCODE + off, V2P(mem), PTE_U | PTE_W) < 0) {
			kfree(mem);
			goto bad;
		}
	}
	/* the top stack page, with the arguments */
	void *stk = kalloc();
	if (!stk || map_page(pd, USERTOP - PGSIZE, V2P(stk), PTE_U | PTE_W) < 0)
		goto bad;
	uint32 sp = USERTOP, uargv[MAXARG + 1];
	int argc = 0;
	for (; argv[argc] && argc < MAXARG; argc++) {
		uint32 len = strlen(argv[argc]) + 1;
		sp = (sp - len) & ~3u;
		memcpy((char *)stk + (sp - (USERTOP - PGSIZE)), argv[argc], len);
		uargv[argc] = sp;
	}
	uargv[argc] = 0;
	sp -= (uint32)(argc + 1) * 4;
	memcpy((char *)stk + (sp - (USERTOP - PGSIZE)), uargv, (uint32)(argc + 1) * 4);
	uint32 argv_at = sp;
	sp -= 8;
	uint32 frame[2] = { (uint32)argc, argv_at }; /* _start calls main(argc, argv) */
	memcpy((char *)stk + (sp - (USERTOP - PGSIZE)), frame, 8);

	/* commit */
	pde_t *old = p->pgdir;
	p->pgdir = pd;
	memset(p->vma, 0, sizeof(p->vma));
	uint32 code_end = PGROUNDUP(USERCODE + size);
	vma_add(p, USERCODE, code_end, 1);
	vma_add(p, USERTOP - STACKMAX, USERTOP, 1);
	p->heap_start = p->brk = code_end;
	p->mmap_next = MMAPBASE;
	p->sig_handler = 0;
	p->in_signal = 0;
	strncpy_safe(p->name, name, sizeof(p->name));
	struct trapframe *tf = p->tf;
	memset(tf, 0, sizeof(*tf));
	tf->cs = UCODE_SEL;
	tf->ds = tf->es = tf->fs = tf->gs = tf->ss = UDATA_SEL;
	tf->eflags = FL_IF;
	tf->eip = USERCODE;
	tf->esp = sp;
	switch_uvm(p);
	if (old)
		pgdir_free(old);
	return 0;
bad:
	pgdir_free(pd);
	return -1;
}
